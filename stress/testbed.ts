// Everything a run stands on: an installation, the fake IMAP server (child process, several
// addresses), the counting sink, the api, one provider per fake server address, a partner and its users.

import { mkdir } from 'node:fs/promises';

import { CountingSink } from './counting-sink.js';
import { FakeServerHandle } from './fake-server/fake-server-handle.js';
import { Installation, type Partner } from './installation.js';
import { PartnerApi } from './partner-api.js';
import { RoleFleet, type RoleInstance } from './role-fleet.js';

export interface TestbedOptions {
  runId: string;
  mailboxes: number;
  /** 127.0.0.1, .2, ...: one fake server address and one provider each; users are spread over them. */
  imapHosts: number;
  /** Folder for logs of this run. */
  outDir: string;
  seed: number;
  /** Environment of every role process (on top of the installation's). */
  roleEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export const MAILBOX_PASSWORD = 'stress-pw';

export function mailboxName(index: number): string {
  return `user${String(index).padStart(6, '0')}@stress.test`;
}

export class Testbed {
  readonly fleet: RoleFleet;
  api!: RoleInstance;
  fakeServer!: FakeServerHandle;
  sink!: CountingSink;
  partner!: Partner;
  usernames: string[] = [];
  private readonly log: (line: string) => void;

  private constructor(
    readonly options: TestbedOptions,
    readonly installation: Installation,
  ) {
    this.log = options.log ?? ((line) => console.log(line));
    this.fleet = new RoleFleet({ ...installation.env, ...options.roleEnv }, options.outDir);
  }

  static async create(options: TestbedOptions): Promise<Testbed> {
    await mkdir(options.outDir, { recursive: true });
    const bed = new Testbed(options, new Installation(options.runId));
    try {
      await bed.setUp();
    } catch (error) {
      await bed.tearDown(false);
      throw error;
    }
    return bed;
  }

  private async setUp(): Promise<void> {
    const started = Date.now();
    const { options, installation } = this;
    await installation.migrateAndSeed();
    const listen = Array.from({ length: options.imapHosts }, (_, i) => ({ host: `127.0.0.${i + 1}` }));
    this.fakeServer = await FakeServerHandle.start({ listen, idPrefix: options.runId, seed: options.seed });
    this.usernames = Array.from({ length: options.mailboxes }, (_, i) => mailboxName(i + 1));
    await this.fakeServer.addUsers(this.usernames, MAILBOX_PASSWORD);

    const sinkServer = await CountingSink.listen();
    this.partner = await installation.createPartner(`http://127.0.0.1:${sinkServer.port}/hook`);
    this.sink = sinkServer.attach(this.partner.webhookSecret);

    const codes = this.fakeServer.addresses.map((_, i) => `FAKE${i + 1}`);
    for (const [i, address] of this.fakeServer.addresses.entries()) {
      await installation.createProvider(codes[i], address.host, address.port);
    }
    // Creating thousands of users must not trip the per-partner API rate limit.
    this.api = await this.fleet.start('api', 1, { API_RATE_LIMIT: '100000000' });
    await this.api.waitHealthy();
    const partnerApi = new PartnerApi(this.api.url, this.partner.apiKey);
    for (const code of codes) await partnerApi.createConnection(code);
    const users = this.usernames.map((username, i) => ({
      providerCode: codes[i % codes.length],
      username,
      password: MAILBOX_PASSWORD,
    }));
    await partnerApi.createUsers(users, 20, (done) => {
      if (done % 2000 === 0 || done === users.length) this.log(`  users created: ${done}/${users.length}`);
    });
    this.log(`testbed ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  async startRoles(role: 'imap-client' | 'worker', count: number, env: Record<string, string> = {}): Promise<void> {
    const started = await Promise.all(
      Array.from({ length: count }, (_, i) => this.fleet.start(role, this.fleet.byRole(role).length + i + 1, env)),
    );
    await Promise.all(started.map((instance) => instance.waitHealthy()));
  }

  /** The processes to sample: the roles and the fake server. */
  processes(): Array<{ name: string; pid: number }> {
    const roles = this.fleet.instances.filter((i) => i.running).map((i) => ({ name: i.name, pid: i.pid }));
    return this.fakeServer ? [...roles, { name: 'fake-imap', pid: this.fakeServer.pid }] : roles;
  }

  async tearDown(keepData: boolean): Promise<void> {
    await this.fleet.stopAll('SIGTERM', 5_000).catch(() => undefined);
    await this.fakeServer?.close().catch(() => undefined);
    await this.sink?.close().catch(() => undefined);
    if (!keepData) await this.installation.remove();
  }
}

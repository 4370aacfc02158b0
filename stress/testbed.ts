// Everything a run stands on: an installation, the fake IMAP server (child process, several
// addresses), the counting sink, the api, one provider per fake server address, a partner and its users.

import { mkdir } from 'node:fs/promises';

import pg from 'pg';

import { CountingSink } from './counting-sink.js';
import { seedUsersInDatabase } from './direct-user-seed.js';
import { FakeServerHandle } from './fake-server/fake-server-handle.js';
import { Installation, type Partner } from './installation.js';
import { PartnerApi } from './partner-api.js';
import { RoleFleet, type RoleInstance } from './role-fleet.js';

/** A mail server the testbed does not start itself (e.g. Dovecot), with its accounts. */
export interface ExternalMailServer {
  addresses: Array<{ host: string; port: number }>;
  accounts: Array<{ username: string; password: string }>;
}

export interface TestbedOptions {
  runId: string;
  /** Mailboxes on the fake server (ignored with `mailServer`). */
  mailboxes: number;
  /** Use this server instead of starting the fake one. */
  mailServer?: ExternalMailServer;
  /** 127.0.0.1, .2, ...: one fake server address and one provider each; users are spread over them. */
  imapHosts: number;
  /** Folder for logs of this run. */
  outDir: string;
  seed: number;
  /** Insert the users straight into PostgreSQL instead of through the API (see direct-user-seed.ts). */
  seedUsersInDatabase?: boolean;
  /** A Redis Cluster's nodes (`host:port,...`) to run on instead of REDIS_URL. */
  redisClusterNodes?: string;
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
  /** Absent when the testbed runs against an external mail server. */
  fakeServer!: FakeServerHandle;
  sink!: CountingSink;
  partner!: Partner;
  usernames: string[] = [];
  /** Which server address each mailbox's provider points at. */
  readonly addressOf = new Map<string, { host: string; port: number }>();
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
    const bed = new Testbed(options, new Installation(options.runId, options.redisClusterNodes));
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
    let addresses: Array<{ host: string; port: number }>;
    let accounts: Array<{ username: string; password: string }>;
    if (options.mailServer) {
      ({ addresses, accounts } = options.mailServer);
    } else {
      const listen = Array.from({ length: options.imapHosts }, (_, i) => ({ host: `127.0.0.${i + 1}` }));
      this.fakeServer = await FakeServerHandle.start({
        listen,
        idPrefix: options.runId,
        seed: options.seed,
        // Enough history to explain a lost mail, affordable for a few thousand mailboxes.
        traceUsers: options.mailboxes <= 5000 ? 80 : 0,
      });
      accounts = Array.from({ length: options.mailboxes }, (_, i) => ({
        username: mailboxName(i + 1),
        password: MAILBOX_PASSWORD,
      }));
      await this.fakeServer.addUsers(
        accounts.map((account) => account.username),
        MAILBOX_PASSWORD,
      );
      addresses = this.fakeServer.addresses;
    }
    this.usernames = accounts.map((account) => account.username);

    const sinkServer = await CountingSink.listen();
    this.partner = await installation.createPartner(`http://127.0.0.1:${sinkServer.port}/hook`);
    this.sink = sinkServer.attach(this.partner.webhookSecret);

    const codes = addresses.map((_, i) => `FAKE${i + 1}`);
    for (const [i, address] of addresses.entries()) {
      await installation.createProvider(codes[i], address.host, address.port);
    }
    // Creating thousands of users must not trip the per-partner API rate limit.
    this.api = await this.fleet.start('api', 1, { API_RATE_LIMIT: '100000000' });
    await this.api.waitHealthy();
    const partnerApi = new PartnerApi(this.api.url, this.partner.apiKey);
    for (const code of codes) await partnerApi.createConnection(code);
    const users = accounts.map((account, i) => ({ providerCode: codes[i % codes.length], ...account }));
    accounts.forEach((account, i) => this.addressOf.set(account.username, addresses[i % addresses.length]));
    const progress = (done: number): void => {
      if (done % 2000 === 0 || done === users.length) this.log(`  users created: ${done}/${users.length}`);
    };
    if (options.seedUsersInDatabase) await seedUsersInDatabase(installation.env, users, progress);
    else await partnerApi.createUsers(users, 20, progress);
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
    const fake = this.fakeServer as FakeServerHandle | undefined;
    return fake ? [...roles, { name: 'fake-imap', pid: fake.pid }] : roles;
  }

  /**
   * The first `count` mailboxes an imap-client capped at MAX_USER_THREADS = count watches: it takes
   * watchable users in id order (LocalOwnership → SessionManager.reconcile).
   */
  async firstWatched(count: number): Promise<string[]> {
    const rows = await this.query<{ tag: string }>(
      'SELECT tag FROM users WHERE archived_at IS NULL AND connected_at IS NOT NULL ORDER BY id LIMIT $1',
      [count],
    );
    return rows.map((row) => row.tag);
  }

  /** Users' last errors, most common first (a run that does not converge says why before its data goes). */
  async lastErrors(limit: number): Promise<{ error: string; users: number }[]> {
    const rows = await this.query<{ error: string | null; users: string }>(
      `SELECT left(last_error, 120) AS error, count(*) AS users FROM users
        WHERE archived_at IS NULL GROUP BY 1 ORDER BY 2 DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ error: row.error ?? '(none)', users: Number(row.users) }));
  }

  /** One statement on the installation's database, on a connection of its own. */
  private async query<Row extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<Row[]> {
    const client = new pg.Client({ connectionString: this.installation.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query<Row>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async tearDown(keepData: boolean): Promise<void> {
    await this.fleet.stopAll('SIGTERM', 15_000).catch(() => undefined);
    await (this.fakeServer as FakeServerHandle | undefined)?.close().catch(() => undefined);
    await this.sink?.close().catch(() => undefined);
    if (!keepData) await this.installation.remove();
  }
}

import { randomBytes } from 'node:crypto';

import { FakeImapServer, type FakeImapServerOptions } from '../harness/fake-imap/index.js';
import { ApiClient, usersPath } from './api-client.js';
import { closeDatabase, sql } from './database.js';
import { FAST_IMAP_ENV } from './imap-testbed.js';
import { RoleProcess } from './role-process.js';
import { runCli } from './run-cli.js';
import { uniqueName } from './test-env.js';
import { waitFor } from './wait-for.js';

export interface FakeMailbox {
  tag: string;
  userId: string;
  username: string;
}

/** Like ImapTestbed, but the provider points at the in-repo fake IMAP server, for faults Dovecot cannot make. */
export class FakeImapTestbed {
  readonly processes: RoleProcess[] = [];

  private constructor(
    readonly server: FakeImapServer,
    readonly api: RoleProcess,
    readonly partner: ApiClient,
    readonly providerCode: string,
  ) {}

  static async start(options: FakeImapServerOptions = {}): Promise<FakeImapTestbed> {
    const server = await FakeImapServer.start(options);
    const providerCode = uniqueName('FAKE').toUpperCase();
    const created = await runCli([
      'provider',
      'create',
      '--code',
      providerCode,
      '--title',
      'Fake IMAP',
      '--imap-host',
      '127.0.0.1',
      '--imap-port',
      String(server.port),
      '--imap-security',
      'none',
      '--auth',
      'password',
    ]);
    if (created.code !== 0) throw new Error(`provider create failed: ${created.stderr}`);
    const api = await RoleProcess.start('api');
    await api.waitHealthy();
    const partner = await ApiClient.forNewPartner(api.url, 'Fake IMAP partner');
    await partner.post('/api/v1/connections', { imap_provider_code: providerCode });
    return new FakeImapTestbed(server, api, partner, providerCode);
  }

  async addMailbox(options: { password?: string } = {}): Promise<FakeMailbox> {
    const username = `u${randomBytes(4).toString('hex')}@fake.test`;
    this.server.addUser(username, 'secret');
    const result = await this.partner.post(usersPath(this.providerCode), {
      tag: username,
      login_username: username,
      login_password: options.password ?? 'secret',
    });
    if (result.status !== 200) throw new Error(`user create failed: ${JSON.stringify(result.body)}`);
    const userId = new URL(result.body.connect_url as string).searchParams.get('user_id') ?? '';
    return { tag: username, userId, username };
  }

  async startImapClient(env: Record<string, string> = {}): Promise<RoleProcess> {
    const process = await RoleProcess.start('imap-client', { ...FAST_IMAP_ENV, ...env });
    this.processes.push(process);
    await process.waitHealthy();
    return process;
  }

  async waitForSession(mailbox: FakeMailbox, timeoutMs = 10_000): Promise<void> {
    await waitFor(`a session for ${mailbox.username}`, () => this.server.openSessions(mailbox.username) === 1, {
      timeoutMs,
    });
  }

  async events(userId: string): Promise<Record<string, any>[]> {
    return sql('SELECT * FROM webhook_events WHERE user_id = $1 ORDER BY created_at', [userId]);
  }

  async waitForEvents(userId: string, count: number, timeoutMs = 10_000): Promise<Record<string, any>[]> {
    return waitFor(
      `${count} events for user ${userId}`,
      async () => {
        const events = await this.events(userId);
        return events.length >= count ? events : null;
      },
      { timeoutMs, intervalMs: 25 },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGKILL')));
    await this.api.stop('SIGKILL');
    await this.server.close();
    await closeDatabase();
  }
}

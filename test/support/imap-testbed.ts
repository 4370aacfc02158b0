import { Queue } from 'bullmq';

import { DovecotTestServer, type DovecotStartOptions } from '../harness/dovecot.js';
import { ApiClient, usersPath } from './api-client.js';
import { closeDatabase, sql } from './database.js';
import { RoleProcess } from './role-process.js';
import { runCli } from './run-cli.js';
import { REDIS_URL, uniqueName } from './test-env.js';
import { waitFor } from './wait-for.js';

export interface Mailbox {
  tag: string;
  userId: string;
  email: string;
  password: string;
}

/** Settings that make imap-client react fast in tests. */
export const FAST_IMAP_ENV = {
  HEARTBEAT_INTERVAL: '1',
  HEARTBEAT_TIMEOUT: '3',
  OUTBOX_SWEEP_INTERVAL: '1',
};

/**
 * A private Dovecot, an api process and a partner whose connection points at that Dovecot:
 * what an operator and a partner would set up, done through the CLI and the REST API.
 */
export class ImapTestbed {
  readonly processes: RoleProcess[] = [];
  private queue?: Queue;

  private constructor(
    readonly dovecot: DovecotTestServer,
    readonly api: RoleProcess,
    readonly partner: ApiClient,
    readonly providerCode: string,
  ) {}

  static async start(options: DovecotStartOptions & { partnerWebhook?: string } = {}): Promise<ImapTestbed> {
    const dovecot = await DovecotTestServer.start(options);
    const providerCode = uniqueName('DOVECOT').toUpperCase();
    const created = await runCli([
      'provider',
      'create',
      '--code',
      providerCode,
      '--title',
      'Test Dovecot',
      '--imap-host',
      '127.0.0.1',
      '--imap-port',
      String(dovecot.imapPort),
      '--imap-security',
      'none',
      '--auth',
      'password',
    ]);
    if (created.code !== 0) throw new Error(`provider create failed: ${created.stderr}`);
    const api = await RoleProcess.start('api');
    await api.waitHealthy();
    const partnerArgs = options.partnerWebhook ? ['--new-mail-webhook', options.partnerWebhook] : [];
    const partner = await ApiClient.forNewPartner(api.url, 'Imap test partner', partnerArgs);
    await partner.post('/api/v1/connections', { imap_provider_code: providerCode });
    return new ImapTestbed(dovecot, api, partner, providerCode);
  }

  /** Creates a SuperIMAP user for Dovecot user n, with its password. */
  async addMailbox(n: number, options: { password?: string; tag?: string } = {}): Promise<Mailbox> {
    const { email, password } = this.dovecot.user(n);
    const tag = options.tag ?? `user-${n}`;
    const result = await this.partner.post(usersPath(this.providerCode), {
      tag,
      login_username: email,
      login_password: options.password ?? password,
    });
    if (result.status !== 200) throw new Error(`user create failed: ${JSON.stringify(result.body)}`);
    const userId = new URL(result.body.connect_url as string).searchParams.get('user_id') ?? '';
    return { tag, userId, email, password };
  }

  async startRole(role: 'imap-client' | 'worker', env: Record<string, string> = {}): Promise<RoleProcess> {
    const process = await RoleProcess.start(role, { ...FAST_IMAP_ENV, ...env });
    this.processes.push(process);
    await process.waitHealthy();
    return process;
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

  async userRow(userId: string): Promise<Record<string, any>> {
    return (await sql('SELECT * FROM users WHERE id = $1', [userId]))[0];
  }

  /** The BullMQ queue the api and imap-client write to, as the worker sees it. */
  webhookQueue(): Queue {
    this.queue ??= new Queue('webhooks', {
      connection: { url: REDIS_URL },
      prefix: `${process.env.REDIS_PREFIX}:bull`,
    });
    return this.queue;
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGKILL')));
    await this.api.stop('SIGKILL');
    await this.queue?.close();
    await this.dovecot.stop();
    await closeDatabase();
  }
}

import { Queue } from 'bullmq';
import type pg from 'pg';

import { bullPrefix } from '@app/core';

import { ApiClient } from './api-client.js';
import { RoleProcess } from './role-process.js';
import { type CliResult, runCli } from './run-cli.js';
import { ScratchDatabase } from './scratch-database.js';
import { REDIS_URL, uniqueName } from './test-env.js';
import { waitFor } from './wait-for.js';

/** Settings that make imap-client and worker react fast in tests. */
export const FAST_ENV = {
  HEARTBEAT_INTERVAL: '1',
  HEARTBEAT_TIMEOUT: '3',
  OUTBOX_SWEEP_INTERVAL: '1',
};

/** The Message-IDs of events (rows of `events()`), in their order. */
export const messageIds = (events: Record<string, any>[]): string[] =>
  events.map((event) => event.metadata.envelope.message_id as string);

/**
 * A whole SuperIMAP installation of its own: a fresh database and Redis prefix, so test files that start
 * imap-client processes (which watch every mailbox of their installation) never see each other's users.
 */
export class TestInstallation {
  readonly db = new ScratchDatabase();
  readonly env: Record<string, string>;
  readonly processes: RoleProcess[] = [];
  api!: RoleProcess;
  private pool?: pg.Pool;
  private queue?: Queue;

  constructor(env: Record<string, string> = {}) {
    this.env = { DATABASE_URL: this.db.url, REDIS_PREFIX: uniqueName('superimap-test'), ...env };
  }

  /** Migrates, seeds and starts the api (on `apiPort` when given, e.g. the port of PUBLIC_URL). */
  async start(options: { apiPort?: number } = {}): Promise<this> {
    for (const command of [['migrate'], ['seed']]) {
      const result = await this.cli(command);
      if (result.code !== 0) throw new Error(`${command[0]} failed: ${result.stderr}`);
    }
    this.api = await RoleProcess.start('api', this.env, options.apiPort);
    await this.api.waitHealthy();
    return this;
  }

  cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, { ...this.env, ...env });
  }

  async createPartner(name: string, extraArgs: string[] = []): Promise<ApiClient> {
    const result = await this.cli(['partner', 'create', '--name', name, ...extraArgs]);
    if (result.code !== 0) throw new Error(`partner create failed: ${result.stderr}`);
    const { api_key: apiKey, id } = result.json as { api_key: string; id: string };
    return new ApiClient(this.api.url, apiKey, id);
  }

  /** A password provider pointing at a local IMAP server (no TLS). */
  async createLocalProvider(title: string, port: number): Promise<string> {
    const code = uniqueName('LOCAL').toUpperCase();
    const result = await this.cli([
      'provider',
      'create',
      '--code',
      code,
      '--title',
      title,
      '--imap-host',
      '127.0.0.1',
      '--imap-port',
      String(port),
      '--imap-security',
      'none',
      '--auth',
      'password',
    ]);
    if (result.code !== 0) throw new Error(`provider create failed: ${result.stderr}`);
    return code;
  }

  async startRole(role: 'imap-client' | 'worker', env: Record<string, string> = {}): Promise<RoleProcess> {
    const process = await RoleProcess.start(role, { ...this.env, ...FAST_ENV, ...env });
    this.processes.push(process);
    await process.waitHealthy();
    return process;
  }

  async sql<T extends pg.QueryResultRow = Record<string, any>>(text: string, values: unknown[] = []): Promise<T[]> {
    this.pool ??= this.db.pool();
    return (await this.pool.query<T>(text, values)).rows;
  }

  async events(userId: string): Promise<Record<string, any>[]> {
    return this.sql('SELECT * FROM webhook_events WHERE user_id = $1 ORDER BY created_at', [userId]);
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
    return (await this.sql('SELECT * FROM users WHERE id = $1', [userId]))[0];
  }

  /** The BullMQ webhook queue of this installation, as the worker sees it. */
  webhookQueue(): Queue {
    this.queue ??= new Queue('webhooks', { connection: { url: REDIS_URL }, prefix: bullPrefix(this.env.REDIS_PREFIX) });
    return this.queue;
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGKILL')));
    await this.api?.stop('SIGKILL');
    await this.queue?.obliterate({ force: true }).catch(() => undefined);
    await this.queue?.close();
    await this.pool?.end();
    await this.db.drop();
  }
}

// A throw-away SuperIMAP installation for one run: its own database and Redis prefix, set up the
// way an operator and a partner would (CLI for migrate/seed/provider/partner, REST API for users,
// whose secrets only the app can encrypt), and removed afterwards.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

import { Redis } from 'ioredis';
import pg from 'pg';

/** The CLI under test; SUPERIMAP_BIN points a run at another build (e.g. a patched copy). */
const CLI = resolve(process.env.SUPERIMAP_BIN ?? 'bin/superimap');
export const POSTGRES_URL = process.env.STRESS_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.STRESS_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Partner {
  id: string;
  apiKey: string;
  webhookSecret: string;
}

export class Installation {
  readonly databaseName: string;
  readonly redisPrefix: string;
  /** What every role process of this installation runs with (ports and tuning are added per process). */
  readonly env: Record<string, string>;

  constructor(
    readonly runId: string,
    private readonly redisClusterNodes?: string,
  ) {
    this.databaseName = `superimap_stress_${runId}`;
    this.redisPrefix = `stress-${runId}`;
    this.env = {
      NODE_ENV: 'test',
      DATABASE_URL: `${POSTGRES_URL}/${this.databaseName}`,
      REDIS_URL,
      REDIS_PREFIX: this.redisPrefix,
      ...(redisClusterNodes ? { REDIS_CLUSTER_NODES: redisClusterNodes } : {}),
      ENCRYPTION_KEY: `stress:${randomBytes(24).toString('hex')}`,
      SECRET_KEY_BASE: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
    };
  }

  static newRunId(): string {
    return `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  }

  /** Runs `superimap <args>` and returns its JSON output. */
  async cli(args: string[]): Promise<unknown> {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    if (code !== 0) throw new Error(`superimap ${args.join(' ')} failed (${code}): ${stderr || stdout}`);
    try {
      return JSON.parse(stdout) as unknown;
    } catch {
      return stdout;
    }
  }

  async migrateAndSeed(): Promise<void> {
    await this.cli(['migrate']);
    await this.cli(['seed']);
  }

  async createProvider(code: string, host: string, port: number): Promise<void> {
    await this.cli([
      'provider',
      'create',
      '--code',
      code,
      '--title',
      `Fake ${host}`,
      '--imap-host',
      host,
      '--imap-port',
      String(port),
      '--imap-security',
      'none',
      '--auth',
      'password',
    ]);
  }

  async createPartner(webhookUrl: string): Promise<Partner> {
    const out = (await this.cli(['partner', 'create', '--name', 'Stress', '--new-mail-webhook', webhookUrl])) as {
      id: string;
      api_key: string;
      webhook_secret: string;
    };
    return { id: out.id, apiKey: out.api_key, webhookSecret: out.webhook_secret };
  }

  /** Drops the database and deletes every Redis key under the prefix (a private cluster goes as a whole). */
  async remove(): Promise<void> {
    const client = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres` });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(this.databaseName)} WITH (FORCE)`);
    await client.end();
    if (this.redisClusterNodes) return;
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `{${this.redisPrefix}:*`, // every key is `{prefix:area}:...` (redis-keys.ts)
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
}

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { Redis } from 'ioredis';
import pg from 'pg';

// Jest loads this file outside its module mapper, so it imports packages only.
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs once per tier that has it; the second run finds nothing left to do. */
export default async function globalTeardown(): Promise<void> {
  // First the processes: a role left running would keep its database busy.
  killLeftoverProcesses();
  if (process.env.DATABASE_URL) await dropRunDatabase(process.env.DATABASE_URL);
  if (process.env.REDIS_PREFIX) await deleteRedisKeys(`{${process.env.REDIS_PREFIX}:*`); // redisKey()'s shape
}

/**
 * SIGKILLs (with their process groups) the recorded processes still alive: those of a test worker jest
 * force-killed after a timeout, which never ran its exit handler (test/support/child-processes.ts).
 */
function killLeftoverProcesses(): void {
  const dir = process.env.SUPERIMAP_TEST_PIDS_DIR;
  if (!dir) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const killed = names.map(Number).filter((pid) => stillOurs(dir, pid) && killGroup(pid));
  if (killed.length > 0) console.warn(`global teardown: killed ${killed.length} test process(es) left running`);
  rmSync(dir, { recursive: true, force: true });
}

/** Whether `pid` still runs the command recorded for it (pids are reused). */
function stillOurs(dir: string, pid: number): boolean {
  try {
    const spawned = readFileSync(join(dir, String(pid)), 'utf8').split('\n')[1];
    const running = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return running === spawned.trim();
  } catch {
    return false;
  }
}

function killGroup(pid: number): boolean {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return true;
}

async function dropRunDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres` });
  await client.connect();
  const database = new URL(url).pathname.slice(1);
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  await client.end();
}

async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

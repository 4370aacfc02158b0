import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Jest loads this file outside its module mapper and resolver, so it imports packages only and migrates
// through the CLI. A module of its own (not global-setup.ts): jest runs a setup module once per path.
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

/**
 * The e2e tier: the directory for spawned processes' records (as global-setup.ts), one fresh database,
 * migrated by the built CLI, and one Redis key prefix for the run; global-teardown removes both.
 */
export default function e2eGlobalSetup(): void {
  process.env.SUPERIMAP_TEST_PIDS_DIR ??= mkdtempSync(join(tmpdir(), 'superimap-test-pids-'));
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  process.env.DATABASE_URL = `${POSTGRES_URL}/superimap_test_${suffix}`;
  process.env.REDIS_PREFIX = `superimap-test-${suffix}`;
  execFileSync(process.execPath, ['bin/superimap', 'migrate'], {
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'test', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

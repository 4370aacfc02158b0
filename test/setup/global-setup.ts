import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Jest loads this file outside its module mapper, so it imports packages only and migrates through the CLI.
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

/**
 * For every tier that spawns processes (integration, e2e): the directory where test workers record each
 * process they spawn (test/support/child-processes.ts), so global-teardown can kill what a dead worker
 * left behind. For the e2e tier also: one fresh database, migrated by the built CLI, and one Redis key
 * prefix for the run; global-teardown removes both.
 */
export default function globalSetup(_global: unknown, project: { displayName?: string | { name: string } }): void {
  process.env.SUPERIMAP_TEST_PIDS_DIR ??= mkdtempSync(join(tmpdir(), 'superimap-test-pids-'));
  const tier = typeof project.displayName === 'string' ? project.displayName : project.displayName?.name;
  if (tier !== 'e2e') return;
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  process.env.DATABASE_URL = `${POSTGRES_URL}/superimap_test_${suffix}`;
  process.env.REDIS_PREFIX = `superimap-test-${suffix}`;
  execFileSync(process.execPath, ['bin/superimap', 'migrate'], {
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'test', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

// Jest loads this file outside its module mapper, so it imports packages only and migrates through the CLI.
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** One fresh, migrated database and one Redis key prefix per test run; global-teardown removes both. */
export default function globalSetup(): void {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  process.env.DATABASE_URL = `${POSTGRES_URL}/superimap_test_${suffix}`;
  process.env.REDIS_PREFIX = `superimap-test-${suffix}`;
  execFileSync(process.execPath, ['bin/superimap', 'migrate'], {
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'test', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

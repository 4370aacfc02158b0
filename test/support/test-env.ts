import { randomBytes } from 'node:crypto';

/** Secrets used by every test process; fixed so children spawned by tests can read what parents wrote. */
export const TEST_ENCRYPTION_KEY = 'test1:test-encryption-key-0123456789abcdef';
export const TEST_SECRET_KEY_BASE = 'test-secret-key-base-0123456789abcdef0123456789';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** The environment a SuperIMAP process under test runs with (database and Redis prefix of this test run). */
export function testEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: required('DATABASE_URL'),
    REDIS_URL,
    REDIS_PREFIX: required('REDIS_PREFIX'),
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    SECRET_KEY_BASE: TEST_SECRET_KEY_BASE,
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test (global setup sets it)`);
  return value;
}

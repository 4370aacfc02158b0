import { base, SLOW_TEST_TIMEOUT_MS } from './jest.base.js';

/**
 * Nest testing modules built in process on the real PostgreSQL and Redis (a scratch database and Redis
 * prefix per suite, test/support/nest-testing.ts) and the fake IMAP server in process. No build needed.
 */
export default {
  ...base,
  displayName: 'integration',
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // Kills what a test file spawned when it ends, even if its own clean-up never ran.
  testEnvironment: '<rootDir>/test/setup/test-environment.ts',
  testTimeout: SLOW_TEST_TIMEOUT_MS,
};

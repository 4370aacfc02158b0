import { base, SLOW_TEST_TIMEOUT_MS } from './jest.base.js';

/** Every role spawned from the build (`bin/superimap` runs dist/), as in production: run `nest build` first. */
export default {
  ...base,
  displayName: 'e2e',
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/setup/e2e-global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // Kills what a test file spawned when it ends, even if its own clean-up never ran.
  testEnvironment: '<rootDir>/test/setup/test-environment.ts',
  testTimeout: SLOW_TEST_TIMEOUT_MS,
};

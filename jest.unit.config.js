import { base, TEST_TIMEOUT_MS } from './jest.base.js';

/** Unit specs beside the code: no build, no PostgreSQL, no Redis, no global setup. */
export default {
  ...base,
  displayName: 'unit',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/harness/**/*.spec.ts', '<rootDir>/test/*.spec.ts'],
  testTimeout: TEST_TIMEOUT_MS,
};

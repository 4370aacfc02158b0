// What every test tier shares. Jest runs in native ESM mode (NestJS 12 ships ESM only): see the
// "test:jest" script's NODE_OPTIONS.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', useESM: true }];

export const base = {
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  // Two workers: the machine is shared, and e2e suites spawn several processes each.
  maxWorkers: 2,
  moduleNameMapper: {
    '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@app/([a-z-]+)/http$': '<rootDir>/libs/$1/src/http.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

/**
 * The per-test timeout only catches a hung test; every wait inside has its own deadline. Long for the tiers
 * that start processes: on a loaded machine (CI shares its cores) a test of many steps (boot roles, run
 * CLI commands, wait for retries) takes minutes.
 */
export const TEST_TIMEOUT_MS = 60_000;
export const SLOW_TEST_TIMEOUT_MS = 180_000;

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
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

/** Deadlines are for a loaded machine (CI shares its cores): a hung test fails, a slow one does not. */
export const TEST_TIMEOUT_MS = 60_000;

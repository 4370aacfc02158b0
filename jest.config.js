import { SLOW_TEST_TIMEOUT_MS } from './jest.base.js';

// `npm test` runs the three tiers as projects; `npm run test:unit|test:integration|test:e2e` runs one
// tier's config alone.
export default {
  projects: ['<rootDir>/jest.unit.config.js', '<rootDir>/jest.integration.config.js', '<rootDir>/jest.e2e.config.js'],
  // With projects, the longest tier's timeout applies to the run (a timeout is a global option).
  testTimeout: SLOW_TEST_TIMEOUT_MS,
  maxWorkers: 2,
};

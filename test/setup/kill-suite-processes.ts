import { killSpawnedChildren } from '../support/child-processes.js';

// Runs after every hook of the test file (a root-level afterAll runs after those of its describe blocks):
// whatever a failed or timed-out suite did not stop is killed now, not at the end of the whole run.
afterAll(() => {
  killSpawnedChildren();
});

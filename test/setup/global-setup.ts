import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Jest loads this file outside its module mapper and resolver, so it imports packages only.

/**
 * For every tier that spawns processes (integration, e2e): the directory where test workers record each
 * process they spawn (test/support/child-processes.ts), so global-teardown can kill what a dead worker
 * left behind. The e2e tier has its own module (e2e-global-setup.ts), which also makes its installation:
 * jest runs a setup module once per path, with the config of whichever project's test it sorted first, so
 * one shared module cannot tell the tiers apart (previously failed integration tests sort first, and the
 * e2e tier then had no database).
 */
export default function globalSetup(): void {
  process.env.SUPERIMAP_TEST_PIDS_DIR ??= mkdtempSync(join(tmpdir(), 'superimap-test-pids-'));
}

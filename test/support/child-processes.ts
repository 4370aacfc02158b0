import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { SpawnedProcessRegistry } from '../setup/test-environment.js';

/**
 * Every process a test spawns goes through here, so that none outlives its test file: a suite that fails
 * or times out must not leave roles running (they would keep watching mailboxes and eating CPU).
 *
 * Two nets:
 * - the jest test environment (test/setup/test-environment.ts) kills the file's children when the file
 *   ends and when the test process exits or is signalled;
 * - each pid is also recorded in SUPERIMAP_TEST_PIDS_DIR, which global-teardown sweeps: a test process
 *   jest SIGKILLs runs no handler.
 * Children run in their own process group (detached), so a kill reaches anything they started too.
 */
const registry = (globalThis as { superimapSpawnedProcesses?: SpawnedProcessRegistry }).superimapSpawnedProcesses;

function recordsDir(): string {
  const dir = process.env.SUPERIMAP_TEST_PIDS_DIR ?? join(tmpdir(), `superimap-test-pids-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `spawn`, with the child registered until it exits. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const pid = child.pid;
  if (pid === undefined) return child;
  registry?.add(pid);
  const record = join(recordsDir(), String(pid));
  writeFileSync(record, `${process.pid}\n${command} ${args.join(' ')}\n`);
  child.once('exit', () => {
    registry?.delete(pid);
    rmSync(record, { force: true });
  });
  return child;
}

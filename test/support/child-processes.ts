import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every process a test spawns, so that none outlives its test run: a suite that fails, times out or is
 * killed must not leave roles running (they would keep watching mailboxes and holding ports).
 *
 * Two nets, because neither is enough alone:
 * - the test worker kills its children when it exits (`process.on('exit')`, synchronous SIGKILL);
 * - each child's pid is also written to PIDS_DIR, which jest's globalTeardown sweeps (see killRecorded):
 *   a worker that jest force-kills runs no exit handler (test/setup/global-teardown.ts).
 * Children run in their own process group (detached), so a kill reaches anything they started too.
 */
const PIDS_DIR_VARIABLE = 'SUPERIMAP_TEST_PIDS_DIR';

const live = new Map<number, ChildProcess>();
let exitHookInstalled = false;

function pidsDir(): string {
  const dir = process.env[PIDS_DIR_VARIABLE] ?? join(tmpdir(), `superimap-test-pids-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Kills every child this process spawned and has not seen exit (synchronous: usable in an exit handler). */
export function killSpawnedChildren(): void {
  for (const pid of live.keys()) killGroup(pid);
  live.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killSpawnedChildren);
  // A signal ends a process without 'exit' handlers; these run them (jest stops workers with SIGTERM).
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
}

/** `spawn`, with the child registered until it exits. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  installExitHook();
  const child = spawn(command, args, { ...options, detached: true });
  const pid = child.pid;
  if (pid === undefined) return child;
  live.set(pid, child);
  const record = join(pidsDir(), String(pid));
  writeFileSync(record, `${process.pid}\n${command} ${args.join(' ')}\n`);
  child.once('exit', () => {
    live.delete(pid);
    rmSync(record, { force: true });
  });
  return child;
}

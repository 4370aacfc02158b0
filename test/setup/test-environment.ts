import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';

// Jest loads this file outside its module mapper and outside the test sandbox, so it imports packages
// only, and `process` here is the real one (a test's `process.on` never sees the worker exit).

/** What test/support/child-processes.ts finds on the test's global, to register what it spawns. */
export interface SpawnedProcessRegistry {
  add(pid: number): void;
  delete(pid: number): void;
}

const everySpawned = new Set<number>();
let hooksInstalled = false;

function kill(pids: Iterable<number>): void {
  for (const pid of pids) {
    // Children run in their own process group: the group first, so nothing they started survives.
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** When this test process ends, however it ends short of SIGKILL, its children end with it. */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => kill(everySpawned));
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
  // A jest worker whose parent died (killed, interrupted) would otherwise run on, holding its children.
  if (process.connected) process.once('disconnect', () => process.exit(1));
}

/**
 * The node environment, plus: every process a test file spawns is killed when the file is done (its
 * own afterAll may never have run: a failed beforeAll, a timeout) and when the test process exits.
 * A process jest SIGKILLs runs no handler at all; global-teardown covers that case.
 */
export default class TestEnvironment extends NodeEnvironment {
  private readonly spawned = new Set<number>();

  constructor(...args: ConstructorParameters<typeof NodeEnvironment>) {
    super(...args);
    installExitHooks();
    const registry: SpawnedProcessRegistry = {
      add: (pid) => {
        this.spawned.add(pid);
        everySpawned.add(pid);
      },
      delete: (pid) => {
        this.spawned.delete(pid);
        everySpawned.delete(pid);
      },
    };
    this.global.superimapSpawnedProcesses = registry;
  }

  override async teardown(): Promise<void> {
    kill(this.spawned);
    for (const pid of this.spawned) everySpawned.delete(pid);
    this.spawned.clear();
    await super.teardown();
  }
}

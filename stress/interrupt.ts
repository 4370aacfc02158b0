// Ctrl-C or SIGTERM in the middle of a run still stops the roles and drops the run's database and
// Redis keys; a second signal exits at once.

let cleanup: (() => Promise<void>) | null = null;

export function onInterrupt(action: () => Promise<void>): void {
  cleanup = action;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    const pending = cleanup;
    cleanup = null;
    if (!pending) process.exit(130);
    console.error(`\n${signal}: cleaning up (again to exit at once)`);
    void pending().finally(() => process.exit(130));
  });
}

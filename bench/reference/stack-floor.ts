// Parent side of the stack-floor reference (stack-floor-process.ts).

import { fork } from 'node:child_process';

const ENTRY = new URL('./stack-floor-process.js', import.meta.url);

/** Starts the reference; resolves once its imports are done, with its pid and a way to end it. */
export async function startStackFloor(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = fork(ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`stack-floor process exited (${code})`)));
    child.once('message', () => resolve());
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid ?? 0,
    stop: async () => {
      child.disconnect();
      await exited;
    },
  };
}

// Takes a heap snapshot (which runs a full GC first, so it shows live objects only) of an imap-client
// holding N idle sessions on the fake server, or with --reference of the bare imapflow script.
// Usage: node dist-stress/bench/profile/idle-heap.js [N] [--reference]

import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { sleep } from '../../stress/free-port.js';
import { MAILBOX_PASSWORD } from '../../stress/testbed.js';
import { BenchContext } from '../context.js';
import { waitUntil } from '../measure.js';
import { BareImapflowHolder } from '../reference/holder-handle.js';

const sessions = Number(process.argv[2] ?? 2000);
const reference = process.argv.includes('--reference');
const outDir = join('bench-results', `heap-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const ctx = new BenchContext(outDir, sessions, (line) => console.log(line));
try {
  const nodeArgs = ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${join(process.cwd(), outDir)}`];
  let target: ChildProcess;
  if (reference) {
    const bed = await ctx.fake();
    const holder = await BareImapflowHolder.start(nodeArgs);
    const accounts = bed.usernames.map((username) => ({
      ...bed.addressOf.get(username)!,
      username,
      password: MAILBOX_PASSWORD,
    }));
    await holder.connect(accounts.slice(0, sessions), 20);
    target = holder.child;
  } else {
    target = (await ctx.startImapClient(sessions, { STRESS_NODE_ARGS: nodeArgs.join(' ') })).instance.child;
  }
  await sleep(15_000);
  target.kill('SIGUSR2');
  await waitUntil(
    'the heap snapshot',
    async () => (await readdir(outDir)).some((name) => name.endsWith('.heapsnapshot')),
    120_000,
    500,
  );
  await sleep(5000); // written in one go once the file appears, but give it time to close
  const file = (await readdir(outDir)).find((name) => name.endsWith('.heapsnapshot'));
  console.log(`snapshot: ${join(outDir, file ?? '')}; summarise with:`);
  console.log(
    `node --max-old-space-size=8192 dist-stress/bench/profile/heap-summary.js ${join(outDir, file ?? '')} ${sessions}`,
  );
} finally {
  await ctx.close();
}
// The reference process, if any, ends with this one (it exits when its IPC channel closes).
process.exit(0);

// Sections on the fake server with all roles running: reconnect after a restart, end-to-end
// throughput at saturation, a burst, and a second mail right after the first.

import { sleep } from '../../stress/free-port.js';
import type { RoleInstance } from '../../stress/role-fleet.js';
import type { Testbed } from '../../stress/testbed.js';
import type { BenchContext } from '../context.js';
import { CpuBreakdown, pidsByName } from '../cpu-breakdown.js';
import type { MailTracker } from '../mail-tracker.js';
import { median } from '../measure.js';
import { type BenchRow, fmt, verdict } from '../table.js';

export const WATCHED = 1000;
const HANDSHAKE_CAP = 20; // IMAP_CONNECT_CONCURRENCY default

/** Kills `running` (if any), restarts an imap-client capped at `cap` and measures the reconnect. */
export async function reconnect(
  ctx: BenchContext,
  running: RoleInstance | null,
  cap: number,
  boundMs: number,
  env: Record<string, string> = {},
): Promise<{ rows: BenchRow[]; instance: RoleInstance }> {
  const bed = await ctx.fake();
  if (running) await ctx.stopAndSettle(running);
  await bed.fakeServer.resetPeakHandshakes();
  ctx.log(`reconnect: ${cap} mailboxes after a restart`);
  const { instance, connectMs } = await ctx.startImapClient(cap, env);
  const peak = (await bed.fakeServer.stats()).handshakes.peak;
  const section = `4. restart ${cap}`;
  return {
    instance,
    rows: [
      {
        section,
        figure: 'process start → all in IDLE',
        superimap: fmt.s(connectMs),
        reference: '',
        target: `≤ ${boundMs / 1000} s`,
        verdict: verdict(connectMs <= boundMs),
      },
      {
        section,
        figure: 'handshakes in flight, peak (server side)',
        superimap: String(peak),
        reference: '',
        target: `≤ ${HANDSHAKE_CAP} (cap)`,
        verdict: verdict(peak <= HANDSHAKE_CAP),
      },
    ],
  };
}

export async function throughput(
  bed: Testbed,
  tracker: MailTracker,
  ctx: BenchContext,
  offered: number,
  seconds: number,
  label: string,
): Promise<BenchRow[]> {
  const users = await bed.firstWatched(WATCHED);
  ctx.log(`throughput (${label}): ${offered} mails/s offered for ${seconds} s, 10 KB each`);
  const role = (name: 'imap-client' | 'worker') => (): Promise<number[]> =>
    Promise.resolve(
      bed.fleet
        .byRole(name)
        .filter((instance) => instance.running)
        .map((instance) => instance.pid),
    );
  const cpu = new CpuBreakdown({
    'imap-client': role('imap-client'),
    worker: role('worker'),
    postgres: () => pidsByName('postgres'),
    redis: () => pidsByName('redis-server'),
    'fake-imap': () => Promise.resolve([bed.fakeServer.pid]),
    'bench+sink': () => Promise.resolve([process.pid]),
  });
  await cpu.start();
  tracker.start();
  await bed.fakeServer.startGenerating(offered, 10 * 1024, users);
  await sleep(seconds * 1000);
  await bed.fakeServer.stopGenerating();
  const mails = await tracker.stop();
  const result = await tracker.settle(mails, 600_000);
  const cpuSeconds = await cpu.stop();
  const rate = (result.count - result.lost) / ((result.lastDeliveredAt - result.firstGeneratedAt) / 1000);
  const ids = new Set(mails.map((mail) => mail.testId));
  let redelivered = 0;
  for (const [testId, delivery] of bed.sink.byTestId) {
    if (!ids.has(testId)) continue;
    for (const webhookId of delivery.webhookIds) redelivered += (bed.sink.requestsByWebhookId.get(webhookId) ?? 1) - 1;
  }
  const perMail = Object.entries(cpuSeconds)
    .map(([name, secondsUsed]) => `${name} ${((1000 * secondsUsed) / Math.max(1, result.count)).toFixed(2)}`)
    .join(', ');
  ctx.log(`  CPU ms per mail: ${perMail}`);
  const section = '2. throughput';
  return [
    {
      section,
      figure: `end to end, 10 KB mails (${label})`,
      superimap: fmt.rate(rate),
      reference: `offered ${offered}/s`,
      target: '≥ 500 mails/s',
      verdict: verdict(rate >= 500 && result.lost === 0),
    },
    {
      section,
      figure: `CPU ms per mail (${label})`,
      superimap: perMail,
      reference: '2 cores = 2000 ms/s',
      target: '',
      verdict: '',
    },
    {
      section,
      figure: `lost / duplicate HTTP deliveries / latency p50 / p99 (${label})`,
      superimap: `${result.lost} / ${redelivered} / ${fmt.ms(result.p50)} / ${fmt.ms(result.p99)}`,
      reference: `${result.count} mails`,
      target: 'lost = 0',
      verdict: verdict(result.lost === 0),
    },
  ];
}

export async function burst(bed: Testbed, tracker: MailTracker, ctx: BenchContext): Promise<BenchRow[]> {
  const users = await bed.firstWatched(WATCHED);
  ctx.log('burst: 2,000 mails at 200/s into 1,000 mailboxes');
  tracker.start();
  await bed.fakeServer.startGenerating(200, 2048, users);
  await sleep(10_000);
  await bed.fakeServer.stopGenerating();
  const mails = await tracker.stop();
  const result = await tracker.settle(mails, 120_000);
  return [
    {
      section: '5. burst',
      figure: `${result.count} mails at 200/s: p50 / p95 / max`,
      superimap: `${fmt.ms(result.p50)} / ${fmt.ms(result.p95)} / ${fmt.ms(result.max)}`,
      reference: '',
      target: 'p95 ≤ 1 s, lost 0',
      verdict: verdict(result.p95 <= 1000 && result.lost === 0),
    },
  ];
}

/** A second mail to a mailbox right after the first one's webhook arrived, and one sent 0 ms after the first. */
export async function secondMail(bed: Testbed, tracker: MailTracker, ctx: BenchContext): Promise<BenchRow[]> {
  const users = (await bed.firstWatched(WATCHED)).slice(-60);
  ctx.log('second mail: 30 mailboxes after delivery, 30 back to back');
  const first: number[] = [];
  const second: number[] = [];
  const backToBack: number[] = [];
  for (const user of users.slice(0, 30)) {
    const [a] = await bed.fakeServer.append([user], 2048);
    first.push((await tracker.delivered(a.testId)) - a.at);
    const [b] = await bed.fakeServer.append([user], 2048);
    second.push((await tracker.delivered(b.testId)) - b.at);
    await sleep(200);
  }
  for (const user of users.slice(30)) {
    const [a] = await bed.fakeServer.append([user], 2048);
    const [b] = await bed.fakeServer.append([user], 2048);
    await tracker.delivered(a.testId);
    backToBack.push((await tracker.delivered(b.testId)) - b.at);
    await sleep(200);
  }
  const firstMedian = median(first);
  const ok = (value: number): boolean => value <= firstMedian * 1.25 + 10;
  return [
    {
      section: '6. second mail',
      figure: 'median: 2nd mail right after the 1st was delivered',
      superimap: fmt.ms(median(second)),
      reference: `1st mail: ${fmt.ms(firstMedian)}`,
      target: 'as fast as the 1st',
      verdict: verdict(ok(median(second))),
    },
    {
      section: '6. second mail',
      figure: 'median: 2nd mail stored 0 ms after the 1st',
      superimap: fmt.ms(median(backToBack)),
      reference: `1st mail: ${fmt.ms(firstMedian)}`,
      target: '',
      verdict: '',
    },
  ];
}

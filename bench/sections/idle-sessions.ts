// Section 1: idle mailboxes per imap-client process, against a bare imapflow script holding the
// same sessions on the same fake server.

import { sleep } from '../../stress/free-port.js';
import { sampleProcess } from '../../stress/process-sampler.js';
import { type BenchContext } from '../context.js';
import { cpuPercent, metricValue, MIB, restingRss, rssBytes, waitUntil } from '../measure.js';
import { BareImapflowHolder } from '../reference/holder-handle.js';
import { startStackFloor } from '../reference/stack-floor.js';
import { type BenchRow, fmt, verdict } from '../table.js';

// Long enough for the collector to finish with the connect burst, so 'at rest' means at rest: V8's memory
// reducer gave the burst's garbage back 30–45 s after the last session was in IDLE (1,000 sessions).
const SETTLE_MS = 20_000;
const REST_MS = 60_000;
const HANDSHAKES = 20; // the product's IMAP_CONNECT_CONCURRENCY default; the reference uses as many

interface IdleFigures {
  connectMs: number;
  rssBytes: number;
  baseRssBytes: number;
  cpuPercent: number;
  loopP99Ms: number;
  loopMaxMs: number;
  fds: number;
  heapUsedBytes: number;
}

async function measureProduct(ctx: BenchContext, size: number, baseRssBytes: number): Promise<IdleFigures> {
  const { instance, connectMs } = await ctx.startImapClient(size);
  await sleep(SETTLE_MS);
  await instance.metrics(); // prom-client resets its event-loop histogram on every scrape
  const [cpu, rss] = await Promise.all([cpuPercent(instance.pid, REST_MS), restingRss(instance.pid, REST_MS)]);
  const metrics = await instance.metrics();
  const sample = await sampleProcess(instance.pid);
  await ctx.stopAndSettle(instance);
  return {
    connectMs,
    rssBytes: rss,
    baseRssBytes,
    cpuPercent: cpu,
    loopP99Ms: metricValue(metrics, 'superimap_nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: metricValue(metrics, 'superimap_nodejs_eventloop_lag_max_seconds') * 1000,
    fds: sample?.fds ?? NaN,
    heapUsedBytes: metricValue(metrics, 'superimap_nodejs_heap_size_used_bytes'),
  };
}

async function productBaseRss(ctx: BenchContext): Promise<number> {
  const { instance } = await ctx.startImapClient(1);
  await sleep(SETTLE_MS);
  const rss = await restingRss(instance.pid, REST_MS);
  await ctx.stopAndSettle(instance);
  return rss;
}

/** RSS at rest of a process that only imports the stack's libraries: what no role can go below. */
async function stackFloorRss(): Promise<number> {
  const floor = await startStackFloor();
  await sleep(SETTLE_MS);
  const rss = await restingRss(floor.pid, REST_MS);
  await floor.stop();
  return rss;
}

async function measureReference(ctx: BenchContext, size: number): Promise<IdleFigures> {
  const bed = await ctx.fake();
  const started = Date.now();
  const holder = await BareImapflowHolder.start();
  await sleep(1000);
  const baseRssBytes = await rssBytes(holder.pid);
  const accounts = bed.usernames.slice(0, size).map((username) => ({
    ...bed.addressOf.get(username)!,
    username,
    password: 'stress-pw',
  }));
  const result = await holder.connect(accounts, HANDSHAKES);
  const connectMs = Date.now() - started - 1000;
  if (result.failed) ctx.log(`  reference: ${result.failed} sessions failed (${result.firstError})`);
  await sleep(SETTLE_MS);
  await holder.resetEventLoop();
  const [cpu, rss] = await Promise.all([cpuPercent(holder.pid, REST_MS), restingRss(holder.pid, REST_MS)]);
  const loop = await holder.eventLoop();
  const sample = await sampleProcess(holder.pid);
  await holder.close();
  await waitUntil(
    'reference sessions to close',
    async () => (await bed.fakeServer.stats()).totals.openConnections === 0,
    60_000,
  );
  return {
    connectMs,
    rssBytes: rss,
    baseRssBytes,
    cpuPercent: cpu,
    loopP99Ms: loop.p99,
    loopMaxMs: loop.max,
    fds: sample?.fds ?? NaN,
    heapUsedBytes: loop.heapUsedBytes,
  };
}

export async function idleSessions(ctx: BenchContext, sizes: number[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  ctx.log('idle sessions: base RSS of an imap-client with 1 session');
  const base = await productBaseRss(ctx);
  ctx.log("idle sessions: RSS of the stack's libraries alone");
  const floor = await stackFloorRss();
  rows.push({
    section: '1. base',
    figure: "base RSS at rest; the stack's libraries alone",
    superimap: fmt.mib(base),
    reference: fmt.mib(floor),
    target: 'base ≤ 80 MiB',
    verdict: verdict(base <= 80 * MIB),
  });
  for (const size of sizes) {
    ctx.log(`idle sessions: ${size} via the bare imapflow reference`);
    const reference = await measureReference(ctx, size);
    ctx.log(`idle sessions: ${size} via SuperIMAP imap-client`);
    const product = await measureProduct(ctx, size, base);
    const perMailbox = (f: IdleFigures): number => (f.rssBytes - f.baseRssBytes) / size;
    const section = `1. idle ${size}`;
    rows.push(
      {
        section,
        figure: 'process start → all in IDLE',
        superimap: fmt.s(product.connectMs),
        reference: fmt.s(reference.connectMs),
        target: size === 18_000 ? '≥ 18,000 held' : '',
        verdict: size === 18_000 ? verdict(Number.isFinite(product.connectMs)) : '',
      },
      {
        section,
        figure: 'RSS at rest, total (base)',
        superimap: `${fmt.mib(product.rssBytes)} (${fmt.mib(product.baseRssBytes)})`,
        reference: `${fmt.mib(reference.rssBytes)} (${fmt.mib(reference.baseRssBytes)})`,
        target: '',
        verdict: '',
      },
      {
        section,
        figure: 'V8 heap used',
        superimap: fmt.mib(product.heapUsedBytes),
        reference: fmt.mib(reference.heapUsedBytes),
        target: '',
        verdict: '',
      },
      {
        section,
        figure: 'RSS per mailbox',
        superimap: fmt.kib(perMailbox(product)),
        reference: fmt.kib(perMailbox(reference)),
        target: '≤ 1.5 × reference',
        verdict: verdict(perMailbox(product) <= 1.5 * perMailbox(reference)),
      },
      {
        section,
        figure: `CPU at rest (${REST_MS / 1000} s)`,
        superimap: fmt.pct(product.cpuPercent),
        reference: fmt.pct(reference.cpuPercent),
        target: '',
        verdict: '',
      },
      {
        section,
        figure: 'event-loop delay p99 / max at rest',
        superimap: `${fmt.ms(product.loopP99Ms)} / ${fmt.ms(product.loopMaxMs)}`,
        reference: `${fmt.ms(reference.loopP99Ms)} / ${fmt.ms(reference.loopMaxMs)}`,
        target: '',
        verdict: '',
      },
      {
        section,
        figure: 'open fds',
        superimap: String(product.fds),
        reference: String(reference.fds),
        target: '',
        verdict: '',
      },
    );
  }
  return rows;
}

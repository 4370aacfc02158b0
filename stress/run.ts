// `npm run stress`: generates mail into a fake IMAP server watched by real SuperIMAP processes,
// optionally with server chaos and kill -9 of imap-client and worker processes, then proves that
// every mail reached the partner exactly once as an event. Exits 1 on any loss or surprise.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { seededRandom } from '../test/harness/fake-imap/fault-script.js';
import { RedisClusterTestServer } from '../test/harness/redis-cluster.js';
import { stressChaos } from './chaos-plan.js';
import { diagnoseLost } from './diagnose.js';
import { sleep } from './free-port.js';
import { Installation } from './installation.js';
import { onInterrupt } from './interrupt.js';
import { KillSchedule } from './kill-schedule.js';
import { Ledger } from './ledger.js';
import { parseStressOptions, type StressOptions } from './options.js';
import { ProcessSampler } from './process-sampler.js';
import { formatSummary } from './summary.js';
import { Testbed } from './testbed.js';
import { timelineCsv, timelineSvg, type TimelinePoint } from './timeline.js';

/** Settings for the watched roles that make recovery fit a short run (documented in PERFORMANCE.md). */
function roleEnv(options: StressOptions): Record<string, string> {
  return {
    MAX_USER_THREADS: String(Math.max(options.mailboxes, 1)),
    // A silent server is noticed after 5 s (NOOP probe) + 5 s, instead of 2 × 120 s.
    IMAP_SOCKET_TIMEOUT: '5',
    OUTBOX_SWEEP_INTERVAL: '2',
    WEBHOOK_BACKOFF: '1',
    HEARTBEAT_INTERVAL: '2',
    HEARTBEAT_TIMEOUT: '6',
    ...options.env,
  };
}

async function main(): Promise<number> {
  const options = parseStressOptions(process.argv.slice(2));
  const runId = Installation.newRunId();
  const outDir = join(options.out, `${new Date().toISOString().replace(/[:.]/g, '-')}-${runId}`);
  await mkdir(outDir, { recursive: true });
  const title =
    `stress: ${options.mailboxes} mailboxes, ${options.rate} mails/s for ${options.duration} s, ` +
    `chaos ${options.chaos ? `on (${options.chaosProbability})` : 'off'}, kills ${options.kills ? 'on' : 'off'}, ` +
    `${options.imapClients} imap-client, ${options.workers} worker, seed ${options.seed}`;
  console.log(title);
  console.log(`results in ${outDir}`);

  const redisCluster = options.redisCluster ? await RedisClusterTestServer.start(3) : undefined;
  if (redisCluster) console.log(`on a Redis Cluster of 3 masters: ${redisCluster.nodes}`);
  const bed = await Testbed.create({
    redisClusterNodes: redisCluster?.nodes,
    runId,
    mailboxes: options.mailboxes,
    imapHosts: options.imapHosts,
    outDir,
    seed: options.seed,
    roleEnv: roleEnv(options),
  });
  onInterrupt(async () => {
    await bed.tearDown(options.keep);
    await redisCluster?.stop();
  });
  const ledger = new Ledger();
  bed.fakeServer.onGenerated((mails) => ledger.add(mails));
  const sampler = new ProcessSampler(() => bed.processes());
  let exitCode: number;
  try {
    await bed.startRoles('worker', options.workers);
    const connectStarted = Date.now();
    await bed.startRoles('imap-client', options.imapClients);
    sampler.start();
    await waitForWatchers(bed, options.mailboxes, 120_000);
    console.log(`all ${options.mailboxes} mailboxes watched in ${((Date.now() - connectStarted) / 1000).toFixed(1)} s`);

    const random = seededRandom(options.seed ^ 0x51ab);
    const kills = new KillSchedule(
      () => [...bed.fleet.byRole('imap-client'), ...bed.fleet.byRole('worker')],
      options.killInterval * 1000,
      random,
    );
    const points: TimelinePoint[] = [];
    const startedAt = Date.now();
    const timeline = setInterval(() => {
      points.push({
        t: (Date.now() - startedAt) / 1000,
        generated: ledger.generated.size,
        delivered: bed.sink.delivered,
        httpRequests: bed.sink.requests,
      });
    }, 1000);

    if (options.chaos)
      await bed.fakeServer.setChaos(stressChaos(options.chaosProbability, options.seed, options.loginThrottling));
    await bed.fakeServer.startGenerating(options.rate, options.mailSize);
    if (options.kills) kills.start();
    const progress = setInterval(() => {
      const elapsed = ((Date.now() - startedAt) / 1000).toFixed(0);
      console.log(`  t=${elapsed}s generated ${ledger.generated.size} delivered ${bed.sink.delivered}`);
    }, 10_000);
    await sleep(options.duration * 1000);

    const total = await bed.fakeServer.stopGenerating();
    await kills.stop();
    // Converge: no more faults, so only the product's own backoff stands between a mail and its webhook.
    await bed.fakeServer.setChaos(null);
    const drainStarted = Date.now();
    let explained = false;
    while (Date.now() - drainStarted < options.drainTimeout * 1000) {
      if (ledger.generated.size >= total && ledger.complete(bed.sink)) break;
      if (!explained && Date.now() - drainStarted > 30_000) {
        // Say early where stragglers are, in case the run is cut short.
        explained = true;
        const missing = ledger.account(bed.sink).lostIds;
        console.log(`  still missing after 30 s of drain: ${missing.length}`);
        console.log(
          await diagnoseLost(missing, ledger.generated, bed.installation.env.DATABASE_URL, bed.fakeServer, 5),
        );
      }
      await sleep(250);
    }
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    await sleep(5000); // late duplicates, if any, show up here
    clearInterval(progress);
    clearInterval(timeline);
    sampler.stop();
    await sampler.sampleAll();

    const accounting = ledger.account(bed.sink);
    const summary = formatSummary({
      title,
      accounting,
      processes: sampler.all(),
      kills: kills.events,
      server: await bed.fakeServer.stats(),
      durationSeconds: options.duration,
      drainSeconds,
    });
    console.log(`\n${summary}`);
    const diagnosis = accounting.lost
      ? await diagnoseLost(accounting.lostIds, ledger.generated, bed.installation.env.DATABASE_URL, bed.fakeServer)
      : '';
    if (diagnosis) console.log(`\nwhere the lost mails stopped:\n${diagnosis}`);
    const markers = kills.events.map((k) => ({ t: (k.at - startedAt) / 1000, label: k.name }));
    await writeFile(join(outDir, 'timeline.csv'), timelineCsv(points));
    await writeFile(join(outDir, 'chart.svg'), timelineSvg(title, points, markers));
    await writeFile(join(outDir, 'summary.txt'), `${summary}\n${diagnosis}\n`);
    await writeFile(
      join(outDir, 'summary.json'),
      JSON.stringify({ options, accounting, processes: sampler.all(), kills: kills.events }, null, 2),
    );
    await writeFile(
      join(outDir, 'processes.csv'),
      [
        't_ms,name,rss_bytes,fds',
        ...sampler.history.map((s) => `${s.t - startedAt},${s.name},${s.rssBytes},${s.fds}`),
      ].join('\n') + '\n',
    );
    const failed =
      accounting.lost > 0 ||
      accounting.unexpected > 0 ||
      accounting.duplicateEvents > 0 ||
      accounting.badSignatures > 0;
    console.log(failed ? '\nSTRESS FAILED' : '\nSTRESS PASSED');
    exitCode = failed ? 1 : 0;
  } finally {
    sampler.stop();
    await bed.tearDown(options.keep);
    await redisCluster?.stop();
  }
  return exitCode;
}

/** Waits until the fake server sees at least `count` sessions in IDLE. */
async function waitForWatchers(bed: Testbed, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await bed.fakeServer.stats();
    if (stats.idling >= count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${stats.idling} of ${count} mailboxes in IDLE after ${timeoutMs} ms`);
    await sleep(250);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);

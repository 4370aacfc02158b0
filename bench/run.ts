// `npm run bench`: measures SuperIMAP on this machine and prints ONE table, each figure beside a
// reference measured in the same run and its target. Sections can be picked by flag.

import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { onInterrupt } from '../stress/interrupt.js';
import { parseEnvPairs } from '../stress/options.js';
import { BenchContext } from './context.js';
import { MailTracker } from './mail-tracker.js';
import { dovecotBurst } from './sections/dovecot-burst.js';
import { dovecotLatency } from './sections/dovecot-latency.js';
import { burst, reconnect, secondMail, throughput, WATCHED } from './sections/fake-pipeline.js';
import { idleSessions } from './sections/idle-sessions.js';
import { pgGrowth } from './sections/pg-growth.js';
import { type BenchRow, formatTable } from './table.js';

const USAGE = `usage: npm run bench -- [sections] [options]
sections (default: all):
  --idle                 idle mailboxes per imap-client vs bare imapflow (sizes: --idle-sizes 1000,5000,18000)
  --reconnect            1,000 mailboxes reconnected after a restart (and 10,000 when the installation has them)
  --throughput           end-to-end mails/s at saturation, 10 KB mails (--throughput-rate 600 --throughput-seconds 20)
  --burst                2,000 mails at 200/s into 1,000 mailboxes
  --second-mail          a second mail right after the first
  --latency              Dovecot + hibernation, LMTP → webhook at 100 mails/s vs → EXISTS (--latency-mailboxes 1000 --latency-seconds 30 --latency-rate 100)
  --dovecot-burst        the burst on the test Dovecot (2,000 mails at 200/s into 1,000 mailboxes, every role,
                         defaults) beside a bare imapflow client; CPU ms per mail per process
                         (--burst-processes N: N imap-clients and N workers share the mailboxes; default 1)
  --pg-growth            the hot-path SQL, the outbox sweep, the retention purge and the API/dashboard reads with
                         mail_logs, webhook_events and transmit_logs at each size (--pg-growth-rows 0,1000000,10000000
                         --pg-growth-samples 300); its own database, dropped after (--pg-growth-keep keeps it, to
                         look into with EXPLAIN); the 10 M fill takes a while
  --env KEY=VALUE         extra environment for the imap-client and worker of sections 2 and 4-6 (repeatable)
  --workers N            worker processes for sections 2 and 4-6 (default 1)
  --profile              write V8 CPU profiles of imap-client and worker (--cpu-prof) into the results folder;
                         summarise one with: node dist-stress/bench/profile/cpuprofile-summary.js FILE
  --out DIR              results folder (default bench-results)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      idle: { type: 'boolean' },
      'idle-sizes': { type: 'string' },
      reconnect: { type: 'boolean' },
      throughput: { type: 'boolean' },
      'throughput-rate': { type: 'string' },
      'throughput-seconds': { type: 'string' },
      env: { type: 'string', multiple: true },
      workers: { type: 'string' },
      profile: { type: 'boolean' },
      burst: { type: 'boolean' },
      'second-mail': { type: 'boolean' },
      latency: { type: 'boolean' },
      'dovecot-burst': { type: 'boolean' },
      'burst-processes': { type: 'string' },
      'latency-mailboxes': { type: 'string' },
      'latency-seconds': { type: 'string' },
      'latency-rate': { type: 'string' },
      'pg-growth': { type: 'boolean' },
      'pg-growth-rows': { type: 'string' },
      'pg-growth-samples': { type: 'string' },
      'pg-growth-keep': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  const picked = [
    'idle',
    'reconnect',
    'throughput',
    'burst',
    'second-mail',
    'latency',
    'dovecot-burst',
    'pg-growth',
  ].filter((name) => (values as Record<string, unknown>)[name] === true);
  const run = (name: string): boolean => picked.length === 0 || picked.includes(name);
  const idleSizes = (values['idle-sizes'] ?? '1000,5000,18000').split(',').map(Number);
  const needsFake = ['idle', 'reconnect', 'throughput', 'burst', 'second-mail'].some(run);
  const mailboxes = Math.max(WATCHED, ...(run('idle') ? idleSizes : []));

  const outDir = join(values.out ?? 'bench-results', new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(outDir, { recursive: true });
  const roleEnv = parseEnvPairs(values.env ?? []);
  if (values.profile) {
    // Profiles are written when a process exits normally: the bench stops its roles with SIGTERM at the end.
    await mkdir(join(outDir, 'profiles'), { recursive: true });
    roleEnv.STRESS_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${resolve(outDir, 'profiles')}`;
  }
  const label = Object.keys(roleEnv).length
    ? Object.entries(roleEnv)
        .filter(([key]) => key !== 'STRESS_NODE_ARGS')
        .map(([key, value]) => `${key}=${value}`)
        .join(' ') || 'defaults'
    : 'defaults';
  const workers = Number(values.workers ?? 1);
  const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const ctx = new BenchContext(outDir, mailboxes, log);
  onInterrupt(() => ctx.close());
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  const attempt = async (name: string, section: () => Promise<BenchRow[]>): Promise<void> => {
    try {
      rows.push(...(await section()));
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      log(`section ${name} failed: ${String(error)}`);
    }
  };

  try {
    if (needsFake) {
      if (run('idle')) await attempt('idle', () => idleSessions(ctx, idleSizes));
      const bed = await ctx.fake();
      await bed.startRoles('worker', workers, roleEnv);
      const tracker = new MailTracker(bed);
      let imapClient = null;
      if (run('reconnect') || run('throughput') || run('burst') || run('second-mail')) {
        const restarted = await reconnect(ctx, null, WATCHED, 10_000, roleEnv);
        imapClient = restarted.instance;
        if (run('reconnect')) {
          const again = await reconnect(ctx, imapClient, WATCHED, 10_000, roleEnv);
          imapClient = again.instance;
          rows.push(...again.rows);
        }
      }
      if (run('second-mail')) await attempt('second-mail', () => secondMail(bed, tracker, ctx));
      if (run('burst')) await attempt('burst', () => burst(bed, tracker, ctx));
      if (run('throughput')) {
        const rate = Number(values['throughput-rate'] ?? 600);
        const seconds = Number(values['throughput-seconds'] ?? 20);
        await attempt('throughput', () => throughput(bed, tracker, ctx, rate, seconds, `${label}, ${workers} worker`));
      }
      if (run('reconnect') && ctx.mailboxes >= 10_000 && !values.profile) {
        await attempt('reconnect 10k', async () => (await reconnect(ctx, imapClient, 10_000, 60_000)).rows);
      }
      await ctx.close();
    }
    if (run('latency')) {
      await attempt('latency', () =>
        dovecotLatency(ctx, {
          mailboxes: Number(values['latency-mailboxes'] ?? 1000),
          ratePerSecond: Number(values['latency-rate'] ?? 100),
          seconds: Number(values['latency-seconds'] ?? 30),
        }),
      );
    }
    if (run('dovecot-burst')) {
      await attempt('dovecot-burst', () =>
        dovecotBurst(ctx, {
          mailboxes: 1000,
          mails: 2000,
          ratePerSecond: 200,
          roleEnv,
          processes: Number(values['burst-processes'] ?? 1),
        }),
      );
    }
    if (run('pg-growth')) {
      await attempt('pg-growth', () =>
        pgGrowth({
          rows: (values['pg-growth-rows'] ?? '0,1000000,10000000').split(',').map(Number),
          samples: Number(values['pg-growth-samples'] ?? 300),
          keepDatabase: values['pg-growth-keep'] === true,
          log,
        }),
      );
    }
  } finally {
    await ctx.close().catch(() => undefined);
  }

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const table = formatTable(rows);
  console.log(`\nSuperIMAP bench — ${machine}\n\n${table}`);
  if (failures.length) console.log(`\nsections that failed:\n${failures.join('\n')}`);
  await writeFile(join(outDir, 'table.md'), `${machine}\n\n${table}\n${failures.join('\n')}\n`);
  await writeFile(join(outDir, 'rows.json'), JSON.stringify(rows, null, 2));
  process.exit(failures.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});

// Section 7: the burst on a real server. 2,000 mails at 200/s (LMTP) into 1,000 mailboxes of the test Dovecot
// (its defaults: no hibernation), every role with its default settings, against a bare imapflow client
// watching the same mailboxes in the same run. Per mail: LMTP acknowledged → webhook received (SuperIMAP)
// or → EXISTS seen (reference); lost, duplicates, and CPU ms per mail of every process involved.

import { cpus } from 'node:os';

import pg from 'pg';

import { sleep } from '../../stress/free-port.js';
import { Installation } from '../../stress/installation.js';
import { percentile } from '../../stress/ledger.js';
import { Testbed } from '../../stress/testbed.js';
import { DovecotTestServer } from '../../test/harness/dovecot.js';
import { testIdFromMessageId } from '../../test/harness/fake-imap/index.js';
import type { BenchContext } from '../context.js';
import { CpuBreakdown, machineBusySeconds, pidsByName } from '../cpu-breakdown.js';
import { waitUntil } from '../measure.js';
import { BareImapflowHolder } from '../reference/holder-handle.js';
import { type BenchRow, fmt, verdict } from '../table.js';
import { deliverAtRate, ensureDovecotTemplate, fromAck, LMTP_POOL, type LatencyOptions } from './dovecot-latency.js';

export interface DovecotBurstOptions {
  mailboxes: number;
  mails: number;
  ratePerSecond: number;
  /** Extra environment for imap-client and worker (e.g. the --profile node arguments). */
  roleEnv: Record<string, string>;
  /** imap-client and worker processes: 1 each, or more sharing the mailboxes as a scaled-out installation does. */
  processes: number;
}

/** The targets of issue #18, printed beside the figures. */
const P95_TARGET_MS = 1000;
const MAX_TARGET_MS = 2000;
const CPU_TARGET_MS = 6;
/** How long after the last delivery mail may still arrive before it counts as lost. */
const SETTLE_MS = 60_000;

const DOVECOT_PROCESSES = ['imap', 'imap-login', 'lmtp', 'dovecot', 'auth', 'anvil', 'log', 'config', 'stats'];
const dovecotPids = async (): Promise<number[]> =>
  (await Promise.all(DOVECOT_PROCESSES.map((name) => pidsByName(name)))).flat();

async function referenceRun(
  dovecot: DovecotTestServer,
  users: string[],
  options: LatencyOptions,
  ctx: BenchContext,
): Promise<{ latencies: number[]; cpuMsPerMail: number; dovecotCpuMsPerMail: number }> {
  const holder = await BareImapflowHolder.start();
  const accounts = users.map((username, i) => ({
    host: dovecot.host,
    port: dovecot.imapPort,
    username,
    password: dovecot.user(i + 1).password,
  }));
  const connected = await holder.connect(accounts, 20);
  ctx.log(`  reference: ${connected.connected} sessions in ${fmt.s(connected.ms)}`);
  const pending = new Map<string, string[]>();
  const seenAt = new Map<string, number>();
  const ackAt = new Map<string, number>();
  holder.onExists((username, newMessages, at) => {
    for (const testId of (pending.get(username) ?? []).splice(0, newMessages)) seenAt.set(testId, at);
  });
  const cpu = new CpuBreakdown({ holder: () => Promise.resolve([holder.pid]), dovecot: dovecotPids });
  await cpu.start();
  await deliverAtRate(
    dovecot,
    users,
    options,
    'ref',
    (testId, user) => pending.set(user, [...(pending.get(user) ?? []), testId]),
    (testId, at) => ackAt.set(testId, at),
    () => undefined,
    LMTP_POOL,
  );
  await waitUntil(
    'the reference to see every mail',
    () => Promise.resolve(seenAt.size >= ackAt.size),
    30_000,
    100,
  ).catch(() => undefined);
  const used = await cpu.stop();
  await holder.close();
  const perMail = (seconds: number) => (seconds * 1000) / Math.max(1, ackAt.size);
  return {
    latencies: fromAck(seenAt, ackAt),
    cpuMsPerMail: perMail(used.holder),
    dovecotCpuMsPerMail: perMail(used.dovecot),
  };
}

interface ProductFigures {
  latencies: number[];
  /** LMTP acknowledged → event committed (Dovecot's notification, the IMAP fetch, the store). */
  toStored: number[];
  /** Event committed → webhook received (queue, worker, HTTP). */
  storedToWebhook: number[];
  lost: number;
  duplicates: number;
  cpuMsPerMail: Record<string, number>;
  mails: number;
  /** Deliveries Dovecot's LMTP did not accept: not measured, and the run does not count. */
  refused: number;
  /** Cores the whole machine kept busy, on average, from the first delivery until the run settled. */
  busyCores: number;
}

async function productRun(
  dovecot: DovecotTestServer,
  users: string[],
  options: LatencyOptions,
  ctx: BenchContext,
  roleEnv: Record<string, string>,
  processes: number,
): Promise<ProductFigures> {
  const runId = Installation.newRunId();
  const bed = await Testbed.create({
    runId,
    mailboxes: 0,
    mailServer: {
      addresses: [{ host: dovecot.host, port: dovecot.imapPort }],
      accounts: users.map((username, i) => ({ username, password: dovecot.user(i + 1).password })),
    },
    imapHosts: 1,
    outDir: ctx.outDir,
    seed: 1,
    // One imap-client must be allowed to hold them all: only its capacity is raised (also with several, so
    // that an uneven rendezvous split never leaves a mailbox without room).
    roleEnv: { MAX_USER_THREADS: String(users.length) },
    log: ctx.log,
  });
  try {
    await bed.startRoles('worker', processes, roleEnv);
    await bed.startRoles('imap-client', processes, roleEnv);
    const db = new pg.Client({ connectionString: bed.installation.env.DATABASE_URL });
    await db.connect();
    await waitUntil(
      'every mailbox watched',
      async () => {
        const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM users WHERE state = 'watching'");
        return Number(rows[0].n) >= users.length;
      },
      120_000,
      500,
    );
    await db.end();
    // The connect-time syncs and their hibernation checks are over before the measurement starts.
    await sleep(10_000);
    const pidsOf = (role: string) => () =>
      Promise.resolve(bed.fleet.instances.filter((instance) => instance.role === role).map((i) => i.pid));
    const cpu = new CpuBreakdown({
      'imap-client': pidsOf('imap-client'),
      worker: pidsOf('worker'),
      api: pidsOf('api'),
      postgres: () => pidsByName('postgres'),
      redis: () => pidsByName('redis-server'),
      dovecot: dovecotPids,
      // This process: the LMTP sender and the webhook sink.
      bench: () => Promise.resolve([process.pid]),
    });
    await cpu.start();
    const busyBefore = await machineBusySeconds();
    const startedAt = Date.now();
    const ackAt = new Map<string, number>();
    const refusals = new Map<string, number>();
    const failed = await deliverAtRate(
      dovecot,
      users,
      options,
      runId,
      () => undefined,
      (testId, at) => ackAt.set(testId, at),
      (error) => {
        const reason = (error instanceof Error ? error.message : String(error)).replace(/deliver to \S+/, 'deliver');
        refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
      },
      LMTP_POOL,
    );
    if (failed) ctx.log(`  LMTP refused ${failed} deliveries: ${JSON.stringify([...refusals].slice(0, 3))}`);
    const deadline = Date.now() + SETTLE_MS;
    while (Date.now() < deadline && [...ackAt.keys()].some((id) => !bed.sink.byTestId.has(id))) await sleep(200);
    // CPU includes each mail's later work (the hibernation check, job cleanup): measured until it is done.
    await sleep(8000);
    const used = await cpu.stop();
    const cores = ((await machineBusySeconds()) - busyBefore) / ((Date.now() - startedAt) / 1000);
    ctx.log(
      `  SuperIMAP CPU s: ${JSON.stringify(used)}; LMTP failures: ${failed}; machine busy ${cores.toFixed(2)} cores`,
    );
    const seenAt = new Map([...bed.sink.byTestId].map(([testId, delivery]) => [testId, delivery.firstAt]));
    const storedAt = await eventsStoredAt(bed.installation.env.DATABASE_URL);
    const mails = Math.max(1, ackAt.size);
    const cpuMsPerMail = Object.fromEntries(Object.entries(used).map(([name, s]) => [name, (s * 1000) / mails]));
    const duplicates = [...ackAt.keys()].filter((id) => (bed.sink.byTestId.get(id)?.webhookIds.size ?? 0) > 1).length;
    return {
      latencies: fromAck(seenAt, ackAt),
      toStored: fromAck(storedAt, ackAt),
      storedToWebhook: fromAck(seenAt, storedAt),
      lost: [...ackAt.keys()].filter((testId) => !seenAt.has(testId)).length,
      duplicates,
      cpuMsPerMail,
      mails: ackAt.size,
      refused: failed,
      busyCores: cores,
    };
  } finally {
    await bed.tearDown(false);
  }
}

/** When each test mail's event was committed, by test id (its Message-ID), from the installation's database. */
async function eventsStoredAt(databaseUrl: string): Promise<Map<string, number>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ message_id: string | null; created_at: Date }>(
      'SELECT m.message_id, e.created_at FROM mail_logs m JOIN webhook_events e ON e.id = m.event_id',
    );
    const stored = new Map<string, number>();
    for (const row of rows) {
      const testId = testIdFromMessageId(row.message_id);
      if (testId) stored.set(testId, row.created_at.getTime());
    }
    return stored;
  } finally {
    await db.end();
  }
}

export async function dovecotBurst(ctx: BenchContext, options: DovecotBurstOptions): Promise<BenchRow[]> {
  await ensureDovecotTemplate();
  const seconds = options.mails / options.ratePerSecond;
  ctx.log(`dovecot burst: ${options.mails} mails at ${options.ratePerSecond}/s into ${options.mailboxes} mailboxes`);
  const dovecot = await DovecotTestServer.start({ users: options.mailboxes });
  try {
    const users = Array.from({ length: options.mailboxes }, (_, i) => dovecot.user(i + 1).email);
    const rate = { mailboxes: options.mailboxes, ratePerSecond: options.ratePerSecond, seconds };
    const reference = await referenceRun(dovecot, users, rate, ctx);
    await sleep(5000);
    const product = await productRun(dovecot, users, rate, ctx, options.roleEnv, options.processes);
    const p = (values: number[], q: number): number => percentile(values, q);
    const max = (values: number[]): number => (values.length ? values[values.length - 1] : NaN);
    const cpu = product.cpuMsPerMail;
    const allIn = cpu['imap-client'] + cpu.worker + cpu.api + cpu.postgres + cpu.redis;
    const section = `7. burst (Dovecot, ${options.processes} + ${options.processes})`;
    const burst = `${options.mails} at ${options.ratePerSecond}/s into ${options.mailboxes}`;
    const ms = (value: number) => `${value.toFixed(2)} ms`;
    return [
      {
        section,
        figure: `${burst}: LMTP → webhook p50 / p95`,
        superimap: `${fmt.ms(p(product.latencies, 50))} / ${fmt.ms(p(product.latencies, 95))}`,
        reference: `→ EXISTS ${fmt.ms(p(reference.latencies, 50))} / ${fmt.ms(p(reference.latencies, 95))}`,
        target: `p95 ≤ ${P95_TARGET_MS} ms`,
        verdict: verdict(p(product.latencies, 95) <= P95_TARGET_MS),
      },
      {
        section,
        figure: 'split: LMTP → event stored / stored → webhook, p50 / p95',
        superimap: [product.toStored, product.storedToWebhook]
          .map((values) => `${fmt.ms(p(values, 50))} / ${fmt.ms(p(values, 95))}`)
          .join('; '),
        reference: '',
        target: '',
        verdict: '',
      },
      {
        section,
        figure: 'max',
        superimap: fmt.ms(max(product.latencies)),
        reference: `→ EXISTS ${fmt.ms(max(reference.latencies))}`,
        target: `≤ ${MAX_TARGET_MS} ms`,
        verdict: verdict(max(product.latencies) <= MAX_TARGET_MS),
      },
      {
        section,
        figure: 'mails stored / lost / duplicates (LMTP refused)',
        superimap: `${product.mails} / ${product.lost} / ${product.duplicates} (${product.refused})`,
        reference: `${reference.latencies.length} seen`,
        target: 'lost 0, duplicates 0, all stored',
        verdict: verdict(product.lost === 0 && product.duplicates === 0 && product.refused === 0),
      },
      {
        section,
        figure: 'CPU per mail: imap-client / worker / api / PostgreSQL / Redis',
        superimap: [cpu['imap-client'], cpu.worker, cpu.api, cpu.postgres, cpu.redis].map(ms).join(' / '),
        reference: `bare imapflow ${ms(reference.cpuMsPerMail)}`,
        target: '',
        verdict: '',
      },
      {
        section,
        figure: 'CPU per mail, all-in (Dovecot not counted)',
        superimap: ms(allIn),
        reference: `Dovecot ${ms(cpu.dovecot)} (with bare imapflow: ${ms(reference.dovecotCpuMsPerMail)})`,
        target: `≤ ${CPU_TARGET_MS} ms`,
        verdict: verdict(allIn <= CPU_TARGET_MS),
      },
      {
        section,
        figure: 'machine busy during the burst (bench sender and sink per mail)',
        superimap: `${product.busyCores.toFixed(2)} of ${cpus().length} cores (${ms(cpu.bench)})`,
        reference: '',
        target: '',
        verdict: '',
      },
      {
        section,
        // Above the machine's cores, a queue builds for as long as the burst lasts, whatever the code does.
        figure: 'CPU the burst asks for: (all-in + Dovecot + bench) per mail × rate',
        superimap: `${(((allIn + cpu.dovecot + cpu.bench) * options.ratePerSecond) / 1000).toFixed(2)} of ${cpus().length} cores`,
        reference: '',
        target: '',
        verdict: '',
      },
    ];
  } finally {
    await dovecot.stop();
  }
}

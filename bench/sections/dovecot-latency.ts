// Section 3: Dovecot with hibernation, LMTP delivery → webhook received at 100 mails/s, against
// delivery → EXISTS seen by a bare imapflow client watching the same mailboxes.

import { copyFile, readFile, writeFile } from 'node:fs/promises';

import pg from 'pg';

import { diagnoseLost } from '../../stress/diagnose.js';
import { sleep } from '../../stress/free-port.js';
import { Installation } from '../../stress/installation.js';
import { percentile } from '../../stress/ledger.js';
import { Testbed } from '../../stress/testbed.js';
import { DovecotTestServer } from '../../test/harness/dovecot.js';
import { stressMail } from '../../test/harness/fake-imap/index.js';
import type { BenchContext } from '../context.js';
import { CpuBreakdown, pidsByName } from '../cpu-breakdown.js';
import { waitUntil } from '../measure.js';
import { BareImapflowHolder } from '../reference/holder-handle.js';
import { type BenchRow, fmt, verdict } from '../table.js';

const INOTIFY = '/proc/sys/fs/inotify/max_user_instances';

export interface LatencyOptions {
  mailboxes: number;
  ratePerSecond: number;
  seconds: number;
}

/** LMTP connections the burst's sender keeps open, as an MTA's connection cache would. */
export const LMTP_POOL = 8;

/** Sends `count` mails at `rate`/s to random mailboxes over LMTP; calls `sent` with each delivery's start time. */
export async function deliverAtRate(
  dovecot: DovecotTestServer,
  users: string[],
  options: LatencyOptions,
  idPrefix: string,
  sent: (testId: string, user: string, at: number) => void,
  acked: (testId: string, at: number) => void = () => undefined,
  refused: (error: unknown) => void = () => undefined,
  lmtpPool = 0,
): Promise<number> {
  const count = options.ratePerSecond * options.seconds;
  // 0: a connection per mail (nodemailer's plain transport), as this section was first measured.
  const lmtp =
    lmtpPool > 0
      ? dovecot.lmtpPool(lmtpPool)
      : { deliver: (to: string, raw: Buffer) => dovecot.deliver(to, raw), close: () => undefined };
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / options.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const user = users[Math.floor(Math.random() * users.length)];
    const testId = `${idPrefix}-${i + 1}`;
    const raw = stressMail(testId, user, 2048);
    sent(testId, user, Date.now());
    const delivery = lmtp
      .deliver(user, raw)
      .then(() => acked(testId, Date.now()))
      .catch((error: unknown) => {
        failures++;
        refused(error);
      })
      .finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }
  await Promise.all(inFlight);
  lmtp.close();
  return failures;
}

export async function raiseInotifyLimit(wanted: number): Promise<() => Promise<void>> {
  const before = Number((await readFile(INOTIFY, 'utf8')).trim());
  if (before >= wanted) return () => Promise.resolve();
  // imap-hibernate needs one inotify instance per hibernated client (see shared/docs/testbed.md).
  await writeFile(INOTIFY, String(wanted));
  return () => writeFile(INOTIFY, String(before));
}

async function referenceLatencies(
  dovecot: DovecotTestServer,
  users: string[],
  options: LatencyOptions,
  ctx: BenchContext,
): Promise<{ latencies: number[]; ackAt: Map<string, number> }> {
  const holder = await BareImapflowHolder.start();
  const accounts = users.map((username, i) => ({
    host: dovecot.host,
    port: dovecot.imapPort,
    username,
    password: dovecot.user(i + 1).password,
  }));
  const connected = await holder.connect(accounts, 20);
  ctx.log(`  reference: ${connected.connected} sessions in ${fmt.s(connected.ms)}`);
  await dovecot.waitForHibernated(Math.floor(users.length * 0.95), 60_000).catch(() => undefined);
  // EXISTS can only be matched to mails by order within a mailbox: the oldest unseen mail first.
  const pending = new Map<string, string[]>();
  const seenAt = new Map<string, number>();
  const ackAt = new Map<string, number>();
  holder.onExists((username, newMessages, at) => {
    for (const testId of (pending.get(username) ?? []).splice(0, newMessages)) seenAt.set(testId, at);
  });
  const cpu = dovecotCpu([holder.pid]);
  await cpu.start();
  await deliverAtRate(
    dovecot,
    users,
    options,
    'ref',
    (testId, user) => pending.set(user, [...(pending.get(user) ?? []), testId]),
    (testId, at) => ackAt.set(testId, at),
  );
  await sleep(3000);
  ctx.log(`  reference CPU s: ${JSON.stringify(await cpu.stop())}`);
  await holder.close();
  return { latencies: fromAck(seenAt, ackAt), ackAt };
}

/** Latency of each mail from its LMTP acknowledgement (stored) to when it was seen. */
export function fromAck(seenAt: Map<string, number>, ackAt: Map<string, number>): number[] {
  const latencies: number[] = [];
  for (const [testId, at] of seenAt) {
    const acked = ackAt.get(testId);
    if (acked !== undefined) latencies.push(at - acked);
  }
  return latencies.sort((a, b) => a - b);
}

/** CPU of Dovecot's processes, PostgreSQL, Redis and the given pids, for the log. */
export function dovecotCpu(pids: number[]): CpuBreakdown {
  const dovecotNames = [
    'imap',
    'imap-hibernate',
    'imap-login',
    'lmtp',
    'dovecot',
    'auth',
    'anvil',
    'log',
    'config',
    'stats',
  ];
  return new CpuBreakdown({
    watcher: () => Promise.resolve(pids),
    dovecot: async () => (await Promise.all(dovecotNames.map((name) => pidsByName(name)))).flat(),
    postgres: () => pidsByName('postgres'),
    redis: () => pidsByName('redis-server'),
    bench: () => Promise.resolve([process.pid]),
  });
}

async function productLatencies(
  dovecot: DovecotTestServer,
  users: string[],
  options: LatencyOptions,
  ctx: BenchContext,
): Promise<{ latencies: number[]; lost: number; ackAt: Map<string, number> }> {
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
    roleEnv: { LOG_LEVEL: 'warn', MAX_USER_THREADS: String(users.length) },
    log: ctx.log,
  });
  try {
    await bed.startRoles('worker', 1);
    await bed.startRoles('imap-client', 1);
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
    await dovecot.waitForHibernated(Math.floor(users.length * 0.95), 60_000).catch(() => undefined);
    const ackAt = new Map<string, number>();
    const roles = bed.fleet.instances.filter((i) => i.role !== 'api').map((i) => i.pid);
    const cpu = dovecotCpu(roles);
    await cpu.start();
    const userOf = new Map<string, string>();
    const failed = await deliverAtRate(
      dovecot,
      users,
      options,
      `${runId}`,
      (testId, user) => userOf.set(testId, user),
      (testId, at) => ackAt.set(testId, at),
    );
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && [...ackAt.keys()].some((id) => !bed.sink.byTestId.has(id))) await sleep(200);
    ctx.log(`  SuperIMAP CPU s: ${JSON.stringify(await cpu.stop())}; LMTP failures: ${failed}`);
    const seenAt = new Map([...bed.sink.byTestId].map(([testId, delivery]) => [testId, delivery.firstAt]));
    const latencies = fromAck(seenAt, ackAt);
    const lostIds = [...ackAt.keys()].filter((testId) => !seenAt.has(testId));
    if (lostIds.length) {
      const sent = new Map([...ackAt].map(([testId, at]) => [testId, { user: userOf.get(testId) ?? '?', at }]));
      ctx.log(`  not delivered:\n${await diagnoseLost(lostIds, sent, bed.installation.env.DATABASE_URL)}`);
    }
    return { latencies, lost: lostIds.length, ackAt };
  } finally {
    await bed.tearDown(false);
  }
}

/** The compiled Dovecot harness reads its config template next to itself; tsc copies only code. */
export async function ensureDovecotTemplate(): Promise<void> {
  await copyFile('test/harness/dovecot.conf.in', new URL('../../test/harness/dovecot.conf.in', import.meta.url));
}

export async function dovecotLatency(ctx: BenchContext, options: LatencyOptions): Promise<BenchRow[]> {
  await ensureDovecotTemplate();
  const restoreInotify = await raiseInotifyLimit(options.mailboxes * 3 + 512);
  ctx.log(`latency: Dovecot (hibernation 1s), ${options.mailboxes} mailboxes, ${options.ratePerSecond} mails/s`);
  const dovecot = await DovecotTestServer.start({ users: options.mailboxes, hibernateTimeout: '1s' });
  try {
    const users = Array.from({ length: options.mailboxes }, (_, i) => dovecot.user(i + 1).email);
    const { latencies: reference } = await referenceLatencies(dovecot, users, options, ctx);
    // Closing hibernated sessions wakes each of them (an imap process per wake-up): let that pass.
    await sleep(15_000);
    const product = await productLatencies(dovecot, users, options, ctx);
    const p = (values: number[], q: number): number => percentile(values, q);
    const section = `3. latency (Dovecot)`;
    return [
      {
        section,
        figure: `LMTP delivered → webhook, p50 (${options.ratePerSecond}/s)`,
        superimap: fmt.ms(p(product.latencies, 50)),
        reference: `→ EXISTS ${fmt.ms(p(reference, 50))}`,
        target: '≤ reference + 50 ms',
        verdict: verdict(p(product.latencies, 50) <= p(reference, 50) + 50),
      },
      {
        section,
        figure: `LMTP delivered → webhook, p99 (${options.ratePerSecond}/s)`,
        superimap: fmt.ms(p(product.latencies, 99)),
        reference: `→ EXISTS ${fmt.ms(p(reference, 99))}`,
        target: '≤ 250 ms',
        verdict: verdict(p(product.latencies, 99) <= 250),
      },
      {
        section,
        figure: 'mails measured / lost',
        superimap: `${product.latencies.length} / ${product.lost}`,
        reference: `${reference.length}`,
        target: 'lost = 0',
        verdict: verdict(product.lost === 0),
      },
    ];
  } finally {
    try {
      await dovecot.stop();
    } finally {
      await restoreInotify();
    }
  }
}

// Section 3: Dovecot with hibernation, LMTP delivery → webhook received at 100 mails/s, against
// delivery → EXISTS seen by a bare imapflow client watching the same mailboxes.

import { copyFile, readFile, writeFile } from 'node:fs/promises';

import pg from 'pg';

import { sleep } from '../../stress/free-port.js';
import { Installation } from '../../stress/installation.js';
import { percentile } from '../../stress/ledger.js';
import { Testbed } from '../../stress/testbed.js';
import { DovecotTestServer } from '../../test/harness/dovecot.js';
import { stressMail } from '../../test/harness/fake-imap/index.js';
import type { BenchContext } from '../context.js';
import { waitUntil } from '../measure.js';
import { BareImapflowHolder } from '../reference/holder-handle.js';
import { type BenchRow, fmt, verdict } from '../table.js';

const INOTIFY = '/proc/sys/fs/inotify/max_user_instances';

export interface LatencyOptions {
  mailboxes: number;
  ratePerSecond: number;
  seconds: number;
}

/** Sends `count` mails at `rate`/s to random mailboxes over LMTP; calls `sent` with each delivery's start time. */
async function deliverAtRate(
  dovecot: DovecotTestServer,
  users: string[],
  options: LatencyOptions,
  idPrefix: string,
  sent: (testId: string, user: string, at: number) => void,
): Promise<number> {
  const count = options.ratePerSecond * options.seconds;
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
    const delivery = dovecot
      .deliver(user, raw)
      .catch(() => void failures++)
      .finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }
  await Promise.all(inFlight);
  return failures;
}

async function raiseInotifyLimit(wanted: number): Promise<() => Promise<void>> {
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
): Promise<number[]> {
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
  const pending = new Map<string, number[]>();
  const latencies: number[] = [];
  holder.onExists((username, newMessages, at) => {
    const queue = pending.get(username) ?? [];
    for (const sentAt of queue.splice(0, newMessages)) latencies.push(at - sentAt);
  });
  await deliverAtRate(dovecot, users, options, 'ref', (_testId, user, at) => {
    const queue = pending.get(user) ?? [];
    queue.push(at);
    pending.set(user, queue);
  });
  await sleep(3000);
  await holder.close();
  return latencies.sort((a, b) => a - b);
}

async function productLatencies(
  dovecot: DovecotTestServer,
  users: string[],
  options: LatencyOptions,
  ctx: BenchContext,
): Promise<{ latencies: number[]; lost: number }> {
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
    const sentAt = new Map<string, number>();
    await deliverAtRate(dovecot, users, options, `${runId}`, (testId, _user, at) => sentAt.set(testId, at));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && [...sentAt.keys()].some((id) => !bed.sink.byTestId.has(id))) await sleep(200);
    const latencies: number[] = [];
    for (const [testId, at] of sentAt) {
      const delivery = bed.sink.byTestId.get(testId);
      if (delivery) latencies.push(delivery.firstAt - at);
    }
    return { latencies: latencies.sort((a, b) => a - b), lost: sentAt.size - latencies.length };
  } finally {
    await bed.tearDown(false);
  }
}

/** The compiled Dovecot harness reads its config template next to itself; tsc copies only code. */
async function ensureDovecotTemplate(): Promise<void> {
  await copyFile('test/harness/dovecot.conf.in', new URL('../../test/harness/dovecot.conf.in', import.meta.url));
}

export async function dovecotLatency(ctx: BenchContext, options: LatencyOptions): Promise<BenchRow[]> {
  await ensureDovecotTemplate();
  const restoreInotify = await raiseInotifyLimit(options.mailboxes * 3 + 512);
  ctx.log(`latency: Dovecot (hibernation 1s), ${options.mailboxes} mailboxes, ${options.ratePerSecond} mails/s`);
  const dovecot = await DovecotTestServer.start({ users: options.mailboxes, hibernateTimeout: '1s' });
  try {
    const users = Array.from({ length: options.mailboxes }, (_, i) => dovecot.user(i + 1).email);
    const reference = await referenceLatencies(dovecot, users, options, ctx);
    // Closing hibernated sessions wakes each of them (an imap process per wake-up): let that pass.
    await sleep(15_000);
    const product = await productLatencies(dovecot, users, options, ctx);
    const p = (values: number[], q: number): number => percentile(values, q);
    const section = `3. latency (Dovecot)`;
    return [
      {
        section,
        figure: `LMTP delivery → webhook, p50 (${options.ratePerSecond}/s)`,
        superimap: fmt.ms(p(product.latencies, 50)),
        reference: `→ EXISTS ${fmt.ms(p(reference, 50))}`,
        target: '≤ reference + 50 ms',
        verdict: verdict(p(product.latencies, 50) <= p(reference, 50) + 50),
      },
      {
        section,
        figure: `LMTP delivery → webhook, p99 (${options.ratePerSecond}/s)`,
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
    await dovecot.stop();
    await restoreInotify();
  }
}

// Section: PostgreSQL growth. The hot-path statements, the outbox sweep, the retention purge and the reads of
// the partner API and the admin dashboard, timed with mail_logs, webhook_events and transmit_logs at 0, 1 M and
// 10 M rows each. The statements are the built product's own: its services from dist/, constructed by hand
// on a TypeORM data source (Redis, HTTP and logging stubbed), so what runs is the text the product sends.

import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import pg from 'pg';
import { DataSource } from 'typeorm';

import { Installation } from '../../stress/installation.js';
import { type BenchRow, verdict } from '../table.js';

export interface PgGrowthOptions {
  /** Rows of each of the three tables at each measuring point, ascending (the first is the reference). */
  rows: number[];
  /** Executions per hot-path statement at each point. */
  samples: number;
  /** Leaves the database in place at the end (its name is logged), for EXPLAIN by hand. */
  keepDatabase?: boolean;
  log: (line: string) => void;
}

const USERS = 1000;
const PARTNERS = 2;
/** Rows written in one fill statement (per table). */
const FILL_CHUNK = 500_000;
/** A fill gap at least this large is written with the tables' indexes and keys dropped, then rebuilt. */
const BULK_FILL_FROM = 1_000_000;
const GROWING_TABLES = ['mail_logs', 'webhook_events', 'transmit_logs'];
/** The working set every point has besides the fill: the dashboard's last 24 h, and outbox work in flight. */
const RECENT = 10_000;
const PENDING = 50;
/**
 * Users the per-user reads (the API's user_tag filter, the admin user page) are timed on: each has more mail
 * than a page at every point, so a point with more rows reads the same page size, not a fuller one (the
 * working set alone gives each of 1,000 users only 10). Interleaved like live mail, so a user's rows are
 * spread over the heap at every point.
 */
const PAGED_USERS = 20;
const PAGED_MAILS_EACH = 120;
/** What one purge pass finds expired: about an hour's events at 10 M rows kept for 90 days. */
const EXPIRED = 1000;
const PURGE_PASSES = 3;
/** A statement slower than this is cut off and reported as "> limit" (a missing index makes purges crawl). */
const STATEMENT_TIMEOUT_MS = 120_000;
/** The pipeline's longest wait before queueing a batch's jobs: longer than any timed insert. */
const BATCH_WAIT_MS = 60_000;
/** Figures under this are within the noise of a shared machine: a hot path may grow to 2 × or by this much. */
const SLACK_MS = 1;

/** What the bench takes from the build: the services whose SQL it times, and their inputs. */
interface Product {
  dataSource: DataSource;
  pipeline: { recordEvent(...args: unknown[]): Promise<string>; enqueueAll(jobs: unknown): Promise<void> };
  newJobs: () => { events: { eventId: string }[] };
  delivery: {
    load(eventId: string): Promise<{ event: { id: string; attempts: number } } | null>;
    conclude(event: unknown, tracerUser: boolean, response: unknown): Promise<{ attempt: number; status: string }>;
  };
  sweeper: { sweep(): Promise<number> };
  bodySweeper: { sweep(): Promise<number> };
  retention: { purge(): Promise<{ events: number; mailLogs: number }> };
  events: {
    list(partnerId: string, query: Record<string, unknown>): Promise<{ rows: unknown[] }>;
    recentForUser(userId: string): Promise<unknown[]>;
    countForPartner(partnerId: string): Promise<number>;
  };
  recentMail: { forUser(userId: string): Promise<unknown[]> };
  mailActivity: { perBucket(window: unknown): Promise<unknown[]> };
  deliveryStats: {
    attemptsByResult(window: unknown): Promise<unknown[]>;
    mailLatency(window: unknown): Promise<unknown[]>;
    queueLatency(window: unknown): Promise<unknown[]>;
    pendingEvents(): Promise<number>;
  };
  window: () => unknown;
}

type Ctor = new (...args: unknown[]) => object;

async function load(file: string): Promise<Record<string, Ctor & ((...args: unknown[]) => unknown)>> {
  return (await import(pathToFileURL(resolve('dist', file)).href)) as Record<
    string,
    Ctor & ((...args: unknown[]) => unknown)
  >;
}

/** A logger that drops everything (the services only log on paths a fault-free bench does not take). */
const quiet = { child: () => quiet, info: () => undefined, warn: () => undefined, error: () => undefined };

async function buildProduct(env: Record<string, string>, eventUserIds: Map<string, string[]>): Promise<Product> {
  const core = await load('libs/core/src/index.js');
  const webhooks = await load('libs/webhooks/src/index.js');
  const imap = await load('libs/imap/src/index.js');
  const users = await load('libs/users/src/index.js');
  const partners = await load('libs/partners/src/index.js');
  const { NewMailPipeline, PendingJobs } = await load('libs/imap/src/pipeline/new-mail-pipeline.service.js');
  const { WebhookEvent } = await load('libs/webhooks/src/webhook-event.entity.js');
  const { TransmitLog } = await load('libs/webhooks/src/transmit-log.entity.js');
  const { MailLog } = await load('libs/imap/src/pipeline/mail-log.entity.js');

  const config = Object.assign(new core.AppConfig() as Record<string, unknown>, {
    ENCRYPTION_KEY: env.ENCRYPTION_KEY,
    ARCHIVED_CREDENTIALS_RETENTION: 0, // users, not a growing table
  });
  const options = (core.dataSourceOptions as (url: string) => object)(env.DATABASE_URL) as {
    extra: Record<string, unknown>;
  };
  const dataSource = new DataSource({
    ...(options as object),
    entities: [WebhookEvent, TransmitLog, MailLog],
    extra: { ...options.extra, statement_timeout: STATEMENT_TIMEOUT_MS },
  } as unknown as ConstructorParameters<typeof DataSource>[0]);
  await dataSource.initialize();
  const eventRepo = dataSource.getRepository(WebhookEvent);
  const secretBox = new core.SecretBox(config);
  // Redis is not what is measured: a fault-free run finds every pending event's job alive.
  const liveJob = { getState: () => Promise.resolve('waiting') };
  const queue = {
    getJob: () => Promise.resolve(liveJob),
    add: () => Promise.resolve(),
    addBulk: () => Promise.resolve(),
  };
  const outbox = new webhooks.EventOutbox(secretBox, queue, eventRepo);
  const states = new users.MailboxStates(null); // only its statement builder is used
  const metrics = { sweepRequeued: { inc: () => undefined } };
  const sweeperOf = (settings: object) =>
    new webhooks.OutboxSweeper(eventRepo, queue, queue, outbox, metrics, settings, quiet) as Product['sweeper'];
  const hot = new core.HotQueries(dataSource);
  // The partner API resolves tags through users (a small table): answered here from what the bench wrote.
  // The delivery's read joins the user's row in SQL, which is the directory's own (from its prototype).
  const directory = Object.assign(Object.create(users.UserDirectory.prototype as object) as object, {
    tagsOf: () => Promise.resolve(new Map<string, string>()),
    idsWithTag: (_partnerId: string, tag: string) => Promise.resolve(eventUserIds.get(tag) ?? []),
  });
  // The bench's partners have no real keys: signing is not what is measured, the partner's row in the read is.
  const partnerKeys = { signingKeysUntil: () => ({ keys: {}, validUntil: Number.MAX_SAFE_INTEGER }) };
  const events = new webhooks.EventsService(eventRepo, dataSource.getRepository(TransmitLog), outbox, directory);
  return {
    dataSource,
    pipeline: new NewMailPipeline(dataSource, hot, states, outbox, null, null, config, quiet) as Product['pipeline'],
    // Its batch is queued by hand right after each insert (enqueueAll), well before its own timer would fire.
    newJobs: () => new PendingJobs(BATCH_WAIT_MS) as ReturnType<Product['newJobs']>,
    delivery: new webhooks.WebhookDelivery(
      eventRepo,
      hot,
      new partners.PartnerDeliveryProfiles(partnerKeys),
      directory,
      null,
      outbox,
      metrics,
      config,
      quiet,
    ) as unknown as Product['delivery'],
    sweeper: sweeperOf(config),
    // EVENT_BODY_RETENTION > 0 adds the sweep's body expiry (bodies kept that long after delivery).
    bodySweeper: sweeperOf({ ...config, EVENT_BODY_RETENTION: 24 }),
    retention: new imap.DataRetention(dataSource, null, events, null, config, quiet) as Product['retention'],
    events: events as unknown as Product['events'],
    recentMail: new imap.RecentMail(dataSource.getRepository(MailLog)) as Product['recentMail'],
    mailActivity: new imap.MailActivity(dataSource.getRepository(MailLog)) as Product['mailActivity'],
    deliveryStats: new webhooks.DeliveryStats(eventRepo) as unknown as Product['deliveryStats'],
    window: () => (core.lastHours as (now: Date, hours: number, bucket: number) => unknown)(new Date(), 24, 900),
  };
}

/**
 * Writes `count` mails from `first` on: each a mail log, its event and one attempt, spread over 1,000 users
 * of 2 partners, created at `ageSql` (an SQL interval expression, evaluated per row). `status` 'pending' writes
 * no attempt. Ids are derived from `prefix` and the row number, so a mail log points at its own event.
 */
async function writeMails(
  client: pg.Client,
  prefix: string,
  first: number,
  count: number,
  ageSql: string,
  status: 'delivered' | 'pending',
  spreadOver = USERS,
): Promise<void> {
  if (count <= 0) return;
  const delivered = status === 'delivered';
  await client.query(
    `WITH ev AS (
       INSERT INTO webhook_events (id, partner_id, user_id, type, status, metadata, body, attempts, last_error,
                                   created_at, updated_at, delivered_at)
       SELECT md5($1 || 'e' || s.i)::uuid, u.partner_id, u.id, 'new_mail', $4,
              jsonb_build_object('uid', s.i, 'uid_validity', 1, 'size', 2048 + s.i % 8192, 'truncated', false,
                                 'internal_date', s.at, 'detected_at', s.at),
              NULL, ${delivered ? 1 : 0}, NULL, s.at, s.at + interval '2 seconds',
              ${delivered ? "s.at + interval '2 seconds'" : 'NULL'}
         FROM (SELECT i, now() - (${ageSql}) AS at FROM generate_series($2::bigint, $3::bigint) i) s
         JOIN pg_temp.bench_users u ON u.n = s.i % ${spreadOver}
       RETURNING id, user_id, created_at, (metadata->>'uid')::bigint AS uid
     ), logged AS (
       INSERT INTO mail_logs (id, user_id, uid_validity, uid, message_id, sha1, internal_date, event_id, created_at)
       SELECT md5($1 || 'm' || uid)::uuid, user_id, 1, uid, '<' || uid || '.' || $1 || '@bench.example>',
              md5($1 || uid) || '00000000', created_at, id, created_at
         FROM ev
     )
     INSERT INTO transmit_logs (id, event_id, attempt, response_code, response_body, error, duration_ms, created_at)
     SELECT md5($1 || 't' || uid)::uuid, id, 1, 200, 'ok', NULL, 20 + uid % 300, created_at + interval '2 seconds'
       FROM ev WHERE $4 = 'delivered'`,
    [prefix, first, first + count - 1, status],
  );
}

/** Mail logs older than any event (past event retention): their events are gone, so event_id is NULL. */
async function writeOldMailLogs(client: pg.Client, prefix: string, first: number, count: number): Promise<void> {
  await client.query(
    `INSERT INTO mail_logs (id, user_id, uid_validity, uid, message_id, sha1, internal_date, event_id, created_at)
     SELECT md5($1 || 'm' || i)::uuid, u.id, 1, i, NULL, md5($1 || i) || '00000000', now() - interval '181 days',
            NULL, now() - interval '181 days'
       FROM generate_series($2::bigint, $3::bigint) i JOIN pg_temp.bench_users u ON u.n = i % ${USERS}`,
    [prefix, first, first + count - 1],
  );
}

/**
 * Runs `fill` with the growing tables' indexes, keys and foreign keys dropped, then rebuilds them as they were
 * (from PostgreSQL's own definitions). Millions of rows inserted one by one into random-UUID indexes read and
 * write index pages all over the disk once the indexes outgrow memory: the fill slowed from 50 s to 150 s per
 * 500,000 mails by 3.5 M rows, which put 10 M out of reach. Building an index afterwards is one sort. The
 * rebuilt indexes are denser than grown ones (full leaf pages), so inserts into them split pages sooner.
 */
async function withIndexesRebuiltAfter(
  client: pg.Client,
  fill: () => Promise<void>,
  log: (line: string) => void,
): Promise<void> {
  const tables = GROWING_TABLES.map((name) => `'${name}'::regclass`).join(', ');
  const { rows: constraints } = await client.query<{ tbl: string; name: string; def: string; kind: string }>(
    `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def, contype AS kind
       FROM pg_constraint
      WHERE contype IN ('p', 'u', 'f') AND (conrelid IN (${tables}) OR confrelid IN (${tables}))`,
  );
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
       FROM pg_index i
      WHERE indrelid IN (${tables}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
  );
  const keys = constraints.filter((c) => c.kind !== 'f');
  const foreignKeys = constraints.filter((c) => c.kind === 'f');
  for (const c of [...foreignKeys, ...keys]) await client.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`);
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  await fill();
  const started = performance.now();
  await client.query(`SET maintenance_work_mem = '1GB'`);
  for (const c of keys) await client.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`);
  for (const index of indexes) await client.query(index.def);
  for (const c of foreignKeys) await client.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`);
  await client.query('RESET maintenance_work_mem');
  log(
    `pg-growth: rebuilt ${keys.length} keys, ${indexes.length} indexes and ${foreignKeys.length} foreign keys ` +
      `(${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
}

interface Timing {
  median: number;
  p95: number;
  /** Set when an execution hit the statement timeout. */
  timedOut?: boolean;
}

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95) };
}

async function timeEach(count: number, run: (i: number) => Promise<unknown>): Promise<Timing> {
  const warm = Math.min(10, Math.ceil(count / 10));
  for (let i = 0; i < warm; i++) await run(i);
  const samples: number[] = [];
  for (let i = warm; i < warm + count; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  return timing(samples);
}

interface Measure {
  key: string;
  figure: string;
  /** Grows with the table by nature (a count over all rows): printed, not judged. */
  informational?: boolean;
}

const MEASURES: Measure[] = [
  { key: 'pipeline', figure: 'pipeline: mail log + event + cursor (1 statement)' },
  { key: 'load', figure: 'worker: read the event' },
  { key: 'conclude', figure: 'worker: attempt + transmit log + settle (1 statement)' },
  { key: 'sweep', figure: 'outbox sweep, fault-free (50 pending)' },
  { key: 'sweepBodies', figure: 'outbox sweep with EVENT_BODY_RETENTION > 0' },
  { key: 'purge', figure: `retention purge pass (${EXPIRED} events, ${EXPIRED} mail logs due)` },
  { key: 'apiList', figure: 'partner API: GET /events, first page' },
  { key: 'apiPending', figure: 'partner API: GET /events?status=pending' },
  { key: 'apiUser', figure: 'partner API: GET /events?user_tag=…' },
  { key: 'dashboard', figure: 'admin dashboard: its 5 outbox/mail queries (24 h)' },
  { key: 'userPage', figure: "admin user page: a user's latest mail + events" },
  { key: 'partnerCount', figure: "admin partner page: the partner's event count", informational: true },
];

/** One measuring point: every statement against the tables as they are now. */
async function measurePoint(
  product: Product,
  client: pg.Client,
  ids: { users: { id: string; partnerId: string }[]; partners: string[] },
  point: number,
  samples: number,
  log: (line: string) => void,
): Promise<Record<string, Timing>> {
  const result: Record<string, Timing> = {};
  const body = randomBytes(2048);
  const uidBase = 3_000_000_000 + point * 100_000;
  const written: string[] = [];
  log(`  pipeline insert × ${samples}`);
  result.pipeline = await timeEach(samples, async (i) => {
    const user = ids.users[(i * 7919) % ids.users.length];
    const uid = uidBase + i;
    const internalDate = new Date();
    const jobs = product.newJobs();
    await product.pipeline.recordEvent(
      { user: { id: user.id }, partnerId: user.partnerId },
      1,
      { uid, internalDate },
      { messageId: `<${uid}.hot@bench.example>`, sha1: null },
      {
        partnerId: user.partnerId,
        userId: user.id,
        type: 'new_mail',
        metadata: { uid, uid_validity: 1, internal_date: internalDate.toISOString(), size: body.length },
        body,
      },
      jobs,
    );
    written.push(...jobs.events.map((job) => job.eventId));
    await product.pipeline.enqueueAll(jobs);
  });
  log(`  worker read and settle × ${written.length}`);
  const loaded: unknown[] = [];
  result.load = await timeEach(samples, async (i) => loaded.push((await product.delivery.load(written[i]))?.event));
  const response = { status: 200, body: 'ok', error: null, durationMs: 35, retryAfterSeconds: null };
  result.conclude = await timeEach(samples, (i) => product.delivery.conclude(loaded[i], false, response));
  // What the warm-ups left pending is settled too, so the sweep sees the same 50 pending events at every point.
  await client.query(
    `UPDATE webhook_events SET status = 'delivered', delivered_at = now(), body = NULL
      WHERE status = 'pending' AND id = ANY($1::uuid[])`,
    [written],
  );
  log('  outbox sweep × 50');
  result.sweep = await timeEach(50, () => product.sweeper.sweep());
  result.sweepBodies = await timeEach(10, () => product.bodySweeper.sweep());

  log('  partner API and admin reads');
  const [partnerA] = ids.partners;
  result.apiList = await timeEach(50, () => product.events.list(partnerA, { limit: 100 }));
  result.apiPending = await timeEach(20, () => product.events.list(partnerA, { limit: 100, status: 'pending' }));
  result.apiUser = await timeEach(50, (i) =>
    product.events.list(partnerA, { limit: 100, user_tag: `u${(2 * i) % PAGED_USERS}` }),
  );
  result.dashboard = await timeEach(10, async () => {
    const window = product.window();
    await Promise.all([
      product.mailActivity.perBucket(window),
      product.deliveryStats.attemptsByResult(window),
      product.deliveryStats.mailLatency(window),
      product.deliveryStats.queueLatency(window),
      product.deliveryStats.pendingEvents(),
    ]);
  });
  result.userPage = await timeEach(50, async (i) => {
    const user = ids.users[i % PAGED_USERS];
    await Promise.all([product.recentMail.forUser(user.id), product.events.recentForUser(user.id)]);
  });
  result.partnerCount = await timeEach(3, () => product.events.countForPartner(partnerA));

  log(`  retention purge × ${PURGE_PASSES}`);
  const passes: number[] = [];
  let timedOut = false;
  for (let pass = 0; pass < PURGE_PASSES && !timedOut; pass++) {
    const prefix = `x${point}p${pass}`;
    const first = 2_000_000_000 + (point * PURGE_PASSES + pass) * 10_000;
    await writeMails(client, prefix, first, EXPIRED, "interval '91 days'", 'delivered');
    await writeOldMailLogs(client, `o${prefix}`, first + EXPIRED, EXPIRED);
    await client.query('ANALYZE webhook_events, mail_logs, transmit_logs');
    const started = performance.now();
    try {
      const report = await product.retention.purge();
      passes.push(performance.now() - started);
      if (report.events !== EXPIRED || report.mailLogs !== EXPIRED) {
        throw new Error(`the purge removed ${report.events} events and ${report.mailLogs} mail logs`);
      }
    } catch (error) {
      if (!/statement timeout/.test(String(error))) throw error;
      timedOut = true;
      log(`  purge cut off after ${STATEMENT_TIMEOUT_MS / 1000} s; removing what it should have, triggers off`);
      await client.query('SET session_replication_role = replica');
      await client.query(`UPDATE mail_logs SET event_id = NULL WHERE created_at < now() - interval '90 days'`);
      await client.query(`DELETE FROM transmit_logs WHERE created_at < now() - interval '90 days'`);
      await client.query(`DELETE FROM webhook_events WHERE created_at < now() - interval '90 days'`);
      await client.query(`DELETE FROM mail_logs WHERE created_at < now() - interval '180 days'`);
      await client.query('SET session_replication_role = DEFAULT');
    }
  }
  result.purge = timedOut ? { median: STATEMENT_TIMEOUT_MS, p95: STATEMENT_TIMEOUT_MS, timedOut } : timing(passes);
  return result;
}

async function tableSizes(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ name: string; rows: string; bytes: string }>(
    `SELECT c.relname AS name, c.reltuples::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c WHERE c.relname IN ('mail_logs', 'webhook_events', 'transmit_logs') ORDER BY 1`,
  );
  return rows
    .map(
      (row) =>
        `${row.name} ${Number(row.rows).toLocaleString('en')} rows ${(Number(row.bytes) / 2 ** 20).toFixed(0)} MiB`,
    )
    .join(', ');
}

const ms = (value: number): string =>
  value >= 100 ? `${Math.round(value)}` : value >= 10 ? value.toFixed(1) : value.toFixed(2);
const cell = (t: Timing): string =>
  t.timedOut ? `> ${STATEMENT_TIMEOUT_MS / 1000} s` : `${ms(t.median)} / ${ms(t.p95)} ms`;
const rowsLabel = (n: number): string =>
  n >= 1_000_000 ? `${n / 1_000_000} M` : n >= 1000 ? `${n / 1000} k` : String(n);

export async function pgGrowth(options: PgGrowthOptions): Promise<BenchRow[]> {
  const { log } = options;
  const sizes = [...options.rows].sort((a, b) => a - b);
  const installation = new Installation(`pg_${Installation.newRunId()}`);
  log(`pg-growth: database ${installation.databaseName}, points ${sizes.map(rowsLabel).join(' / ')} rows per table`);
  await installation.cli(['migrate']);
  const client = new pg.Client({ connectionString: installation.env.DATABASE_URL });
  await client.connect();
  let product: Product | undefined;
  try {
    const ids = await seed(client);
    const tags = new Map(ids.users.map((user, n) => [`u${n}`, [user.id]]));
    product = await buildProduct(installation.env, tags);
    log(
      `pg-growth: working set (${RECENT} mails in the last 24 h, ${PENDING} pending, ` +
        `${PAGED_MAILS_EACH} older mails each for ${PAGED_USERS} users)`,
    );
    await writeMails(client, 'r', 1_000_000_000, RECENT, "random() * interval '24 hours'", 'delivered');
    await writeMails(
      client,
      'p',
      1_500_000_000,
      PENDING,
      "interval '1 minute' + random() * interval '1 hour'",
      'pending',
    );
    await writeMails(
      client,
      'u',
      1_600_000_000,
      PAGED_USERS * PAGED_MAILS_EACH,
      "interval '25 hours' + random() * interval '88 days'",
      'delivered',
      PAGED_USERS,
    );

    const results: { rows: number; timings: Record<string, Timing> }[] = [];
    let filled = 0;
    for (const [point, size] of sizes.entries()) {
      const fillTo = async (): Promise<void> => {
        while (filled < size) {
          const count = Math.min(FILL_CHUNK, size - filled);
          const started = performance.now();
          // Kept for 90 days: older than the dashboard's 24 h, younger than the retention purge's cutoff.
          await writeMails(
            client,
            'f',
            filled + 1,
            count,
            "interval '25 hours' + random() * interval '88 days'",
            'delivered',
          );
          filled += count;
          log(
            `pg-growth: filled ${filled.toLocaleString('en')} / ${size.toLocaleString('en')} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
          );
        }
      };
      if (size - filled >= BULK_FILL_FROM) await withIndexesRebuiltAfter(client, fillTo, log);
      else await fillTo();
      await client.query('VACUUM ANALYZE webhook_events, mail_logs, transmit_logs, users');
      log(`pg-growth: measuring at ${rowsLabel(size)} rows: ${await tableSizes(client)}`);
      const timings = await measurePoint(product, client, ids, point, options.samples, log);
      for (const measure of MEASURES) log(`  ${measure.figure}: ${cell(timings[measure.key])}`);
      results.push({ rows: size, timings });
    }
    return rowsFrom(results);
  } finally {
    await product?.dataSource.destroy().catch(() => undefined);
    await client.end().catch(() => undefined);
    if (options.keepDatabase) log(`pg-growth: kept database ${installation.databaseName}`);
    else {
      await installation
        .remove()
        .catch((error: unknown) => log(`pg-growth: could not drop the database: ${String(error)}`));
    }
  }
}

function rowsFrom(results: { rows: number; timings: Record<string, Timing> }[]): BenchRow[] {
  const reference = results[0];
  const largest = results[results.length - 1];
  const between = results.slice(1, -1);
  return MEASURES.map((measure) => {
    const at0 = reference.timings[measure.key];
    const atMax = largest.timings[measure.key];
    const bound = Math.max(2 * at0.median, at0.median + SLACK_MS);
    const middle = between.map((point) => `; ${rowsLabel(point.rows)}: ${cell(point.timings[measure.key])}`).join('');
    return {
      section: 'pg-growth',
      figure: `${measure.figure}, median / p95`,
      superimap: `${cell(atMax)} at ${rowsLabel(largest.rows)}${middle}`,
      reference: `${cell(at0)} at ${rowsLabel(reference.rows)} rows`,
      target: measure.informational
        ? '— (grows with the partner)'
        : `median ≤ 2 × at ${rowsLabel(reference.rows)} (or +${SLACK_MS} ms)`,
      verdict: measure.informational || results.length < 2 ? '' : verdict(!atMax.timedOut && atMax.median <= bound),
    };
  });
}

/** 2 partners, one provider, 1,000 users (half each), and the user numbering the fill spreads rows by. */
async function seed(client: pg.Client): Promise<{ users: { id: string; partnerId: string }[]; partners: string[] }> {
  const provider = randomUUID();
  await client.query(
    `INSERT INTO imap_providers (id, code, title, auth, imap_host, imap_port, imap_security)
     VALUES ($1, 'BENCH', 'Bench', 'password', '127.0.0.1', 143, 'none')`,
    [provider],
  );
  const partners: string[] = [];
  for (let p = 0; p < PARTNERS; p++) {
    const partner = randomUUID();
    const connection = randomUUID();
    partners.push(partner);
    await client.query(
      `INSERT INTO partners (id, name, api_key, api_key_hash, webhook_secret) VALUES ($1, $2, 'x', $3, 'x')`,
      [partner, `Bench ${p}`, randomBytes(32).toString('hex')],
    );
    await client.query(`INSERT INTO partner_connections (id, partner_id, imap_provider_id) VALUES ($1, $2, $3)`, [
      connection,
      partner,
      provider,
    ]);
    await client.query(
      `INSERT INTO users (id, partner_connection_id, tag, state, last_uid, last_uid_validity, created_at)
       SELECT gen_random_uuid(), $1, 'u' || n, 'watching', 0, 1, now() - interval '1 year'
         FROM generate_series($2::int, $3::int, $4::int) n`,
      [connection, p, USERS - 1, PARTNERS],
    );
  }
  await client.query(
    `CREATE TEMP TABLE bench_users AS
       SELECT substr(u.tag, 2)::int AS n, u.id, c.partner_id
         FROM users u JOIN partner_connections c ON c.id = u.partner_connection_id`,
  );
  await client.query('CREATE UNIQUE INDEX ON pg_temp.bench_users (n)');
  const { rows } = await client.query<{ id: string; partner_id: string }>(
    'SELECT id, partner_id FROM pg_temp.bench_users ORDER BY n',
  );
  return { users: rows.map((row) => ({ id: row.id, partnerId: row.partner_id })), partners };
}

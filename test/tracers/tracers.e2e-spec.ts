import { randomBytes } from 'node:crypto';

import { Queue } from 'bullmq';

import { bullPrefix, parseLogMetrics } from '@app/core';

import { FakeImapServer } from '../harness/fake-imap/index.js';
import { buildMail } from '../harness/mail-factory.js';
import { SmtpTestServer } from '../harness/smtp-test-server.js';
import { WebhookSink } from '../harness/webhook-sink.js';
import type { ApiClient } from '../support/api-client.js';
import { userIdOf, usersPath } from '../support/api-client.js';
import { ImapTestbed, type Mailbox } from '../support/imap-testbed.js';
import { OAuthTokenServer } from '../support/oauth-token-server.js';
import type { RoleProcess } from '../support/role-process.js';
import { REDIS_URL, uniqueName } from '../support/test-env.js';
import { TestInstallation } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

type Row = Record<string, any>;

/** An installation, Dovecot or a fake IMAP server, an SMTP server and two roles: slow on a loaded machine. */
const STARTUP_TIMEOUT_MS = 180_000;

/** Rounds of a user's tracers, oldest first: round id → its logs in sequence. */
async function roundsOf(installation: TestInstallation, userId: string): Promise<Row[][]> {
  const rows = await installation.sql(
    'SELECT * FROM tracer_logs WHERE user_id = $1 ORDER BY created_at, round_id, seq',
    [userId],
  );
  const rounds = new Map<string, Row[]>();
  for (const row of rows) rounds.set(row.round_id, [...(rounds.get(row.round_id) ?? []), row]);
  return [...rounds.values()];
}

async function waitForRound(
  installation: TestInstallation,
  userId: string,
  what: string,
  done: (round: Row[]) => boolean,
  timeoutMs = 30_000,
): Promise<Row[]> {
  return waitFor(what, async () => (await roundsOf(installation, userId)).find(done), { timeoutMs, intervalMs: 100 });
}

const allDetected = (round: Row[]) => round.length === 3 && round.every((row) => row.status === 'detected');

async function scrape(process: RoleProcess): Promise<string> {
  return (await fetch(`${process.url}/metrics`)).text();
}

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((label) => l.includes(label)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The log-metrics lines a process logged (info lines whose message is `mode#name=value ...`). */
function logMetricLines(process: RoleProcess): string[] {
  return process.output
    .split('\n')
    .filter((line) => line.includes('"component":"log-metrics"'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe('tracers: password login over STARTTLS, Dovecot behind the SMTP server', () => {
  let sink: WebhookSink;
  let bed: ImapTestbed;
  let smtp: SmtpTestServer;
  let imapClient: RoleProcess;
  let worker: RoleProcess;
  let code: string;
  let tracerUser: Mailbox;
  let plainUser: Mailbox;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    bed = await ImapTestbed.create({ users: 3, partnerArgs: ['--new-mail-webhook', sink.urlFor('/new-mail')] });
    const users = [1, 2, 3].map((n) => bed.dovecot.user(n));
    smtp = await SmtpTestServer.start({
      security: 'starttls',
      passwords: Object.fromEntries(users.map((user) => [user.email, user.password])),
      deliver: (recipients, raw) => bed.dovecot.deliver(recipients, raw),
    });
    code = uniqueName('SMTP').toUpperCase();
    const created = await bed.cli([
      ...['provider', 'create', '--code', code, '--title', 'Dovecot with SMTP', '--auth', 'password'],
      ...['--imap-host', '127.0.0.1', '--imap-port', String(bed.dovecot.imapPort), '--imap-security', 'none'],
      ...['--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--smtp-security', 'starttls'],
    ]);
    expect(created.code).toBe(0);
    await bed.partner.post('/api/v1/connections', { imap_provider_code: code });
    tracerUser = await addMailbox(bed.partner, code, bed.dovecot.user(1), 'tracer-user', true);
    plainUser = await addMailbox(bed.partner, code, bed.dovecot.user(2), 'plain-user', false);
    worker = await bed.startRole('worker', {
      NODE_EXTRA_CA_CERTS: smtp.certPath ?? '',
      TRACER_TIMEOUT: '6',
      METRICS_LOG_INTERVAL: '0.5',
      LOG_LEVEL: 'info',
    });
    imapClient = await bed.startRole('imap-client', {
      TRACER_INTERVAL: '1.5',
      METRICS_LOG_INTERVAL: '0.5',
      DYNO: 'imap_client.1',
      LOG_LEVEL: 'info',
    });
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await bed.stop();
    await smtp.close();
    await sink.close();
  });

  it('sends rounds of 3 tracers over SMTP (PLAIN after STARTTLS), detects all 3, and sends no webhook', async () => {
    const round = await waitForRound(bed, tracerUser.userId, 'a round with 3 tracers detected', allDetected);
    for (const row of round) {
      expect(row.token).toMatch(/^[0-9a-f]{32}$/);
      expect(row.error).toBeNull();
      expect(row.detected_at.getTime()).toBeGreaterThanOrEqual(row.sent_at.getTime());
      expect(row.sent_at.getTime()).toBeGreaterThanOrEqual(row.created_at.getTime());
    }
    expect(new Set(round.map((row) => row.token)).size).toBe(3);
    // Only tracer users are picked, and the mailbox's own login was used, over TLS.
    expect((await roundsOf(bed, plainUser.userId)).length).toBe(0);
    const logins = smtp.authentications.filter((auth) => auth.username === tracerUser.email);
    expect(logins.length).toBeGreaterThanOrEqual(3);
    expect(logins.every((auth) => auth.method === 'PLAIN' && auth.accepted && auth.secure)).toBe(true);
    const sent = smtp.messages.find((message) => message.raw.toString().includes(round[0].token))!;
    expect(sent.to).toEqual([tracerUser.email]);
    expect(sent.raw.toString()).toMatch(new RegExp(`^X-SuperIMAP-Tracer: ${round[0].token}\\r?$`, 'mi'));

    expect(await bed.events(tracerUser.userId)).toEqual([]);
    expect(sink.requestsFor('/new-mail')).toEqual([]);

    const imapMetrics = await scrape(imapClient);
    expect(
      metricValue(imapMetrics, 'superimap_tracer_latency_seconds_count', { provider: code }),
    ).toBeGreaterThanOrEqual(3);
    const workerMetrics = await scrape(worker);
    expect(
      metricValue(workerMetrics, 'superimap_tracers_sent_total', { provider: code, result: 'sent' }),
    ).toBeGreaterThanOrEqual(3);
  });

  it('lists tracers with p50/p95 in the API and the CLI', async () => {
    await waitForRound(bed, tracerUser.userId, 'a detected round', allDetected);
    const listed = await bed.partner.get(`${usersPath(code, tracerUser.tag)}/tracers?hours=1`);
    expect(listed.status).toBe(200);
    expect(listed.body.summary.by_status.detected).toBeGreaterThanOrEqual(3);
    expect(listed.body.summary.p50_seconds).toBeGreaterThanOrEqual(0);
    expect(listed.body.summary.p95_seconds).toBeGreaterThanOrEqual(listed.body.summary.p50_seconds);
    const detected = listed.body.tracers.find((tracer: Row) => tracer.status === 'detected');
    expect(detected.latency_seconds).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(listed.body)).not.toMatch(/[0-9a-f]{32}/); // tokens stay private

    const cli = await bed.cli(['tracers', 'list', '--since', '1h', '--user', tracerUser.userId]);
    expect(cli.code).toBe(0);
    const report = cli.json as Row;
    expect(report.by_status.detected).toBeGreaterThanOrEqual(3);
    expect(report.p95_seconds).toBeGreaterThanOrEqual(report.p50_seconds);
    expect(report.tracers[0].user_tag).toBe(tracerUser.tag);
    expect((await bed.cli(['tracers', 'list', '--since', 'yesterday-ish'])).code).toBe(2);
  });

  it('SMTP down: the round logs the error, and the next round runs once it is back', async () => {
    smtp.refusing = true;
    const failed = await waitForRound(
      bed,
      tracerUser.userId,
      'a failed round',
      (round) => round.length === 3 && round.every((row) => row.status === 'failed'),
    );
    expect(failed[0].error).toMatch(/421|not available/);
    smtp.refusing = false;
    const next = await waitForRound(
      bed,
      tracerUser.userId,
      'a detected round after the failed one',
      (round) => allDetected(round) && round[0].created_at > failed[0].created_at,
    );
    expect(next).toHaveLength(3);
  });

  it('tracers that never arrive are missing after TRACER_TIMEOUT: counted and logged at warn', async () => {
    smtp.swallowing = true;
    const lost = await waitForRound(
      bed,
      tracerUser.userId,
      'a missing round',
      (round) => round.length === 3 && round.every((row) => row.status === 'missing'),
    );
    smtp.swallowing = false;
    expect(lost[0].detected_at).toBeNull();
    await waitFor(
      'the missing metric',
      async () => metricValue(await scrape(worker), 'superimap_tracers_missing_total', { provider: code }) >= 3,
    );
    const warning = worker.output
      .split('\n')
      .find((line) => line.includes('"level":40') && line.includes('tracer missing'));
    expect(JSON.parse(warning!)).toMatchObject({ tag: tracerUser.tag, provider: code, userId: tracerUser.userId });
  });

  it('a non-tracer user receiving "TRACER: 123" → the partner gets it', async () => {
    await bed.dovecot.deliver(plainUser.email, buildMail({ to: plainUser.email, subject: 'TRACER: 123' }));
    const [event] = await bed.waitForEvents(plainUser.userId, 1, 20_000);
    expect(event.metadata.envelope.subject).toBe('TRACER: 123');
  });

  it('a tracer user receiving a wrong or a stale token → ordinary mail', async () => {
    const [detected] = await waitForRound(bed, tracerUser.userId, 'a detected round', allDetected);
    const subjects = [
      'TRACER: 123',
      `TRACER: ${randomBytes(16).toString('hex')}`, // a token no tracer log has
      `TRACER: ${detected.token}`, // already detected: a replayed tracer is ordinary mail
    ];
    for (const subject of subjects) {
      await bed.dovecot.deliver(tracerUser.email, buildMail({ to: tracerUser.email, subject }));
    }
    const events = await bed.waitForEvents(tracerUser.userId, subjects.length, 20_000);
    expect(events.map((event) => event.metadata.envelope.subject).sort()).toEqual([...subjects].sort());
  });

  it('a round runs once, however often it is queued', async () => {
    const queue = new Queue('tracers', { connection: { url: REDIS_URL }, prefix: bullPrefix(bed.env.REDIS_PREFIX) });
    try {
      const roundId = `test-round-${randomBytes(4).toString('hex')}`;
      const job = { roundId, userId: tracerUser.userId, count: 3 };
      await queue.add('tracer.send', job, { jobId: roundId });
      await waitFor('the round to run', async () => (await queue.getJob(roundId))?.returnvalue);
      expect((await queue.getJob(roundId))?.returnvalue).toMatch(/sent|partly_sent/);
      // The job is gone (e.g. removed after completing) and the round is queued again.
      await (await queue.getJob(roundId))?.remove();
      await queue.add('tracer.send', job, { jobId: roundId });
      await waitFor('the repeated round to end', async () => (await queue.getJob(roundId))?.returnvalue);
      expect((await queue.getJob(roundId))?.returnvalue).toBe('already_ran');
      const logs = await bed.sql('SELECT token FROM tracer_logs WHERE round_id = $1', [roundId]);
      expect(logs).toHaveLength(3);
      for (const { token } of logs) {
        expect(smtp.messages.filter((message) => message.raw.toString().includes(token))).toHaveLength(1);
      }
    } finally {
      await queue.close();
    }
  });

  it('refuses enable_tracer for a provider without SMTP settings (400)', async () => {
    const refused = await bed.partner.post(usersPath(bed.providerCode), { tag: 'no-smtp', enable_tracer: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('TracerNeedsSmtp');
    expect((await bed.partner.post(usersPath(bed.providerCode), { tag: 'no-smtp' })).status).toBe(200);
    const update = await bed.partner.put(usersPath(bed.providerCode, 'no-smtp'), { enable_tracer: true });
    expect(update.body.error.code).toBe('TracerNeedsSmtp');
  });

  it("logs the seed's metric lines, in the log-metrics format, every METRICS_LOG_INTERVAL", async () => {
    const imapLines = await waitFor(
      'imap-client log-metrics lines',
      () => logMetricLines(imapClient).length >= 2 && logMetricLines(imapClient),
    );
    const imapLine = parseLogMetrics(imapLines.at(-1)!);
    expect(imapLine.source).toBe('imap_client.1');
    expect(imapLine.figures['measure#imap_client.user_thread.count']).toEqual({ value: 2, unit: '' });
    expect(imapLine.figures['measure#imap_client.work_queue.length'].value).toBeGreaterThanOrEqual(0);
    expect(imapLine.figures['measure#work_queue.latency'].unit).toBe('s');
    expect(imapLine.figures['sample#imap_client.total_emails_processed'].value).toBeGreaterThanOrEqual(4);

    // Counts are per interval: the last calls show up in the next line, so wait for the lines to add up.
    const counted = (lines: ReturnType<typeof parseLogMetrics>[], figure: string) =>
      lines.reduce((sum, line) => sum + line.figures[figure].value, 0);
    const workerLines = await waitFor('worker log-metrics lines counting every call', () => {
      const lines = logMetricLines(worker).map(parseLogMetrics);
      const complete =
        counted(lines, 'count#app.schedule_tracer_email.count') >= 9 &&
        counted(lines, 'count#app.call_new_mail_webhook.count') >= 4;
      return complete && lines;
    });
    expect(workerLines[0].source).toBeNull();
    expect(counted(workerLines, 'count#app.schedule_tracer_email.count')).toBeGreaterThanOrEqual(9);
    expect(counted(workerLines, 'count#app.call_new_mail_webhook.count')).toBeGreaterThanOrEqual(4);
  });
});

describe('tracers: OAuth2 login (XOAUTH2) over implicit TLS', () => {
  let tokens: OAuthTokenServer;
  let imap: FakeImapServer;
  let smtp: SmtpTestServer;
  let installation: TestInstallation;
  const email = 'oauth-tracer@gmail.test';

  beforeAll(async () => {
    tokens = await OAuthTokenServer.start();
    imap = await FakeImapServer.start({ xoauth2: (_user, token) => tokens.isValidAccessToken(token) });
    smtp = await SmtpTestServer.start({
      security: 'tls',
      acceptsAccessToken: (user, token) => user === email && tokens.isValidAccessToken(token),
      deliver: (recipients, raw) => {
        for (const recipient of recipients) imap.appendMessage(recipient, raw);
        return Promise.resolve();
      },
    });
    installation = await new TestInstallation().start();
    const code = uniqueName('OAUTH').toUpperCase();
    const created = await installation.cli([
      ...['provider', 'create', '--code', code, '--title', 'OAuth with SMTP', '--auth', 'oauth2'],
      ...['--imap-host', '127.0.0.1', '--imap-port', String(imap.port), '--imap-security', 'none'],
      ...['--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--smtp-security', 'tls'],
      ...['--oauth2-authorize-url', 'http://127.0.0.1:1/authorize', '--oauth2-token-url', tokens.url],
    ]);
    expect(created.code).toBe(0);
    const partner = await installation.createPartner('OAuth tracer partner');
    await partner.post('/api/v1/connections', {
      imap_provider_code: code,
      oauth2_client_id: 'client-id',
      oauth2_client_secret: 'client-secret',
    });
    imap.addUser(email, 'unused-password');
    tokens.validRefreshTokens.add('1//tracer-refresh');
    const user = await partner.post(usersPath(code), {
      tag: 'oauth-tracer',
      email,
      oauth2_refresh_token: '1//tracer-refresh',
      enable_tracer: true,
    });
    expect(user.status).toBe(200);
    await installation.startRole('worker', { NODE_EXTRA_CA_CERTS: smtp.certPath ?? '' });
    await installation.startRole('imap-client', { TRACER_INTERVAL: '1.5' });
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await installation.stop();
    await smtp.close();
    await imap.close();
    await tokens.close();
  });

  it('authenticates to SMTP with the refreshed access token and detects the round', async () => {
    const [{ id: userId }] = await installation.sql('SELECT id FROM users WHERE email = $1', [email]);
    const round = await waitForRound(installation, userId, 'an XOAUTH2 round detected', allDetected);
    expect(round).toHaveLength(3);
    const logins = smtp.authentications.filter((auth) => auth.username === email);
    expect(logins.length).toBeGreaterThanOrEqual(3);
    expect(logins.every((auth) => auth.method === 'XOAUTH2' && auth.accepted && auth.secure)).toBe(true);
    expect(await installation.events(userId)).toEqual([]);
  });
});

async function addMailbox(
  partner: ApiClient,
  code: string,
  login: { email: string; password: string },
  tag: string,
  tracer: boolean,
): Promise<Mailbox> {
  const result = await partner.post(usersPath(code), {
    tag,
    email: login.email,
    login_username: login.email,
    login_password: login.password,
    enable_tracer: tracer,
  });
  if (result.status !== 200) throw new Error(`user create failed: ${JSON.stringify(result.body)}`);
  const userId = userIdOf(result.body.connect_url as string);
  return { tag, userId, email: login.email, password: login.password };
}

import type { TestingModule } from '@nestjs/testing';

import { MetricsService } from '@app/core';
import { EventOutbox, WebhooksWorkerModule } from '@app/webhooks';

import { WebhookSink } from '../harness/webhook-sink.js';
import { TestRows } from '../support/factories.js';
import { IntegrationInstallation } from '../support/nest-testing.js';
import { waitFor } from '../support/wait-for.js';

const CONCURRENCY = 6;
const PER_PARTNER = 3;
const SLOW_MS = 3000;

/** WEBHOOK_PARTNER_CONCURRENCY: a slow partner never starves another, and one busy partner costs no re-queues. */
describe('per-partner share of the worker (real worker, Redis, PostgreSQL and HTTP receivers)', () => {
  let installation: IntegrationInstallation;
  let sink: WebhookSink;
  let node: TestingModule;
  let rows: TestRows;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    installation = await IntegrationInstallation.create();
    node = await installation.startNode([WebhooksWorkerModule], {
      env: {
        OUTBOX_SWEEP_INTERVAL: '3600',
        WEBHOOK_CONCURRENCY: String(CONCURRENCY),
        WEBHOOK_PARTNER_CONCURRENCY: String(PER_PARTNER),
        WEBHOOK_TIMEOUT: '10',
      },
    });
    rows = new TestRows(node);
  });
  afterAll(async () => {
    await installation?.stop();
    await sink?.close();
  });
  beforeEach(() => sink.reset());

  const requeues = async () =>
    (await node.get(MetricsService).registry.getSingleMetric('superimap_webhook_partner_busy_requeues_total')?.get())
      ?.values[0]?.value ?? 0;
  const pendingOf = async (partnerId: string) =>
    Number(
      (
        await installation.sql(
          `SELECT count(*) AS n FROM webhook_events WHERE partner_id = $1 AND status = 'pending'`,
          [partnerId],
        )
      )[0].n,
    );

  async function burst(newMailWebhook: string, count: number) {
    const mailbox = await rows.mailbox({ newMailWebhook });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await rows.pendingEvent(mailbox));
    return { mailbox, ids };
  }

  it('one busy partner answering quickly: jobs over its share wait for a slot, none is re-queued', async () => {
    sink.setDefault({ status: 200, delayMs: 20 }, '/busy');
    const { mailbox, ids } = await burst(sink.urlFor('/busy'), 150);
    const before = await requeues();
    await node.get(EventOutbox).enqueueMany(ids.map((eventId) => ({ eventId, partnerId: mailbox.partnerId })));
    await waitFor('the burst delivered', async () => (await pendingOf(mailbox.partnerId)) === 0, {
      timeoutMs: 60_000,
    });
    expect(await requeues()).toBe(before);
    const delivered = sink.requestsFor('/busy');
    expect(new Set(delivered.map((request) => request.headers['webhook-id'])).size).toBe(ids.length);
    expect(delivered).toHaveLength(ids.length);
  });

  it('a slow partner with a backlog does not starve another partner, and never has more than its share in flight', async () => {
    sink.setDefault({ status: 200, delayMs: SLOW_MS }, '/slow');
    sink.setDefault({ status: 200 }, '/fast');
    const slow = await burst(sink.urlFor('/slow'), 30);
    const fast = await burst(sink.urlFor('/fast'), 10);
    const outbox = node.get(EventOutbox);
    const startedAt = Date.now();
    // The slow partner's backlog is queued first: the fast partner's jobs sit behind all of it.
    await outbox.enqueueMany(slow.ids.map((eventId) => ({ eventId, partnerId: slow.mailbox.partnerId })));
    await outbox.enqueueMany(fast.ids.map((eventId) => ({ eventId, partnerId: fast.mailbox.partnerId })));

    await waitFor('the fast partner served', async () => (await pendingOf(fast.mailbox.partnerId)) === 0, {
      timeoutMs: 20_000,
    });
    const fastDoneMs = Date.now() - startedAt;
    // At 3 in flight and 3 s each, the slow backlog alone needs 30 s: the fast partner did not wait for it.
    expect(await pendingOf(slow.mailbox.partnerId)).toBeGreaterThan(slow.ids.length / 2);
    console.info(`fast partner's 10 events delivered ${fastDoneMs} ms after a 30-event slow backlog was queued`);
    expect(fastDoneMs).toBeLessThan(SLOW_MS * 3);
    // Requests the slow receiver got before its first answer: at most the partner's share.
    const firstAnswer = startedAt + SLOW_MS;
    const early = sink.requestsFor('/slow').filter((request) => request.receivedAt < firstAnswer - 200);
    expect(early.length).toBeGreaterThan(0);
    expect(early.length).toBeLessThanOrEqual(PER_PARTNER);
  });
});

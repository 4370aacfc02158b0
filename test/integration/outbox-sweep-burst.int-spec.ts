import type { TestingModule } from '@nestjs/testing';

import { MetricsService } from '@app/core';
import { EventOutbox, OutboxSweeper, WebhooksWorkerModule } from '@app/webhooks';

import { WebhookSink } from '../harness/webhook-sink.js';
import { TestRows } from '../support/factories.js';
import { IntegrationInstallation } from '../support/nest-testing.js';
import { waitFor } from '../support/wait-for.js';

const EVENTS = 400;

/**
 * A burst without faults: every event is committed and queued, then delivered while sweeps run. Whatever the
 * sweep finds "without a job" then is a false rescue (the issue saw 163 of them in a 2,000-mail burst).
 */
describe('the outbox sweep during a fault-free burst', () => {
  let installation: IntegrationInstallation;
  let sink: WebhookSink;
  let node: TestingModule;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    sink.setDefault({ status: 200, delayMs: 5 });
    installation = await IntegrationInstallation.create();
    // The scheduled sweep runs only when asked here: OUTBOX_SWEEP_INTERVAL is far beyond the test.
    node = await installation.startNode([WebhooksWorkerModule], {
      env: { OUTBOX_SWEEP_INTERVAL: '3600', WEBHOOK_CONCURRENCY: '20', WEBHOOK_PARTNER_CONCURRENCY: '10' },
    });
  });
  afterAll(async () => {
    await installation?.stop();
    await sink?.close();
  });

  it('finds nothing to rescue while a burst of events is being delivered', async () => {
    const rows = new TestRows(node);
    const mailbox = await rows.mailbox({ newMailWebhook: sink.urlFor('/hook') });
    const ids: string[] = [];
    for (let i = 0; i < EVENTS; i++) ids.push(await rows.pendingEvent(mailbox));
    await node.get(EventOutbox).enqueueMany(ids.map((eventId) => ({ eventId, partnerId: mailbox.partnerId })));
    // Then older than the sweep's grace period, as mails that waited in a long burst are. Only now: an event
    // backdated before its job existed would be a true orphan to the worker's own scheduled sweep (it runs
    // once at boot, and on a busy machine that can be this late).
    await installation.sql(
      `UPDATE webhook_events SET created_at = created_at - interval '60 seconds' WHERE id = ANY($1::uuid[])`,
      [ids],
    );

    const sweeper = node.get(OutboxSweeper);
    const rescued: number[] = [];
    const pending = async () =>
      Number((await installation.sql(`SELECT count(*) AS n FROM webhook_events WHERE status = 'pending'`))[0].n);
    await waitFor(
      'every event delivered, sweeping all along',
      async () => {
        rescued.push(await sweeper.sweep());
        return (await pending()) === 0;
      },
      { timeoutMs: 120_000, intervalMs: 1 },
    );
    expect(rescued.length).toBeGreaterThan(1); // the sweeps overlapped the deliveries
    expect(rescued.filter((count) => count > 0)).toEqual([]);
    const metric = await node
      .get(MetricsService)
      .registry.getSingleMetric('superimap_outbox_sweep_requeued_total')
      ?.get();
    expect(metric?.values.reduce((sum, value) => sum + value.value, 0)).toBe(0);
    expect(new Set(sink.requests.map((request) => request.headers['webhook-id'])).size).toBe(EVENTS);
  });
});

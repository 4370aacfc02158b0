import { getQueueToken } from '@nestjs/bullmq';
import type { TestingModule } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';

import { WEBHOOKS_QUEUE } from '@app/core';
import { PartnersService } from '@app/partners';
import { EventOutbox, EventsService, OutboxSweeper, WebhookDelivery, WebhooksWorkerModule } from '@app/webhooks';

import { WebhookSink } from '../harness/webhook-sink.js';
import { type MailboxRows, TestRows } from '../support/factories.js';
import { IntegrationInstallation } from '../support/nest-testing.js';
import { waitFor } from '../support/wait-for.js';

const MAX_ATTEMPTS = 5;

describe('WebhookDelivery (in process, real PostgreSQL, Redis and HTTP sink)', () => {
  let installation: IntegrationInstallation;
  let sink: WebhookSink;
  let node: TestingModule;
  let rows: TestRows;
  let mailbox: MailboxRows;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    installation = await IntegrationInstallation.create();
    node = await installation.startNode([WebhooksWorkerModule], {
      env: { WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS), WEBHOOK_BACKOFF: '0.5', WEBHOOK_TIMEOUT: '2' },
    });
    rows = new TestRows(node);
    mailbox = await rows.mailbox({ newMailWebhook: sink.urlFor('/hook') });
  });
  afterAll(async () => {
    await installation?.stop();
    await sink?.close();
  });
  beforeEach(() => sink.reset());

  const event = async (id: string) => (await installation.sql('SELECT * FROM webhook_events WHERE id = $1', [id]))[0];
  const logs = (id: string) =>
    installation.sql('SELECT attempt, response_code FROM transmit_logs WHERE event_id = $1 ORDER BY attempt', [id]);

  it('2xx: delivered after one attempt, logged', async () => {
    const delivery = node.get(WebhookDelivery);
    const id = await rows.pendingEvent(mailbox);
    sink.enqueue({ status: 204 });
    expect(await delivery.deliver(id)).toEqual({ done: 'delivered' });
    expect(await event(id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await logs(id)).toEqual([{ attempt: 1, response_code: 204 }]);
    expect(sink.requests[0].headers['webhook-id']).toBe(id);
    // Settled: running it again sends nothing.
    expect(await delivery.deliver(id)).toEqual({ done: 'not_pending' });
    expect(sink.requests).toHaveLength(1);
  });

  it('500: each attempt counted in PostgreSQL and retried later, until the budget is spent', async () => {
    const delivery = node.get(WebhookDelivery);
    const id = await rows.pendingEvent(mailbox);
    sink.setDefault({ status: 500 });
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await delivery.deliver(id);
      expect(result).toEqual({ retryInMs: expect.any(Number) });
      expect(await event(id)).toMatchObject({ status: 'pending', attempts: attempt, last_error: 'HTTP 500' });
    }
    expect(await delivery.deliver(id)).toEqual({ done: 'failed' });
    expect(await event(id)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect((await logs(id)).map((log) => log.attempt)).toEqual([1, 2, 3, 4, 5]);
  });

  it('403: the event is settled and the user archived', async () => {
    const own = await rows.mailbox({ newMailWebhook: sink.urlFor('/hook') });
    const id = await rows.pendingEvent(own);
    sink.enqueue({ status: 403 });
    expect(await node.get(WebhookDelivery).deliver(id)).toEqual({ done: 'archived' });
    expect(await event(id)).toMatchObject({ status: 'delivered', attempts: 1 });
    const [user] = await installation.sql('SELECT archived_at FROM users WHERE id = $1', [own.userId]);
    expect(user.archived_at).not.toBeNull();
  });

  it('a job lost and queued again (as the sweeper does) goes on with the same budget', async () => {
    const queue = node.get<Queue>(getQueueToken(WEBHOOKS_QUEUE));
    const id = await rows.pendingEvent(mailbox, 60_000); // old enough for the sweeper
    sink.setDefault({ status: 500 });
    await node.get(EventOutbox).enqueue(id);

    await waitFor('3 failed attempts', async () => (await logs(id)).length >= 3, { timeoutMs: 30_000 });
    // Lose the job while it waits for its next attempt, as a Redis restart without persistence would.
    await waitFor(
      'the job to wait for its retry, then be removed',
      async () => {
        const job = await queue.getJob(id);
        if (!job || (await job.getState()) !== 'delayed') return false;
        await job.remove();
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 10 },
    );
    const lostAt = (await event(id)).attempts as number;
    expect(lostAt).toBeGreaterThanOrEqual(3);
    expect(lostAt).toBeLessThan(MAX_ATTEMPTS);

    expect(await node.get(OutboxSweeper).sweep()).toBeGreaterThanOrEqual(1);
    const failed = await waitFor(
      'the event to fail',
      async () => ((await event(id)).status === 'failed' ? event(id) : null),
      {
        timeoutMs: 40_000,
      },
    );
    expect(failed.attempts).toBe(MAX_ATTEMPTS);
    expect(await logs(id)).toHaveLength(MAX_ATTEMPTS);
    expect(sink.requests.filter((request) => request.headers['webhook-id'] === id)).toHaveLength(MAX_ATTEMPTS);
  });

  it('a redelivery starts a new budget; the transmit logs keep numbering the whole history', async () => {
    const delivery = node.get(WebhookDelivery);
    const id = await rows.pendingEvent(mailbox);
    sink.setDefault({ status: 500 });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) await delivery.deliver(id);
    expect(await event(id)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });

    sink.setDefault({ status: 200 });
    await node.get(EventsService).redeliver(mailbox.partnerId, id);
    const delivered = await waitFor('the redelivered event to be delivered', async () =>
      (await event(id)).status === 'delivered' ? event(id) : null,
    );
    expect(delivered.attempts).toBe(1);
    expect((await logs(id)).map((log) => [log.attempt, log.response_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
      [5, 500],
      [6, 200],
    ]);
  });

  it('a rotated secret and a changed URL apply to the very next delivery of a worker that signed before', async () => {
    const delivery = node.get(WebhookDelivery);
    const partners = node.get(PartnersService, { strict: false });
    const own = await rows.mailbox({ newMailWebhook: sink.urlFor('/before') });
    const first = await rows.pendingEvent(own);
    sink.setDefault({ status: 200 });
    expect(await delivery.deliver(first)).toEqual({ done: 'delivered' });
    const signaturesBefore = sink.requestsFor('/before')[0].headers['webhook-signature'] as string;
    expect(signaturesBefore.split(' ')).toHaveLength(1);

    const secret = await partners.rotateWebhookSecret(own.partnerId);
    await partners.update(own.partnerId, { newMailWebhook: sink.urlFor('/after') });
    const second = await rows.pendingEvent(own);
    expect(await delivery.deliver(second)).toEqual({ done: 'delivered' });
    const [request] = sink.requestsFor('/after');
    // Signed with the new secret, and (for the overlap) with the one it replaced.
    expect((request.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(() =>
      new Webhook(secret).verify(request.body.toString(), request.headers as Record<string, string>),
    ).not.toThrow();
  });
});

import { getQueueToken } from '@nestjs/bullmq';
import type { TestingModule } from '@nestjs/testing';
import type { Queue } from 'bullmq';

import { WEBHOOKS_QUEUE } from '@app/core';
import { ImapClientModule, NewMailPipeline, PendingJobs } from '@app/imap';

import { buildMail } from '../harness/mail-factory.js';
import { TestRows } from '../support/factories.js';
import { accountOf } from '../support/integration-mailboxes.js';
import { IntegrationInstallation } from '../support/nest-testing.js';
import { waitFor } from '../support/wait-for.js';

const UID_VALIDITY = 7;

describe('NewMailPipeline.process (in process, real PostgreSQL and Redis)', () => {
  let installation: IntegrationInstallation;
  let node: TestingModule;
  let rows: TestRows;

  beforeAll(async () => {
    installation = await IntegrationInstallation.create();
    node = await installation.startNode([ImapClientModule]);
    rows = new TestRows(node);
  });
  afterAll(() => installation?.stop());

  const eventsOf = (userId: string) =>
    installation.sql("SELECT * FROM webhook_events WHERE user_id = $1 AND type = 'new_mail' ORDER BY created_at", [
      userId,
    ]);
  const cursorOf = async (userId: string) =>
    (await installation.sql('SELECT last_uid, last_uid_validity FROM users WHERE id = $1', [userId]))[0];

  function message(uid: number, internalDate = new Date()) {
    const source = buildMail({ subject: `Message ${uid}` });
    return {
      fetched: { uid, internalDate, size: source.length, envelope: { subject: `Message ${uid}` } },
      load: () => Promise.resolve(source),
    };
  }

  it('one event per UID, with the message; processing the same UID again changes nothing', async () => {
    const { userId } = await rows.mailbox();
    const pipeline = node.get(NewMailPipeline);
    const account = await accountOf(node, userId);
    const first = message(1);
    const second = message(2);

    expect(await pipeline.process(account, UID_VALIDITY, first.fetched, first.load)).toBe('event');
    expect(await pipeline.process(account, UID_VALIDITY, second.fetched, second.load)).toBe('event');
    expect(await pipeline.process(account, UID_VALIDITY, first.fetched, first.load)).toBe('already_recorded');

    const events = await eventsOf(userId);
    expect(events.map((event) => event.metadata.uid)).toEqual([1, 2]);
    expect(events.every((event) => event.status === 'pending' && event.body !== null)).toBe(true);
    expect(await cursorOf(userId)).toEqual({ last_uid: '2', last_uid_validity: String(UID_VALIDITY) });
    const logs = await installation.sql('SELECT uid, event_id FROM mail_logs WHERE user_id = $1 ORDER BY uid', [
      userId,
    ]);
    expect(logs.map((log) => [log.uid, log.event_id])).toEqual([
      ['1', events[0].id],
      ['2', events[1].id],
    ]);
  });

  it('a batch of messages queues its delivery jobs together, each with its partner, once asked to', async () => {
    const { userId, partnerId } = await rows.mailbox();
    const pipeline = node.get(NewMailPipeline);
    const queue = node.get<Queue>(getQueueToken(WEBHOOKS_QUEUE));
    const account = await accountOf(node, userId);
    // A batch that takes its time: nothing is queued before it asks.
    const jobs = new PendingJobs(600_000);
    for (const uid of [1, 2, 3]) {
      const mail = message(uid);
      expect(await pipeline.process(account, UID_VALIDITY, mail.fetched, mail.load, { foundByDate: false, jobs })).toBe(
        'event',
      );
    }
    const events = await eventsOf(userId);
    expect(events).toHaveLength(3);
    // Committed, not yet queued.
    expect(await Promise.all(events.map((event) => queue.getJob(event.id)))).toEqual([undefined, undefined, undefined]);
    await pipeline.enqueueAll(jobs);
    const queued = await Promise.all(events.map((event) => queue.getJob(event.id)));
    expect(queued.map((job) => job?.data)).toEqual(events.map((event) => ({ eventId: event.id, partnerId })));
    expect(jobs.events).toHaveLength(0);
  });

  it('a batch that is still running queues the jobs it committed within about a second', async () => {
    const { userId, partnerId } = await rows.mailbox();
    const pipeline = node.get(NewMailPipeline);
    const queue = node.get<Queue>(getQueueToken(WEBHOOKS_QUEUE));
    const jobs = new PendingJobs();
    const mail = message(1);
    await pipeline.process(await accountOf(node, userId), UID_VALIDITY, mail.fetched, mail.load, {
      foundByDate: false,
      jobs,
    });
    // Under load the batch's next message may wait long for a work slot; this job does not wait with it.
    const [event] = await eventsOf(userId);
    const job = await waitFor('the job queued without enqueueAll', () => queue.getJob(event.id), { timeoutMs: 10_000 });
    expect(job.data).toEqual({ eventId: event.id, partnerId });
    expect(jobs.events).toHaveLength(0);
  });

  it('mail older than the user is skipped, but the cursor moves past it', async () => {
    const createdAt = new Date(Date.now() - 3600_000);
    const { userId } = await rows.mailbox({ createdAt });
    const old = message(5, new Date(createdAt.getTime() - 24 * 3600_000));
    let loaded = false;
    const outcome = await node
      .get(NewMailPipeline)
      .process(await accountOf(node, userId), UID_VALIDITY, old.fetched, () => {
        loaded = true;
        return old.load();
      });
    expect(outcome).toBe('older_than_user');
    expect(loaded).toBe(false);
    expect(await eventsOf(userId)).toEqual([]);
    expect(await cursorOf(userId)).toEqual({ last_uid: '5', last_uid_validity: String(UID_VALIDITY) });
  });
});

import { Redis } from 'ioredis';

import { installationKeyPattern } from '@app/core';

import { buildMail } from '../harness/mail-factory.js';
import { RedisClusterTestServer } from '../harness/redis-cluster.js';
import { WebhookSink } from '../harness/webhook-sink.js';
import { AdminHttp } from '../support/admin-http.js';
import { ImapTestbed, type Mailbox } from '../support/imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import type { RoleProcess } from '../support/role-process.js';
import { REDIS_URL } from '../support/test-env.js';
import { waitFor } from '../support/wait-for.js';

/** Every role on a local three-master Redis Cluster, unchanged but for REDIS_CLUSTER_NODES. */
describe('SuperIMAP on a Redis Cluster', () => {
  let cluster: RedisClusterTestServer;
  let sink: WebhookSink;
  let bed: ImapTestbed;
  let clients: RoleProcess[];
  let mailboxes: Mailbox[];

  beforeAll(async () => {
    cluster = await RedisClusterTestServer.start(3);
    sink = await WebhookSink.start();
    bed = await ImapTestbed.create({
      users: 6,
      env: { REDIS_CLUSTER_NODES: cluster.nodes },
      partnerArgs: ['--new-mail-webhook', sink.urlFor('/new-mail')],
    });
    await bed.startRole('worker');
    clients = [await bed.startRole('imap-client'), await bed.startRole('imap-client')];
    mailboxes = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => bed.addMailbox(n)));
    for (const mailbox of mailboxes) {
      await waitFor(
        `a session for ${mailbox.email}`,
        async () => (await bed.dovecot.countSessions(mailbox.email)) === 1,
      );
    }
  });
  afterAll(async () => {
    await bed?.stop();
    await sink?.close();
    await cluster?.stop();
  });

  const newMailIds = () => sink.requestsFor('/new-mail').map((request) => request.headers['webhook-id']);
  const deliverTo = (mailbox: Mailbox, messageId: string) =>
    bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId }));

  it('delivers each mail once while the mailboxes are shared by two nodes', async () => {
    for (let i = 0; i < 30; i++) await deliverTo(mailboxes[i % mailboxes.length], `cluster-${i}@t`);
    await waitFor('30 webhooks', () => newMailIds().length >= 30, { timeoutMs: 30_000 });
    await quietPeriod(1000, 'a duplicate webhook would arrive by now');
    expect(new Set(newMailIds()).size).toBe(30);
    expect(newMailIds()).toHaveLength(30);
  });

  it('hands the mailboxes of a SIGKILLed node to the other and loses nothing', async () => {
    await clients[0].stop('SIGKILL');
    for (let i = 0; i < 12; i++) await deliverTo(mailboxes[i % mailboxes.length], `after-kill-${i}@t`);
    await waitFor('42 webhooks', () => new Set(newMailIds()).size >= 42, { timeoutMs: 60_000 });
    const events = await bed.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM webhook_events WHERE type = 'new_mail'",
    );
    expect(events[0].n).toBe(42);
  });

  it('keeps admin sessions and the API rate limits in the cluster', async () => {
    const created = await bed.cli([
      'admin',
      'create',
      '--email',
      'ops@example.com',
      '--password',
      'a long operator passphrase',
    ]);
    expect(created.code).toBe(0);
    const admin = new AdminHttp(bed.api.url);
    const signedIn = await admin.signIn('ops@example.com', 'a long operator passphrase');
    expect([signedIn.status, signedIn.headers.get('location')]).toEqual([303, '/admin']);
    expect((await admin.get('/admin/partners')).status).toBe(200);
    expect((await bed.partner.get('/api/v1/connections')).status).toBe(200);
  });

  it('spreads its keys over the nodes and writes none to the single Redis', async () => {
    const perNode = await cluster.keysPerNode();
    expect(perNode.filter((keys) => keys > 0).length).toBeGreaterThanOrEqual(2);
    const single = new Redis(REDIS_URL);
    const strays: string[] = [];
    try {
      let cursor = '0';
      do {
        const [next, keys] = await single.scan(
          cursor,
          'MATCH',
          installationKeyPattern(bed.env.REDIS_PREFIX),
          'COUNT',
          1000,
        );
        strays.push(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      await single.quit();
    }
    expect(strays).toEqual([]);
  });
});

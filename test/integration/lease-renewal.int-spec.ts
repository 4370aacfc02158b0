import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';

import { CLUSTER_NODE_ID, ClusterModule, ClusterOwnership, UserLeases } from '@app/cluster';
import { redisKey } from '@app/core';

import { FakeImapServer } from '../harness/fake-imap/index.js';
import { mailboxesOn, type WatchedMailbox } from '../support/integration-mailboxes.js';
import { LeaseRival } from '../support/lease-rival.js';
import { FAST_IN_PROCESS, IntegrationInstallation } from '../support/nest-testing.js';
import { quietPeriod } from '../support/quiet-period.js';
import { REDIS_URL } from '../support/test-env.js';
import { waitFor } from '../support/wait-for.js';

const MAILBOXES = 8;
const LEASE_TTL_MS = Number(FAST_IN_PROCESS.HEARTBEAT_TIMEOUT) * 1000;
const HEARTBEAT_MS = Number(FAST_IN_PROCESS.HEARTBEAT_INTERVAL) * 1000;

/** What a process saturated by handshakes and syncs does to its timers: none of them runs for `ms`. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy on purpose: the node under test shares this thread.
  }
}

describe('Lease renewal while the event loop is blocked (one node in process, real Redis, fake IMAP)', () => {
  let installation: IntegrationInstallation;
  let server: FakeImapServer;
  let node: TestingModule;
  let mailboxes: WatchedMailbox[];

  const leaseKey = (userId: string) => redisKey(installation.redisPrefix, 'lease', userId);
  const logins = () => mailboxes.map(({ username }) => server.userStats(username).logins);
  const allWatched = () =>
    waitFor(
      `all ${MAILBOXES} mailboxes watched by node-a`,
      () =>
        node.get(ClusterOwnership).ownedUserIds().length === MAILBOXES &&
        mailboxes.every(({ username }) => server.openSessions(username) === 1) &&
        server.idlingSessions() === MAILBOXES,
      { timeoutMs: 30_000 },
    );

  beforeAll(async () => {
    installation = await IntegrationInstallation.create();
    server = await FakeImapServer.start();
    node = await installation.startNode([ClusterModule], {
      override: (builder) => builder.overrideProvider(CLUSTER_NODE_ID).useValue('node-a'),
    });
    ({ mailboxes } = await mailboxesOn(node, server, MAILBOXES));
    await allWatched();
  });
  afterAll(async () => {
    await installation?.stop();
    await server?.close();
  });

  it('keeps every lease and session through a block of four lease lifetimes: no rival gets one, none reconnects', async () => {
    const before = logins();
    expect(before.every((count) => count >= 1)).toBe(true);
    const rival = LeaseRival.start(
      REDIS_URL,
      mailboxes.map(({ userId }) => leaseKey(userId)),
    );

    blockEventLoop(4 * LEASE_TTL_MS);

    expect(await rival.stop()).toEqual([]);
    await quietPeriod(3 * HEARTBEAT_MS, 'three heartbeats after the block, for a fence or a lost lease to act');
    expect(node.get(ClusterOwnership).ownedUserIds()).toHaveLength(MAILBOXES);
    expect(server.idlingSessions()).toBe(MAILBOXES);
    expect(logins()).toEqual(before);
    const holders = await node.get(UserLeases).holders(mailboxes.map(({ userId }) => userId));
    expect(holders).toEqual(mailboxes.map(() => 'node-a'));
  });

  it('after a block, closes only the sessions whose lease another node took meanwhile; the rest stay open', async () => {
    await allWatched();
    const before = logins();
    const [stolen, kept] = [mailboxes.slice(0, 3), mailboxes.slice(3)];
    // As if these three had lapsed and another node had taken them over.
    const redis = new Redis(REDIS_URL);
    try {
      for (const { userId } of stolen) await redis.set(leaseKey(userId), 'node-rival', 'PX', 60_000);
    } finally {
      await redis.quit();
    }

    blockEventLoop(4 * LEASE_TTL_MS);

    await waitFor('node-a to close the three sessions it lost the leases of', () =>
      stolen.every(({ username }) => server.openSessions(username) === 0),
    );
    await quietPeriod(3 * HEARTBEAT_MS, 'three heartbeats more, for a wrongful fence of the rest to show');
    expect(new Set(node.get(ClusterOwnership).ownedUserIds())).toEqual(new Set(kept.map(({ userId }) => userId)));
    expect(kept.every(({ username }) => server.openSessions(username) === 1)).toBe(true);
    // The sessions that kept their lease were never closed: no new login.
    expect(logins().slice(3)).toEqual(before.slice(3));
    const holders = await node.get(UserLeases).holders(mailboxes.map(({ userId }) => userId));
    expect(holders).toEqual([...stolen.map(() => 'node-rival'), ...kept.map(() => 'node-a')]);
  });
});

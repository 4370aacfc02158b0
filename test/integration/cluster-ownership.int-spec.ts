import type { TestingModule } from '@nestjs/testing';

import { CLUSTER_NODE_ID, ClusterModule, ClusterOwnership, UserLeases } from '@app/cluster';

import { FakeImapServer } from '../harness/fake-imap/index.js';
import { mailboxesOn, type WatchedMailbox } from '../support/integration-mailboxes.js';
import { IntegrationInstallation } from '../support/nest-testing.js';
import { waitFor } from '../support/wait-for.js';

const MAILBOXES = 10;

describe('ClusterOwnership and UserLeases (two nodes in process, real Redis, fake IMAP)', () => {
  let installation: IntegrationInstallation;
  let server: FakeImapServer;
  let mailboxes: WatchedMailbox[];
  /** The most sessions any one mailbox ever had open at once, sampled while the nodes converge. */
  let mostSessions = 0;

  const node = (id: string) =>
    installation.startNode([ClusterModule], {
      override: (builder) => builder.overrideProvider(CLUSTER_NODE_ID).useValue(id),
    });
  const owned = (of: TestingModule) => new Set(of.get(ClusterOwnership).ownedUserIds());

  function sampleSessions(): boolean {
    for (const { username } of mailboxes) mostSessions = Math.max(mostSessions, server.openSessions(username));
    return true;
  }

  beforeAll(async () => {
    installation = await IntegrationInstallation.create();
    server = await FakeImapServer.start();
  });
  afterAll(async () => {
    await installation?.stop();
    await server?.close();
  });

  it('splits the mailboxes between two nodes, none owned twice; one node stopping hands its share over', async () => {
    const a = await node('node-a');
    ({ mailboxes } = await mailboxesOn(a, server, MAILBOXES));
    const b = await node('node-b');
    const everyone = mailboxes.map((mailbox) => mailbox.userId);

    await waitFor(
      'every mailbox watched by exactly one of two nodes',
      () => {
        sampleSessions();
        const [ofA, ofB] = [owned(a), owned(b)];
        const both = everyone.filter((userId) => ofA.has(userId) && ofB.has(userId));
        const covered = everyone.every((userId) => ofA.has(userId) || ofB.has(userId));
        const sessionsOpen = mailboxes.every(({ username }) => server.openSessions(username) === 1);
        return both.length === 0 && covered && sessionsOpen && ofA.size > 0 && ofB.size > 0;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    expect(mostSessions).toBe(1);
    // The leases say the same as the sessions.
    const holders = await a.get(UserLeases).holders(everyone);
    const ofA = owned(a);
    expect(holders).toEqual(everyone.map((userId) => (ofA.has(userId) ? 'node-a' : 'node-b')));

    await installation.stopNode(a);
    await waitFor(
      'node-b to take over every mailbox',
      () => {
        sampleSessions();
        return owned(b).size === MAILBOXES && mailboxes.every(({ username }) => server.openSessions(username) === 1);
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    expect(mostSessions).toBe(1);
    expect(await b.get(UserLeases).holders(everyone)).toEqual(everyone.map(() => 'node-b'));
  });
});

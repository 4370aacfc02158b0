import type { TestingModule } from '@nestjs/testing';

import { ImapClientModule, SessionManager } from '@app/imap';

import { FakeImapServer } from '../harness/fake-imap/index.js';
import { buildMail } from '../harness/mail-factory.js';
import { mailboxesOn, type WatchedMailbox } from '../support/integration-mailboxes.js';
import { IntegrationInstallation } from '../support/nest-testing.js';
import { waitFor } from '../support/wait-for.js';

describe('SessionManager (in process, fake IMAP server, real PostgreSQL and Redis)', () => {
  let installation: IntegrationInstallation;
  let server: FakeImapServer;
  let node: TestingModule;
  let sessions: SessionManager;
  let mailboxes: WatchedMailbox[];

  beforeAll(async () => {
    installation = await IntegrationInstallation.create();
    server = await FakeImapServer.start();
    node = await installation.startNode([ImapClientModule]);
    sessions = node.get(SessionManager);
    ({ mailboxes } = await mailboxesOn(node, server, 3));
  });
  afterAll(async () => {
    await installation?.stop();
    await server?.close();
  });

  const openSessions = () => mailboxes.map(({ username }) => server.openSessions(username));

  it('reconcile starts and stops sessions to match what it is given', async () => {
    const [a, b, c] = mailboxes;
    await sessions.reconcile([a.userId, b.userId]);
    await waitFor('sessions for a and b', () => String(openSessions()) === '1,1,0');
    expect(sessions.ownedUserIds().sort()).toEqual([a.userId, b.userId].sort());

    await sessions.reconcile([b.userId, c.userId]);
    await waitFor('a closed, c opened', () => String(openSessions()) === '0,1,1');
    expect(sessions.size).toBe(2);
    await waitFor('both watching', () => sessions.countByState().watching === 2);

    await sessions.reconcile([]);
    await waitFor('every session closed', () => String(openSessions()) === '0,0,0');
    expect(sessions.size).toBe(0);
  });

  it('a restart that meets an assignment pass leaves one session, opened after the old one logged out', async () => {
    const [a] = mailboxes;
    await sessions.reconcile([a.userId]);
    await waitFor('a watching', () => sessions.countByState().watching === 1 && server.openSessions(a.username) === 1);
    const loginsBefore = server.userStats(a.username).logins;
    const slowLogout = server.script({
      command: 'LOGOUT',
      user: a.username,
      times: 1,
      action: { type: 'delay', ms: 1000 },
    });

    const restarted = sessions.restart([a.userId]);
    // The cluster runs passes while a credential change restarts a session: one lands during the old LOGOUT.
    await sessions.reconcile([a.userId]);
    expect(server.openSessions(a.username)).toBe(1);
    await restarted;
    expect(slowLogout.fired).toBe(1);

    await waitFor('the new session watching', () => sessions.countByState().watching === 1);
    expect(server.openSessions(a.username)).toBe(1);
    expect(server.userStats(a.username).logins).toBe(loginsBefore + 1);
    await sessions.reconcile([]);
    await waitFor('every session closed', () => server.openSessions(a.username) === 0);
  });

  it('new mail in a watched mailbox becomes one pending event', async () => {
    const [a] = mailboxes;
    await sessions.reconcile([a.userId]);
    await waitFor('a watching', () => sessions.countByState().watching === 1 && server.openSessions(a.username) === 1);
    server.appendMessage(a.username, buildMail({ to: a.username, subject: 'Hello sessions' }));
    const [event] = await waitFor('the event', async () => {
      const events = await installation.sql("SELECT * FROM webhook_events WHERE user_id = $1 AND type = 'new_mail'", [
        a.userId,
      ]);
      return events.length > 0 ? events : null;
    });
    expect(event).toMatchObject({ status: 'pending', metadata: { uid: 1 } });
    expect(event.metadata.envelope.subject).toBe('Hello sessions');
    await sessions.reconcile([]);
  });
});

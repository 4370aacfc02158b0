import { jest } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import pg from 'pg';
import { DataSource } from 'typeorm';

import { MailboxAccounts, UserCredentials, UsersModule } from '@app/users';

import { FakeImapServer } from '../harness/fake-imap/index.js';
import { mailboxesOn, type WatchedMailbox } from '../support/integration-mailboxes.js';
import { IntegrationInstallation } from '../support/nest-testing.js';

/** SQL statements sent to PostgreSQL from now on, counted (they still run). */
function countStatements(): { statements: () => number } {
  const query = jest.spyOn(pg.Client.prototype, 'query');
  return { statements: () => query.mock.calls.length };
}

describe('reads of many mailboxes at once (real PostgreSQL)', () => {
  const COUNT = 300;
  let installation: IntegrationInstallation;
  let server: FakeImapServer;
  let node: TestingModule;
  let mailboxes: WatchedMailbox[];

  beforeAll(async () => {
    installation = await IntegrationInstallation.create();
    server = await FakeImapServer.start();
    node = await installation.startNode([UsersModule]);
    ({ mailboxes } = await mailboxesOn(node, server, COUNT));
  });
  afterAll(async () => {
    await installation?.stop();
    await server?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('loads the accounts of sessions starting together in a few queries, each the right one', async () => {
    const { statements } = countStatements();
    const accounts = node.get(MailboxAccounts);
    const loaded = await Promise.all(mailboxes.map(({ userId }) => accounts.load(userId)));
    expect(loaded.map((account) => account?.user.tag)).toEqual(mailboxes.map(({ username }) => username));
    expect(new Set(loaded.map((account) => account?.provider)).size).toBe(1);
    // One for the first, one for the rest that queued meanwhile (before: one per mailbox).
    expect(statements()).toBeLessThanOrEqual(3);
  });

  it('reads their logins together too, each its own', async () => {
    const accounts = node.get(MailboxAccounts);
    const loaded = await Promise.all(mailboxes.map(({ userId }) => accounts.load(userId)));
    const { statements } = countStatements();
    const logins = await Promise.all(loaded.map((account) => node.get(UserCredentials).loginFor(account!)));
    expect(logins).toEqual(mailboxes.map(({ username }) => ({ user: username, pass: 'secret' })));
    expect(statements()).toBeLessThanOrEqual(3);
  });

  it('sees a change made before the load, and tells missing and malformed ids from a watchable one', async () => {
    const [archived, kept] = mailboxes;
    await node.get(DataSource).query('UPDATE users SET archived_at = now() WHERE id = $1', [archived.userId]);
    const accounts = node.get(MailboxAccounts);
    const [gone, missing, malformed, present] = await Promise.all([
      accounts.load(archived.userId),
      accounts.load('00000000-0000-4000-8000-000000000000'),
      accounts.load('not-a-uuid'),
      accounts.load(kept.userId),
    ]);
    expect(gone).toBeNull();
    expect(missing).toBeNull();
    expect(malformed).toBeNull();
    // Alone in its query, too.
    expect(await accounts.load('still-not-a-uuid')).toBeNull();
    expect(present?.user.tag).toBe(kept.username);
  });
});

import { jest } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import pg from 'pg';
import { DataSource } from 'typeorm';

import { MailboxAccounts, MailboxStates, UserCredentials, UsersModule } from '@app/users';

import { FakeImapServer } from '../harness/fake-imap/index.js';
import { mailboxesOn, type WatchedMailbox } from '../support/integration-mailboxes.js';
import { IntegrationInstallation } from '../support/nest-testing.js';

/** SQL statements sent to PostgreSQL from now on, counted (they still run). */
function countStatements(): { statements: () => number } {
  const query = jest.spyOn(pg.Client.prototype, 'query');
  return { statements: () => query.mock.calls.length };
}

interface StateRow {
  id: string;
  state: string;
  last_error: string | null;
  connected_at: Date | null;
  auth_failed_at: Date | null;
}

describe('reads and state writes of many mailboxes at once (real PostgreSQL)', () => {
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

  const rowsOf = async (ids: string[]): Promise<Map<string, StateRow>> => {
    const rows: StateRow[] = await node
      .get(DataSource)
      .query('SELECT id, state, last_error, connected_at, auth_failed_at FROM users WHERE id = ANY($1)', [ids]);
    return new Map(rows.map((row) => [row.id, row]));
  };

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

  it('records the states of sessions starting together in a few statements, each answered with its own', async () => {
    const ids = mailboxes.map(({ userId }) => userId);
    const before = await rowsOf(ids);
    const { statements } = countStatements();
    const previous = await Promise.all(ids.map((id) => node.get(MailboxStates).setState(id, 'watching')));
    // One for the first, one for the rest that queued meanwhile (before: one per mailbox).
    expect(statements()).toBeLessThanOrEqual(3);
    jest.restoreAllMocks();
    expect(previous).toEqual(ids.map((id) => before.get(id)?.state));
    const after = await rowsOf(ids);
    for (const id of ids) {
      expect(after.get(id)).toMatchObject({ state: 'watching', last_error: null });
      expect(after.get(id)?.connected_at).toBeInstanceOf(Date);
    }
  });

  it("applies one mailbox's writes in the order they were made, each seeing the one before", async () => {
    const { userId } = mailboxes[2];
    const states = node.get(MailboxStates);
    const answers = await Promise.all([
      states.setState(userId, 'connect_error', 'connection refused'),
      states.setState(userId, 'auth_error', 'bad password'),
      states.setState(userId, 'watching'),
    ]);
    expect(answers).toEqual(['watching', 'connect_error', 'auth_error']);
    const row = (await rowsOf([userId])).get(userId);
    expect(row).toMatchObject({ state: 'watching', last_error: null });
    expect(row?.auth_failed_at).toBeInstanceOf(Date);
  });

  it('answers null for a missing or malformed id without failing the others in its statement', async () => {
    const kept = mailboxes[3];
    const states = node.get(MailboxStates);
    const [missing, malformed, present] = await Promise.all([
      states.setState('00000000-0000-4000-8000-000000000000', 'watching'),
      states.setState('not-a-uuid', 'watching'),
      states.setState(kept.userId, 'connect_error', 'timed out'),
    ]);
    expect([missing, malformed, present]).toEqual([null, null, 'watching']);
    // Alone in its statement, too.
    expect(await states.setState('still-not-a-uuid', 'watching')).toBeNull();
    expect((await rowsOf([kept.userId])).get(kept.userId)).toMatchObject({
      state: 'connect_error',
      last_error: 'timed out',
    });
  });
});

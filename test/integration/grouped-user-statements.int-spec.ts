import { jest } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import pg from 'pg';
import { DataSource } from 'typeorm';

import { MailboxAccounts, MailboxStates, UserCredentials, UsersModule } from '@app/users';

import { FakeImapServer } from '../harness/fake-imap/index.js';
import { mailboxesOn, type WatchedMailbox } from '../support/integration-mailboxes.js';
import { IntegrationInstallation } from '../support/nest-testing.js';
import { waitFor } from '../support/wait-for.js';

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
    // The deadlock test's cycle forms a moment after the grouped write begins to wait: its session checks for
    // deadlocks after 5 s, not 1 s, so a slow machine cannot let that check pass before the cycle exists.
    await installation.db.query(
      `ALTER DATABASE ${pg.escapeIdentifier(installation.db.name)} SET deadlock_timeout = '5s'`,
    );
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
  const cursorsOf = async (ids: string[]): Promise<Map<string, { last_uid: string; last_uid_validity: string }>> => {
    const rows: { id: string; last_uid: string; last_uid_validity: string }[] = await node
      .get(DataSource)
      .query('SELECT id, last_uid, last_uid_validity FROM users WHERE id = ANY($1)', [ids]);
    return new Map(rows.map(({ id, ...cursor }) => [id, cursor]));
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

  it('sends a group again when PostgreSQL cancels it to break a deadlock, so no state is lost', async () => {
    const [low, high] = [mailboxes[4].userId, mailboxes[5].userId].sort();
    const busy = mailboxes[6].userId;
    const dataSource = node.get(DataSource);
    const blocker = dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    try {
      // The blocker never checks first, so it is always the grouped write that PostgreSQL cancels.
      await blocker.query(`SET LOCAL deadlock_timeout = '10min'`);
      await blocker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [high]);
      const states = node.get(MailboxStates);
      // While busy's statement runs, the other two queue and go together: low is locked, then high waited for.
      const writes = [busy, low, high].map((id) => states.setState(id, 'connect_error', 'after a deadlock'));
      await waitFor('the grouped state write to wait for the blocked row', async () => {
        const [{ waiting }]: { waiting: number }[] = await dataSource.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE users u SET%'`,
        );
        return waiting === 1;
      });
      // The blocker now wants low too: a cycle, which the write's session finds and breaks by cancelling it.
      await blocker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [low]);
      await blocker.commitTransaction();
      expect(await Promise.all(writes)).toEqual(['watching', 'watching', 'watching']);
    } finally {
      if (blocker.isTransactionActive) await blocker.rollbackTransaction();
      await blocker.release();
    }
    const rows = await rowsOf([busy, low, high]);
    for (const id of [busy, low, high]) {
      expect(rows.get(id)).toMatchObject({ state: 'connect_error', last_error: 'after a deadlock' });
    }
  });

  it('moves the first cursors of sessions starting together in a few statements, each its own', async () => {
    const ids = mailboxes.map(({ userId }) => userId);
    const states = node.get(MailboxStates);
    const { statements } = countStatements();
    await Promise.all(ids.map((id, n) => states.moveCursor(id, { uid: n + 1, uidValidity: 7 })));
    // One for the first, one for the rest that queued meanwhile (before: one per mailbox).
    expect(statements()).toBeLessThanOrEqual(3);
    const cursors = await cursorsOf(ids);
    ids.forEach((id, n) => expect(cursors.get(id)).toEqual({ last_uid: String(n + 1), last_uid_validity: '7' }));
  });

  it("moves one mailbox's cursor forward only, in the order the moves were made", async () => {
    const [{ userId: forward }, { userId: renumbered }] = mailboxes.slice(8, 10);
    const states = node.get(MailboxStates);
    await Promise.all([
      states.moveCursor(forward, { uid: 50, uidValidity: 7 }),
      // Back under the same UIDVALIDITY: ignored.
      states.moveCursor(forward, { uid: 20, uidValidity: 7 }),
      states.moveCursor(renumbered, { uid: 50, uidValidity: 7 }),
      // A new UIDVALIDITY starts over, however low the UID; made last, it must land last.
      states.moveCursor(renumbered, { uid: 3, uidValidity: 8 }),
    ]);
    const cursors = await cursorsOf([forward, renumbered]);
    expect(cursors.get(forward)).toEqual({ last_uid: '50', last_uid_validity: '7' });
    expect(cursors.get(renumbered)).toEqual({ last_uid: '3', last_uid_validity: '8' });
  });

  it('refuses a cursor that is no UID before it is sent, and skips ids with no row', async () => {
    const { userId } = mailboxes[10];
    const states = node.get(MailboxStates);
    await expect(states.moveCursor(userId, { uid: -1, uidValidity: 7 })).rejects.toThrow('uid=-1');
    await Promise.all([
      states.moveCursor('not-a-uuid', { uid: 9, uidValidity: 7 }),
      states.moveCursor('00000000-0000-4000-8000-000000000000', { uid: 9, uidValidity: 7 }),
      states.moveCursor(userId, { uid: 9, uidValidity: 9 }),
    ]);
    expect((await cursorsOf([userId])).get(userId)).toEqual({ last_uid: '9', last_uid_validity: '9' });
  });
});

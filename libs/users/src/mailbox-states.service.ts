import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';

import { GroupedWrite, isUuid } from '@app/core';

import type { MailboxCursor } from './mailbox-account.js';
import { User, type UserState } from './user.entity.js';

/** Users per grouped statement (states, cursors): each parameter is one array of this many. */
const USERS_PER_STATEMENT = 500;

/** PostgreSQL's SQLSTATE for a statement cancelled to break a deadlock; how often a grouped write is sent in all. */
const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_ATTEMPTS = 3;

/**
 * Each user's new state, returning the previous one. Rows are locked in id order, so two of these (two
 * imap-clients in a takeover) cannot deadlock each other; a writer locking several users in another order can.
 * The lock is the one the UPDATE takes anyway (NO KEY), so mail being stored for these users does not wait.
 */
const WRITE_STATES = `UPDATE users u SET
    state = old.next_state, last_error = old.next_error, updated_at = now(),
    last_login_at = CASE WHEN old.next_state = 'watching' THEN now() ELSE u.last_login_at END,
    connected_at = CASE WHEN old.next_state = 'watching' THEN COALESCE(u.connected_at, now())
                        ELSE u.connected_at END,
    account_error_at = CASE WHEN old.next_state = 'watching' THEN NULL ELSE u.account_error_at END,
    auth_failed_at = CASE WHEN old.next_state = 'auth_error' THEN now() ELSE u.auth_failed_at END
  FROM (SELECT users.id, users.state AS previous, w.next_state, w.next_error
          FROM unnest($1::uuid[], $2::text[], $3::text[]) AS w(id, next_state, next_error)
          JOIN users ON users.id = w.id
         ORDER BY users.id FOR NO KEY UPDATE OF users) old
  WHERE u.id = old.id RETURNING old.id, old.previous`;

/** Each user's cursor, forward only (as advanceCursorStatement), rows locked in id order like WRITE_STATES. */
const MOVE_CURSORS = `UPDATE users u SET
    last_uid = CASE WHEN u.last_uid_validity IS DISTINCT FROM m.uid_validity OR u.last_uid IS NULL
                     OR u.last_uid < m.uid THEN m.uid ELSE u.last_uid END,
    last_uid_validity = m.uid_validity,
    last_internal_date = GREATEST(u.last_internal_date, m.internal_date),
    last_email_at = COALESCE(m.email_at, u.last_email_at),
    updated_at = now()
  FROM (SELECT w.* FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::timestamptz[])
                     AS w(id, uid_validity, uid, internal_date, email_at)
          JOIN users ON users.id = w.id
         ORDER BY users.id FOR NO KEY UPDATE OF users) m
  WHERE u.id = m.id`;

/** A watched mailbox's session state and its UID cursor: written by the imap-client only. */
@Injectable()
export class MailboxStates {
  // Thousands of sessions starting at once each record 'watching': one statement per group, not one each.
  private readonly stateWrites = new GroupedWrite<string, StateWrite, UserState>(
    (writes) => this.writeStates(writes),
    USERS_PER_STATEMENT,
  );
  // And each new user's first cursor, after its catch-up by date.
  private readonly cursorMoves = new GroupedWrite<string, MailboxCursor, void>(
    (moves) => this.moveCursors(moves),
    USERS_PER_STATEMENT,
  );

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * Records the session's state and returns the previous one (null if the user is gone). `watching` means the
   * mailbox was really reached: it sets connected_at the first time and ends any reported account error.
   */
  async setState(userId: string, state: UserState, lastError: string | null = null): Promise<UserState | null> {
    return (await this.stateWrites.run(userId, { state, lastError })) ?? null;
  }

  /** One UPDATE for a group of users (each once), returning each one's previous state. */
  private async writeStates(writes: { key: string; input: StateWrite }[]): Promise<Map<string, UserState>> {
    // One id PostgreSQL cannot parse would fail the whole group: it has no row, like any unknown id.
    const valid = writes.filter(({ key }) => isUuid(key));
    if (valid.length === 0) return new Map();
    const params = [
      valid.map(({ key }) => key),
      valid.map(({ input }) => input.state),
      valid.map(({ input }) => input.lastError),
    ];
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows] = await this.sendGrouped<[{ id: string; previous: UserState }[], number]>(WRITE_STATES, params);
    return new Map(rows.map(({ id, previous }) => [id, previous]));
  }

  /** One UPDATE for a group of users' cursors (each once). */
  private async moveCursors(moves: { key: string; input: MailboxCursor }[]): Promise<Map<string, void>> {
    const valid = moves.filter(({ key }) => isUuid(key));
    if (valid.length > 0) {
      await this.sendGrouped(MOVE_CURSORS, [
        valid.map(({ key }) => key),
        valid.map(({ input }) => input.uidValidity),
        valid.map(({ input }) => input.uid),
        valid.map(({ input }) => input.internalDate ?? null),
        valid.map(({ input }) => input.emailAt ?? null),
      ]);
    }
    return new Map<string, void>();
  }

  /**
   * Sends a grouped statement, again if PostgreSQL cancels it to break a deadlock (a writer locking several
   * users in another order, e.g. markUnwatched): its changes were undone, so sending it again loses nothing.
   */
  private async sendGrouped<T>(sql: string, params: unknown[]): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.users.query<T>(sql, params);
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || (error as { code?: string }).code !== DEADLOCK_DETECTED) throw error;
      }
    }
  }

  /** Marks the account error as reported, inside the caller's transaction; false if it already was. */
  async markAccountErrorReported(manager: EntityManager, userId: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await manager.query(
      'UPDATE users SET account_error_at = now() WHERE id = $1 AND account_error_at IS NULL RETURNING id',
      [userId],
    );
    return rows.length > 0;
  }

  /** Marks mailboxes no imap-client can take (watch capacity exhausted); returns how many changed. */
  async markUnwatched(userIds: string[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ state: 'unwatched', lastError: 'no imap-client has capacity for this mailbox' })
      .where('id = ANY(:userIds)', { userIds })
      .andWhere("state <> 'unwatched'")
      .execute();
    return result.affected ?? 0;
  }

  /** Mailboxes a node is watching that a stale capacity report called unwatched: says the truth again. */
  async correctUnwatched(userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.users
      .createQueryBuilder()
      .update(User)
      .set({ state: 'watching', lastError: null })
      .where('id = ANY(:userIds)', { userIds })
      .andWhere("state = 'unwatched'")
      .execute();
  }

  /** Moves the cursor forward only (never back), inside the caller's transaction. */
  async advanceCursor(manager: EntityManager, userId: string, cursor: MailboxCursor): Promise<void> {
    const statement = this.advanceCursorStatement(userId, cursor, 1, '$5::timestamptz');
    await manager.query(statement.sql, [...statement.params, cursor.emailAt ?? null]);
  }

  /**
   * The cursor's UPDATE, for a caller that runs it inside one larger statement (the mail pipeline's single
   * round trip): placeholders from `$first` on; `emailAtSql` is the SQL for last_email_at (NULL keeps it).
   */
  advanceCursorStatement(
    userId: string,
    cursor: Pick<MailboxCursor, 'uid' | 'uidValidity' | 'internalDate'>,
    first: number,
    emailAtSql: string,
  ): { sql: string; params: unknown[] } {
    assertUid(cursor.uid, 'uid');
    assertUid(cursor.uidValidity, 'uidValidity');
    const [id, uidValidity, uid, internalDate] = [0, 1, 2, 3].map((offset) => `$${first + offset}`);
    return {
      sql: `UPDATE users SET
         last_uid = CASE WHEN last_uid_validity IS DISTINCT FROM ${uidValidity}::bigint OR last_uid IS NULL
                          OR last_uid < ${uid}::bigint THEN ${uid}::bigint ELSE last_uid END,
         last_uid_validity = ${uidValidity}::bigint,
         last_internal_date = GREATEST(last_internal_date, ${internalDate}::timestamptz),
         last_email_at = COALESCE(${emailAtSql}, last_email_at),
         updated_at = now()
       WHERE id = ${id}`,
      params: [userId, cursor.uidValidity, cursor.uid, cursor.internalDate ?? null],
    };
  }

  /**
   * Moves the cursor outside any message transaction (after a catch-up by date, or past mail older than the
   * user), forward only; moves made while one statement runs go together in the next.
   */
  async moveCursor(userId: string, cursor: MailboxCursor): Promise<void> {
    assertUid(cursor.uid, 'uid');
    assertUid(cursor.uidValidity, 'uidValidity');
    await this.cursorMoves.run(userId, cursor);
  }
}

/** A cursor is a 32-bit unsigned IMAP number: anything else is a bug upstream, never something to store. */
function assertUid(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new Error(`refusing to store an invalid cursor: ${name}=${String(value)}`);
  }
}

interface StateWrite {
  state: UserState;
  lastError: string | null;
}

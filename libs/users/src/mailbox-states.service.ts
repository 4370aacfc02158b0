import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';

import type { MailboxCursor } from './mailbox-account.js';
import { User, type UserState } from './user.entity.js';

/** A watched mailbox's session state and its UID cursor: written by the imap-client only. */
@Injectable()
export class MailboxStates {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async setState(userId: string, state: UserState, lastError: string | null = null): Promise<void> {
    const changes: Partial<User> = { state, lastError };
    if (state === 'watching') changes.lastLoginAt = new Date();
    if (state === 'auth_error') changes.authFailedAt = new Date();
    await this.users.update({ id: userId }, changes);
  }

  /** Marks mailboxes no imap-client can take (watch capacity exhausted); returns how many changed. */
  async markUnwatched(userIds: string[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ state: 'unwatched', lastError: 'no imap-client has capacity for this mailbox' })
      .where('id IN (:...userIds)', { userIds })
      .andWhere("state <> 'unwatched'")
      .execute();
    return result.affected ?? 0;
  }

  /** Moves the cursor forward only (never back), inside the caller's transaction. */
  async advanceCursor(manager: EntityManager, userId: string, cursor: MailboxCursor): Promise<void> {
    assertUid(cursor.uid, 'uid');
    assertUid(cursor.uidValidity, 'uidValidity');
    await manager.query(
      `UPDATE users SET
         last_uid = CASE WHEN last_uid_validity IS DISTINCT FROM $2 OR last_uid IS NULL OR last_uid < $3
                         THEN $3 ELSE last_uid END,
         last_uid_validity = $2,
         last_internal_date = GREATEST(last_internal_date, $4::timestamptz),
         last_email_at = COALESCE($5::timestamptz, last_email_at),
         updated_at = now()
       WHERE id = $1`,
      [userId, cursor.uidValidity, cursor.uid, cursor.internalDate ?? null, cursor.emailAt ?? null],
    );
  }

  /** Moves the cursor outside any message transaction (after a catch-up by date). */
  async moveCursor(userId: string, cursor: MailboxCursor): Promise<void> {
    await this.advanceCursor(this.users.manager, userId, cursor);
  }
}

/** A cursor is a 32-bit unsigned IMAP number: anything else is a bug upstream, never something to store. */
function assertUid(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new Error(`refusing to store an invalid cursor: ${name}=${String(value)}`);
  }
}

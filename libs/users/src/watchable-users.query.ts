import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { User } from './user.entity.js';

/** Which users should be watched: not archived and connected (holding credentials). */
@Injectable()
export class WatchableUsersQuery {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async all(): Promise<string[]> {
    const rows: { id: string }[] = await this.users.query(
      'SELECT id FROM users WHERE archived_at IS NULL AND connected_at IS NOT NULL ORDER BY id',
    );
    return rows.map((row) => row.id);
  }

  /** Which of these users are watchable now (the rest are archived, disconnected or gone). */
  async which(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows: { id: string }[] = await this.users.query(
      'SELECT id FROM users WHERE id = ANY($1) AND archived_at IS NULL AND connected_at IS NOT NULL',
      [userIds],
    );
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Users changed since `since` (database clock), with whether each is watchable, and the next watermark.
   * The window overlaps the previous one by a few seconds, so a change committed late is not missed.
   */
  async changedSince(since: string): Promise<{ changes: { id: string; watchable: boolean }[]; watermark: string }> {
    const rows: { id: string; watchable: boolean; watermark: string }[] = await this.users.query(
      `SELECT id, (archived_at IS NULL AND connected_at IS NOT NULL) AS watchable, now()::text AS watermark
         FROM users WHERE updated_at >= $1::timestamptz - interval '10 seconds'`,
      [since],
    );
    const watermark = rows[0]?.watermark ?? (await this.databaseNow());
    return { changes: rows.map(({ id, watchable }) => ({ id, watchable })), watermark };
  }

  async databaseNow(): Promise<string> {
    const [row]: { now: string }[] = await this.users.query('SELECT now()::text AS now');
    return row.now;
  }
}

import type { UserChange } from '@app/core';
import type { WatchableUsersQuery } from '@app/users';

/** A full reload this often catches anything the incremental refreshes and notifications missed. */
const FULL_RELOAD_MS = 10 * 60_000;

/**
 * The ids of every watchable mailbox, kept in memory: loaded once, then refreshed from change
 * notifications and from users updated since the last pass, so a pass never walks the whole table.
 */
export class WatchableUsers {
  private ids = new Set<string>();
  private watermark: string | null = null;
  private loadedAt = 0;

  constructor(private readonly query: WatchableUsersQuery) {}

  get all(): ReadonlySet<string> {
    return this.ids;
  }

  /** Brings the set up to date: a full load when due, else the users changed since the last refresh. */
  async refresh(): Promise<void> {
    if (this.watermark === null || Date.now() - this.loadedAt > FULL_RELOAD_MS) {
      const watermark = await this.query.databaseNow();
      this.ids = new Set(await this.query.all());
      this.watermark = watermark;
      this.loadedAt = Date.now();
      return;
    }
    const { changes, watermark } = await this.query.changedSince(this.watermark);
    for (const { id, watchable } of changes) {
      if (watchable) this.ids.add(id);
      else this.ids.delete(id);
    }
    this.watermark = watermark;
  }

  /** Applies an API notification at once; a deleted connection forces a full reload. */
  async apply(change: UserChange): Promise<void> {
    if (change.reason === 'connection_deleted') {
      this.watermark = null;
      await this.refresh();
      return;
    }
    const watchable = await this.query.which(change.userIds);
    for (const id of change.userIds) {
      if (watchable.has(id)) this.ids.add(id);
      else this.ids.delete(id);
    }
  }
}

import { In, type Repository } from 'typeorm';

import { GroupedLookup, isUuid } from '@app/core';

import type { User } from './user.entity.js';

/** Ids per query: well inside PostgreSQL's parameter limit, and a few milliseconds of rows. */
const USERS_PER_QUERY = 500;

/**
 * Users by id, read in groups: the thousands of sessions of a starting imap-client each load their user,
 * and one query per group replaces one query each (the start-up's main cost at 100,000 mailboxes).
 */
export function groupedUserLookup(
  users: Repository<User>,
  { withConnection }: { withConnection: boolean },
): GroupedLookup<string, User> {
  return new GroupedLookup(async (ids) => {
    // One id PostgreSQL cannot parse would fail the whole group: it has no row, like any unknown id.
    const found = await users.find({
      where: { id: In(ids.filter(isUuid)) },
      relations: { connection: withConnection },
    });
    return new Map(found.map((user) => [user.id, user]));
  }, USERS_PER_QUERY);
}

import type { Response } from 'express';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

import { decodeCursor, encodeCursor } from './page-cursor.js';

export const DEFAULT_PAGE_SIZE = 100;

export interface KeysetPage<T, R> {
  /** Each row's entity with the raw columns selected beside it. */
  rows: { entity: T; raw: R }[];
  /** The cursor of the next page, or null on the last page. */
  nextCursor: string | null;
}

/**
 * Runs `builder` as one page ordered by (created_at, id) after `cursor`. The cursor carries created_at
 * as PostgreSQL's text, so no microseconds are lost between pages.
 */
export async function keysetPage<T extends ObjectLiteral, R extends object = object>(
  builder: SelectQueryBuilder<T>,
  alias: string,
  query: { limit?: number; cursor?: string },
): Promise<KeysetPage<T, R>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  builder
    .addSelect(`${alias}.created_at::text`, 'keyset_created_at')
    .orderBy(`${alias}.created_at`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .limit(limit + 1);
  if (query.cursor) {
    builder.andWhere(
      `(${alias}.created_at, ${alias}.id) > (CAST(:keysetCreatedAt AS timestamptz), CAST(:keysetId AS uuid))`,
      prefixed(decodeCursor(query.cursor)),
    );
  }
  const { entities, raw } = await builder.getRawAndEntities<R & { keyset_created_at: string }>();
  const rows = entities.slice(0, limit).map((entity, i) => ({ entity, raw: raw[i] }));
  const last = rows.at(-1);
  const nextCursor =
    entities.length > limit && last
      ? encodeCursor({
          createdAt: raw[rows.length - 1].keyset_created_at,
          id: (last.entity as unknown as { id: string }).id,
        })
      : null;
  return { rows, nextCursor };
}

/** Tells the client where the next page starts (the seed-compatible lists return bare arrays). */
export function setNextCursorHeader(response: Response, nextCursor: string | null): void {
  if (nextCursor) response.setHeader('X-Next-Cursor', nextCursor);
}

function prefixed(position: { createdAt: string; id: string }) {
  return { keysetCreatedAt: position.createdAt, keysetId: position.id };
}

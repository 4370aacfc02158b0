import { DomainError } from '@app/core';

/** Keyset pagination position: the (created_at, id) of the last row of the previous page. */
export interface PagePosition {
  createdAt: string;
  id: string;
}

export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    if (typeof createdAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(createdAt))) {
      return { createdAt, id };
    }
  } catch {
    // fall through
  }
  throw new DomainError('ValidationFailed', 'cursor is not a cursor this API returned', [
    { field: 'cursor', errors: ['invalid cursor'] },
  ]);
}

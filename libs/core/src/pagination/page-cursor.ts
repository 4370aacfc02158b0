import { CoreErrors } from '../errors/domain-error.js';
import { isUuid, isValidTimestamp } from '../validation/input-formats.js';

/**
 * Keyset pagination position: the (created_at, id) of the previous page's last row. created_at travels as
 * PostgreSQL's own text so no precision is lost (a JS Date would drop the microseconds).
 */
export interface PagePosition {
  createdAt: string;
  id: string;
}

export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(value) && value.length === 2) {
      const [createdAt, id] = value as unknown[];
      if (typeof createdAt === 'string' && typeof id === 'string' && isUuid(id) && isValidTimestamp(createdAt)) {
        return { createdAt, id };
      }
    }
  } catch {
    // fall through
  }
  throw CoreErrors.invalidCursor();
}

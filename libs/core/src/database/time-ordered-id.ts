import { randomFillSync } from 'node:crypto';

const bytes = Buffer.alloc(16);

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. For the ids of the rows
 * every mail adds (mail logs, events, attempts): a random (v4) key lands anywhere in its index, so once the
 * indexes of millions of rows outgrow memory each insert reads and dirties pages all over them; keys that
 * grow with time append at the index's right edge, in pages that stay hot. Same format and column type as v4.
 */
export function timeOrderedId(now = Date.now()): string {
  randomFillSync(bytes, 6);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

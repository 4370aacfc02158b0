import { createHash, hkdfSync } from 'node:crypto';

export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
  /** False for a bare `secret`, whose id is a fast hash of the secret (refused in production). */
  readonly explicitId: boolean;
}

const MIN_SECRET_LENGTH = 16;

/**
 * Parses ENCRYPTION_KEY: a comma-separated list, newest first, of `id:secret` or bare `secret`.
 * Any long string is accepted; the AES key is derived from it with HKDF.
 */
export function parseEncryptionKeys(value: string): EncryptionKey[] {
  const keys = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const separator = entry.indexOf(':');
      const hasId = separator > 0 && /^[A-Za-z0-9_-]{1,32}$/.test(entry.slice(0, separator));
      const secret = hasId ? entry.slice(separator + 1) : entry;
      if (secret.length < MIN_SECRET_LENGTH) {
        throw new Error(`ENCRYPTION_KEY entries must be at least ${MIN_SECRET_LENGTH} characters long`);
      }
      const id = hasId ? entry.slice(0, separator) : createHash('sha256').update(secret).digest('hex').slice(0, 8);
      const key = Buffer.from(hkdfSync('sha256', secret, 'superimap', 'secrets-at-rest-v1', 32));
      return { id, key, explicitId: hasId };
    });
  if (keys.length === 0) throw new Error('ENCRYPTION_KEY holds no key');
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('ENCRYPTION_KEY has duplicate key ids');
  return keys;
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { AppConfig } from '../config/app-config.js';
import { type EncryptionKey, parseEncryptionKeys } from './encryption-keys.js';

/** Where a secret lives; bound into the ciphertext so a value copied to another row fails to decrypt. */
export interface SecretLocation {
  table: string;
  column: string;
  id: string;
}

const FORMAT = 'v1';
const IV_BYTES = 12;

export class SecretDecryptionError extends Error {
  constructor(location: SecretLocation, reason: string) {
    super(`Cannot decrypt ${location.table}.${location.column} of row ${location.id}: ${reason}`);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * AES-256-GCM for secrets at rest. Stored form: `v1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts).
 * The newest key encrypts; every configured key decrypts, which is what makes rotation possible.
 */
@Injectable()
export class SecretBox {
  private readonly keys: EncryptionKey[];

  constructor(config: AppConfig) {
    this.keys = parseEncryptionKeys(config.ENCRYPTION_KEY);
  }

  get currentKeyId(): string {
    return this.keys[0].id;
  }

  encrypt(plaintext: string | Buffer, location: SecretLocation): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(additionalData(location));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [FORMAT, id, iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  decrypt(stored: string, location: SecretLocation): string {
    return this.decryptToBuffer(stored, location).toString('utf8');
  }

  decryptToBuffer(stored: string, location: SecretLocation): Buffer {
    const parts = stored.split(':');
    if (parts.length !== 5 || parts[0] !== FORMAT) throw new SecretDecryptionError(location, 'unknown format');
    const [, keyId, iv, ciphertext, tag] = parts;
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) throw new SecretDecryptionError(location, `key "${keyId}" is not in ENCRYPTION_KEY`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(additionalData(location));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    } catch {
      throw new SecretDecryptionError(location, 'authentication failed (tampered, or bound to another row)');
    }
  }

  /** True when the value was encrypted with an older key and should be re-encrypted. */
  needsRotation(stored: string): boolean {
    return stored.split(':')[1] !== this.currentKeyId;
  }
}

function additionalData({ table, column, id }: SecretLocation): Buffer {
  return Buffer.from(`${table}\u0000${column}\u0000${id}`);
}

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { AppConfig } from '@app/core';

import { UserErrors } from './users.errors.js';

export type UserUrlAction = 'connect' | 'disconnect';

/** How long a connect or disconnect URL stays valid. */
export const USER_URL_TTL_SECONDS = 30 * 60;

/** What a verified link says: whose mailbox, and which link (its signature names it, e.g. for single use). */
export interface VerifiedUserLink {
  userId: string;
  linkId: string;
  issuedAt: Date;
}

/** `<user uuid>.<issued, unix seconds>.<HMAC-SHA256, base64url>`: one canonical spelling only. */
const TOKEN =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([1-9][0-9]{0,10})\.([A-Za-z0-9_-]{43})$/;

/**
 * Signs and verifies the connect/disconnect URLs handed to partners. The token sits in the path, so the
 * URL has no query string and the seed's `connect_url + "?" + callbacks.to_query` stays one URL. HMAC-SHA256
 * with a key derived from SECRET_KEY_BASE over (action, user id, issue time), valid for 30 minutes.
 */
@Injectable()
export class SignedUserUrls {
  private readonly key: Buffer;

  constructor(private readonly config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.SECRET_KEY_BASE, 'superimap', 'user-urls-v2', 32));
  }

  url(action: UserUrlAction, userId: string, now = new Date()): string {
    return new URL(`/users/${action}/${this.token(action, userId, now)}`, this.config.PUBLIC_URL).toString();
  }

  token(action: UserUrlAction, userId: string, now = new Date()): string {
    const ts = Math.floor(now.getTime() / 1000);
    return `${userId}.${ts}.${this.signature(action, userId, ts).toString('base64url')}`;
  }

  /** The link a valid, unexpired token names; throws NotFound otherwise (as the seed did). */
  verify(action: UserUrlAction, token: unknown, now = new Date()): VerifiedUserLink {
    const match = typeof token === 'string' ? TOKEN.exec(token) : null;
    if (!match) throw UserErrors.invalidLink();
    const [, userId, ts, sig] = match;
    const issuedAt = Number(ts);
    const age = now.getTime() / 1000 - issuedAt;
    if (age < -60 || age > USER_URL_TTL_SECONDS) throw UserErrors.invalidLink();
    const given = Buffer.from(sig, 'base64url');
    // base64url has several spellings of the same bytes (the last character's spare bits): accept one.
    if (given.toString('base64url') !== sig) throw UserErrors.invalidLink();
    const expected = this.signature(action, userId, issuedAt);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw UserErrors.invalidLink();
    return { userId, linkId: `${action}:${sig}`, issuedAt: new Date(issuedAt * 1000) };
  }

  private signature(action: UserUrlAction, userId: string, ts: number): Buffer {
    return createHmac('sha256', this.key).update(`${action}\n${userId}\n${ts}`).digest();
  }
}

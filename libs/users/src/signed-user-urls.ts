import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { AppConfig } from '@app/core';

import { UserErrors } from './users.errors.js';

export type UserUrlAction = 'connect' | 'disconnect';

/** How long a connect or disconnect URL stays valid. */
export const USER_URL_TTL_SECONDS = 30 * 60;

/**
 * Signs and verifies the connect/disconnect URLs handed to partners: HMAC-SHA256 with a key derived from
 * SECRET_KEY_BASE over (action, user id, timestamp), valid for 30 minutes.
 */
@Injectable()
export class SignedUserUrls {
  private readonly key: Buffer;

  constructor(private readonly config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.SECRET_KEY_BASE, 'superimap', 'user-urls-v1', 32));
  }

  url(action: UserUrlAction, userId: string, now = new Date()): string {
    const ts = Math.floor(now.getTime() / 1000);
    const url = new URL(`/users/${action}/new`, this.config.PUBLIC_URL);
    url.searchParams.set('user_id', userId);
    url.searchParams.set('ts', String(ts));
    url.searchParams.set('sig', this.signature(action, userId, ts));
    return url.toString();
  }

  /** Returns the user id of a valid, unexpired URL's parameters; throws NotFound otherwise (as the seed did). */
  verify(action: UserUrlAction, params: { user_id?: unknown; ts?: unknown; sig?: unknown }, now = new Date()): string {
    const { user_id: userId, ts, sig } = params;
    const invalid = UserErrors.invalidLink;
    if (typeof userId !== 'string' || typeof ts !== 'string' || typeof sig !== 'string') throw invalid();
    const issuedAt = Number(ts);
    const age = now.getTime() / 1000 - issuedAt;
    if (!Number.isInteger(issuedAt) || age < -60 || age > USER_URL_TTL_SECONDS) throw invalid();
    const expected = Buffer.from(this.signature(action, userId, issuedAt), 'hex');
    const given = Buffer.from(sig, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    return userId;
  }

  private signature(action: UserUrlAction, userId: string, ts: number): string {
    return createHmac('sha256', this.key).update(`${action}\n${userId}\n${ts}`).digest('hex');
  }
}

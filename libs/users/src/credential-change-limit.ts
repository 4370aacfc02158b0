import { Injectable } from '@nestjs/common';

import { RedisService } from '@app/core';

import { UserErrors } from './users.errors.js';

/** New credentials are tried at once; this many changes per window keep that from becoming a login amplifier. */
export const CREDENTIAL_CHANGES_PER_WINDOW = 5;
export const CREDENTIAL_CHANGE_WINDOW_SECONDS = 10 * 60;

/**
 * Limits how often a mailbox's credentials may change. Each change clears the once-an-hour retry limit of a
 * refused login, so without this a partner could make SuperIMAP try passwords against a provider at will.
 */
@Injectable()
export class CredentialChangeLimit {
  constructor(private readonly redis: RedisService) {}

  /** Counts one change; throws 429 (nothing saved) once the mailbox had its share in this window. */
  async take(userId: string): Promise<void> {
    const key = this.redis.key('users', 'credential-changes', userId);
    const [[, count], [, ttl]] = (await this.redis.client.multi().incr(key).ttl(key).exec()) as [
      [Error | null, number],
      [Error | null, number],
    ];
    if (ttl < 0) await this.redis.client.expire(key, CREDENTIAL_CHANGE_WINDOW_SECONDS);
    if (count > CREDENTIAL_CHANGES_PER_WINDOW) {
      throw UserErrors.credentialChangesLimited(ttl > 0 ? ttl : CREDENTIAL_CHANGE_WINDOW_SECONDS);
    }
  }
}

import { Injectable } from '@nestjs/common';

import { HotQueries } from '@app/core';

import type { Partner } from './partner.entity.js';
import { type PartnerSigningKeys, PartnersService } from './partners.service.js';

/** What one webhook delivery needs of its partner: where to send each event type, and how to sign. */
export type PartnerDeliveryProfile = Pick<
  Partner,
  'id' | 'newMailWebhook' | 'userConnectedWebhook' | 'userDisconnectedWebhook' | 'accountErrorWebhook'
> & { keys: PartnerSigningKeys };

/** Partners whose decrypted keys a worker keeps; far more than an installation has. */
const MAX_CACHED = 1000;

const PROFILE_SQL = `SELECT id, api_key, webhook_secret, previous_webhook_secret, previous_webhook_secret_expires_at,
       new_mail_webhook, user_connected_webhook, user_disconnected_webhook, account_error_webhook
  FROM partners WHERE id = $1`;

interface ProfileRow {
  id: string;
  api_key: string;
  webhook_secret: string;
  previous_webhook_secret: string | null;
  previous_webhook_secret_expires_at: Date | null;
  new_mail_webhook: string | null;
  user_connected_webhook: string | null;
  user_disconnected_webhook: string | null;
  account_error_webhook: string | null;
}

interface CachedKeys {
  /** The ciphertexts the keys were decrypted from: a rotation writes new ones (fresh IVs), so it shows. */
  encrypted: string;
  keys: PartnerSigningKeys;
  validUntil: number;
}

/**
 * The partner read of every webhook delivery: one prepared single-row SELECT (no entity), with the
 * decrypted signing keys kept per worker while their ciphertexts are unchanged and no retired secret expires.
 * The row is read each time, so a changed URL or rotated key applies to the very next delivery.
 */
@Injectable()
export class PartnerDeliveryProfiles {
  private readonly keys = new Map<string, CachedKeys>();

  constructor(
    private readonly hot: HotQueries,
    private readonly partners: PartnersService,
  ) {}

  async get(partnerId: string, now = Date.now()): Promise<PartnerDeliveryProfile | null> {
    const [row] = await this.hot.rows<ProfileRow>(PROFILE_SQL, [partnerId]);
    if (!row) {
      this.keys.delete(partnerId);
      return null;
    }
    return {
      id: row.id,
      newMailWebhook: row.new_mail_webhook,
      userConnectedWebhook: row.user_connected_webhook,
      userDisconnectedWebhook: row.user_disconnected_webhook,
      accountErrorWebhook: row.account_error_webhook,
      keys: this.signingKeys(row, now),
    };
  }

  private signingKeys(row: ProfileRow, now: number): PartnerSigningKeys {
    const encrypted = `${row.api_key} ${row.webhook_secret} ${row.previous_webhook_secret ?? ''}`;
    const cached = this.keys.get(row.id);
    if (cached && cached.encrypted === encrypted && now < cached.validUntil) return cached.keys;
    const { keys, validUntil } = this.partners.signingKeysUntil(
      {
        id: row.id,
        apiKey: row.api_key,
        webhookSecret: row.webhook_secret,
        previousWebhookSecret: row.previous_webhook_secret,
        previousWebhookSecretExpiresAt: row.previous_webhook_secret_expires_at,
      },
      new Date(now),
    );
    if (this.keys.size >= MAX_CACHED) this.keys.clear();
    this.keys.set(row.id, { encrypted, keys, validUntil });
    return keys;
  }
}

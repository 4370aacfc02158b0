import { Injectable } from '@nestjs/common';

import type { Partner } from './partner.entity.js';
import { type PartnerSigningKeys, PartnersService, type SigningMaterial } from './partners.service.js';

/** What one webhook delivery needs of its partner: where to send each event type, and how to sign. */
export type PartnerDeliveryProfile = Pick<
  Partner,
  'id' | 'newMailWebhook' | 'userConnectedWebhook' | 'userDisconnectedWebhook' | 'accountErrorWebhook'
> & { keys: PartnerSigningKeys };

/** Partners whose decrypted keys a worker keeps; far more than an installation has. */
const MAX_CACHED = 1000;

/** A profile's columns as `profileSql` gives them (all null when there is no such partner). */
export interface PartnerProfileColumns {
  partner_profile_id: string | null;
  partner_api_key: string | null;
  partner_webhook_secret: string | null;
  partner_previous_webhook_secret: string | null;
  partner_previous_webhook_secret_expires_at: Date | null;
  partner_new_mail_webhook: string | null;
  partner_user_connected_webhook: string | null;
  partner_user_disconnected_webhook: string | null;
  partner_account_error_webhook: string | null;
}

interface CachedKeys {
  /** The ciphertexts the keys were decrypted from: a rotation writes new ones (fresh IVs), so it shows. */
  encrypted: string;
  keys: PartnerSigningKeys;
  validUntil: number;
}

/**
 * The partner read of every webhook delivery: a single-row subquery of the delivery's one statement (no
 * entity), with the decrypted signing keys kept per worker while their ciphertexts are unchanged and no
 * retired secret expires.
 * The row is read each time, so a changed URL or rotated key applies to the very next delivery.
 */
@Injectable()
export class PartnerDeliveryProfiles {
  private readonly keys = new Map<string, CachedKeys>();

  constructor(private readonly partners: PartnersService) {}

  /**
   * The profile read as part of a caller's larger statement (a webhook delivery reads its event, user and
   * partner in one): a subquery to join LATERAL, for the partner id the SQL expression `partnerId` gives.
   */
  profileSql(partnerId: string): string {
    return `SELECT id AS partner_profile_id, api_key AS partner_api_key, webhook_secret AS partner_webhook_secret,
       previous_webhook_secret AS partner_previous_webhook_secret,
       previous_webhook_secret_expires_at AS partner_previous_webhook_secret_expires_at,
       new_mail_webhook AS partner_new_mail_webhook, user_connected_webhook AS partner_user_connected_webhook,
       user_disconnected_webhook AS partner_user_disconnected_webhook,
       account_error_webhook AS partner_account_error_webhook
  FROM partners WHERE id = ${partnerId}`;
  }

  /**
   * The profile of `partnerId` from the columns of `profileSql`, or null when they found no partner (its
   * cached keys are dropped then).
   */
  profileFrom(partnerId: string, row: PartnerProfileColumns, now = Date.now()): PartnerDeliveryProfile | null {
    const { partner_profile_id: id, partner_api_key: apiKey, partner_webhook_secret: webhookSecret } = row;
    if (id === null || apiKey === null || webhookSecret === null) {
      this.keys.delete(partnerId);
      return null;
    }
    return {
      id,
      newMailWebhook: row.partner_new_mail_webhook,
      userConnectedWebhook: row.partner_user_connected_webhook,
      userDisconnectedWebhook: row.partner_user_disconnected_webhook,
      accountErrorWebhook: row.partner_account_error_webhook,
      keys: this.signingKeys(
        {
          id,
          apiKey,
          webhookSecret,
          previousWebhookSecret: row.partner_previous_webhook_secret,
          previousWebhookSecretExpiresAt: row.partner_previous_webhook_secret_expires_at,
        },
        now,
      ),
    };
  }

  private signingKeys(secrets: SigningMaterial, now: number): PartnerSigningKeys {
    const encrypted = `${secrets.apiKey} ${secrets.webhookSecret} ${secrets.previousWebhookSecret ?? ''}`;
    const cached = this.keys.get(secrets.id);
    if (cached && cached.encrypted === encrypted && now < cached.validUntil) return cached.keys;
    const { keys, validUntil } = this.partners.signingKeysUntil(secrets, new Date(now));
    if (this.keys.size >= MAX_CACHED) this.keys.clear();
    this.keys.set(secrets.id, { encrypted, keys, validUntil });
    return keys;
  }
}

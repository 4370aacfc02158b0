import { randomUUID } from 'node:crypto';

import { Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import {
  AppConfig,
  assertAllowedScheme,
  assertPublicUrl,
  type KeysetPage,
  keysetPage,
  SecretBox,
  UserChangeNotifier,
} from '@app/core';

import type { CreatePartnerDto } from './dto/create-partner.dto.js';
import type { UpdatePartnerDto } from './dto/update-partner.dto.js';
import { apiKeyMatches, generateApiKey, generateWebhookSecret, hashApiKey } from './partner-credentials.js';
import { Partner } from './partner.entity.js';
import { PartnerErrors } from './partners.errors.js';

/** How long a rotated-out webhook secret keeps signing, so receivers can switch without downtime. */
const SECRET_ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
const PREVIOUS_SECRETS_AT = (id: string) => ({ table: 'partners', column: 'previous_webhook_secret', id });

interface RetiredSecret {
  secret: string;
  expiresAt: Date;
}

export interface CreatedPartner {
  partner: Partner;
  apiKey: string;
  webhookSecret: string;
}

/** The encrypted columns a partner's signing keys come from. */
export type SigningMaterial = Pick<
  Partner,
  'id' | 'apiKey' | 'webhookSecret' | 'previousWebhookSecret' | 'previousWebhookSecretExpiresAt'
>;

/** Plaintext signing material of a partner, only ever held in memory. */
export interface PartnerSigningKeys {
  apiKey: string;
  webhookSecrets: string[];
}

@Injectable()
export class PartnersService {
  constructor(
    @InjectRepository(Partner) private readonly partners: Repository<Partner>,
    private readonly secretBox: SecretBox,
    private readonly config: AppConfig,
    /** Absent in CLI commands run without Redis; the imap-clients' periodic full reload is the fallback. */
    @Optional() private readonly changes?: UserChangeNotifier,
  ) {}

  async create(input: CreatePartnerDto): Promise<CreatedPartner> {
    await this.assertReachableWebhooks(input);
    const id = randomUUID();
    const apiKey = generateApiKey();
    const webhookSecret = generateWebhookSecret();
    const partner = this.partners.create({
      id,
      name: input.name,
      apiKey: this.secretBox.encrypt(apiKey, { table: 'partners', column: 'api_key', id }),
      apiKeyHash: hashApiKey(apiKey),
      webhookSecret: this.secretBox.encrypt(webhookSecret, { table: 'partners', column: 'webhook_secret', id }),
      previousWebhookSecret: null,
      previousWebhookSecretExpiresAt: null,
      newMailWebhook: input.newMailWebhook ?? null,
      userConnectedWebhook: input.userConnectedWebhook ?? null,
      userDisconnectedWebhook: input.userDisconnectedWebhook ?? null,
      accountErrorWebhook: input.accountErrorWebhook ?? null,
      successUrl: input.successUrl ?? null,
      failureUrl: input.failureUrl ?? null,
      allowedRedirectUrls: input.allowedRedirectUrls ?? [],
      maxUsers: input.maxUsers ?? null,
    });
    return { partner: await this.partners.save(partner), apiKey, webhookSecret };
  }

  /**
   * In production, webhook URLs must use https and not point into private networks (SSRF); both are
   * checked again at delivery.
   */
  private async assertReachableWebhooks(input: Partial<CreatePartnerDto>): Promise<void> {
    const fields = [
      'newMailWebhook',
      'userConnectedWebhook',
      'userDisconnectedWebhook',
      'accountErrorWebhook',
    ] as const;
    const problems: { field: string; errors: string[] }[] = [];
    for (const field of fields) {
      const url = input[field];
      if (!url) continue;
      try {
        if (!this.config.allowPrivateWebhookTargets) await assertPublicUrl(url);
        assertAllowedScheme(url, this.config.allowHttpWebhookTargets);
      } catch (error) {
        problems.push({ field, errors: [(error as Error).message] });
      }
    }
    if (problems.length > 0) {
      throw PartnerErrors.unreachableWebhooks(
        `Webhook URLs must be publicly reachable: ${problems.map((p) => `${p.field}: ${p.errors[0]}`).join('; ')}`,
        problems,
      );
    }
  }

  async list(): Promise<Partner[]> {
    return this.partners.find({ order: { createdAt: 'ASC' } });
  }

  /** Changes a partner's name or URLs; webhook URLs are checked as on create. */
  async update(id: string, input: UpdatePartnerDto): Promise<Partner> {
    const partner = await this.get(id);
    await this.assertReachableWebhooks(input);
    const fields = [
      'name',
      'newMailWebhook',
      'userConnectedWebhook',
      'userDisconnectedWebhook',
      'accountErrorWebhook',
      'successUrl',
      'failureUrl',
    ] as const;
    for (const field of fields) {
      const value = input[field];
      if (value !== undefined) partner[field] = value;
    }
    if (input.allowedRedirectUrls !== undefined) partner.allowedRedirectUrls = input.allowedRedirectUrls;
    if (input.maxUsers !== undefined) partner.maxUsers = input.maxUsers;
    return this.partners.save(partner);
  }

  async get(id: string): Promise<Partner> {
    const partner = await this.partners.findOneBy({ id });
    if (!partner) throw PartnerErrors.notFound(id);
    return partner;
  }

  /**
   * The partner owning this API key (its current one, or the one it replaced while the grace period
   * lasts), or null; lookup by hash, compared in constant time.
   */
  async findByApiKey(apiKey: string, now = new Date()): Promise<Partner | null> {
    const hash = hashApiKey(apiKey);
    const current = await this.partners.findOneBy({ apiKeyHash: hash });
    if (current && apiKeyMatches(apiKey, current.apiKeyHash)) return current;
    const previous = await this.partners.findOneBy({ previousApiKeyHash: hash });
    const inGrace = (previous?.previousApiKeyExpiresAt?.getTime() ?? 0) > now.getTime();
    return previous && inGrace && apiKeyMatches(apiKey, previous.previousApiKeyHash!) ? previous : null;
  }

  /**
   * Issues a new API key. The old one is revoked at once, or keeps working for `graceSeconds` so clients
   * can switch; seed-style webhook signatures use the new key from now on.
   */
  async rotateApiKey(id: string, graceSeconds = 0): Promise<string> {
    const partner = await this.get(id);
    const apiKey = generateApiKey();
    partner.previousApiKeyHash = graceSeconds > 0 ? partner.apiKeyHash : null;
    partner.previousApiKeyExpiresAt = graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null;
    partner.apiKey = this.secretBox.encrypt(apiKey, { table: 'partners', column: 'api_key', id });
    partner.apiKeyHash = hashApiKey(apiKey);
    await this.partners.save(partner);
    return apiKey;
  }

  /** A disabled partner's API key is refused (mailboxes stay watched and events queue until enabled). */
  async setDisabled(id: string, disabled: boolean): Promise<Partner> {
    const partner = await this.get(id);
    partner.disabledAt = disabled ? (partner.disabledAt ?? new Date()) : null;
    return this.partners.save(partner);
  }

  /** Deletes the partner and, by cascade, its connections, users, credentials and events. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.partners.delete({ id });
    // Its users went by cascade, which the imap-clients' change feed cannot see: make them reload what to watch.
    await this.changes?.publish({ reason: 'connection_deleted', userIds: [] });
  }

  signingKeys(partner: SigningMaterial, now = new Date()): PartnerSigningKeys {
    return this.signingKeysUntil(partner, now).keys;
  }

  /** The signing keys, and until when they stay the same (the next retired secret's expiry). */
  signingKeysUntil(partner: SigningMaterial, now = new Date()): { keys: PartnerSigningKeys; validUntil: number } {
    const location = (column: string) => ({ table: 'partners', column, id: partner.id });
    const retired = this.retiredWebhookSecrets(partner, now);
    const webhookSecrets = [
      this.secretBox.decrypt(partner.webhookSecret, location('webhook_secret')),
      ...retired.map((entry) => entry.secret),
    ];
    return {
      keys: { apiKey: this.secretBox.decrypt(partner.apiKey, location('api_key')), webhookSecrets },
      validUntil: Math.min(Infinity, ...retired.map((entry) => entry.expiresAt.getTime())),
    };
  }

  /**
   * Issues a new webhook secret. Every secret rotated out in the last 24 hours keeps signing alongside it,
   * however many rotations happened, so receivers can switch without downtime.
   */
  async rotateWebhookSecret(id: string, now = new Date()): Promise<string> {
    const partner = await this.get(id);
    const current = this.secretBox.decrypt(partner.webhookSecret, { table: 'partners', column: 'webhook_secret', id });
    const retired = [
      { secret: current, expiresAt: new Date(now.getTime() + SECRET_ROTATION_OVERLAP_MS) },
      ...this.retiredWebhookSecrets(partner, now),
    ];
    const next = generateWebhookSecret();
    const stored = retired.map(({ secret, expiresAt }) => ({ secret, expires_at: expiresAt.toISOString() }));
    partner.previousWebhookSecret = this.secretBox.encrypt(JSON.stringify(stored), PREVIOUS_SECRETS_AT(id));
    partner.previousWebhookSecretExpiresAt = retired[0].expiresAt;
    partner.webhookSecret = this.secretBox.encrypt(next, { table: 'partners', column: 'webhook_secret', id });
    await this.partners.save(partner);
    return next;
  }

  /** Operators' list (admin pages): filtered by a part of the name, oldest first. */
  async page(
    filter: { name?: string },
    query: { limit?: number; cursor?: string },
  ): Promise<KeysetPage<Partner, object>> {
    const builder = this.partners.createQueryBuilder('partner');
    if (filter.name) {
      builder.andWhere('partner.name ILIKE :name', { name: `%${filter.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    }
    return keysetPage(builder, 'partner', query);
  }

  /** An admin form's edit: every URL field is set, an empty one cleared (never the secrets or the quota). */
  async replaceSettings(id: string, input: CreatePartnerDto): Promise<Partner> {
    const partner = await this.get(id);
    await this.assertReachableWebhooks(input);
    Object.assign(partner, {
      name: input.name,
      newMailWebhook: input.newMailWebhook ?? null,
      userConnectedWebhook: input.userConnectedWebhook ?? null,
      userDisconnectedWebhook: input.userDisconnectedWebhook ?? null,
      accountErrorWebhook: input.accountErrorWebhook ?? null,
      successUrl: input.successUrl ?? null,
      failureUrl: input.failureUrl ?? null,
      allowedRedirectUrls: input.allowedRedirectUrls ?? [],
    });
    return this.partners.save(partner);
  }

  /**
   * The rotated-out secrets still in their grace window, newest first. `previous_webhook_secret` holds them
   * as one encrypted JSON list; a row written before lists existed holds one bare secret.
   */
  private retiredWebhookSecrets(partner: SigningMaterial, now: Date): RetiredSecret[] {
    if (!partner.previousWebhookSecret) return [];
    const plaintext = this.secretBox.decrypt(partner.previousWebhookSecret, PREVIOUS_SECRETS_AT(partner.id));
    const retired: RetiredSecret[] = plaintext.startsWith('[')
      ? (JSON.parse(plaintext) as { secret: string; expires_at: string }[]).map((entry) => ({
          secret: entry.secret,
          expiresAt: new Date(entry.expires_at),
        }))
      : [{ secret: plaintext, expiresAt: partner.previousWebhookSecretExpiresAt ?? new Date(0) }];
    return retired.filter((entry) => entry.expiresAt.getTime() > now.getTime());
  }
}

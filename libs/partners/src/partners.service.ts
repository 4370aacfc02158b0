import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { AppConfig, assertPublicUrl, type KeysetPage, keysetPage, SecretBox } from '@app/core';

import type { CreatePartnerDto } from './dto/create-partner.dto.js';
import type { UpdatePartnerDto } from './dto/update-partner.dto.js';
import { apiKeyMatches, generateApiKey, generateWebhookSecret, hashApiKey } from './partner-credentials.js';
import { Partner } from './partner.entity.js';
import { PartnerErrors } from './partners.errors.js';

/** How long a rotated-out webhook secret keeps signing, so receivers can switch without downtime. */
const SECRET_ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export interface CreatedPartner {
  partner: Partner;
  apiKey: string;
  webhookSecret: string;
}

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

  /** In production, webhook URLs must not point into private networks (SSRF); checked again at delivery. */
  private async assertReachableWebhooks(input: Partial<CreatePartnerDto>): Promise<void> {
    if (this.config.allowPrivateWebhookTargets) return;
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
      await assertPublicUrl(url).catch((error: Error) => problems.push({ field, errors: [error.message] }));
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

  /** The partner owning this API key, or null; lookup by hash, compared in constant time. */
  async findByApiKey(apiKey: string): Promise<Partner | null> {
    const partner = await this.partners.findOneBy({ apiKeyHash: hashApiKey(apiKey) });
    return partner && apiKeyMatches(apiKey, partner.apiKeyHash) ? partner : null;
  }

  signingKeys(partner: Partner, now = new Date()): PartnerSigningKeys {
    const location = (column: string) => ({ table: 'partners', column, id: partner.id });
    const webhookSecrets = [this.secretBox.decrypt(partner.webhookSecret, location('webhook_secret'))];
    const previousValid =
      partner.previousWebhookSecret && (partner.previousWebhookSecretExpiresAt?.getTime() ?? 0) > now.getTime();
    if (previousValid && partner.previousWebhookSecret) {
      webhookSecrets.push(this.secretBox.decrypt(partner.previousWebhookSecret, location('previous_webhook_secret')));
    }
    return { apiKey: this.secretBox.decrypt(partner.apiKey, location('api_key')), webhookSecrets };
  }

  /** Issues a new webhook secret; the old one keeps signing alongside it for a day. */
  async rotateWebhookSecret(id: string): Promise<string> {
    const partner = await this.get(id);
    const current = this.secretBox.decrypt(partner.webhookSecret, { table: 'partners', column: 'webhook_secret', id });
    const next = generateWebhookSecret();
    partner.previousWebhookSecret = this.secretBox.encrypt(current, {
      table: 'partners',
      column: 'previous_webhook_secret',
      id,
    });
    partner.previousWebhookSecretExpiresAt = new Date(Date.now() + SECRET_ROTATION_OVERLAP_MS);
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
}

import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { AppConfig } from '@app/core';

import { ImapProvider } from './imap-provider.entity.js';
import { ProviderErrors } from './providers.errors.js';

type OptionalFields = Pick<
  ImapProvider,
  | 'smtpHost'
  | 'smtpPort'
  | 'smtpSecurity'
  | 'oauth2AuthorizeUrl'
  | 'oauth2TokenUrl'
  | 'oauth2UserinfoUrl'
  | 'oauth2RevokeUrl'
  | 'oauth2Scope'
  | 'oauth2Params'
  | 'tlsCa'
  | 'tlsInsecure'
>;
/** What defines a provider; SMTP and OAuth2 settings are optional. */
export type ProviderDefinition = Omit<ImapProvider, 'id' | 'createdAt' | 'updatedAt' | keyof OptionalFields> &
  Partial<OptionalFields>;

@Injectable()
export class ProvidersService {
  constructor(
    @InjectRepository(ImapProvider) private readonly providers: Repository<ImapProvider>,
    private readonly config: AppConfig,
  ) {}

  async list(): Promise<ImapProvider[]> {
    return this.providers.find({ order: { code: 'ASC' } });
  }

  /** Providers whose code or title contains `text` (case-insensitively), by code. */
  async search(text: string): Promise<ImapProvider[]> {
    if (!text) return this.list();
    return this.providers
      .createQueryBuilder('p')
      .where('p.code ILIKE :pattern OR p.title ILIKE :pattern', {
        pattern: `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      })
      .orderBy('p.code', 'ASC')
      .getMany();
  }

  async findByCode(code: string): Promise<ImapProvider | null> {
    return this.providers.findOneBy({ code });
  }

  async getByCode(code: string): Promise<ImapProvider> {
    const provider = await this.findByCode(code);
    if (!provider) throw ProviderErrors.notFound(code);
    return provider;
  }

  async create(definition: ProviderDefinition): Promise<ImapProvider> {
    if (definition.tlsInsecure && this.config.isProduction) throw ProviderErrors.insecureInProduction();
    const inserted = await this.insertIfMissing(definition);
    if (!inserted) {
      throw ProviderErrors.exists(definition.code);
    }
    return this.getByCode(definition.code);
  }

  /**
   * Replaces a provider's settings. Its code (what partners name it by) and its authentication (what its
   * users' credentials are) stay; optional settings left out are cleared. Sessions pick the change up when
   * they next connect.
   */
  async update(code: string, definition: Omit<ProviderDefinition, 'code' | 'auth'>): Promise<ImapProvider> {
    const provider = await this.getByCode(code);
    if (definition.tlsInsecure && this.config.isProduction) throw ProviderErrors.insecureInProduction();
    // A setting left out (undefined) is cleared, not skipped as TypeORM would.
    const given = Object.fromEntries(Object.entries(definition).filter(([, value]) => value !== undefined));
    await this.providers.update(provider.id, { ...emptyOptionalFields(), ...given });
    return this.getByCode(code);
  }

  /** Inserts the providers that are missing; leaves existing ones (and an operator's edits) alone. */
  async ensureExist(definitions: ProviderDefinition[]): Promise<number> {
    let created = 0;
    for (const definition of definitions) if (await this.insertIfMissing(definition)) created++;
    return created;
  }

  private async insertIfMissing(definition: ProviderDefinition): Promise<boolean> {
    const result = await this.providers
      .createQueryBuilder()
      .insert()
      .values({ ...emptyOptionalFields(), ...definition, id: randomUUID() })
      .orIgnore()
      .returning('id')
      .execute();
    return (result.raw as unknown[]).length > 0;
  }
}

function emptyOptionalFields(): OptionalFields {
  return {
    smtpHost: null,
    smtpPort: null,
    smtpSecurity: null,
    oauth2AuthorizeUrl: null,
    oauth2TokenUrl: null,
    oauth2UserinfoUrl: null,
    oauth2RevokeUrl: null,
    oauth2Scope: null,
    oauth2Params: {},
    tlsCa: null,
    tlsInsecure: false,
  };
}

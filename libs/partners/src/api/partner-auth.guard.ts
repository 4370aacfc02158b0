import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';

import { AppConfig, RedisService } from '@app/core';

import type { Partner } from '../partner.entity.js';
import { PartnerErrors } from '../partners.errors.js';
import { PartnersService } from '../partners.service.js';

export interface PartnerRequest extends Request {
  partner?: Partner;
}

const WINDOW_SECONDS = 60;

/**
 * Authenticates the partner by API key (`x-api-key` header, preferred, or `api_key` parameter)
 * and applies its per-minute rate limit.
 */
@Injectable()
export class PartnerAuthGuard implements CanActivate {
  constructor(
    private readonly partners: PartnersService,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PartnerRequest>();
    const apiKey = apiKeyOf(request);
    const partner = apiKey ? await this.partners.findByApiKey(apiKey) : null;
    if (!partner) throw PartnerErrors.badApiKey();
    await this.enforceRateLimit(partner, context.switchToHttp().getResponse<Response>());
    request.partner = partner;
    // The seed's clients post the key as a form field: it authenticated, so it is no field of the resource.
    if (request.body && typeof request.body === 'object') delete (request.body as Record<string, unknown>).api_key;
    return true;
  }

  private async enforceRateLimit(partner: Partner, response: Response): Promise<void> {
    const window = Math.floor(Date.now() / 1000 / WINDOW_SECONDS);
    const key = this.redis.key('rate', partner.id, String(window));
    const [[, count]] = (await this.redis.client
      .multi()
      .incr(key)
      .expire(key, WINDOW_SECONDS * 2)
      .exec()) as [[Error | null, number]];
    if (count > this.config.API_RATE_LIMIT) {
      const retryAfter = (window + 1) * WINDOW_SECONDS - Math.floor(Date.now() / 1000);
      response.setHeader('Retry-After', String(Math.max(retryAfter, 1)));
      throw PartnerErrors.rateLimited(this.config.API_RATE_LIMIT);
    }
  }
}

function apiKeyOf(request: Request): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const fromQuery = (request.query as Record<string, unknown>).api_key;
  if (typeof fromQuery === 'string' && fromQuery) return fromQuery;
  const fromBody = (request.body as Record<string, unknown> | undefined)?.api_key;
  return typeof fromBody === 'string' && fromBody ? fromBody : undefined;
}

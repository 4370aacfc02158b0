import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';

import { AppConfig, RedisService } from '@app/core';

import type { Partner } from '../partner.entity.js';
import { PartnerErrors } from '../partners.errors.js';
import { PartnersService } from '../partners.service.js';
import { AuthFailureThrottle } from './auth-failure-throttle.js';

export interface PartnerRequest extends Request {
  partner?: Partner;
}

const WINDOW_SECONDS = 60;

/**
 * Authenticates the partner by API key (`x-api-key` header, preferred, or `api_key` parameter)
 * and applies its per-minute rate limit; wrong keys are counted per client address and throttled.
 */
@Injectable()
export class PartnerAuthGuard implements CanActivate {
  constructor(
    private readonly partners: PartnersService,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    private readonly failures: AuthFailureThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PartnerRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const client = clientAddressOf(request);
    await this.failures.refuseIfThrottled(client, (seconds) => response.setHeader('Retry-After', String(seconds)));
    const apiKey = apiKeyOf(request);
    const partner = apiKey ? await this.partners.findByApiKey(apiKey) : null;
    if (!partner) {
      if (apiKey) await this.failures.recordFailure({ client, method: request.method, path: request.path });
      throw PartnerErrors.badApiKey();
    }
    if (partner.disabledAt) throw PartnerErrors.disabled();
    await this.enforceRateLimit(partner, response);
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

/** The client's address, with a dual-stack socket's `::ffff:` prefix dropped so one client is one key. */
function clientAddressOf(request: Request): string {
  const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

function apiKeyOf(request: Request): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const fromQuery = (request.query as Record<string, unknown>).api_key;
  if (typeof fromQuery === 'string' && fromQuery) return fromQuery;
  const fromBody = (request.body as Record<string, unknown> | undefined)?.api_key;
  return typeof fromBody === 'string' && fromBody ? fromBody : undefined;
}

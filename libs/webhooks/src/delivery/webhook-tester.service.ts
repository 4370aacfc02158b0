import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { AppConfig } from '@app/core';
import { PartnersService } from '@app/partners';

import type { WebhookEventType } from '../webhook-event.entity.js';
import { WebhookErrors } from '../webhooks.errors.js';
import { buildTestPayload } from './payload-builder.js';
import { signedHeaders, webhookUrl } from './signed-request.js';
import { sendWebhook } from './webhook-sender.js';

/** What a test send gave: the receiver's answer as the operator sees it (never the signing keys). */
export interface TestWebhookResult {
  webhookId: string;
  url: string;
  type: WebhookEventType;
  status: number | null;
  /** First KiB of the receiver's answer. */
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  ok: boolean;
}

/**
 * Sends one signed test webhook to a partner's URL now and reports the answer: the same signatures, headers,
 * timeout and private-network rules as a delivery, but no outbox row (nothing to retry or redeliver).
 */
@Injectable()
export class WebhookTester {
  constructor(
    private readonly partners: PartnersService,
    private readonly config: AppConfig,
  ) {}

  async send(partnerId: string, type: WebhookEventType): Promise<TestWebhookResult> {
    const partner = await this.partners.get(partnerId);
    const url = webhookUrl(partner, type);
    if (!url) throw WebhookErrors.noWebhookUrl(type);
    const keys = this.partners.signingKeys(partner);
    const webhookId = randomUUID();
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(buildTestPayload({ eventId: webhookId, urlFor: type, apiKey: keys.apiKey, timestamp }));
    const response = await sendWebhook({
      url,
      body,
      timeoutMs: this.config.WEBHOOK_TIMEOUT * 1000,
      allowPrivate: this.config.allowPrivateWebhookTargets,
      allowHttp: this.config.allowHttpWebhookTargets,
      headers: signedHeaders(keys, webhookId, timestamp, body),
    });
    return {
      webhookId,
      url,
      type,
      status: response.status,
      responseBody: response.body,
      error: response.error,
      durationMs: response.durationMs,
      ok: response.status !== null && response.status >= 200 && response.status < 300,
    };
  }
}

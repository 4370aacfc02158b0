import type { Partner, PartnerSigningKeys } from '@app/partners';

import type { WebhookEventType } from '../webhook-event.entity.js';
import { standardWebhookSignature } from './signatures.js';

const USER_AGENT = 'SuperIMAP/0.2 (+webhooks)';

/** The partner's URL for an event type, or null when it registered none. */
export function webhookUrl(
  partner: Pick<Partner, 'newMailWebhook' | 'userConnectedWebhook' | 'userDisconnectedWebhook' | 'accountErrorWebhook'>,
  type: WebhookEventType,
): string | null {
  if (type === 'new_mail') return partner.newMailWebhook;
  if (type === 'user_connected') return partner.userConnectedWebhook;
  if (type === 'account_error') return partner.accountErrorWebhook;
  return partner.userDisconnectedWebhook;
}

/** The headers of every webhook (deliveries and operators' test sends): Standard Webhooks id, time, signatures. */
export function signedHeaders(
  keys: PartnerSigningKeys,
  webhookId: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhookSignature(keys.webhookSecrets, webhookId, timestamp, body),
  };
}

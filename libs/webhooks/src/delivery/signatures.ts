import { createHmac } from 'node:crypto';

/**
 * The seed's signature, which partners' receivers already verify:
 * lowercase hex HMAC-SHA256 keyed by the partner's API key over "<timestamp><sha1>".
 */
export function seedSignature(apiKey: string, timestamp: number, sha1: string): string {
  return createHmac('sha256', apiKey).update(`${timestamp}${sha1}`).digest('hex');
}

/**
 * Standard Webhooks: `v1,<base64 HMAC-SHA256>` over "<id>.<timestamp>.<body>", keyed by the base64 part
 * of each `whsec_` secret; several secrets (during a rotation) give several space-separated signatures.
 */
export function standardWebhookSignature(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    })
    .join(' ');
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new partner API key: 32 random bytes, prefixed so leaked keys are recognisable. */
export function generateApiKey(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** API keys are high-entropy, so a plain SHA-256 is a safe lookup hash. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

export function apiKeyMatches(apiKey: string, storedHash: string): boolean {
  const candidate = Buffer.from(hashApiKey(apiKey), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

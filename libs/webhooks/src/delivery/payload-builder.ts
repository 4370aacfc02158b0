import { createHash } from 'node:crypto';

import { seedSignature } from './signatures.js';

/** What the payload needs to know about the event's user at sending time. */
export interface PayloadContext {
  eventId: string;
  type: 'new_mail' | 'user_connected' | 'user_disconnected' | 'account_error';
  imapProviderCode: string;
  /** The user's stable id: a tag can be renamed or reused, this never is. */
  userId: string | null;
  userTag: string;
  userEmail: string | null;
  metadata: Record<string, unknown>;
  /** The raw message (new_mail), null when truncated. */
  rfc822: Buffer | null;
  apiKey: string;
  timestamp: number;
}

const sha1Hex = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

/**
 * The seed's JSON payloads, field names unchanged, plus additive fields (`event`, `id`, `user_id`, `uid`, …).
 * `rfc822` is the message as UTF-8; if its bytes are not valid UTF-8, `rfc822_base64` carries them exactly.
 */
export function buildPayload(context: PayloadContext): Record<string, unknown> {
  const { type, metadata, timestamp } = context;
  const common = {
    event: type,
    id: context.eventId,
    timestamp,
    imap_provider_code: context.imapProviderCode,
    user_tag: context.userTag,
    user_id: context.userId,
  };
  if (type !== 'new_mail') {
    const sha1 = sha1Hex(context.userTag);
    return {
      ...common,
      sha1,
      ...(type === 'user_connected' ? { email: context.userEmail } : {}),
      // account_error: why the mailbox cannot be reached (auth_error or connect_error), the server's words, since when.
      ...(type === 'account_error' ? { state: metadata.state, error: metadata.error, since: metadata.since } : {}),
      signature: seedSignature(context.apiKey, timestamp, sha1),
    };
  }
  const raw = context.rfc822;
  // Without a body there is nothing to hash; the hash of the empty string would make every truncated
  // message look like one duplicate to a receiver that dedupes by sha1, so name the event instead.
  const sha1 = raw
    ? sha1Hex(raw)
    : ((metadata.sha1 as string | null) ?? sha1Hex(`superimap:truncated:${context.eventId}`));
  const text = raw ? raw.toString('utf8') : null;
  const exact = raw !== null && text !== null && Buffer.from(text, 'utf8').equals(raw);
  return {
    ...common,
    sha1,
    envelope: metadata.envelope,
    rfc822: text,
    ...(raw && !exact ? { rfc822_base64: raw.toString('base64') } : {}),
    uid: metadata.uid,
    uid_validity: metadata.uid_validity,
    internal_date: metadata.internal_date,
    size: metadata.size,
    truncated: metadata.truncated === true,
    // Only on a message that could not be read (see NewMailPipeline.recordUnreadable).
    ...(typeof metadata.fetch_error === 'string' ? { fetch_error: metadata.fetch_error } : {}),
    // Only on a message a backfill sent (it was in the mailbox before, not new).
    ...(metadata.backfill === true ? { backfill: true } : {}),
    signature: seedSignature(context.apiKey, timestamp, sha1),
  };
}

/**
 * An operator's test webhook: `event: "test"` so no receiver mistakes it for mail, signed like every other
 * webhook (the seed's signature over the sha1 of its id, and the Standard Webhooks headers).
 */
export function buildTestPayload(context: {
  eventId: string;
  /** Which of the partner's URLs it was sent to. */
  urlFor: string;
  apiKey: string;
  timestamp: number;
}): Record<string, unknown> {
  const sha1 = sha1Hex(`superimap:test:${context.eventId}`);
  return {
    event: 'test',
    test: true,
    id: context.eventId,
    timestamp: context.timestamp,
    url_for: context.urlFor,
    sha1,
    signature: seedSignature(context.apiKey, context.timestamp, sha1),
  };
}

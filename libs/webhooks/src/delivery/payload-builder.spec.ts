import { createHash, createHmac } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { buildPayload, type PayloadContext } from './payload-builder.js';
import { standardWebhookSignature } from './signatures.js';

/** The seed README's Ruby verification, line for line. */
function seedReceiverAccepts(rawPost: string, apiKey: string): boolean {
  const json = JSON.parse(rawPost) as { sha1: string; timestamp: number; signature: string };
  const expected = createHmac('sha256', apiKey).update(`${json.timestamp}${json.sha1}`).digest('hex');
  return expected === json.signature;
}

const base: PayloadContext = {
  eventId: '6c8e1b7a-4f0a-4b7e-9a51-2b3c4d5e6f70',
  type: 'new_mail',
  imapProviderCode: 'GMAIL_OAUTH2',
  userId: '0b9f7c4e-5a3d-4f2e-9c1b-2d8e6f4a7b10',
  userTag: 'MY_USER',
  userEmail: 'me@example.com',
  metadata: { uid: 7, uid_validity: 3, size: 42, truncated: false, envelope: { subject: 'Hi' } },
  rfc822: Buffer.from('Subject: Hi\r\n\r\nHéllo\r\n'),
  apiKey: 'sk_test_key',
  timestamp: 1_700_000_000,
};

describe('buildPayload', () => {
  it('new_mail: seed fields, SHA1 of rfc822, and a signature the seed snippet accepts', () => {
    const payload = buildPayload(base);
    expect(payload).toMatchObject({
      timestamp: 1_700_000_000,
      imap_provider_code: 'GMAIL_OAUTH2',
      user_tag: 'MY_USER',
      user_id: '0b9f7c4e-5a3d-4f2e-9c1b-2d8e6f4a7b10',
      envelope: { subject: 'Hi' },
      rfc822: 'Subject: Hi\r\n\r\nHéllo\r\n',
      sha1: createHash('sha1').update(base.rfc822!).digest('hex'),
      event: 'new_mail',
      uid: 7,
      truncated: false,
    });
    expect(payload).not.toHaveProperty('rfc822_base64');
    expect(seedReceiverAccepts(JSON.stringify(payload), 'sk_test_key')).toBe(true);
    expect(seedReceiverAccepts(JSON.stringify(payload), 'another_key')).toBe(false);
  });

  it('new_mail with bytes that are not UTF-8: replacement characters in rfc822, exact bytes in rfc822_base64', () => {
    const latin1 = Buffer.from('Subject: x\r\n\r\nGr\xfc\xdfe\r\n', 'latin1');
    const payload = buildPayload({ ...base, rfc822: latin1 });
    expect(payload.rfc822).toContain('\ufffd');
    expect(Buffer.from(payload.rfc822_base64 as string, 'base64').equals(latin1)).toBe(true);
    expect(payload.sha1).toBe(createHash('sha1').update(latin1).digest('hex'));
  });

  it('new_mail sent by a backfill: the same payload and signature, plus backfill: true', () => {
    const payload = buildPayload({ ...base, metadata: { ...base.metadata, backfill: true } });
    expect(payload).toEqual({ ...buildPayload(base), backfill: true });
    expect(seedReceiverAccepts(JSON.stringify(payload), 'sk_test_key')).toBe(true);
    expect(buildPayload(base)).not.toHaveProperty('backfill');
  });

  it('new_mail of a message that could not be read: no body, truncated, and why (fetch_error)', () => {
    const metadata = { ...base.metadata, truncated: true, sha1: null, fetch_error: 'its source could not be fetched' };
    const payload = buildPayload({ ...base, metadata, rfc822: null });
    expect(payload).toMatchObject({ rfc822: null, truncated: true, fetch_error: 'its source could not be fetched' });
    expect(buildPayload(base)).not.toHaveProperty('fetch_error');
  });

  it('user_connected and user_disconnected: SHA1 of the tag; email only when connected', () => {
    const connected = buildPayload({ ...base, type: 'user_connected', rfc822: null });
    expect(connected).toMatchObject({
      user_tag: 'MY_USER',
      email: 'me@example.com',
      sha1: createHash('sha1').update('MY_USER').digest('hex'),
    });
    expect(seedReceiverAccepts(JSON.stringify(connected), 'sk_test_key')).toBe(true);
    const disconnected = buildPayload({ ...base, type: 'user_disconnected', rfc822: null });
    expect(disconnected).not.toHaveProperty('email');
    expect(disconnected).not.toHaveProperty('rfc822');
    expect(disconnected.user_id).toBe(base.userId);
  });
});

describe('standardWebhookSignature', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const old = `whsec_${Buffer.from('fedcba9876543210fedcba9876543210').toString('base64')}`;

  it('verifies with the standardwebhooks library, for each secret during a rotation', () => {
    const body = JSON.stringify({ hello: 'world' });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhookSignature([secret, old], 'msg_1', timestamp, body),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ hello: 'world' });
    expect(new Webhook(old).verify(body, headers)).toEqual({ hello: 'world' });
    const other = `whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`;
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });

  it('truncated new_mail: a sha1 of its own, stable per event, never the hash of the empty string', () => {
    const truncated = { ...base, rfc822: null, metadata: { ...base.metadata, truncated: true, sha1: null } };
    const first = buildPayload(truncated);
    const again = buildPayload({ ...truncated, timestamp: 1_700_000_100 });
    const other = buildPayload({ ...truncated, eventId: '7d9f2c8b-5a1b-4c8f-8b62-3c4d5e6f7a81' });
    expect(first.sha1).not.toBe(createHash('sha1').update('').digest('hex'));
    expect(first.sha1).toMatch(/^[0-9a-f]{40}$/);
    expect(again.sha1).toBe(first.sha1);
    expect(other.sha1).not.toBe(first.sha1);
    expect(first).toMatchObject({ truncated: true, rfc822: null });
    expect(seedReceiverAccepts(JSON.stringify(first), base.apiKey)).toBe(true);
  });
});

// The IMAP ENVELOPE structure (RFC 3501 §7.4.2) built from a message's headers.
// Values are passed through raw (encoded-words stay encoded), as real servers do.

import { list, nstring, type WirePart } from './imap-encoding.js';
import { headerValue, readHeaderFields } from './message-headers.js';

/** One envelope address; a group is `{ name: null, mailbox: group, host: null }` ... `{ all null }`. */
export interface EnvelopeAddress {
  name: string | null;
  mailbox: string | null;
  host: string | null;
}

type AddressToken =
  | { kind: 'word'; text: string }
  | { kind: 'quoted'; text: string }
  | { kind: 'comment'; text: string }
  | { kind: 'angle'; text: string }
  | { kind: 'special'; text: ',' | ':' | ';' };

function tokenizeAddresses(value: string): AddressToken[] {
  const tokens: AddressToken[] = [];
  let i = 0;
  while (i < value.length) {
    const ch = value[i];
    if (ch === ' ' || ch === '\t') {
      i++;
    } else if (ch === '"') {
      let text = '';
      for (i++; i < value.length && value[i] !== '"'; i++) text += value[i] === '\\' ? (value[++i] ?? '') : value[i];
      tokens.push({ kind: 'quoted', text });
      i++;
    } else if (ch === '(') {
      let depth = 0;
      const start = i;
      for (; i < value.length; i++) {
        if (value[i] === '\\') i++;
        else if (value[i] === '(') depth++;
        else if (value[i] === ')' && --depth === 0) break;
      }
      tokens.push({ kind: 'comment', text: value.slice(start + 1, i) });
      i++;
    } else if (ch === '<') {
      const end = value.indexOf('>', i);
      const stop = end < 0 ? value.length : end;
      tokens.push({ kind: 'angle', text: value.slice(i + 1, stop).trim() });
      i = stop + 1;
    } else if (ch === ',' || ch === ':' || ch === ';') {
      tokens.push({ kind: 'special', text: ch });
      i++;
    } else {
      const start = i;
      while (i < value.length && !' \t"(<,:;'.includes(value[i])) i++;
      tokens.push({ kind: 'word', text: value.slice(start, i) });
    }
  }
  return tokens;
}

function splitAddress(address: string, name: string | null): EnvelopeAddress {
  const bare = address.replace(/^@[^:]*:/, ''); // drop an obsolete source route
  const at = bare.lastIndexOf('@');
  return {
    name,
    mailbox: (at < 0 ? bare : bare.slice(0, at)) || 'MISSING_MAILBOX',
    host: (at < 0 ? '' : bare.slice(at + 1)) || 'MISSING_DOMAIN',
  };
}

/** Parses an address-list header value (mailboxes and groups). */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const out: EnvelopeAddress[] = [];
  let words: string[] = [];
  let comments: string[] = [];
  let angle: string | null = null;
  let inGroup = false;

  const flush = (): void => {
    if (angle !== null) {
      out.push(splitAddress(angle, words.length ? words.join(' ') : null));
    } else if (words.length) {
      out.push(splitAddress(words.join(''), comments[0] ?? null));
    }
    words = [];
    comments = [];
    angle = null;
  };

  for (const token of tokenizeAddresses(value)) {
    if (token.kind === 'special') {
      if (token.text === ':' && angle === null && !inGroup) {
        out.push({ name: null, mailbox: words.join(' '), host: null });
        words = [];
        comments = [];
        inGroup = true;
      } else if (token.text === ';' && inGroup) {
        flush();
        out.push({ name: null, mailbox: null, host: null });
        inGroup = false;
      } else if (token.text === ',') {
        flush();
      } else {
        words.push(token.text);
      }
    } else if (token.kind === 'angle') {
      angle = token.text;
    } else if (token.kind === 'comment') {
      comments.push(token.text);
    } else {
      words.push(token.text);
    }
  }
  flush();
  if (inGroup) out.push({ name: null, mailbox: null, host: null });
  return out;
}

function addressList(value: string | undefined): WirePart {
  const addresses = value ? parseAddressList(value) : [];
  if (!addresses.length) return 'NIL';
  return list(
    addresses.map((a) => list([nstring(a.name), 'NIL', nstring(a.mailbox), nstring(a.host)])),
    '',
  );
}

/** ENVELOPE, encoded: (date subject from sender reply-to to cc bcc in-reply-to message-id). */
export function buildEnvelope(raw: Buffer): Buffer {
  const fields = readHeaderFields(raw);
  const get = (name: string): string | undefined => headerValue(fields, name);
  const from = get('from');
  return list([
    nstring(get('date')),
    nstring(get('subject')),
    addressList(from),
    // RFC 3501: sender and reply-to default to from
    addressList(get('sender') || from),
    addressList(get('reply-to') || from),
    addressList(get('to')),
    addressList(get('cc')),
    addressList(get('bcc')),
    nstring(get('in-reply-to')),
    nstring(get('message-id')),
  ]);
}

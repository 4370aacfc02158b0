// FETCH data items: parsing the client's item list and rendering one message's response.
// Supported: UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE, BODY[...]/BODY.PEEK[...] with
// "", HEADER, TEXT, HEADER.FIELDS[.NOT] and <partial>, RFC822[.HEADER|.TEXT], ALL, FAST.

import { formatInternalDate, list, literal, toWire, type WirePart } from './imap-encoding.js';
import { ImapSyntaxError, type ImapToken } from './imap-parser.js';
import type { StoredMessage } from './mailbox-store.js';
import { buildEnvelope } from './message-envelope.js';
import { bodyOffset, selectHeaderFields } from './message-headers.js';

type Section =
  { part: 'full' } | { part: 'header' } | { part: 'text' } | { part: 'fields'; names: string[]; exclude: boolean };

type SimpleItem = 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE';

export type FetchItem =
  | { kind: SimpleItem }
  | {
      kind: 'section';
      /** How the item is named in the response, e.g. `BODY[HEADER.FIELDS (MESSAGE-ID)]<0>`. */
      label: string;
      section: Section;
      /** Reading it marks the message \Seen (no PEEK), unless the mailbox is read-only. */
      setsSeen: boolean;
      partial: { start: number; length?: number } | null;
    };

const SIMPLE_ITEMS = new Set<string>(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE']);
const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
};
const BODY_SECTION = /^BODY(\.PEEK)?\[([^\]]*)\](?:<(\d+)(?:\.(\d+))?>)?$/i;

function parseSection(text: string): { section: Section; label: string } {
  const upper = text.trim().toUpperCase();
  if (upper === '') return { section: { part: 'full' }, label: '' };
  if (upper === 'HEADER' || upper === 'TEXT')
    return { section: { part: upper === 'HEADER' ? 'header' : 'text' }, label: upper };
  const fields = /^HEADER\.FIELDS(\.NOT)?\s*\(([^)]*)\)$/.exec(upper);
  if (fields) {
    const names = fields[2]
      .split(/\s+/)
      .filter(Boolean)
      .map((name) => name.replace(/^"|"$/g, ''));
    if (!names.length) throw new ImapSyntaxError('Empty header field list');
    return {
      section: { part: 'fields', names, exclude: !!fields[1] },
      label: `HEADER.FIELDS${fields[1] ?? ''} (${names.join(' ')})`,
    };
  }
  throw new ImapSyntaxError(`Fake IMAP does not support section [${text}]`);
}

function parseItem(name: string): FetchItem[] {
  const upper = name.toUpperCase();
  if (SIMPLE_ITEMS.has(upper)) return [{ kind: upper as SimpleItem }];
  if (MACROS[upper]) return MACROS[upper].flatMap(parseItem);
  if (upper === 'RFC822')
    return [{ kind: 'section', label: 'RFC822', section: { part: 'full' }, setsSeen: true, partial: null }];
  if (upper === 'RFC822.HEADER') {
    return [{ kind: 'section', label: 'RFC822.HEADER', section: { part: 'header' }, setsSeen: false, partial: null }];
  }
  if (upper === 'RFC822.TEXT')
    return [{ kind: 'section', label: 'RFC822.TEXT', section: { part: 'text' }, setsSeen: true, partial: null }];
  const body = BODY_SECTION.exec(name);
  if (!body) throw new ImapSyntaxError(`Fake IMAP does not support FETCH item ${name}`);
  const { section, label } = parseSection(body[2]);
  const partial =
    body[3] === undefined
      ? null
      : { start: Number(body[3]), length: body[4] === undefined ? undefined : Number(body[4]) };
  return [
    {
      kind: 'section',
      label: `BODY[${label}]${partial ? `<${partial.start}>` : ''}`,
      section,
      setsSeen: !body[1],
      partial,
    },
  ];
}

/** The item list of FETCH/UID FETCH; UID FETCH always reports the UID (RFC 3501 §6.4.8). */
export function parseFetchItems(tokens: ImapToken[], byUid: boolean): FetchItem[] {
  const token = tokens[0];
  if (!token || tokens.length > 1) throw new ImapSyntaxError('FETCH expects one item or one item list');
  const names = token.type === 'list' ? token.items : [token];
  const items = names.flatMap((item) => {
    if (item.type !== 'atom') throw new ImapSyntaxError('Invalid FETCH item');
    return parseItem(item.value);
  });
  if (byUid && !items.some((item) => item.kind === 'UID')) items.unshift({ kind: 'UID' });
  return items;
}

function sectionBytes(raw: Buffer, section: Section): Buffer {
  switch (section.part) {
    case 'full':
      return raw;
    case 'header':
      return raw.subarray(0, bodyOffset(raw));
    case 'text':
      return raw.subarray(bodyOffset(raw));
    case 'fields':
      return selectHeaderFields(raw, section.names, section.exclude);
  }
}

/** Whether an item delivers the whole message (counted as "served"). */
export function isWholeMessage(item: FetchItem): boolean {
  return item.kind === 'section' && item.section.part === 'full' && !item.partial;
}

/**
 * `* <seq> FETCH (...)` for one message, flags as they are after any implicit \Seen. `size`, if given, is
 * the RFC822.SIZE to report instead of the real one (a lying server).
 */
export function renderFetch(message: StoredMessage & { size?: number }, seq: number, items: FetchItem[]): Buffer {
  const parts: WirePart[] = [];
  for (const item of items) {
    if (parts.length) parts.push(' ');
    switch (item.kind) {
      case 'UID':
        parts.push(`UID ${message.uid}`);
        break;
      case 'FLAGS':
        parts.push('FLAGS ', list([...message.flags]));
        break;
      case 'INTERNALDATE':
        parts.push(`INTERNALDATE ${formatInternalDate(message.internalDate)}`);
        break;
      case 'RFC822.SIZE':
        parts.push(`RFC822.SIZE ${message.size ?? message.raw.length}`);
        break;
      case 'ENVELOPE':
        parts.push('ENVELOPE ', buildEnvelope(message.raw));
        break;
      case 'section': {
        let bytes = sectionBytes(message.raw, item.section);
        if (item.partial) {
          const end = item.partial.length === undefined ? undefined : item.partial.start + item.partial.length;
          bytes = bytes.subarray(Math.min(item.partial.start, bytes.length), end);
        }
        parts.push(`${item.label} `, literal(bytes));
        break;
      }
    }
  }
  return toWire([`* ${seq} FETCH (`, ...parts, ')\r\n']);
}

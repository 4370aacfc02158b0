// SEARCH criteria compiled to a predicate over one message. Covers what a mail watcher
// asks for: ALL, sequence/UID sets, flags, dates, HEADER and the address/text keys, NOT/OR.

import { parseSearchDate, utcDay } from './imap-encoding.js';
import { ImapSyntaxError, tokenText, type ImapToken } from './imap-parser.js';
import type { Mailbox, StoredMessage } from './mailbox-store.js';
import { headerValue, readHeaderFields } from './message-headers.js';
import { inRanges, parseSequenceSet } from './sequence-set.js';

export type SearchPredicate = (message: StoredMessage, seq: number) => boolean;

const FLAG_KEYS: Record<string, [flag: string, present: boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const ADDRESS_KEYS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
const DATE_KEYS = new Set(['SINCE', 'BEFORE', 'ON', 'SENTSINCE', 'SENTBEFORE', 'SENTON']);

const always: SearchPredicate = () => true;
const never: SearchPredicate = () => false;

function headerContains(message: StoredMessage, name: string, needle: string): boolean {
  const value = headerValue(readHeaderFields(message.raw), name.toLowerCase());
  return value !== undefined && value.toLowerCase().includes(needle.toLowerCase());
}

function sentDay(message: StoredMessage): number | null {
  const date = Date.parse(headerValue(readHeaderFields(message.raw), 'date') ?? '');
  return Number.isNaN(date) ? null : utcDay(date);
}

class SearchCompiler {
  private pos = 0;

  constructor(
    private readonly tokens: ImapToken[],
    private readonly mailbox: Mailbox,
  ) {}

  compileAll(): SearchPredicate {
    if (this.peekAtom() === 'CHARSET') this.pos += 2; // only ASCII/UTF-8 arrive here
    const keys: SearchPredicate[] = [];
    while (this.pos < this.tokens.length) keys.push(this.key());
    if (!keys.length) throw new ImapSyntaxError('Empty search');
    return and(keys);
  }

  private peekAtom(): string | undefined {
    const token = this.tokens[this.pos];
    return token?.type === 'atom' ? token.value.toUpperCase() : undefined;
  }

  private text(): string {
    return tokenText(this.tokens[this.pos++]);
  }

  private key(): SearchPredicate {
    const token = this.tokens[this.pos++];
    if (!token) throw new ImapSyntaxError('Incomplete search');
    if (token.type === 'list') return and(new SearchCompiler(token.items, this.mailbox).keysOfList());
    const key = tokenText(token).toUpperCase();
    if (key === 'ALL') return always;
    if (FLAG_KEYS[key]) {
      const [flag, present] = FLAG_KEYS[key];
      return (message) => message.flags.includes(flag) === present;
    }
    if (key === 'NEW' || key === 'RECENT') return never; // no session ever sees \Recent here
    if (key === 'OLD') return always;
    if (key === 'KEYWORD' || key === 'UNKEYWORD') {
      const flag = this.text();
      return (message) => message.flags.includes(flag) === (key === 'KEYWORD');
    }
    if (key === 'NOT') {
      const inner = this.key();
      return (message, seq) => !inner(message, seq);
    }
    if (key === 'OR') {
      const left = this.key();
      const right = this.key();
      return (message, seq) => left(message, seq) || right(message, seq);
    }
    if (key === 'UID') {
      const ranges = parseSequenceSet(this.text(), this.mailbox.highestUid);
      return (message) => inRanges(ranges, message.uid);
    }
    if (/^[\d*]/.test(key)) {
      const ranges = parseSequenceSet(key, this.mailbox.exists);
      return (_message, seq) => inRanges(ranges, seq);
    }
    if (DATE_KEYS.has(key)) return this.dateKey(key);
    if (key === 'HEADER') {
      const name = this.text();
      const needle = this.text();
      return (message) => headerContains(message, name, needle);
    }
    if (ADDRESS_KEYS.has(key)) {
      const needle = this.text();
      return (message) => headerContains(message, key, needle);
    }
    if (key === 'BODY' || key === 'TEXT') {
      const needle = this.text().toLowerCase();
      return (message) => message.raw.toString('latin1').toLowerCase().includes(needle);
    }
    if (key === 'LARGER' || key === 'SMALLER') {
      const size = Number(this.text());
      return (message) => (key === 'LARGER' ? message.raw.length > size : message.raw.length < size);
    }
    throw new ImapSyntaxError(`Fake IMAP does not support SEARCH key ${key}`);
  }

  private keysOfList(): SearchPredicate[] {
    const keys: SearchPredicate[] = [];
    while (this.pos < this.tokens.length) keys.push(this.key());
    return keys;
  }

  private dateKey(key: string): SearchPredicate {
    const day = parseSearchDate(this.text());
    if (day === null) throw new ImapSyntaxError(`Invalid date for ${key}`);
    const sent = key.startsWith('SENT');
    const comparison = key.replace('SENT', '');
    return (message) => {
      const messageDay = sent ? sentDay(message) : utcDay(message.internalDate);
      if (messageDay === null) return false;
      if (comparison === 'SINCE') return messageDay >= day;
      if (comparison === 'BEFORE') return messageDay < day;
      return messageDay === day;
    };
  }
}

function and(keys: SearchPredicate[]): SearchPredicate {
  return keys.length === 1 ? keys[0] : (message, seq) => keys.every((key) => key(message, seq));
}

export function compileSearch(tokens: ImapToken[], mailbox: Mailbox): SearchPredicate {
  return new SearchCompiler(tokens, mailbox).compileAll();
}

// Client-side IMAP input: cuts the byte stream into complete commands (literals included)
// and tokenizes one command into atoms, strings and lists.

export type ImapToken =
  { type: 'atom'; value: string } | { type: 'string'; value: string } | { type: 'list'; items: ImapToken[] };

export interface ParsedCommand {
  tag: string;
  /** Upper-cased; `UID FETCH`, `UID SEARCH`... for UID commands. */
  name: string;
  args: ImapToken[];
}

export type FramerResult = { kind: 'command'; bytes: Buffer } | { kind: 'continuation' } | { kind: 'incomplete' };

export class ImapSyntaxError extends Error {
  constructor(
    message: string,
    readonly tag?: string,
  ) {
    super(message);
  }
}

const EMPTY = Buffer.alloc(0);
const LITERAL_HEADER = /\{(\d{1,10})(\+)?\}$/;
const MAX_LINE_BYTES = 64 * 1024;
const MAX_LITERAL_BYTES = 64 * 1024 * 1024;

/**
 * Incremental framer. Holds only the unconsumed bytes, so an idle connection costs one
 * empty-buffer reference. A synchronizing literal yields `continuation` once, and the
 * caller answers it with "+".
 */
export class CommandFramer {
  private buffer: Buffer = EMPTY;
  /** Where scanning resumes inside `buffer` (past lines and literals already seen). */
  private scanFrom = 0;
  private literalBytesLeft = 0;

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
  }

  next(): FramerResult {
    for (;;) {
      if (this.literalBytesLeft > 0) {
        if (this.buffer.length - this.scanFrom < this.literalBytesLeft) return { kind: 'incomplete' };
        this.scanFrom += this.literalBytesLeft;
        this.literalBytesLeft = 0;
      }
      const lf = this.buffer.indexOf(0x0a, this.scanFrom);
      if (lf < 0) {
        if (this.buffer.length - this.scanFrom > MAX_LINE_BYTES) throw new ImapSyntaxError('Line too long');
        return { kind: 'incomplete' };
      }
      const lineEnd = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
      const tail = this.buffer.toString('latin1', Math.max(this.scanFrom, lineEnd - 16), lineEnd);
      const literal = LITERAL_HEADER.exec(tail);
      if (literal) {
        const size = Number(literal[1]);
        if (size > MAX_LITERAL_BYTES) throw new ImapSyntaxError('Literal too large');
        this.literalBytesLeft = size;
        this.scanFrom = lf + 1;
        if (!literal[2]) return { kind: 'continuation' };
        continue;
      }
      const bytes = this.buffer.subarray(0, lineEnd);
      this.buffer = lf + 1 < this.buffer.length ? this.buffer.subarray(lf + 1) : EMPTY;
      this.scanFrom = 0;
      return { kind: 'command', bytes };
    }
  }
}

const Char = {
  Space: 0x20,
  Quote: 0x22,
  OpenParen: 0x28,
  CloseParen: 0x29,
  OpenBracket: 0x5b,
  Backslash: 0x5c,
  CloseBracket: 0x5d,
  OpenBrace: 0x7b,
  Tilde: 0x7e,
  CR: 0x0d,
  LF: 0x0a,
} as const;

/** Tokenizes everything after the tag; `[...]` stays inside its atom (`BODY.PEEK[HEADER.FIELDS (A B)]<0.10>`). */
class Tokenizer {
  private pos = 0;

  constructor(private readonly bytes: Buffer) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  readTag(): string {
    const start = this.pos;
    while (!this.done && this.bytes[this.pos] !== Char.Space) this.pos++;
    const tag = this.bytes.toString('latin1', start, this.pos);
    if (!tag || /[(){%*"\\\]+]/.test(tag)) throw new ImapSyntaxError('Invalid tag');
    return tag;
  }

  readList(closing: number | null): ImapToken[] {
    const items: ImapToken[] = [];
    for (;;) {
      while (!this.done && this.bytes[this.pos] === Char.Space) this.pos++;
      if (this.done) {
        if (closing !== null) throw new ImapSyntaxError('Unterminated list');
        return items;
      }
      const ch = this.bytes[this.pos];
      if (ch === closing) {
        this.pos++;
        return items;
      }
      if (ch === Char.OpenParen) {
        this.pos++;
        items.push({ type: 'list', items: this.readList(Char.CloseParen) });
      } else if (ch === Char.Quote) {
        items.push({ type: 'string', value: this.readQuoted() });
      } else if (ch === Char.OpenBrace || (ch === Char.Tilde && this.bytes[this.pos + 1] === Char.OpenBrace)) {
        items.push({ type: 'string', value: this.readLiteral() });
      } else {
        items.push({ type: 'atom', value: this.readAtom() });
      }
    }
  }

  private readQuoted(): string {
    const chunks: number[] = [];
    this.pos++;
    while (!this.done) {
      const ch = this.bytes[this.pos++];
      if (ch === Char.Quote) return Buffer.from(chunks).toString('utf8');
      if (ch === Char.Backslash && !this.done) chunks.push(this.bytes[this.pos++]);
      else chunks.push(ch);
    }
    throw new ImapSyntaxError('Unterminated quoted string');
  }

  private readLiteral(): string {
    if (this.bytes[this.pos] === Char.Tilde) this.pos++; // literal8 marker
    const close = this.bytes.indexOf('}', this.pos);
    const header = /^\{(\d+)\+?$/.exec(this.bytes.toString('latin1', this.pos, close));
    if (close < 0 || !header) throw new ImapSyntaxError('Invalid literal');
    let start = close + 1;
    if (this.bytes[start] === Char.CR) start++;
    if (this.bytes[start] !== Char.LF) throw new ImapSyntaxError('Literal header must end the line');
    start++;
    const end = start + Number(header[1]);
    if (end > this.bytes.length) throw new ImapSyntaxError('Truncated literal');
    this.pos = end;
    return this.bytes.toString('utf8', start, end);
  }

  private readAtom(): string {
    const start = this.pos;
    let depth = 0;
    while (!this.done) {
      const ch = this.bytes[this.pos];
      if (ch === Char.OpenBracket) depth++;
      else if (ch === Char.CloseBracket && depth > 0) depth--;
      else if (depth === 0 && (ch === Char.Space || ch === Char.OpenParen || ch === Char.CloseParen)) break;
      else if (ch === Char.CR || ch === Char.LF) throw new ImapSyntaxError('Unexpected line break');
      this.pos++;
    }
    if (depth > 0) throw new ImapSyntaxError('Unterminated section');
    return this.bytes.toString('utf8', start, this.pos);
  }
}

/** Splits a complete command (as framed) into tag, name and arguments. */
export function parseCommand(bytes: Buffer): ParsedCommand {
  const tokenizer = new Tokenizer(bytes);
  const tag = tokenizer.readTag();
  let args: ImapToken[];
  try {
    args = tokenizer.readList(null);
  } catch (err) {
    throw new ImapSyntaxError(err instanceof Error ? err.message : String(err), tag);
  }
  const first = args.shift();
  if (!first || first.type !== 'atom') throw new ImapSyntaxError('Missing command', tag);
  let name = first.value.toUpperCase();
  if (name === 'UID') {
    const sub = args.shift();
    if (!sub || sub.type !== 'atom') throw new ImapSyntaxError('Missing UID command', tag);
    name = `UID ${sub.value.toUpperCase()}`;
  }
  return { tag, name, args };
}

/** The text of an astring argument (atom or string). */
export function tokenText(token: ImapToken | undefined): string {
  if (!token || token.type === 'list') throw new ImapSyntaxError('Expected a string argument');
  return token.value;
}

// Server-side IMAP output: strings as quoted/literal/NIL, dates, and a response assembler
// that keeps message bytes as Buffers (no re-encoding of 8-bit content).

export type WirePart = string | Buffer;

const QUOTABLE = /^[\x20-\x7e]*$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An nstring. Text is taken as latin1 so header bytes survive unchanged; anything that is
 * not printable ASCII goes out as a literal.
 */
export function nstring(value: string | Buffer | null | undefined): WirePart {
  if (value === null || value === undefined) return 'NIL';
  if (Buffer.isBuffer(value)) return literal(value);
  if (QUOTABLE.test(value)) return `"${value.replace(/["\\]/g, '\\$&')}"`;
  return literal(Buffer.from(value, 'latin1'));
}

export function literal(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`, 'latin1'), bytes]);
}

/** A parenthesized list, already encoded. Address lists are written without separators. */
export function list(items: WirePart[], separator = ' '): Buffer {
  const out: WirePart[] = ['('];
  items.forEach((item, i) => {
    if (i && separator) out.push(separator);
    out.push(item);
  });
  out.push(')');
  return toWire(out);
}

export function toWire(parts: WirePart[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part)));
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** INTERNALDATE, always in UTC: `"17-Jul-1996 02:44:25 +0000"`. */
export function formatInternalDate(ms: number): string {
  const d = new Date(ms);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `"${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${time} +0000"`;
}

/** A SEARCH date (`1-Feb-1994`) as the UTC midnight it names, or null. */
export function parseSearchDate(text: string): number | null {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!match) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2].toLowerCase());
  return month < 0 ? null : Date.UTC(Number(match[3]), month, Number(match[1]));
}

/** UTC midnight of the day a timestamp falls on; IMAP date searches ignore the time of day. */
export function utcDay(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

// Builds raw RFC 5322 messages (CRLF line endings) for delivery in tests, including awkward ones
// the service must survive: 8-bit, non-UTF-8, broken MIME, encoded-word subjects, huge bodies.
import { randomBytes } from 'node:crypto';

export interface MailSpec {
  from?: string;
  to?: string | string[];
  /** Non-ASCII subjects are sent as an RFC 2047 UTF-8 encoded word. */
  subject?: string;
  /** A string is sent as UTF-8 (8bit when non-ASCII); a Buffer is sent as-is (set `charset`). */
  body?: string | Buffer;
  /** Charset label for the text/plain body (default utf-8). */
  charset?: string;
  /** Without angle brackets they are added. Default: random id @example.test. */
  messageId?: string;
  date?: Date;
  /** Extra or overriding headers, written in order after the standard ones. */
  headers?: Record<string, string>;
}

export const DEFAULT_FROM = 'Sender <sender@example.test>';
export const DEFAULT_TO = 'user0001@example.test';

const CRLF = '\r\n';

/** A text/plain message. Extra headers with the same name as a standard one replace it. */
export function buildMail(spec: MailSpec = {}): Buffer {
  const body = toCrlf(
    typeof spec.body === 'string' || spec.body === undefined
      ? Buffer.from(spec.body ?? 'Hello from the test suite.\n', 'utf8')
      : spec.body,
  );
  const eightBit = body.some((byte) => byte > 0x7f);
  const subject = spec.subject ?? 'Test message';
  const headers = new Map<string, [string, string]>();
  const set = (name: string, value: string): void => void headers.set(name.toLowerCase(), [name, value]);
  set('From', spec.from ?? DEFAULT_FROM);
  set('To', [spec.to ?? DEFAULT_TO].flat().join(', '));
  set('Subject', isAscii(subject) ? subject : encodedWord(subject));
  set('Date', formatDate(spec.date ?? new Date()));
  set('Message-ID', angle(spec.messageId ?? `${randomBytes(8).toString('hex')}@example.test`));
  set('MIME-Version', '1.0');
  set('Content-Type', `text/plain; charset=${spec.charset ?? 'utf-8'}`);
  set('Content-Transfer-Encoding', eightBit ? '8bit' : '7bit');
  for (const [name, value] of Object.entries(spec.headers ?? {})) set(name, value);
  return assemble([...headers.values()], body);
}

/** UTF-8 body with non-ASCII characters, Content-Transfer-Encoding: 8bit. */
export function eightBitMail(spec: MailSpec = {}): Buffer {
  return buildMail({ subject: '8-bit body', body: 'Grüße aus Köln – naïve café, 日本語, emoji 📬\n', ...spec });
}

/** Body as raw ISO-8859-1 bytes (invalid as UTF-8), labelled charset=ISO-8859-1. */
export function latin1Mail(spec: MailSpec = {}): Buffer {
  return buildMail({
    subject: 'Latin-1 body',
    body: Buffer.from('Grüße, Straße, déjà vu, ñ, £5\n', 'latin1'),
    charset: 'ISO-8859-1',
    ...spec,
  });
}

/** The body as Buffer.from(text, 'latin1') produces, for asserting on decoded output. */
export const LATIN1_TEXT = 'Grüße, Straße, déjà vu, ñ, £5';

/**
 * Deliberately broken MIME: multipart without its closing boundary, a header line without a colon,
 * invalid base64, and an unknown transfer encoding. Parsers must not crash on it.
 */
export function malformedMimeMail(spec: Omit<MailSpec, 'body' | 'charset'> = {}): Buffer {
  const boundary = 'broken-boundary-42';
  const body = [
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'this header line has no colon',
    '',
    'First part, fine so far.',
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="x.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    'this is @@@ not === valid base64 !!!',
    `--${boundary}`,
    'Content-Type: text/plain; charset=unknown-8bit-charset',
    'Content-Transfer-Encoding: x-made-up',
    '',
    'Last part, and the closing boundary never comes.',
    '',
  ].join('\n');
  return buildMail({
    subject: 'Malformed MIME',
    ...spec,
    body,
    headers: {
      'Content-Type': `multipart/mixed; boundary="${boundary}"`,
      'Content-Transfer-Encoding': '7bit',
      ...spec.headers,
    },
  });
}

/** Subject always written as `=?UTF-8?B?...?=` (also when ASCII); decodes to `subject`. */
export function encodedWordSubjectMail(subject = 'Rechnung Nr. 42 – fällig ✓', spec: MailSpec = {}): Buffer {
  return buildMail({ ...spec, headers: { Subject: encodedWord(subject), ...spec.headers } });
}

/** A message of exactly `totalBytes` bytes (headers included), body made of 76-char ASCII lines. */
export function largeMail(totalBytes: number, spec: Omit<MailSpec, 'body'> = {}): Buffer {
  const head = buildMail({ subject: `Large message (${totalBytes} bytes)`, ...spec, body: '' });
  // buildMail('') ends with the blank separator line; the body must end with CRLF.
  let remaining = totalBytes - head.length;
  if (remaining < 2) throw new Error(`largeMail: ${totalBytes} bytes is smaller than the headers (${head.length + 2})`);
  const line = `${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(3).slice(0, 76)}${CRLF}`;
  const chunks: string[] = [];
  while (remaining > line.length) {
    chunks.push(line);
    remaining -= line.length;
  }
  chunks.push(`${'x'.repeat(remaining - 2)}${CRLF}`);
  return Buffer.concat([head, Buffer.from(chunks.join(''), 'ascii')]);
}

/** RFC 2047 B-encoding, split so each encoded word stays within 75 chars and on UTF-8 character boundaries. */
export function encodedWord(text: string): string {
  const words: string[] = [];
  let current = '';
  for (const char of text) {
    if (Buffer.byteLength(current + char) > 45) {
      words.push(current);
      current = '';
    }
    current += char;
  }
  words.push(current);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** RFC 5322 date-time, e.g. "Tue, 03 Mar 2026 09:05:00 +0000". */
export function formatDate(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} +0000`;
}

function assemble(headers: [string, string][], body: Buffer): Buffer {
  const head = headers.map(([name, value]) => `${name}: ${value}${CRLF}`).join('') + CRLF;
  return Buffer.concat([Buffer.from(head, 'utf8'), body]);
}

/** Bare LF and lone CR become CRLF, byte-wise so non-UTF-8 bodies survive. */
function toCrlf(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte !== 0x0d && byte !== 0x0a) continue;
    parts.push(body.subarray(start, i), Buffer.from(CRLF));
    if (byte === 0x0d && body[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  parts.push(body.subarray(start));
  return Buffer.concat(parts);
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function angle(id: string): string {
  return id.startsWith('<') ? id : `<${id}>`;
}

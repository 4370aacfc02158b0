// RFC 5322 header access on a raw message, done on demand so the store keeps only the bytes.
// Header text is handled as latin1, which maps bytes 1:1 and so keeps 8-bit headers intact.

export interface HeaderField {
  /** Lower-cased field name. */
  name: string;
  /** The field exactly as written, folding and line ending included. */
  raw: string;
  /** Unfolded and trimmed value. */
  value: string;
}

/** Offset of the body: just past the blank line, or the end when there is none. */
export function bodyOffset(raw: Buffer): number {
  if (raw[0] === 0x0a) return 1;
  if (raw[0] === 0x0d && raw[1] === 0x0a) return 2;
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : raw.length;
}

export function readHeaderFields(raw: Buffer): HeaderField[] {
  const text = raw.toString('latin1', 0, bodyOffset(raw));
  const fields: HeaderField[] = [];
  for (const line of text.split(/(?<=\n)/)) {
    if (line === '\r\n' || line === '\n') break;
    const last = fields[fields.length - 1];
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      last.raw += line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim().toLowerCase(), raw: line, value: '' });
  }
  for (const field of fields) {
    field.value = field.raw
      .slice(field.raw.indexOf(':') + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .replace(/\r?\n$/, '')
      .trim();
  }
  return fields;
}

export function headerValue(fields: HeaderField[], name: string): string | undefined {
  return fields.find((field) => field.name === name)?.value;
}

/** BODY[HEADER.FIELDS (...)] / HEADER.FIELDS.NOT: the chosen fields as written, then the blank line. */
export function selectHeaderFields(raw: Buffer, names: string[], exclude: boolean): Buffer {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const picked = readHeaderFields(raw)
    .filter((field) => wanted.has(field.name) !== exclude)
    .map((field) => (field.raw.endsWith('\n') ? field.raw : `${field.raw}\r\n`));
  return Buffer.from(`${picked.join('')}\r\n`, 'latin1');
}

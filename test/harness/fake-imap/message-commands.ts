// FETCH, STORE and SEARCH (plain and UID). Every flag change is recorded, so a test
// can prove the client never marked anything \Seen.

import { isWholeMessage, parseFetchItems, renderFetch, type FetchItem } from './fetch-items.js';
import { list, toWire } from './imap-encoding.js';
import { ImapSyntaxError, tokenText, type ImapToken, type ParsedCommand } from './imap-parser.js';
import { compileSearch } from './imap-search.js';
import type { ImapSession } from './imap-session.js';
import type { Mailbox, StoredMessage } from './mailbox-store.js';
import { selectMessages } from './sequence-set.js';

const SEEN = '\\Seen';
const FLAGS_ITEM: FetchItem = { kind: 'FLAGS' };

function changeFlags(
  session: ImapSession,
  mailbox: Mailbox,
  message: StoredMessage,
  after: string[],
  via: string,
): void {
  session.host.stats.flagChanges.push({
    user: session.username as string,
    mailbox: mailbox.name,
    uid: message.uid,
    via,
    before: message.flags,
    after,
  });
  mailbox.setFlags(message, after);
}

function sequenceSetArgument(token: ImapToken | undefined): string {
  if (!token || token.type !== 'atom') throw new ImapSyntaxError('Expected a sequence set.');
  return token.value;
}

export function fetch(session: ImapSession, { tag, name, args }: ParsedCommand): void {
  const byUid = name === 'UID FETCH';
  const mailbox = session.selected as Mailbox;
  const setText = sequenceSetArgument(args[0]);
  const items = parseFetchItems(args.slice(1), byUid);
  session.flushExists(); // sequence numbers in the reply must be ones the client knows
  const indexes = selectMessages(mailbox, setText, byUid);
  const marksSeen = !session.readOnly && items.some((item) => item.kind === 'section' && item.setsSeen);
  const servesWhole = items.some(isWholeMessage);
  const fault = session.fetchFault;
  const section = items.find((item) => item.kind === 'section');
  if (fault?.type === 'huge-literal' && section && indexes.length) {
    const message = mailbox.messages[indexes[0]];
    const head = `* ${indexes[0] + 1} FETCH (UID ${message.uid} ${section.label} {${fault.bytes}}\r\n`;
    return session.stream(hugeLiteral(head, fault.bytes), () => session.complete(tag, 'OK', `${name} completed.`));
  }
  for (const index of indexes) {
    const message = mailbox.messages[index];
    let itemsForMessage = items;
    if (marksSeen && !message.flags.includes(SEEN)) {
      changeFlags(session, mailbox, message, [...message.flags, SEEN], `${name} BODY[]`);
      // The new flags must be reported (RFC 3501 §6.4.5)
      if (!items.some((item) => item.kind === 'FLAGS')) itemsForMessage = [...items, FLAGS_ITEM];
    }
    const reported = fault?.type === 'lying-size' ? { ...message, size: fault.size } : message;
    session.write(renderFetch(reported, index + 1, itemsForMessage));
    if (servesWhole) session.host.stats.messageServed(session.username as string);
  }
  if (fault?.type === 'fetch-flood' && indexes.length) {
    return session.stream(fetchFlood(mailbox, indexes[0], items), () => undefined);
  }
  session.complete(tag, 'OK', `${name} completed.`);
}

const STREAM_CHUNK_BYTES = 64 * 1024;

/** `head`, `bytes` bytes of filler, and the end of the FETCH row, in chunks. */
function* hugeLiteral(head: string, bytes: number): Generator<Buffer> {
  yield Buffer.from(head, 'latin1');
  const filler = Buffer.alloc(STREAM_CHUNK_BYTES, 'x');
  for (let left = bytes; left > 0; left -= filler.length) yield filler.subarray(0, Math.min(left, filler.length));
  yield Buffer.from(')\r\n', 'latin1');
}

/** Endless copies of the first answered row, each with a UID the mailbox never had. */
function* fetchFlood(mailbox: Mailbox, index: number, items: FetchItem[]): Generator<Buffer> {
  const message = mailbox.messages[index];
  for (let uid = mailbox.uidNext + 1_000_000; ;) {
    const rows: Buffer[] = [];
    let size = 0;
    while (size < STREAM_CHUNK_BYTES) {
      const row = renderFetch({ ...message, uid: uid++ }, index + 1, items);
      rows.push(row);
      size += row.length;
    }
    yield Buffer.concat(rows);
  }
}

export function store(session: ImapSession, { tag, name, args }: ParsedCommand): void {
  const byUid = name === 'UID STORE';
  const mailbox = session.selected as Mailbox;
  const setText = sequenceSetArgument(args[0]);
  const operation = /^([+-]?)FLAGS(\.SILENT)?$/i.exec(tokenText(args[1]));
  if (!operation) throw new ImapSyntaxError('Expected FLAGS, +FLAGS or -FLAGS.');
  const flagTokens = args[2]?.type === 'list' ? args[2].items : args.slice(2);
  const flags = flagTokens.map(tokenText);
  if (session.readOnly) return session.complete(tag, 'NO', '[READ-ONLY] Mailbox is read-only.');
  session.flushExists();
  for (const index of selectMessages(mailbox, setText, byUid)) {
    const message = mailbox.messages[index];
    const current = new Set(message.flags);
    if (operation[1] === '') current.clear();
    for (const flag of flags) {
      if (operation[1] === '-') current.delete(flag);
      else current.add(flag);
    }
    const after = [...current];
    const changed = after.length !== message.flags.length || after.some((flag) => !message.flags.includes(flag));
    if (changed) changeFlags(session, mailbox, message, after, name);
    if (!operation[2]) {
      session.write(
        toWire([`* ${index + 1} FETCH (FLAGS `, list(after), byUid ? ` UID ${message.uid})\r\n` : ')\r\n']),
      );
    }
  }
  session.complete(tag, 'OK', `${name} completed.`);
}

export function search(session: ImapSession, { tag, name, args }: ParsedCommand): void {
  const byUid = name === 'UID SEARCH';
  const mailbox = session.selected as Mailbox;
  const matches = compileSearch(args, mailbox);
  session.flushExists();
  const hits: number[] = [];
  mailbox.messages.forEach((message, index) => {
    if (matches(message, index + 1)) hits.push(byUid ? message.uid : index + 1);
  });
  session.write(`* SEARCH${hits.map((hit) => ` ${hit}`).join('')}\r\n`);
  session.complete(tag, 'OK', `${name} completed.`);
}

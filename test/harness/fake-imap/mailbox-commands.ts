// LIST/LSUB/XLIST, SELECT/EXAMINE, STATUS and CLOSE/UNSELECT.

import { nstring, toWire } from './imap-encoding.js';
import { ImapSyntaxError, tokenText, type ParsedCommand } from './imap-parser.js';
import type { ImapSession } from './imap-session.js';
import { INBOX, MAILBOX_DELIMITER, type MailAccount, type Mailbox } from './mailbox-store.js';

const SYSTEM_FLAGS = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

interface ListEntry {
  name: string;
  /** null for a parent that exists only as a path segment, like Gmail's `[Gmail]`. */
  mailbox: Mailbox | null;
}

function listEntries(account: MailAccount): ListEntry[] {
  const entries: ListEntry[] = [];
  const seen = new Set<string>();
  for (const mailbox of account.mailboxes) {
    const segments = mailbox.name.split(MAILBOX_DELIMITER);
    for (let depth = 1; depth < segments.length; depth++) {
      const parent = segments.slice(0, depth).join(MAILBOX_DELIMITER);
      if (!seen.has(parent) && !account.mailbox(parent)) entries.push({ name: parent, mailbox: null });
      seen.add(parent);
    }
    entries.push({ name: mailbox.name, mailbox });
    seen.add(mailbox.name);
  }
  return entries;
}

/** LIST wildcards: `*` matches anything, `%` anything but the delimiter. */
function patternToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/%/g, `[^${MAILBOX_DELIMITER}]*`);
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
}

export function list(session: ImapSession, { tag, name, args }: ParsedCommand): void {
  const keyword = name as 'LIST' | 'LSUB' | 'XLIST';
  const operands = args[0]?.type === 'list' ? args.slice(1) : args; // LIST (selection options) ...
  const pattern = tokenText(operands[0]) + tokenText(operands[1]);
  if (!tokenText(operands[1])) {
    session.write(`* ${keyword} (\\Noselect) "${MAILBOX_DELIMITER}" ""\r\n`);
    return session.complete(tag, 'OK', `${keyword} completed.`);
  }
  const matcher = patternToRegExp(pattern, false);
  const inboxMatcher = patternToRegExp(pattern, true);
  const { specialUse } = session.host.behavior;
  // A `mailbox-missing` fault without a name drops INBOX from the listing
  const hidden = session.hiddenMailbox === null ? null : session.hiddenMailbox === '*' ? INBOX : session.hiddenMailbox;
  const entries = listEntries(session.account as MailAccount);
  for (const entry of entries) {
    if (entry.name === hidden) continue;
    if (!(entry.name === INBOX ? inboxMatcher : matcher).test(entry.name)) continue;
    const hasChildren = entries.some((other) => other.name.startsWith(entry.name + MAILBOX_DELIMITER));
    const flags = [hasChildren ? '\\HasChildren' : '\\HasNoChildren'];
    if (!entry.mailbox) flags.unshift('\\Noselect');
    if (keyword !== 'LSUB' && specialUse && entry.mailbox?.specialUse) flags.push(entry.mailbox.specialUse);
    if (keyword === 'XLIST' && entry.name === INBOX) flags.push('\\Inbox');
    session.write(toWire([`* ${keyword} (${flags.join(' ')}) "${MAILBOX_DELIMITER}" `, nstring(entry.name), '\r\n']));
  }
  session.complete(tag, 'OK', `${keyword} completed.`);
}

export function select(session: ImapSession, { tag, name, args }: ParsedCommand): void {
  const path = tokenText(args[0]);
  const mailbox = session.lookupMailbox(path);
  session.select(null); // even a failed SELECT leaves the old mailbox (RFC 3501 §6.3.1)
  if (!mailbox) return session.complete(tag, 'NO', `[NONEXISTENT] Mailbox doesn't exist: ${path}`);
  const readOnly = name === 'EXAMINE';
  // Opening read-write saves pending UIDs first, so the numbers sent here are the lasting ones.
  session.select(mailbox, readOnly);
  const uidNext = session.host.behavior.omitUidNext
    ? ''
    : `* OK [UIDNEXT ${mailbox.predictedUidNext}] Predicted next UID.\r\n`;
  session.write(
    `* FLAGS (${SYSTEM_FLAGS})\r\n` +
      `* OK [PERMANENTFLAGS (${readOnly ? '' : `${SYSTEM_FLAGS} \\*`})] Flags permitted.\r\n` +
      `* ${mailbox.exists} EXISTS\r\n` +
      '* 0 RECENT\r\n' +
      `* OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid.\r\n` +
      uidNext,
  );
  session.complete(tag, 'OK', `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${name} completed.`);
}

export function status(session: ImapSession, { tag, args }: ParsedCommand): void {
  const path = tokenText(args[0]);
  const wanted = args[1];
  if (!wanted || wanted.type !== 'list') throw new ImapSyntaxError('STATUS expects a list of items.');
  const mailbox = session.lookupMailbox(path);
  if (!mailbox) return session.complete(tag, 'NO', `[NONEXISTENT] Mailbox doesn't exist: ${path}`);
  const values = wanted.items.map((item) => {
    const key = tokenText(item).toUpperCase();
    switch (key) {
      case 'MESSAGES':
        return `MESSAGES ${mailbox.exists}`;
      case 'RECENT':
        return 'RECENT 0';
      case 'UIDNEXT':
        return `UIDNEXT ${mailbox.predictedUidNext}`;
      case 'UIDVALIDITY':
        return `UIDVALIDITY ${mailbox.uidValidity}`;
      case 'UNSEEN':
        return `UNSEEN ${mailbox.messages.filter((message) => !message.flags.includes('\\Seen')).length}`;
      default:
        throw new ImapSyntaxError(`Fake IMAP does not support STATUS item ${key}.`);
    }
  });
  session.write(toWire(['* STATUS ', nstring(mailbox.name), ` (${values.join(' ')})\r\n`]));
  session.complete(tag, 'OK', 'Status completed.');
}

export function close(session: ImapSession, { tag, name }: ParsedCommand): void {
  session.select(null);
  session.complete(tag, 'OK', `${name} completed.`);
}

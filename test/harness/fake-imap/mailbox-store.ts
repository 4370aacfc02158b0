// Accounts, mailboxes and messages, held compactly: a message is its raw bytes plus a few
// numbers, and headers are parsed only when a command needs them.

export const INBOX = 'INBOX';
export const GMAIL_ALL_MAIL = '[Gmail]/All Mail';
export const MAILBOX_DELIMITER = '/';

const NO_FLAGS: readonly string[] = Object.freeze([]);

export interface StoredMessage {
  uid: number;
  readonly raw: Buffer;
  /** Milliseconds since the epoch. */
  readonly internalDate: number;
  /** Replaced, never mutated, so messages without flags can share one empty array. */
  flags: readonly string[];
  /** Where a not-yet-saved message sorts (a maildir file name: when its delivery began); see `uidsSavedReadWriteOnly`. */
  readonly sortKey: number;
}

/** A session that has the mailbox selected and wants to hear about new mail. */
export interface MailboxWatcher {
  mailboxChanged(mailbox: Mailbox): void;
}

export class Mailbox {
  readonly messages: StoredMessage[] = [];
  uidNext = 1;
  /**
   * Courier-like: a UID is given for good only while a read-write (SELECT) session has the mailbox open.
   * Until then, mail after the saved part is numbered from `uidNext` by `sortKey` and renumbered whenever
   * mail arrives (same UIDVALIDITY), so a message that sorts first takes a UID a client has already seen.
   */
  uidsSavedReadWriteOnly = false;
  /** `messages[savedCount..]` have provisional UIDs (only with `uidsSavedReadWriteOnly`). */
  private savedCount = 0;
  private readWriteSessions = 0;
  /** Created on first SELECT, so never-opened mailboxes carry no Set. */
  private watchers: Set<MailboxWatcher> | null = null;

  constructor(
    readonly name: string,
    public uidValidity: number,
    /** RFC 6154 flag such as `\All`, shown in LIST when the server enables special-use. */
    readonly specialUse: string | null = null,
  ) {}

  get exists(): number {
    return this.messages.length;
  }

  append(raw: Buffer, internalDate: number, flags: readonly string[], sortKey = Date.now()): StoredMessage {
    const message: StoredMessage = {
      uid: this.uidsSavedReadWriteOnly ? 0 : this.uidNext++,
      raw,
      internalDate,
      flags: flags.length ? [...flags] : NO_FLAGS,
      sortKey,
    };
    this.messages.push(message);
    if (this.uidsSavedReadWriteOnly) this.rescan();
    this.watchers?.forEach((watcher) => watcher.mailboxChanged(this));
    return message;
  }

  /** A session opened (true) or closed (false) the mailbox read-write; while one is open, new mail is saved. */
  readWriteOpened(open: boolean): void {
    this.readWriteSessions += open ? 1 : -1;
    if (open && this.uidsSavedReadWriteOnly) this.rescan();
  }

  /** Numbers the unsaved mail by sort order after the saved part, and saves it if a read-write session is open. */
  private rescan(): void {
    const unsaved = this.messages.splice(this.savedCount).sort((a, b) => a.sortKey - b.sortKey);
    unsaved.forEach((message, i) => (message.uid = this.uidNext + i));
    this.messages.push(...unsaved);
    if (this.readWriteSessions > 0) {
      this.savedCount = this.messages.length;
      this.uidNext += unsaved.length;
    }
  }

  /** What STATUS reports as UIDNEXT: past every UID shown, saved or provisional. */
  get predictedUidNext(): number {
    return Math.max(this.uidNext, this.highestUid + 1);
  }

  /** Index into `messages` (sequence number - 1) of a UID, or -1. UIDs are ascending. */
  indexOfUid(uid: number): number {
    let lo = 0;
    let hi = this.messages.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.messages[mid].uid;
      if (at === uid) return mid;
      if (at < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  get highestUid(): number {
    return this.messages.length ? this.messages[this.messages.length - 1].uid : 0;
  }

  /**
   * New UIDVALIDITY. `renumber` gives the messages fresh UIDs as a mailbox rebuild would:
   * `true` from 1, a number from that UID; `false` keeps them.
   */
  changeUidValidity(value: number, renumber: boolean | number): void {
    this.uidValidity = value;
    if (renumber === false) return;
    const first = renumber === true ? 1 : renumber;
    this.messages.forEach((message, i) => (message.uid = first + i));
    this.uidNext = first + this.messages.length;
    this.savedCount = this.messages.length;
  }

  setFlags(message: StoredMessage, flags: readonly string[]): void {
    message.flags = flags.length ? flags : NO_FLAGS;
  }

  watch(watcher: MailboxWatcher): void {
    (this.watchers ??= new Set()).add(watcher);
  }

  unwatch(watcher: MailboxWatcher): void {
    this.watchers?.delete(watcher);
    if (this.watchers?.size === 0) this.watchers = null;
  }
}

export class MailAccount {
  readonly mailboxes: Mailbox[] = [];

  constructor(
    readonly username: string,
    public password: string,
  ) {}

  /** Mailbox by name; INBOX is case-insensitive (RFC 3501 §5.1). */
  mailbox(name: string): Mailbox | undefined {
    const wanted = name.toUpperCase() === INBOX ? INBOX : name;
    return this.mailboxes.find((mailbox) => mailbox.name === wanted);
  }

  requireMailbox(name: string): Mailbox {
    const mailbox = this.mailbox(name);
    if (!mailbox) throw new Error(`Fake IMAP: ${this.username} has no mailbox ${name}`);
    return mailbox;
  }
}

export interface AccountOptions {
  /** Adds a Gmail-like `[Gmail]/All Mail` (special-use `\All`) that also receives INBOX mail. */
  gmailAllMail?: boolean;
  /** See Mailbox.uidsSavedReadWriteOnly. */
  uidsSavedReadWriteOnly?: boolean;
}

export class MailboxStore {
  private readonly accounts = new Map<string, MailAccount>();

  constructor(private nextUidValidity = 1) {}

  addAccount(username: string, password: string, options: AccountOptions = {}): MailAccount {
    if (this.accounts.has(username)) throw new Error(`Fake IMAP: user ${username} already exists`);
    const account = new MailAccount(username, password);
    account.mailboxes.push(new Mailbox(INBOX, this.nextUidValidity++));
    if (options.gmailAllMail) account.mailboxes.push(new Mailbox(GMAIL_ALL_MAIL, this.nextUidValidity++, '\\All'));
    for (const mailbox of account.mailboxes) mailbox.uidsSavedReadWriteOnly = options.uidsSavedReadWriteOnly ?? false;
    this.accounts.set(username, account);
    return account;
  }

  account(username: string): MailAccount | undefined {
    return this.accounts.get(username);
  }

  requireAccount(username: string): MailAccount {
    const account = this.accounts.get(username);
    if (!account) throw new Error(`Fake IMAP: unknown user ${username}`);
    return account;
  }

  get accountCount(): number {
    return this.accounts.size;
  }
}

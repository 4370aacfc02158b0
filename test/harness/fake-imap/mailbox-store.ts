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
}

/** A session that has the mailbox selected and wants to hear about new mail. */
export interface MailboxWatcher {
  mailboxChanged(mailbox: Mailbox): void;
}

export class Mailbox {
  readonly messages: StoredMessage[] = [];
  uidNext = 1;
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

  append(raw: Buffer, internalDate: number, flags: readonly string[]): StoredMessage {
    const message: StoredMessage = {
      uid: this.uidNext++,
      raw,
      internalDate,
      flags: flags.length ? [...flags] : NO_FLAGS,
    };
    this.messages.push(message);
    this.watchers?.forEach((watcher) => watcher.mailboxChanged(this));
    return message;
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
}

export class MailboxStore {
  private readonly accounts = new Map<string, MailAccount>();

  constructor(private nextUidValidity = 1) {}

  addAccount(username: string, password: string, options: AccountOptions = {}): MailAccount {
    if (this.accounts.has(username)) throw new Error(`Fake IMAP: user ${username} already exists`);
    const account = new MailAccount(username, password);
    account.mailboxes.push(new Mailbox(INBOX, this.nextUidValidity++));
    if (options.gmailAllMail) account.mailboxes.push(new Mailbox(GMAIL_ALL_MAIL, this.nextUidValidity++, '\\All'));
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

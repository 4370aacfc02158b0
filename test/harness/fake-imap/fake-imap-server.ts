// An in-process IMAP server for tests: real TCP, enough IMAP4rev1 for imapflow, and faults
// on demand (per command, per user, or at random) that a real Dovecot cannot produce.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import { FaultScript, type ChaosOptions, type FaultHandle, type FaultRule } from './fault-script.js';
import type { HandshakeChange } from './handshake-timeline.js';
import { ImapSession, type ServerBehavior, type SessionHost } from './imap-session.js';
import { GMAIL_ALL_MAIL, INBOX, MailboxStore, type Mailbox } from './mailbox-store.js';
import { ServerStats, type FlagChange, type ServerTotals, type UserStats } from './server-stats.js';

export interface ListenAddress {
  host?: string;
  port?: number;
}

export interface FakeImapServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Listen on several addresses at once; replaces host/port. */
  listen?: ListenAddress[];
  /** Advertise and accept IDLE. Default true; false makes imapflow poll with NOOP. */
  idle?: boolean;
  /** Advertise AUTH=PLAIN (imapflow then uses AUTHENTICATE PLAIN, else LOGIN). Default true. */
  authPlain?: boolean;
  /** Advertise SASL-IR (initial response on the AUTHENTICATE line). Default false. */
  saslIr?: boolean;
  /** Advertise UIDPLUS. Default false. */
  uidPlus?: boolean;
  /** How special-use flags such as `\All` are announced. Default `SPECIAL-USE`; false hides them. */
  specialUse?: 'SPECIAL-USE' | 'XLIST' | false;
  /** Every login fails: true for `[AUTHENTICATIONFAILED]`, or the NO text to send. */
  authFail?: boolean | string;
  /** Enables AUTH=XOAUTH2; decides whether a bearer token is valid for the user. */
  xoauth2?: (username: string, accessToken: string) => boolean | Promise<boolean>;
  /** Text of the `* OK` greeting. */
  greeting?: string;
  /** The program name of the ID answer (clients tell servers apart by it). Default `FakeImap`. */
  serverName?: string;
  /** Random faults for stress tests; scripted rules take precedence. */
  chaos?: ChaosOptions;
  /** UIDVALIDITY given to the first mailbox created; later ones count up. Default 1. */
  firstUidValidity?: number;
  /** Keep every command in order in `commandLog` (for debugging and sequence assertions). Default false. */
  logCommands?: boolean;
  /** Listen backlog; raise it when thousands of clients connect at once. Default 1024. */
  backlog?: number;
  /** Courier-like: SELECT/EXAMINE never send `[UIDNEXT]` (RFC 3501 lets a server omit it). Default false. */
  omitUidNext?: boolean;
  /**
   * Courier-like: UIDs are saved only while a read-write (SELECT) session has the mailbox open; under EXAMINE
   * unsaved mail is numbered by when its delivery began and renumbered as mail arrives, same UIDVALIDITY.
   * Default false.
   */
  reassignUidsWhenReadOnly?: boolean;
  /** Keep the last N events per user (commands, faults, EXISTS sent, mail stored) for `traceOf`. Default 0 (off). */
  traceUsers?: number;
}

export interface AddUserOptions {
  /** Adds Gmail's `[Gmail]/All Mail` (special-use `\All`); INBOX mail also lands there. */
  gmailAllMail?: boolean;
}

export interface AppendOptions {
  /** Default now. */
  internalDate?: Date;
  flags?: string[];
  /** Default INBOX (and, for Gmail-like users, All Mail too). */
  mailbox?: string;
  /**
   * When the delivery began (default now): with `reassignUidsWhenReadOnly`, unsaved mail is numbered in this
   * order, so a slow delivery overtaken by a quick one sorts before it.
   */
  deliveryStartedAt?: Date;
}

export interface SetUidValidityOptions {
  /** Give the messages new UIDs as after a mailbox rebuild: true = from 1, a number = from that UID. Default false (UIDs kept). */
  renumber?: boolean | number;
  /** Default INBOX. */
  mailbox?: string;
}

export interface MessageInfo {
  uid: number;
  flags: readonly string[];
  internalDate: Date;
  size: number;
}

export class FakeImapServer implements SessionHost {
  readonly store: MailboxStore;
  readonly stats: ServerStats;
  readonly faults: FaultScript;
  readonly behavior: ServerBehavior;
  private readonly servers: Server[] = [];
  private readonly sessions = new Set<ImapSession>();
  private listenAddresses: ListenAddress[];
  private readonly backlog: number;
  private readonly reassignUidsWhenReadOnly: boolean;

  constructor(options: FakeImapServerOptions = {}) {
    this.listenAddresses = options.listen?.length ? options.listen : [{ host: options.host, port: options.port }];
    this.backlog = options.backlog ?? 1024;
    this.reassignUidsWhenReadOnly = options.reassignUidsWhenReadOnly ?? false;
    this.store = new MailboxStore(options.firstUidValidity ?? 1);
    this.stats = new ServerStats(options.logCommands ?? false, options.traceUsers ?? 0);
    this.faults = new FaultScript(options.chaos);
    this.behavior = {
      idle: options.idle ?? true,
      authPlain: options.authPlain ?? true,
      saslIr: options.saslIr ?? false,
      uidPlus: options.uidPlus ?? false,
      specialUse: options.specialUse ?? 'SPECIAL-USE',
      authFailText:
        options.authFail === true ? '[AUTHENTICATIONFAILED] Authentication failed.' : options.authFail || null,
      xoauth2: options.xoauth2 ?? null,
      greeting: options.greeting ?? 'FakeImap ready.',
      serverName: options.serverName ?? 'FakeImap',
      omitUidNext: options.omitUidNext ?? false,
    };
  }

  /** Creates a server and waits until it accepts connections. */
  static async start(options: FakeImapServerOptions = {}): Promise<FakeImapServer> {
    const server = new FakeImapServer(options);
    await server.listen();
    return server;
  }

  async listen(): Promise<void> {
    for (const address of this.listenAddresses) {
      const server = createServer((socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: address.port ?? 0, host: address.host ?? '127.0.0.1', backlog: this.backlog }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
    }
  }

  /** The bound addresses, in the order given. */
  get addresses(): Array<{ host: string; port: number }> {
    return this.servers.map((server) => {
      const info = server.address() as AddressInfo;
      return { host: info.address, port: info.port };
    });
  }

  /** Port of the first listener. */
  get port(): number {
    return this.addresses[0].port;
  }

  get host(): string {
    return this.addresses[0].host;
  }

  addUser(username: string, password: string, options: AddUserOptions = {}): void {
    this.store.addAccount(username, password, {
      gmailAllMail: options.gmailAllMail,
      uidsSavedReadWriteOnly: this.reassignUidsWhenReadOnly,
    });
  }

  /** Stores a message and returns its UID in the target mailbox. IDLE-ing sessions hear `* N EXISTS` at once. */
  appendMessage(username: string, raw: Buffer | string, options: AppendOptions = {}): number {
    const account = this.store.requireAccount(username);
    const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const internalDate = (options.internalDate ?? new Date()).getTime();
    const flags = options.flags ?? [];
    const sortKey = (options.deliveryStartedAt ?? new Date()).getTime();
    const target = account.requireMailbox(options.mailbox ?? INBOX);
    const uid = target.append(bytes, internalDate, flags, sortKey).uid;
    this.stats.trace(username, `stored UID ${uid} in ${target.name}`);
    const allMail = account.mailbox(GMAIL_ALL_MAIL);
    if (allMail && target.name === INBOX) allMail.append(bytes, internalDate, flags, sortKey);
    return uid;
  }

  uidValidity(username: string, mailbox = INBOX): number {
    return this.mailbox(username, mailbox).uidValidity;
  }

  setUidValidity(username: string, value: number, options: SetUidValidityOptions = {}): void {
    this.mailbox(username, options.mailbox ?? INBOX).changeUidValidity(value, options.renumber ?? false);
  }

  /** What the store holds, for assertions. */
  messages(username: string, mailbox = INBOX): MessageInfo[] {
    return this.mailbox(username, mailbox).messages.map((message) => ({
      uid: message.uid,
      flags: message.flags,
      internalDate: new Date(message.internalDate),
      size: message.raw.length,
    }));
  }

  /** Registers a fault rule; see FaultRule for matching. */
  script(rule: FaultRule): FaultHandle {
    return this.faults.add(rule);
  }

  clearScripts(): void {
    this.faults.clear();
  }

  /** Starts, changes or (with null) stops random chaos. */
  setChaos(chaos: ChaosOptions | null): void {
    this.faults.setChaos(chaos);
  }

  /** The user's recent events (see the traceUsers option), oldest first. */
  traceOf(username: string): readonly string[] {
    return this.stats.traceOf(username);
  }

  userStats(username: string): UserStats {
    return this.stats.snapshot(username);
  }

  commandCount(username: string, command: string): number {
    return this.stats.commandCount(username, command);
  }

  openSessions(username: string): number {
    return this.stats.snapshot(username).openSessions;
  }

  /** Commands in arrival order; only with the `logCommands` option. */
  get commandLog(): ReadonlyArray<{ user: string | undefined; command: string }> {
    if (!this.stats.commandLog) throw new Error('Fake IMAP: start the server with logCommands: true');
    return this.stats.commandLog;
  }

  get flagChanges(): readonly FlagChange[] {
    return this.stats.flagChanges;
  }

  anyFlagChanged(): boolean {
    return this.stats.flagChanges.length > 0;
  }

  totals(): ServerTotals {
    const s = this.stats;
    return {
      connections: s.connections,
      openConnections: this.sessions.size,
      logins: s.logins,
      failedLogins: s.failedLogins,
      messagesServed: s.messagesServed,
      flagChanges: s.flagChanges.length,
      faults: Object.fromEntries(this.faults.firedByType),
    };
  }

  /** Connections in IDLE right now (watching clients). */
  idlingSessions(): number {
    let count = 0;
    for (const session of this.sessions) if (session.idling) count++;
    return count;
  }

  /** Connections accepted but not yet in a selected mailbox, now and at most since the last reset. */
  handshakes(): { inProgress: number; peak: number } {
    return { inProgress: this.stats.handshakesInProgress, peak: this.stats.peakHandshakes };
  }

  /** Handshakes in progress over time, since the last reset (see HandshakeTimeline). */
  handshakeTimeline(): HandshakeChange[] {
    return this.stats.handshakeTimeline.toJSON();
  }

  resetPeakHandshakes(): void {
    this.stats.resetPeakHandshakes();
  }

  sessionClosed(session: ImapSession): void {
    this.sessions.delete(session);
  }

  /**
   * A server outage: drops every connection and refuses new ones (nothing listens) until `resume()`,
   * which listens on the same ports again.
   */
  async suspend(): Promise<void> {
    this.listenAddresses = this.addresses;
    await this.close();
  }

  async resume(): Promise<void> {
    await this.listen();
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.servers.length = 0;
  }

  private accept(socket: Socket): void {
    this.stats.connections++;
    this.sessions.add(new ImapSession(this, socket));
  }

  private mailbox(username: string, name: string): Mailbox {
    return this.store.requireAccount(username).requireMailbox(name);
  }
}

// One client connection: reads commands in order, applies faults, writes replies.
// Everything is event-driven; a timer exists only while a scripted delay is running.

import type { Socket } from 'node:net';

import { continueSasl } from './auth-commands.js';
import { runCommand } from './command-dispatch.js';
import type { ChosenFault, FaultAction, FaultScript, FetchFault } from './fault-script.js';
import { CommandFramer, ImapSyntaxError, parseCommand, type ParsedCommand } from './imap-parser.js';
import { INBOX, type MailAccount, type Mailbox, type MailboxStore, type MailboxWatcher } from './mailbox-store.js';
import type { ServerStats } from './server-stats.js';

export interface ServerBehavior {
  idle: boolean;
  authPlain: boolean;
  saslIr: boolean;
  uidPlus: boolean;
  specialUse: 'SPECIAL-USE' | 'XLIST' | false;
  /** NO text every login gets, or null. */
  authFailText: string | null;
  xoauth2: ((username: string, accessToken: string) => boolean | Promise<boolean>) | null;
  greeting: string;
  /** The program name the ID answer gives (changeable while running). */
  serverName: string;
  /** SELECT/EXAMINE leave out `[UIDNEXT]`. */
  omitUidNext: boolean;
}

/** What a session needs from its server. */
export interface SessionHost {
  readonly store: MailboxStore;
  readonly stats: ServerStats;
  readonly faults: FaultScript;
  readonly behavior: ServerBehavior;
  sessionClosed(session: ImapSession): void;
}

export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export class ImapSession implements MailboxWatcher {
  state: SessionState = 'not-authenticated';
  account: MailAccount | null = null;
  selected: Mailbox | null = null;
  readOnly = false;
  /** The EXISTS count this client has been told about. */
  knownExists = 0;
  /** Tag of the running IDLE; its next line must be DONE. */
  idleTag: string | null = null;
  /** An AUTHENTICATE waiting for the client's SASL line. */
  saslPending: { tag: string; mechanism: string; failed: boolean } | null = null;
  /** Set by a `mailbox-missing` fault for the duration of one command: `*` = whatever it names. */
  hiddenMailbox: string | null = null;
  /** Set by a lying-size, huge-literal or fetch-flood fault for the duration of one FETCH. */
  fetchFault: FetchFault | null = null;
  private readonly framer = new CommandFramer();
  /** Input is not processed while a delay or an async token check runs. */
  private paused = false;
  private silenced = false;
  private closed = false;
  private completionFault: FaultAction | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Until the first mailbox is selected the connection counts as a handshake in progress. */
  private handshaking = true;

  constructor(
    readonly host: SessionHost,
    private readonly socket: Socket,
  ) {
    socket.setNoDelay(true);
    host.stats.handshakeStarted();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onClose());
    this.withFault('*', this.host.faults.take('GREETING', undefined), undefined, () =>
      this.write(`* OK [CAPABILITY ${this.capabilities()}] ${this.host.behavior.greeting}\r\n`),
    );
  }

  /** In IDLE right now: a watching client. */
  get idling(): boolean {
    return this.idleTag !== null;
  }

  get username(): string | undefined {
    return this.account?.username;
  }

  capabilities(): string {
    const behavior = this.host.behavior;
    const caps = ['IMAP4rev1', 'LITERAL+', 'ID', 'ENABLE', 'NAMESPACE'];
    if (behavior.idle) caps.push('IDLE');
    if (behavior.uidPlus) caps.push('UIDPLUS');
    if (behavior.specialUse) caps.push(behavior.specialUse);
    if (this.state === 'not-authenticated') {
      if (behavior.saslIr) caps.push('SASL-IR');
      if (behavior.authPlain) caps.push('AUTH=PLAIN');
      if (behavior.xoauth2) caps.push('AUTH=XOAUTH2');
    }
    return caps.join(' ');
  }

  write(data: string | Buffer): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(data);
  }

  /** Tagged completion; a `completion` fault, if one is armed, replaces it. */
  complete(tag: string, status: 'OK' | 'NO' | 'BAD', text: string): void {
    if (this.state === 'selected') this.flushExists();
    const fault = this.completionFault;
    this.completionFault = null;
    const send = (): void => this.write(`${tag} ${status} ${text}\r\n`);
    if (fault) this.strike(tag, fault, send);
    else send();
  }

  /** Tells the client about mail it has not heard of yet. */
  flushExists(): void {
    if (!this.selected || this.selected.exists === this.knownExists) return;
    this.knownExists = this.selected.exists;
    this.host.stats.trace(this.username, `-> * ${this.knownExists} EXISTS`);
    this.write(`* ${this.knownExists} EXISTS\r\n`);
  }

  mailboxChanged(mailbox: Mailbox): void {
    // Only IDLE gets unsolicited data; anyone else hears at their next command
    if (mailbox === this.selected && this.idleTag && !this.paused && !this.silenced) this.flushExists();
  }

  select(mailbox: Mailbox | null, readOnly = false): void {
    this.selected?.unwatch(this);
    if (this.selected && !this.readOnly) this.selected.readWriteOpened(false);
    if (mailbox && !readOnly) mailbox.readWriteOpened(true);
    this.selected = mailbox;
    this.readOnly = readOnly;
    this.knownExists = mailbox?.exists ?? 0;
    mailbox?.watch(this);
    if (mailbox) this.endHandshake();
    this.state = mailbox ? 'selected' : this.account ? 'authenticated' : 'not-authenticated';
  }

  /** Mailbox by name, unless a `mailbox-missing` fault hides it for this command. */
  lookupMailbox(name: string): Mailbox | undefined {
    const mailbox = this.account?.mailbox(name);
    if (mailbox && this.hiddenMailbox !== null && (this.hiddenMailbox === '*' || this.hiddenMailbox === mailbox.name)) {
      return undefined;
    }
    return mailbox;
  }

  /** Runs `proceed` unless the fault (if any) takes the command's place. */
  withFault(tag: string, fault: ChosenFault | null, user: string | undefined, proceed: () => void): void {
    if (!fault) return proceed();
    const { action } = fault;
    this.host.stats.trace(user, `fault ${JSON.stringify(action)}`);
    switch (action.type) {
      case 'uidvalidity':
        this.changeUidValidity(action, user);
        return proceed();
      case 'mailbox-missing':
        this.hiddenMailbox = action.mailbox ?? '*';
        try {
          return proceed();
        } finally {
          this.hiddenMailbox = null;
        }
      case 'lying-size':
      case 'huge-literal':
      case 'fetch-flood':
        this.fetchFault = action;
        try {
          return proceed();
        } finally {
          this.fetchFault = null;
        }
      case 'gibberish':
        if (action.untagged) {
          this.write(`${(action.line ?? '* ZZZ gibberish').replaceAll('{tag}', tag)}\r\n`);
          return proceed();
        }
        break;
    }
    if (fault.at === 'completion') {
      this.completionFault = action;
      return proceed();
    }
    this.strike(tag, action, proceed);
  }

  /** A fault in place of an answer; `proceed` is what a delay eventually does. */
  private strike(tag: string, action: FaultAction, proceed: () => void): void {
    switch (action.type) {
      case 'bad':
      case 'no':
        this.write(`${tag} ${action.type.toUpperCase()} ${action.text ?? 'Scripted failure'}\r\n`);
        return;
      case 'gibberish':
        this.write(`${(action.line ?? '{tag} ZZZ gibberish').replaceAll('{tag}', tag)}\r\n`);
        return;
      case 'bye':
        this.write(`* BYE ${action.text ?? 'Server shutting down'}\r\n`);
        this.endGracefully();
        return;
      case 'destroy':
        if (action.reset) this.socket.resetAndDestroy();
        else this.socket.destroy();
        return;
      case 'silent':
        this.silenced = true;
        return;
      case 'delay':
        this.paused = true;
        this.timer = setTimeout(() => {
          this.timer = null;
          this.paused = false;
          if (this.closed) return;
          this.socket.cork();
          proceed();
          this.drain();
          this.socket.uncork();
        }, action.ms);
        return;
      default:
        // uidvalidity / mailbox-missing only ever modify how the command runs
        proceed();
    }
  }

  private changeUidValidity(action: Extract<FaultAction, { type: 'uidvalidity' }>, user: string | undefined): void {
    const account = this.account ?? (user === undefined ? undefined : this.host.store.account(user));
    const mailbox = account?.mailbox(action.mailbox ?? this.selected?.name ?? INBOX);
    if (mailbox) mailbox.changeUidValidity(action.value ?? mailbox.uidValidity + 1, action.renumber ?? false);
  }

  /** Waits for an async check (an XOAUTH2 token callback) without reading further commands. */
  pauseFor<T>(promise: Promise<T>, then: (value: T) => void): void {
    this.paused = true;
    const resume = (value: T): void => {
      this.paused = false;
      if (this.closed) return;
      then(value);
      this.drain();
    };
    promise.then(resume, () => resume(false as T));
  }

  /**
   * Writes `chunks` as fast as the client reads them, reading no commands meanwhile, then runs `done`.
   * Stops when the connection closes, so an endless sequence costs nothing once the client is gone.
   */
  stream(chunks: Iterator<Buffer>, done: () => void): void {
    this.paused = true;
    const pump = (): void => {
      while (!this.closed && !this.socket.destroyed) {
        const next = chunks.next();
        if (next.done) {
          this.paused = false;
          done();
          this.drain();
          return;
        }
        if (!this.socket.write(next.value)) {
          this.socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  endGracefully(): void {
    this.state = 'logout';
    this.silenced = true;
    this.socket.end(() => this.socket.destroy());
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.silenced || this.closed) return;
    this.framer.push(chunk);
    this.socket.cork();
    this.drain();
    this.socket.uncork();
  }

  private drain(): void {
    while (!this.paused && !this.silenced && !this.closed) {
      let frame;
      try {
        frame = this.framer.next();
      } catch (err) {
        this.write(`* BYE ${err instanceof Error ? err.message : 'Protocol error'}\r\n`);
        this.endGracefully();
        return;
      }
      if (frame.kind === 'incomplete') return;
      if (frame.kind === 'continuation') {
        this.write('+ Ready for literal data\r\n');
        continue;
      }
      this.handleLine(frame.bytes);
    }
  }

  private handleLine(bytes: Buffer): void {
    if (this.idleTag) return this.endIdle(bytes);
    if (this.saslPending) return continueSasl(this, bytes);
    let command: ParsedCommand;
    try {
      command = parseCommand(bytes);
    } catch (err) {
      const tag = err instanceof ImapSyntaxError && err.tag ? err.tag : '*';
      this.write(`${tag} BAD ${err instanceof Error ? err.message : 'Syntax error'}\r\n`);
      return;
    }
    const line = bytes.toString('latin1');
    runCommand(this, command, line.slice(line.indexOf(' ') + 1));
  }

  private endIdle(bytes: Buffer): void {
    const tag = this.idleTag as string;
    this.idleTag = null;
    this.host.stats.trace(this.username, 'DONE');
    if (bytes.toString('latin1').trim().toUpperCase() === 'DONE') this.complete(tag, 'OK', 'Idle completed.');
    else this.complete(tag, 'BAD', 'Expected DONE.');
  }

  private endHandshake(): void {
    if (!this.handshaking) return;
    this.handshaking = false;
    this.host.stats.handshakeEnded();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.stats.trace(this.username, 'connection closed');
    this.endHandshake();
    if (this.timer) clearTimeout(this.timer);
    this.selected?.unwatch(this);
    if (this.selected && !this.readOnly) this.selected.readWriteOpened(false);
    if (this.account) this.host.stats.sessionEnded(this.account.username);
    this.host.sessionClosed(this);
  }
}

// What tests assert on: logins, sessions, commands, served messages and every flag change.
// Per-user counters are created on first use, so idle accounts cost nothing here.

import { HandshakeTimeline } from './handshake-timeline.js';

export interface FlagChange {
  user: string;
  mailbox: string;
  uid: number;
  /** What changed it: `STORE`, `UID STORE`, or `FETCH BODY[]` / `UID FETCH BODY[]` (an implicit \Seen). */
  via: string;
  before: readonly string[];
  after: readonly string[];
}

export interface UserStats {
  logins: number;
  failedLogins: number;
  /** Authenticated connections open right now. */
  openSessions: number;
  /** Received commands by name (`UID FETCH` and `FETCH` are counted apart). */
  commands: Record<string, number>;
  /** FETCH responses that carried a whole message (BODY[] or RFC822). */
  messagesServed: number;
}

export interface ServerTotals {
  connections: number;
  openConnections: number;
  logins: number;
  failedLogins: number;
  messagesServed: number;
  flagChanges: number;
  /** Faults that struck, scripted and chaotic, by type. */
  faults: Record<string, number>;
}

interface UserCounters {
  logins: number;
  failedLogins: number;
  openSessions: number;
  commands: Map<string, number>;
  messagesServed: number;
}

export class ServerStats {
  private readonly users = new Map<string, UserCounters>();
  readonly flagChanges: FlagChange[] = [];
  /** Commands sent before any user was known (CAPABILITY, ID...). */
  readonly anonymousCommands = new Map<string, number>();
  /** Every command in arrival order, when the server was asked to keep it (it grows without bound). */
  readonly commandLog: Array<{ user: string | undefined; command: string }> | null;
  connections = 0;
  /** Connections between accept and their first selected mailbox (greeting, login, SELECT/EXAMINE). */
  handshakesInProgress = 0;
  /** Most handshakes in progress at once since start or the last resetPeakHandshakes(). */
  peakHandshakes = 0;
  /** The same over time, to add several servers up at the same moment. */
  readonly handshakeTimeline = new HandshakeTimeline();
  logins = 0;
  failedLogins = 0;
  messagesServed = 0;

  /** Last events per user (commands, faults, EXISTS sent, mail stored), when traceLimit > 0. */
  private readonly traces = new Map<string, string[]>();

  constructor(
    logCommands: boolean,
    private readonly traceLimit = 0,
  ) {
    this.commandLog = logCommands ? [] : null;
  }

  /** Notes an event in the user's trace (a ring of the last `traceLimit`), stamped with the time. */
  trace(user: string | undefined, event: string): void {
    if (this.traceLimit <= 0 || user === undefined) return;
    let trace = this.traces.get(user);
    if (!trace) this.traces.set(user, (trace = []));
    // An idle client's keep-alive cycle (DONE, NOOP, IDLE...) would push everything else out: keep its start only.
    const quiet = (entry: string | undefined): boolean => /(?:^| )(?:IDLE|DONE|NOOP)$/.test(entry ?? '');
    if (quiet(event) && quiet(trace[trace.length - 1])) return;
    trace.push(`${new Date().toISOString().slice(11, 23)} ${event}`);
    if (trace.length > this.traceLimit) trace.shift();
  }

  traceOf(user: string): readonly string[] {
    return this.traces.get(user) ?? [];
  }

  private user(name: string): UserCounters {
    let counters = this.users.get(name);
    if (!counters) {
      counters = { logins: 0, failedLogins: 0, openSessions: 0, commands: new Map(), messagesServed: 0 };
      this.users.set(name, counters);
    }
    return counters;
  }

  countCommand(user: string | undefined, command: string): void {
    this.commandLog?.push({ user, command });
    this.trace(user, command);
    const commands = user === undefined ? this.anonymousCommands : this.user(user).commands;
    commands.set(command, (commands.get(command) ?? 0) + 1);
  }

  handshakeStarted(): void {
    this.handshakesInProgress++;
    if (this.handshakesInProgress > this.peakHandshakes) this.peakHandshakes = this.handshakesInProgress;
    this.handshakeTimeline.note(this.handshakesInProgress);
  }

  handshakeEnded(): void {
    this.handshakesInProgress--;
    this.handshakeTimeline.note(this.handshakesInProgress);
  }

  resetPeakHandshakes(): void {
    this.peakHandshakes = this.handshakesInProgress;
    this.handshakeTimeline.clear();
    // The timeline starts from the level held now, as the peak does.
    this.handshakeTimeline.note(this.handshakesInProgress);
  }

  loginSucceeded(user: string): void {
    this.logins++;
    const counters = this.user(user);
    counters.logins++;
    counters.openSessions++;
  }

  loginFailed(user: string): void {
    this.failedLogins++;
    this.user(user).failedLogins++;
  }

  sessionEnded(user: string): void {
    this.user(user).openSessions--;
  }

  messageServed(user: string): void {
    this.messagesServed++;
    this.user(user).messagesServed++;
  }

  snapshot(user: string): UserStats {
    const counters = this.users.get(user);
    return {
      logins: counters?.logins ?? 0,
      failedLogins: counters?.failedLogins ?? 0,
      openSessions: counters?.openSessions ?? 0,
      commands: Object.fromEntries(counters?.commands ?? []),
      messagesServed: counters?.messagesServed ?? 0,
    };
  }

  commandCount(user: string, command: string): number {
    return this.users.get(user)?.commands.get(command.toUpperCase()) ?? 0;
  }
}

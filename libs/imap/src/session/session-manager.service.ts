import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig, ROOT_LOGGER } from '@app/core';
import { MailboxAccounts, MailboxStates } from '@app/users';

import { ConcurrencyLimiter } from '../concurrency-limiter.js';
import { ImapConnector } from '../connector/imap-connector.js';
import { EventLoopLag } from '../event-loop-lag.js';
import { ImapMetrics } from '../imap-metrics.service.js';
import { NewMailPipeline } from '../pipeline/new-mail-pipeline.service.js';
import { AccountErrorReport } from './account-error-report.js';
import { handshakeLimit } from './handshake-limit.js';
import { MailboxSession, type SessionDeps, type SessionState } from './mailbox-session.js';
import { ServerOutages } from './server-outages.js';
import { probeImapServer } from './server-probe.js';

/**
 * Holds one session per owned mailbox. Which mailboxes are owned is an input (`reconcile`), decided
 * elsewhere (one node: all of them; a cluster: the assignment), so this class only starts and stops.
 */
@Injectable()
export class SessionManager implements BeforeApplicationShutdown {
  private readonly sessions = new Map<string, MailboxSession>();
  /** Sessions still logging out, by user: the user's next session opens only after them. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly deps: SessionDeps;
  private readonly logger: Logger;
  private shuttingDown = false;
  private readonly stopListeners: ((userId: string) => void)[] = [];
  private readonly lag = new EventLoopLag();

  constructor(
    accounts: MailboxAccounts,
    states: MailboxStates,
    connector: ImapConnector,
    pipeline: NewMailPipeline,
    metrics: ImapMetrics,
    accountErrors: AccountErrorReport,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'sessions' });
    // Fewer handshakes at once while the event loop lags, so that a reconnect storm cannot starve the rest.
    const admission = new ConcurrencyLimiter(() => handshakeLimit(config.IMAP_CONNECT_CONCURRENCY, this.lag.delayMs));
    this.deps = {
      accounts,
      states,
      connector,
      pipeline,
      metrics,
      accountErrors,
      config,
      logger: logger.child({ component: 'session' }),
      admission,
      work: new ConcurrencyLimiter(config.NUM_WORKER_THREADS),
      // The probe is a handshake too: it waits its turn like the sessions' connections.
      outages: new ServerOutages(
        (server) => admission.run(() => probeImapServer(server)),
        logger.child({ component: 'outages' }),
        { eventLoopDelayMs: () => this.lag.delayMs },
      ),
    };
    metrics.observeSessions(() => this.countByState());
  }

  /** Runs a connection's handshake under IMAP_CONNECT_CONCURRENCY, in turn with the sessions' own. */
  admitHandshake<T>(task: () => Promise<T>): Promise<T> {
    return this.deps.admission.run(task);
  }

  /** Calls `listener` whenever this process stops watching a mailbox (work tied to the mailbox ends with it). */
  onSessionStopped(listener: (userId: string) => void): void {
    this.stopListeners.push(listener);
  }

  /** Makes the mailbox's session look for new mail now (see MailboxSession.nudge). */
  nudge(userId: string): void {
    this.sessions.get(userId)?.nudge();
  }

  /** Whether this process is watching (owns) the mailbox now. */
  owns(userId: string): boolean {
    return this.sessions.has(userId);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Mailboxes waiting for a fetch-and-store slot. */
  get workQueueLength(): number {
    return this.deps.work.queued;
  }

  /** Mailboxes whose session is connected and waiting for mail now. */
  watchingUserIds(): string[] {
    return [...this.sessions].filter(([, session]) => session.state === 'watching').map(([userId]) => userId);
  }

  ownedUserIds(): string[] {
    return [...this.sessions.keys()];
  }

  countByState(): Record<SessionState, number> {
    const counts: Record<SessionState, number> = { connecting: 0, watching: 0, backoff: 0, auth_error: 0, stopped: 0 };
    for (const session of this.sessions.values()) counts[session.state]++;
    return counts;
  }

  /** Makes the running sessions exactly `owned` (capped at MAX_USER_THREADS); returns users left out by the cap. */
  async reconcile(owned: Iterable<string>): Promise<string[]> {
    const wanted = new Set(owned);
    const stopping = [...this.sessions.keys()].filter((userId) => !wanted.has(userId));
    await Promise.all(stopping.map((userId) => this.stopSession(userId)));
    const overCap: string[] = [];
    for (const userId of wanted) {
      if (this.sessions.has(userId) || this.shuttingDown) continue;
      if (this.sessions.size >= this.config.MAX_USER_THREADS) {
        overCap.push(userId);
        continue;
      }
      this.startSession(userId);
    }
    if (overCap.length > 0) this.logger.warn({ left: overCap.length }, 'MAX_USER_THREADS reached');
    return overCap;
  }

  /**
   * Restarts the sessions of users whose settings changed (e.g. new credentials), if running. The new session
   * takes the old one's place at once, so a reconcile meanwhile finds the user watched and opens no other.
   */
  async restart(userIds: string[]): Promise<void> {
    await Promise.all(
      userIds
        .filter((userId) => this.sessions.has(userId))
        .map(async (userId) => {
          const stopped = this.stopSession(userId);
          if (!this.shuttingDown) this.startSession(userId);
          await stopped;
        }),
    );
  }

  /** Stops every session; `graceful: false` drops connections without LOGOUT (when time is short). */
  async stopAll(options: { graceful?: boolean } = {}): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((userId) => this.stopSession(userId, options.graceful)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.deps.outages.close();
    this.lag.close();
    await this.stopAll();
  }

  /** Starts a session for the user, once any earlier session of theirs has logged out (one login at a time). */
  private startSession(userId: string): void {
    const session = new MailboxSession(userId, this.deps);
    this.sessions.set(userId, session);
    const closing = this.closing.get(userId);
    if (closing) void closing.then(() => session.start());
    else session.start();
  }

  private async stopSession(userId: string, graceful = true): Promise<void> {
    const session = this.sessions.get(userId);
    if (!session) return;
    this.sessions.delete(userId);
    for (const listener of this.stopListeners) listener(userId);
    // A session that has not started yet (waiting for an earlier one) stops at once: wait for that one too.
    const closed = Promise.allSettled([this.closing.get(userId), session.stop(graceful)]).then(([, stop]) => {
      if (stop.status === 'rejected')
        this.logger.warn({ err: stop.reason, user: userId }, 'session did not stop cleanly');
    });
    this.closing.set(userId, closed);
    await closed;
    if (this.closing.get(userId) === closed) this.closing.delete(userId);
  }
}

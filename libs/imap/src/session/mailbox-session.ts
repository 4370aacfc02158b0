import type { ImapFlow, MailboxObject } from 'imapflow';
import type { Logger } from 'pino';

import type { AppConfig } from '@app/core';
import type { MailboxAccount, MailboxAccounts, MailboxStates } from '@app/users';

import type { ConcurrencyLimiter } from '../concurrency-limiter.js';
import type { ImapConnector, OpenedMailbox } from '../connector/imap-connector.js';
import type { ImapMetrics } from '../imap-metrics.service.js';
import { type FetchedMessage, type NewMailPipeline, PendingJobs } from '../pipeline/new-mail-pipeline.service.js';
import { type AccountErrorReport, type AccountProblem, LASTING_CONNECT_ERROR } from './account-error-report.js';
import {
  fetchMetadata,
  fetchSourceAtMost,
  fetchWholeAtMost,
  fetchWholeAtSequence,
  type WholeMessage,
} from './bounded-fetch.js';
import { mayHibernate } from './hibernating-servers.js';
import { MailboxLog } from './mailbox-log.js';
import { MAX_READ_FAILURES, ReadFailures } from './read-failures.js';
import {
  AUTH_RETRY_MS,
  backoffDelay,
  classifyFailure,
  type FailureKind,
  STABLE_CONNECTION_MS,
} from './reconnect-policy.js';
import type { ServerAddress, ServerOutages } from './server-outages.js';

/** Collaborators shared by every session of a process. */
export interface SessionDeps {
  accounts: MailboxAccounts;
  states: MailboxStates;
  connector: ImapConnector;
  pipeline: NewMailPipeline;
  /** Caps concurrent handshakes (IMAP_CONNECT_CONCURRENCY). */
  admission: ConcurrencyLimiter;
  /** Caps concurrent fetch-and-store work (NUM_WORKER_THREADS). */
  work: ConcurrencyLimiter;
  /** Notices when a whole server is down, and when it is back. */
  outages: ServerOutages;
  metrics: ImapMetrics;
  accountErrors: AccountErrorReport;
  config: AppConfig;
  logger: Logger;
}

export type SessionState = 'connecting' | 'watching' | 'backoff' | 'auth_error' | 'stopped';

/** Messages whose delivery jobs are queued together while catching up. */
const FETCH_BATCH = 50;
/** First connect: deliver mail since the user's creation, but at most this far back (the seed's rule). */
const FIRST_CONNECT_MAX_AGE_MS = 2 * 24 * 3600_000;
/** After a connection closes, how long its sync may take to wind down before it is abandoned. */
const SYNC_SETTLE_MS = 5000;
/** Longest wait for a down server's probe to report it back before the session tries for itself. */
const OUTAGE_WAIT_MS = 5 * 60_000;

/**
 * One watched mailbox: connect, catch up from the cursor, IDLE, fetch on EXISTS, and reconnect with
 * backoff when anything goes wrong, until stopped. Never changes anything on the server.
 */
export class MailboxSession {
  state: SessionState = 'connecting';
  private stopped = false;
  private loop?: Promise<void>;
  private client?: ImapFlow;
  /** Aborts a connection still being opened when the session stops. */
  private readonly stopping = new AbortController();
  private wakeUp?: () => void;
  private syncing?: Promise<void>;
  private syncAgain = false;
  /** Identifies the running sync, so an abandoned one never clears the state of its successor. */
  private syncGeneration = 0;
  /** Fires when a sync stops making progress; every processed message pushes it back. */
  private syncWatchdog?: NodeJS.Timeout;
  /** Why this side closed the watching connection, when it did: reported instead of the bare close. */
  private closingBecause?: FailureKind;
  /** The one NOOP after a sync that catches a notification lost to the server hibernating the session. */
  private hibernationCheck?: NodeJS.Timeout;
  /** Whether this connection's server may hibernate the session (Dovecot, or one not saying), so syncs check. */
  private checkHibernation = false;
  private failures = 0;
  /** The current run of failed connects (for telling the partner when it lasts). */
  /** Since when, and how often, this mailbox failed to connect: a lasting failure is reported once. */
  private connectErrors?: { since: number; failures: number };
  private readonly logger: MailboxLog;

  /** Where this session is in the mailbox: UIDs up to `uid` are recorded. */
  private cursor: { uid: number; uidValidity: number } | null = null;
  /** Set after connecting when the UID cursor cannot be used and mail must be found by date. */
  private catchUpSince: Date | null = null;
  /**
   * On this connection, the mailbox's first `settledCount` messages (by sequence number) are known to be
   * recorded and none was expunged since: messages that EXISTS announces beyond them can be read by sequence
   * number without a UID SEARCH. Null when not known.
   */
  private settledCount: number | null = null;
  /** EXPUNGE (or VANISHED) notifications seen, so a sync can tell that sequence numbers moved under it. */
  private expungesSeen = 0;
  /** Messages that failed to be read, so one that always fails is given up (MAX_READ_FAILURES). */
  private readonly readFailures = new ReadFailures();
  /** Syncs the open connection now; set while watching. */
  private syncNow?: () => void;

  constructor(
    readonly userId: string,
    private readonly deps: SessionDeps,
  ) {
    this.logger = new MailboxLog(deps.logger, { user: userId });
  }

  start(): void {
    if (!this.stopped) this.loop ??= this.run();
  }

  /**
   * Looks for new mail now, as on an EXISTS. For when another connection to the mailbox (a backfill) heard
   * of new mail: some servers stop telling an IDLE session about changes once a second session opens the
   * mailbox (Dovecot, until the session's next command), so the live session must not rely on its IDLE alone.
   */
  nudge(): void {
    this.syncNow?.();
  }

  /** Closes the connection (with LOGOUT when `graceful`) and resolves once the session has fully stopped. */
  async stop(graceful = true): Promise<void> {
    this.stopped = true;
    clearTimeout(this.hibernationCheck);
    this.stopping.abort();
    this.wakeUp?.();
    await this.closeClient(graceful);
    await this.loop;
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const account = await this.deps.accounts.load(this.userId).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'could not load the account');
        return undefined;
      });
      if (account === null) {
        this.logger.info('user no longer watchable; session ends');
        break;
      }
      if (account === undefined) {
        await this.sleep(backoffDelay(this.failures++));
        continue;
      }
      // Log lines name the mailbox as partners know it.
      this.logger.name({
        user: this.userId,
        tag: account.user.tag,
        partner: account.partnerId,
        connection: account.provider.code,
      });
      const authWait = authRetryWait(account);
      if (authWait > 0) {
        this.state = 'auth_error';
        await this.sleep(authWait);
        continue;
      }
      const failure = await this.connectAndWatch(account);
      if (this.stopped) break;
      await this.recover(failure, account);
    }
    await this.closeClient(false);
    this.state = 'stopped';
  }

  /** One connection's life; resolves with why it ended. */
  private async connectAndWatch(account: MailboxAccount): Promise<FailureKind> {
    this.state = 'connecting';
    let connectedAt = 0;
    try {
      const { client, mailbox, closed } = await this.deps.admission.run(() => this.open(account));
      connectedAt = Date.now();
      this.state = 'watching';
      this.deps.outages.connected(serverOf(account));
      this.connectErrors = undefined;
      await this.recordState('watching');
      this.checkHibernation = mayHibernate(client);
      this.logger.debug({ mailbox: mailbox.path, hibernationCheck: this.checkHibernation }, 'watching');
      this.prepareCursor(account, mailbox);
      this.settledCount = null;
      client.on('expunge', () => {
        this.expungesSeen++;
        this.settledCount = null;
      });
      client.on('exists', () => this.requestSync(account, mailbox));
      this.syncNow = () => this.requestSync(account, mailbox);
      // Servers without IDLE are polled; with IDLE, a slow re-check still catches a lost EXISTS.
      const recheckSeconds = client.capabilities.has('IDLE')
        ? this.deps.config.IDLE_RESTART_INTERVAL
        : this.deps.config.POLL_INTERVAL;
      const recheck = setInterval(() => this.requestSync(account, mailbox), recheckSeconds * 1000);
      this.requestSync(account, mailbox);
      const closedBy = await closed;
      this.syncNow = undefined;
      clearInterval(recheck);
      clearTimeout(this.hibernationCheck);
      // A sync of a dead connection settles soon; one that does not is abandoned with it.
      await Promise.race([this.syncing?.catch(() => undefined), sleepMs(SYNC_SETTLE_MS)]);
      this.syncGeneration++;
      this.syncing = undefined;
      this.syncAgain = false;
      return this.whyClosed(client, closedBy);
    } catch (error) {
      return classifyFailure(error);
    } finally {
      this.syncNow = undefined;
      this.closingBecause = undefined;
      if (connectedAt) this.deps.outages.disconnected(serverOf(account));
      if (connectedAt && Date.now() - connectedAt >= STABLE_CONNECTION_MS) this.failures = 0;
      await this.closeClient(false);
    }
  }

  /**
   * Why a watching connection ended: this side's reason for closing it, else the error that closed it (a
   * socket timeout stays one, so the outage detector can tell a late reply from a server that hung up),
   * else the server's BYE.
   */
  private whyClosed(client: ImapFlow, error: Error | undefined): FailureKind {
    if (this.closingBecause) return this.closingBecause;
    if (error) {
      const failure = classifyFailure(error);
      return { ...failure, reason: `connection closed: ${failure.reason}` };
    }
    const reason = client.byeReason ? `closed by the server: ${client.byeReason}` : 'connection closed';
    return { kind: 'transient', reason };
  }

  private async open(account: MailboxAccount): Promise<OpenedMailbox> {
    if (this.stopped) throw new Error('stopped');
    const opened = await this.deps.connector.open(account, this.logger, this.stopping.signal);
    this.client = opened.client;
    if (this.stopped) {
      await this.closeClient(false);
      throw new Error('stopped');
    }
    return opened;
  }

  private prepareCursor(account: MailboxAccount, mailbox: MailboxObject): void {
    const { user } = account;
    const uidValidity = Number(mailbox.uidValidity);
    if (this.cursor?.uidValidity === uidValidity) return;
    if (user.lastUidValidity === uidValidity && user.lastUid !== null) {
      this.cursor = { uid: user.lastUid, uidValidity };
      this.catchUpSince = null;
      return;
    }
    // First connect: since creation, at most 2 days back. New UIDVALIDITY: since the last mail seen.
    const firstConnect = user.lastUidValidity === null;
    const floor = firstConnect
      ? new Date(Math.max(user.createdAt.getTime(), Date.now() - FIRST_CONNECT_MAX_AGE_MS))
      : (user.lastInternalDate ?? user.createdAt);
    if (!firstConnect) this.logger.warn({ from: user.lastUidValidity, to: uidValidity }, 'UIDVALIDITY changed');
    this.cursor = { uid: 0, uidValidity };
    this.catchUpSince = floor;
  }

  /**
   * Coalesces EXISTS bursts: at most one sync runs, and one more follows if anything arrived meanwhile.
   * A sync that makes no progress for too long means the connection is wedged: it is closed and redone.
   */
  private requestSync(account: MailboxAccount, mailbox: MailboxObject): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    const client = this.client;
    const watchdog = (this.syncWatchdog = setTimeout(() => {
      this.logger.warn('sync made no progress; reconnecting');
      if (this.client !== client) return;
      this.closingBecause = { kind: 'transient', reason: 'sync made no progress' };
      void this.closeClient(false);
    }, this.syncDeadlineMs));
    const generation = ++this.syncGeneration;
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false;
          watchdog.refresh();
          await this.fetchNew(account, mailbox);
        } while (this.syncAgain && !this.stopped && this.client === client);
      } catch (error) {
        if (!this.stopped) this.logger.warn({ err: error }, 'sync failed; reconnecting');
        if (this.client === client) {
          // A sync that failed because the connection went is reported by what took the connection.
          if (client?.usable) {
            const failure = classifyFailure(error);
            this.closingBecause = { ...failure, reason: `sync failed: ${failure.reason}` };
          }
          await this.closeClient(false);
        }
      } finally {
        clearTimeout(watchdog);
        if (this.syncGeneration === generation) {
          this.syncing = undefined;
          if (this.client === client && client) this.scheduleHibernationCheck(client);
        }
      }
    })();
  }

  /**
   * Dovecot with imap_hibernate_timeout moves a session that has been in IDLE that long to imap-hibernate,
   * and a change notification it was still holding back (Dovecot waits 500 ms before reporting one) is
   * dropped: a mail arriving in the half second before that point would wait for the next re-check
   * (IDLE_RESTART_INTERVAL). The session went back to IDLE as this sync ended, so one NOOP a little after
   * the hibernation point makes the server report it (EXISTS → sync). A NOOP that finds nothing schedules
   * nothing more; the next sync schedules the next check. The NOOP's own IDLE hibernates again with the same
   * window, left to the re-check: checking after every hibernation would never end (docs/PERFORMANCE.md).
   */
  private scheduleHibernationCheck(client: ImapFlow): void {
    const seconds = this.deps.config.IDLE_HIBERNATION_CHECK;
    if (seconds <= 0 || !this.checkHibernation || this.stopped) return;
    clearTimeout(this.hibernationCheck);
    this.hibernationCheck = setTimeout(() => {
      if (this.client !== client || this.stopped || this.syncing) return;
      // A failed NOOP means a failing connection: the socket timeout and the re-check deal with that.
      client.noop().catch((error: unknown) => this.logger.debug({ err: error }, 'hibernation check failed'));
    }, seconds * 1000);
    this.hibernationCheck.unref();
  }

  /** Longest a sync round may take: several socket timeouts, so a slow server is not mistaken for a dead one. */
  private get syncDeadlineMs(): number {
    return Math.max(60_000, 4 * this.deps.config.IMAP_SOCKET_TIMEOUT * 1000);
  }

  private async fetchNew(account: MailboxAccount, mailbox: MailboxObject): Promise<void> {
    const client = this.client;
    const cursor = this.cursor;
    if (!client || !cursor || this.stopped) return;
    if (await this.readArrivals(client, account, cursor)) return;
    const byDate = this.catchUpSince;
    // Every message up to this sequence number is in the search's view: once they are processed, later
    // EXISTS name only new ones.
    const countBeforeSearch = client.mailbox ? client.mailbox.exists : null;
    const expungesBeforeSearch = this.expungesSeen;
    // Read before the date search, so continuing by UID from here never skips mail that search missed.
    const highestBeforeSearch = byDate ? await this.highestUid(client, mailbox) : 0;
    const found = byDate
      ? await client.search({ since: byDate }, { uid: true })
      : await client.search({ uid: `${cursor.uid + 1}:*` }, { uid: true });
    // imapflow answers a refused SEARCH (NO/BAD) with false instead of throwing: treating that as "nothing
    // new" would leave the mail unfetched until the next EXISTS, so it fails the sync (and reconnects).
    if (!Array.isArray(found)) throw new Error('UID SEARCH was refused by the server');
    const uids = found.filter((uid) => byDate !== null || uid > cursor.uid).sort((a, b) => a - b);

    for (let start = 0; start < uids.length && !this.stopped;) {
      // Once reading a message in one FETCH failed, it is read in two steps, metadata then source, so
      // that repeated failures name the stage causing them (and the metadata still arrives).
      const alone = this.readFailures.readAlone(cursor.uidValidity, uids[start]);
      const batch = alone ? [uids[start]] : uids.slice(start, start + FETCH_BATCH);
      start += batch.length;
      if (alone) {
        await this.readInTwoSteps(client, account, cursor, batch[0], byDate !== null);
        continue;
      }
      // The common case: each message in one FETCH (metadata and source); a batch of several queues its
      // delivery jobs together, once the batch is stored.
      const jobs = batch.length > 1 ? new PendingJobs() : undefined;
      try {
        for (const uid of batch) {
          if (this.stopped) return;
          const read = () => this.readFailures.trackWhole(cursor.uidValidity, uid, () => this.fetchWhole(client, uid));
          await this.processWhole(account, cursor.uidValidity, read, { foundByDate: byDate !== null, jobs });
          cursor.uid = Math.max(cursor.uid, uid);
          this.syncWatchdog?.refresh();
        }
      } finally {
        if (jobs) await this.deps.pipeline.enqueueAll(jobs);
      }
    }
    if (!byDate && !this.stopped && this.expungesSeen === expungesBeforeSearch) this.settledCount = countBeforeSearch;
    if (byDate && !this.stopped) {
      // Everything that existed before the search was searched: continue by UID from there.
      const uid = Math.max(cursor.uid, highestBeforeSearch);
      if (isUid(uid)) {
        await this.deps.states.moveCursor(this.userId, { uid, uidValidity: cursor.uidValidity });
        cursor.uid = uid;
      } else {
        this.logger.error({ uid, highestBeforeSearch }, 'bug: computed a cursor that is no UID; not stored');
      }
      this.catchUpSince = null;
      this.syncAgain = true;
    }
  }

  /**
   * The common case of live mail: EXISTS raised the count past the settled messages, and nothing was
   * expunged since, so the new messages are the sequence numbers after them; each is read with its one FETCH
   * and no UID SEARCH. Resolves false, having changed nothing the search relies on, when that is not known
   * to hold (after connecting, a re-check that found no new count, too many arrivals, an expunge, a number
   * the server does not answer): the caller then searches by UID, which finds whatever this left.
   */
  private async readArrivals(
    client: ImapFlow,
    account: MailboxAccount,
    cursor: { uid: number; uidValidity: number },
  ): Promise<boolean> {
    const settled = this.settledCount;
    const count = client.mailbox ? client.mailbox.exists : 0;
    if (settled === null || this.catchUpSince || count <= settled || count - settled > FETCH_BATCH) return false;
    const expunges = this.expungesSeen;
    // A message read after sequence numbers moved may not be the one asked for: it is not processed.
    const stillNumbered = () => this.expungesSeen === expunges;
    const jobs = count - settled > 1 ? new PendingJobs() : undefined;
    try {
      for (let seq = settled + 1; seq <= count; seq++) {
        if (this.stopped) return true;
        const read = () => this.fetchWhole(client, { seq });
        const accept = (uid: number) => stillNumbered() && uid > cursor.uid;
        const uid = await this.processWhole(account, cursor.uidValidity, read, { foundByDate: false, jobs, accept });
        if (uid === null || !stillNumbered()) {
          this.settledCount = null;
          return false;
        }
        // A UID at or below the cursor was recorded already (its EXISTS came while the last search ran).
        cursor.uid = Math.max(cursor.uid, uid);
        this.settledCount = seq;
        this.syncWatchdog?.refresh();
      }
    } catch (error) {
      // The sync fails and the session reconnects, as for any failed read; the next connection starts with
      // a UID SEARCH, whose reads count failures against the message's UID (unknown here).
      this.settledCount = null;
      throw error;
    } finally {
      if (jobs) await this.deps.pipeline.enqueueAll(jobs);
    }
    return true;
  }

  /** One message's metadata and (bounded) source in one FETCH, by UID or by sequence number. */
  private fetchWhole(client: ImapFlow, message: number | { seq: number }): Promise<WholeMessage | null> {
    const maxBytes = this.deps.config.MAX_EMAIL_SIZE;
    return typeof message === 'number'
      ? fetchWholeAtMost(client, message, maxBytes)
      : fetchWholeAtSequence(client, message.seq, maxBytes);
  }

  /** UIDNEXT - 1 from SELECT; servers may omit UIDNEXT there (Courier), so then from STATUS, then UID SEARCH. */
  private async highestUid(client: ImapFlow, mailbox: MailboxObject): Promise<number> {
    if (isUid(mailbox.uidNext)) return mailbox.uidNext - 1;
    const status = await client.status(mailbox.path, { uidNext: true }).catch(() => undefined);
    if (status && isUid(status.uidNext)) return status.uidNext - 1;
    const all = await client.search({ all: true }, { uid: true });
    if (!Array.isArray(all)) throw new Error('UID SEARCH was refused by the server');
    return all.reduce((highest, uid) => Math.max(highest, uid), 0);
  }

  /** One message read the careful way: its metadata, then its source, each failure counted against it. */
  private async readInTwoSteps(
    client: ImapFlow,
    account: MailboxAccount,
    cursor: { uid: number; uidValidity: number },
    uid: number,
    foundByDate: boolean,
  ): Promise<void> {
    await this.deliverInTwoSteps(client, account, cursor.uidValidity, uid, foundByDate);
    cursor.uid = Math.max(cursor.uid, uid);
    this.syncWatchdog?.refresh();
  }

  private async deliverInTwoSteps(
    client: ImapFlow,
    account: MailboxAccount,
    uidValidity: number,
    uid: number,
    foundByDate: boolean,
  ): Promise<void> {
    if (this.readFailures.count(uidValidity, uid, 'metadata') >= MAX_READ_FAILURES) {
      return this.giveUp(account, uidValidity, { uid }, 'its metadata could not be fetched');
    }
    const [message] = await this.readFailures.track(client, uidValidity, [uid], 'metadata', () =>
      fetchMetadata(client, [uid]),
    );
    if (!message) return; // expunged meanwhile
    if (this.readFailures.count(uidValidity, uid, 'source') >= MAX_READ_FAILURES) {
      return this.giveUp(account, uidValidity, message, 'its source could not be fetched');
    }
    const readSource = (maxBytes: number) =>
      this.readFailures.oversized(uidValidity, uid)
        ? Promise.resolve(null)
        : this.readFailures.track(client, uidValidity, [uid], 'source', () => fetchSourceAtMost(client, uid, maxBytes));
    await this.withWorkSlot(() =>
      this.deps.pipeline.process(account, uidValidity, message, readSource, { foundByDate }),
    );
  }

  /**
   * One message read with one FETCH (metadata and source) and handed to the pipeline unless `accept` says
   * otherwise. Resolves with its UID, or null when the server no longer has it.
   */
  private async processWhole(
    account: MailboxAccount,
    uidValidity: number,
    read: () => Promise<WholeMessage | null>,
    options: { foundByDate: boolean; jobs?: PendingJobs; accept?: (uid: number) => boolean },
  ): Promise<number | null> {
    const { foundByDate, jobs, accept } = options;
    // A message alone queues its job once its work slot is free again: the slot is for fetching and storing.
    const ownJobs = jobs ?? new PendingJobs();
    let uid: number | null = null;
    await this.withWorkSlot(async () => {
      const whole = await read();
      if (!whole) return; // expunged meanwhile
      uid = whole.message.uid;
      if (accept && !accept(uid)) return;
      const readSource = () => Promise.resolve(whole.source);
      await this.deps.pipeline.process(account, uidValidity, whole.message, readSource, { foundByDate, jobs: ownJobs });
    });
    if (!jobs) await this.deps.pipeline.enqueueAll(ownJobs);
    return uid;
  }

  /** Fetch-and-store work runs at most NUM_WORKER_THREADS at a time in the process: sources held are bounded. */
  private async withWorkSlot(work: () => Promise<unknown>): Promise<void> {
    const { work: slots, metrics } = this.deps;
    const queuedAt = performance.now();
    metrics.workQueueLength.set(slots.queued + 1);
    await slots.run(async () => {
      metrics.recordWorkLatency((performance.now() - queuedAt) / 1000);
      metrics.workQueueLength.set(slots.queued);
      await work();
    });
  }

  /** A message that failed MAX_READ_FAILURES times: the partner gets an event saying so, the cursor moves on. */
  private async giveUp(
    account: MailboxAccount,
    uidValidity: number,
    message: Pick<FetchedMessage, 'uid'> & Partial<FetchedMessage>,
    reason: string,
  ): Promise<void> {
    const detail = `${reason} (${MAX_READ_FAILURES} attempts; last error: ${this.readFailures.lastError})`;
    await this.deps.pipeline.recordUnreadable(account, uidValidity, message, detail);
  }

  private async recover(failure: FailureKind, account: MailboxAccount): Promise<void> {
    const server = serverOf(account);
    this.deps.metrics.reconnects.inc({ reason: failure.kind });
    if (failure.kind === 'auth') {
      this.logger.warn({ reason: failure.reason }, 'authentication failed; retrying in an hour or on new credentials');
      this.state = 'auth_error';
      await this.recordState('auth_error', failure.reason);
      await this.reportProblem(account, { state: 'auth_error', error: failure.reason, since: new Date() });
      return; // the next loop reads auth_failed_at and waits
    }
    const { outages } = this.deps;
    if (failure.kind === 'transient') outages.failed(server, this.userId, failure);
    // In a server-wide outage only its probe connects; the session waits to hear that the server is back.
    const inOutage = failure.kind === 'transient' && outages.isDown(server);
    const delay =
      failure.kind === 'throttled' ? failure.delayMs : inOutage ? OUTAGE_WAIT_MS : backoffDelay(this.failures++);
    this.logger.info({ reason: failure.reason, delayMs: delay, inOutage }, 'reconnecting');
    this.state = 'backoff';
    await this.recordState('connect_error', failure.reason);
    const trouble = (this.connectErrors ??= { since: Date.now(), failures: 0 });
    trouble.failures++;
    if (trouble.failures >= LASTING_CONNECT_ERROR.failures || Date.now() - trouble.since >= LASTING_CONNECT_ERROR.ms) {
      await this.reportProblem(account, {
        state: 'connect_error',
        error: failure.reason,
        since: new Date(trouble.since),
      });
    }
    if (failure.kind === 'throttled') {
      await this.sleep(delay);
      return;
    }
    const woken = await this.sleep(delay, (wake) => outages.onRecovery(server, wake));
    if (woken) this.failures = 0;
  }

  /** Stores the mailbox's state; a change of state is logged (at info) with the reason. */
  private async recordState(state: 'watching' | 'auth_error' | 'connect_error', reason?: string): Promise<void> {
    const previous = await this.deps.states.setState(this.userId, state, reason ?? null).catch((error: unknown) => {
      this.logger.warn({ err: error, state }, 'could not record the mailbox state');
      return undefined;
    });
    if (previous !== undefined && previous !== state) {
      this.logger.info({ from: previous, to: state, reason }, `mailbox ${previous ?? 'new'} → ${state}`);
    }
  }

  /** The partner hears once per outage (AccountErrorReport keeps it once). */
  private async reportProblem(account: MailboxAccount, problem: AccountProblem): Promise<void> {
    try {
      const eventId = await this.deps.accountErrors.report(account, problem);
      if (eventId) this.logger.info({ eventId, state: problem.state }, 'account_error reported to the partner');
    } catch (error) {
      this.logger.warn({ err: error }, 'could not report the account error; the next failure will');
    }
  }

  private async closeClient(graceful: boolean): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (graceful && client.usable) {
      await Promise.race([client.logout().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    }
    client.close();
  }

  /** Resolves after `ms` or on stop() with false, or with true when woken early through `wakeOn`. */
  private sleep(ms: number, wakeOn?: (wake: () => void) => () => void): Promise<boolean> {
    if (this.stopped || ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      const unsubscribe = wakeOn?.(() => done(true));
      function done(woken: boolean) {
        clearTimeout(timer);
        unsubscribe?.();
        resolve(woken);
      }
      this.wakeUp = () => done(false);
    });
  }
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function serverOf(account: MailboxAccount): ServerAddress {
  const { imapHost, imapPort, imapSecurity } = account.provider;
  return { host: imapHost, port: imapPort, tls: imapSecurity === 'tls' };
}

/** A UID (RFC 3501: a positive 32-bit integer); a cursor may also be 0, before any mail. */
function isUid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}

function authRetryWait(account: MailboxAccount): number {
  const failedAt = account.user.authFailedAt?.getTime();
  return failedAt === undefined ? 0 : failedAt + AUTH_RETRY_MS - Date.now();
}

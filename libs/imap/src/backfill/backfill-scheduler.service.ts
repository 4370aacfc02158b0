import { randomUUID } from 'node:crypto';

import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

import { AppConfig, ROOT_LOGGER } from '@app/core';
import { MailboxAccounts } from '@app/users';

import { ImapConnector } from '../connector/imap-connector.js';
import { NewMailPipeline } from '../pipeline/new-mail-pipeline.service.js';
import { SessionManager } from '../session/session-manager.service.js';
import { BackfillLostError, BackfillProgress } from './backfill-progress.service.js';
import { BackfillRun } from './backfill-run.js';
import type { Backfill } from './backfill.entity.js';

/** How often the owned mailboxes' unfinished backfills are looked for (the row is the request: none is missed). */
const POLL_MS = 1000;
/** Failed attempts before a backfill is given up as failed. */
const MAX_ATTEMPTS = 3;
/** Wait before attempt n+1 after n failures. */
const RETRY_MS = 5000;

interface ActiveRun {
  backfillId: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs the backfills of the mailboxes this imap-client owns (holds the lease of): at most one per mailbox,
 * on a second connection opened under the handshake limit, so a mailbox never has more than two. A run
 * ends when its mailbox leaves this node; the next owner claims the row and resumes after its last UID.
 */
@Injectable()
export class BackfillScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly failures = new Map<string, { attempts: number; retryAt: number }>();
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private stopping = false;

  constructor(
    private readonly sessions: SessionManager,
    private readonly progress: BackfillProgress,
    private readonly accounts: MailboxAccounts,
    private readonly connector: ImapConnector,
    private readonly pipeline: NewMailPipeline,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'backfill' });
  }

  onApplicationBootstrap(): void {
    this.sessions.onSessionStopped((userId) => this.runs.get(userId)?.abort.abort());
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    for (const run of this.runs.values()) run.abort.abort();
    await Promise.all([...this.runs.values()].map((run) => run.done));
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopping) return;
    this.polling = true;
    try {
      const unfinished = await this.progress.unfinishedFor(this.sessions.ownedUserIds());
      const wanted = new Set(unfinished.map((backfill) => backfill.id));
      // Cancelled (or finished elsewhere): the run stops now rather than at its next message.
      for (const run of this.runs.values()) if (!wanted.has(run.backfillId)) run.abort.abort();
      for (const backfill of unfinished) {
        const failure = this.failures.get(backfill.id);
        if (this.runs.has(backfill.userId) || (failure && failure.retryAt > Date.now())) continue;
        this.start(backfill);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not look for backfills');
    } finally {
      this.polling = false;
    }
  }

  private start(backfill: Backfill): void {
    const abort = new AbortController();
    const done = this.attempt(backfill, abort.signal).finally(() => {
      if (this.runs.get(backfill.userId)?.abort === abort) this.runs.delete(backfill.userId);
    });
    this.runs.set(backfill.userId, { backfillId: backfill.id, abort, done });
  }

  private async attempt(request: Backfill, signal: AbortSignal): Promise<void> {
    const claim = randomUUID();
    const logger = this.logger.child({ backfill: request.id, user: request.userId });
    let client: Awaited<ReturnType<ImapConnector['open']>>['client'] | undefined;
    try {
      const backfill = await this.progress.claim(request.id, claim);
      if (!backfill || signal.aborted) return;
      const account = await this.accounts.load(backfill.userId);
      if (!account) {
        await this.progress.recordFailure(backfill.id, claim, 'the user is no longer watchable', true);
        return;
      }
      const opened = await this.sessions.admitHandshake(() => this.connector.open(account, logger, signal));
      client = opened.client;
      signal.addEventListener('abort', () => opened.client.close(), { once: true });
      // New mail this connection hears of is the live session's: it looks at once (its IDLE may not have
      // heard, see MailboxSession.nudge). The first nudge renews its IDLE now that a second session is open.
      opened.client.on('exists', () => this.sessions.nudge(backfill.userId));
      this.sessions.nudge(backfill.userId);
      const deps = {
        progress: this.progress,
        pipeline: this.pipeline,
        dataSource: this.dataSource,
        rate: this.config.BACKFILL_RATE,
        logger,
      };
      await new BackfillRun(backfill, claim, account, deps, signal).execute(client, Number(opened.mailbox.uidValidity));
      this.failures.delete(backfill.id);
      logger.info('backfill done');
    } catch (error) {
      if (error instanceof BackfillLostError) {
        logger.info('backfill cancelled or taken over; run stops');
      } else if (signal.aborted) {
        logger.info('backfill run stopped with its mailbox; the next owner resumes it');
      } else {
        await this.recordFailure(request.id, claim, error, logger);
      }
    } finally {
      if (client?.usable) await client.logout().catch(() => undefined);
      client?.close();
    }
  }

  private async recordFailure(id: string, claim: string, error: unknown, logger: Logger): Promise<void> {
    const attempts = (this.failures.get(id)?.attempts ?? 0) + 1;
    const final = attempts >= MAX_ATTEMPTS;
    this.failures.set(id, { attempts, retryAt: Date.now() + RETRY_MS * attempts });
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn({ err: error, attempts, final }, final ? 'backfill failed' : 'backfill attempt failed; retrying');
    await this.progress.recordFailure(id, claim, reason, final).catch((failure: unknown) => {
      logger.warn({ err: failure }, 'could not record the backfill failure');
    });
  }
}

import { randomInt } from 'node:crypto';

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig, ROOT_LOGGER } from '@app/core';
import { TracerMetrics, TracerRounds } from '@app/tracers';
import { WatchableUsersQuery } from '@app/users';

import { SessionManager } from '../session/session-manager.service.js';

/**
 * Every TRACER_INTERVAL, picks one random tracer-enabled mailbox among those this imap-client owns and asks
 * the worker to send it NUM_TRACERS tracers (the seed's schedule: each instance tests its own mailboxes).
 */
@Injectable()
export class TracerRoundScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly logger: Logger;

  constructor(
    private readonly sessions: SessionManager,
    private readonly watchable: WatchableUsersQuery,
    private readonly rounds: TracerRounds,
    private readonly metrics: TracerMetrics,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'tracers' });
  }

  onApplicationBootstrap(): void {
    if (this.config.NUM_TRACERS === 0) return;
    this.timer = setInterval(() => void this.runRound(), this.config.TRACER_INTERVAL * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round; returns the user it chose, or null when this node owns no tracer-enabled mailbox. */
  async runRound(): Promise<string | null> {
    if (this.running) return null;
    this.running = true;
    try {
      const candidates = await this.watchable.tracerEnabled(this.sessions.ownedUserIds());
      if (candidates.length === 0) {
        this.metrics.rounds.inc({ result: 'no_user' });
        return null;
      }
      const userId = candidates[randomInt(candidates.length)];
      const roundId = await this.rounds.request(userId);
      this.metrics.rounds.inc({ result: 'queued' });
      this.logger.debug({ userId, roundId, tracers: this.config.NUM_TRACERS }, 'tracer round queued');
      return userId;
    } catch (error) {
      this.metrics.rounds.inc({ result: 'error' });
      this.logger.warn({ err: error }, 'could not queue a tracer round');
      return null;
    } finally {
      this.running = false;
    }
  }
}

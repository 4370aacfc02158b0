import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig, ROOT_LOGGER, type UserChange, UserChangeNotifier } from '@app/core';
import { MailboxAccounts } from '@app/users';

import { SessionManager } from './session/session-manager.service.js';

/**
 * Single-node ownership: this process watches every watchable mailbox. Re-checks on every user change
 * announced by the API, and at least every HEARTBEAT_INTERVAL in case an announcement was missed.
 */
@Injectable()
export class LocalOwnership implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private passAgain = false;
  private stopped = false;
  private readonly logger: Logger;

  constructor(
    private readonly accounts: MailboxAccounts,
    private readonly sessions: SessionManager,
    private readonly changes: UserChangeNotifier,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ownership' });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.changes.subscribe((change) => void this.onChange(change));
    this.timer = setInterval(() => this.rebalance(), this.config.HEARTBEAT_INTERVAL * 1000);
    this.rebalance();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.pass;
  }

  private async onChange(change: UserChange): Promise<void> {
    if (change.reason === 'updated') await this.sessions.restart(change.userIds);
    this.rebalance();
  }

  /** Runs one reconcile pass; a request during a pass schedules exactly one more. */
  private rebalance(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.passAgain = true;
      return;
    }
    this.pass = (async () => {
      do {
        this.passAgain = false;
        try {
          await this.sessions.reconcile(await this.accounts.watchableUserIds());
        } catch (error) {
          this.logger.warn({ err: error }, 'could not reconcile sessions');
        }
      } while (this.passAgain && !this.stopped);
      this.pass = undefined;
    })();
  }
}

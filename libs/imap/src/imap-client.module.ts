import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { TracersModule } from '@app/tracers';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { BackfillProgress } from './backfill/backfill-progress.service.js';
import { BackfillScheduler } from './backfill/backfill-scheduler.service.js';
import { Backfill } from './backfill/backfill.entity.js';
import { ImapLogMetrics } from './imap-log-metrics.service.js';
import { ImapModule } from './imap.module.js';
import { AccountErrorReport } from './session/account-error-report.js';
import { SessionManager } from './session/session-manager.service.js';
import { TracerRoundScheduler } from './tracers/tracer-round-scheduler.service.js';

/** Mailbox sessions (one per owned mailbox), their backfills, the seed's log metrics, and tracer rounds (the imap-client role only). */
@Module({
  imports: [TypeOrmModule.forFeature([Backfill]), ImapModule, UsersModule, TracersModule, WebhooksModule],
  providers: [
    AccountErrorReport,
    BackfillProgress,
    BackfillScheduler,
    ImapLogMetrics,
    SessionManager,
    TracerRoundScheduler,
  ],
  exports: [SessionManager],
})
export class ImapClientModule {}

import { Module } from '@nestjs/common';

import { TracersModule } from '@app/tracers';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { ImapLogMetrics } from './imap-log-metrics.service.js';
import { ImapModule } from './imap.module.js';
import { AccountErrorReport } from './session/account-error-report.js';
import { SessionManager } from './session/session-manager.service.js';
import { TracerRoundScheduler } from './tracers/tracer-round-scheduler.service.js';

/** Mailbox sessions (one per owned mailbox), the seed's log metrics, and tracer rounds (the imap-client role only). */
@Module({
  imports: [ImapModule, UsersModule, TracersModule, WebhooksModule],
  providers: [AccountErrorReport, ImapLogMetrics, SessionManager, TracerRoundScheduler],
  exports: [SessionManager],
})
export class ImapClientModule {}

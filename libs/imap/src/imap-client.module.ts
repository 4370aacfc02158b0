import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { TracersModule } from '@app/tracers';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { ImapMetrics } from './imap-metrics.service.js';
import { ImapStatusLog } from './imap-status-log.service.js';
import { MailLog } from './pipeline/mail-log.entity.js';
import { NewMailPipeline } from './pipeline/new-mail-pipeline.service.js';
import { MailboxCredentials } from './session/mailbox-credentials.service.js';
import { SessionManager } from './session/session-manager.service.js';

/** Mailbox sessions and the new-mail pipeline (the imap-client role only). */
@Module({
  imports: [TypeOrmModule.forFeature([MailLog]), UsersModule, WebhooksModule, TracersModule],
  providers: [ImapMetrics, ImapStatusLog, MailboxCredentials, NewMailPipeline, SessionManager],
  exports: [SessionManager],
})
export class ImapClientModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { TracersModule } from '@app/tracers';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { ImapConnector } from './connector/imap-connector.js';
import { ImapMetrics } from './imap-metrics.service.js';
import { MailLog } from './pipeline/mail-log.entity.js';
import { NewMailPipeline } from './pipeline/new-mail-pipeline.service.js';
import { RecentMail } from './pipeline/recent-mail.query.js';

/** IMAP access for any role: the connector (open, verify a login), the new-mail pipeline and its log. */
@Module({
  imports: [TypeOrmModule.forFeature([MailLog]), UsersModule, WebhooksModule, TracersModule],
  providers: [ImapConnector, ImapMetrics, NewMailPipeline, RecentMail],
  exports: [ImapConnector, ImapMetrics, NewMailPipeline, RecentMail],
})
export class ImapModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { TracersModule } from '@app/tracers';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { ImapConnector } from './connector/imap-connector.js';
import { ImapMetrics } from './imap-metrics.service.js';
import { MailLog } from './pipeline/mail-log.entity.js';
import { NewMailPipeline } from './pipeline/new-mail-pipeline.service.js';

/** IMAP access for any role: the connector (open, verify a login) and the new-mail pipeline. */
@Module({
  imports: [TypeOrmModule.forFeature([MailLog]), UsersModule, WebhooksModule, TracersModule],
  providers: [ImapConnector, ImapMetrics, NewMailPipeline],
  exports: [ImapConnector, ImapMetrics, NewMailPipeline],
})
export class ImapModule {}

import { Module } from '@nestjs/common';

import { DataRetentionModule } from '@app/imap';
import { WebhooksWorkerModule } from '@app/webhooks';

/** The worker role: webhook delivery, outbox sweeping, the retention purge. */
@Module({ imports: [WebhooksWorkerModule, DataRetentionModule] })
export class WorkerRoleModule {}

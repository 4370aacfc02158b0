import { Module } from '@nestjs/common';

import { DataRetentionModule } from '@app/imap';
import { TracersWorkerModule } from '@app/tracers';
import { WebhooksWorkerModule } from '@app/webhooks';

/** The worker role: webhook delivery, tracer sending, outbox sweeping, the retention purge. */
@Module({ imports: [WebhooksWorkerModule, TracersWorkerModule, DataRetentionModule] })
export class WorkerRoleModule {}

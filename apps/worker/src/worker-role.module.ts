import { Module } from '@nestjs/common';

import { WebhooksWorkerModule } from '@app/webhooks';

/** The worker role: webhook delivery, tracer sending, outbox sweeping. */
@Module({ imports: [WebhooksWorkerModule] })
export class WorkerRoleModule {}

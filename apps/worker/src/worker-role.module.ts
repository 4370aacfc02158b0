import { Module } from '@nestjs/common';

import { TracersWorkerModule } from '@app/tracers';
import { WebhooksWorkerModule } from '@app/webhooks';

/** The worker role: webhook delivery, tracer sending, outbox sweeping. */
@Module({ imports: [WebhooksWorkerModule, TracersWorkerModule] })
export class WorkerRoleModule {}

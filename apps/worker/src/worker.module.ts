import { Module } from '@nestjs/common';

/** The worker role: webhook delivery, tracer sending, outbox sweeping. */
@Module({})
export class WorkerRoleModule {}

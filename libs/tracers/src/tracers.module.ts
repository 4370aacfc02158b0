import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { UsersModule } from '@app/users';

import { MissingTracers } from './sending/missing-tracers.service.js';
import { TracerLogMetrics } from './sending/tracer-log-metrics.service.js';
import { TracerSendProcessor } from './sending/tracer-send.processor.js';
import { TracerSender } from './sending/tracer-sender.service.js';
import { TracerLog } from './tracer-log.entity.js';
import { TracerLogs } from './tracer-logs.service.js';
import { TracerMetrics } from './tracer-metrics.service.js';
import { TracerRounds } from './tracer-rounds.service.js';
import { TracersService } from './tracers.service.js';

/** Reading tracer logs (the API, the CLI): no queue, no metrics. */
@Module({
  imports: [TypeOrmModule.forFeature([TracerLog]), UsersModule],
  providers: [TracerLogs],
  exports: [TracerLogs],
})
export class TracerLogsModule {}

const SERVICES = [TracersService, TracerMetrics, TracerRounds];

/** Tracer detection, metrics and round requests, for any role that runs them. */
@Module({
  imports: [TypeOrmModule.forFeature([TracerLog]), UsersModule, TracerLogsModule],
  providers: SERVICES,
  exports: [...SERVICES, TracerLogsModule],
})
export class TracersModule {}

/** Sending tracers over SMTP and noticing missing ones (imported by the worker role only). */
@Module({
  imports: [TypeOrmModule.forFeature([TracerLog]), TracersModule, UsersModule],
  providers: [TracerSender, TracerSendProcessor, MissingTracers, TracerLogMetrics],
})
export class TracersWorkerModule {}

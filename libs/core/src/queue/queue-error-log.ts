import { getQueueToken, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Logger } from 'pino';

import { ROOT_LOGGER } from '../logging/logging.module.js';
import { ALL_QUEUES } from './queues.js';

interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * BullMQ prints a queue's or worker's errors raw to stderr when nobody listens (hundreds of lines while
 * Redis is away). They are logged here instead, at debug: RedisService already says, once, that Redis is down.
 */
@Injectable()
export class QueueErrorLog implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Workers exist once @nestjs/bullmq has explored the processors. */
  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!(instance instanceof WorkerHost)) continue;
      const worker = instance.worker as (ErrorEmitter & { name: string }) | undefined;
      if (worker) this.listen(worker, { worker: worker.name });
    }
  }

  private listen(emitter: ErrorEmitter, where: Record<string, string>): void {
    listen(emitter, where, this.logger);
  }
}

function listen(emitter: ErrorEmitter, where: Record<string, string>, logger: Logger): void {
  emitter.on('error', (error) => logger.debug({ ...where, err: error }, 'queue connection error'));
}

/** Queues connect as soon as they exist: this listens from the moment they are created, before any error. */
export const QUEUE_ERROR_LISTENERS: Provider = {
  provide: Symbol('QUEUE_ERROR_LISTENERS'),
  inject: [ROOT_LOGGER, ...ALL_QUEUES.map((name) => getQueueToken(name))],
  useFactory: (logger: Logger, ...queues: ErrorEmitter[]) =>
    queues.forEach((queue, index) => listen(queue, { queue: ALL_QUEUES[index] }, logger)),
};

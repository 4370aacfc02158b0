import { randomUUID } from 'node:crypto';

import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

import { AppConfig, TRACER_SEND_JOB, type TracerSendJob, TRACERS_QUEUE } from '@app/core';

/** Asks the worker for a round of NUM_TRACERS tracers to one mailbox. */
@Injectable()
export class TracerRounds {
  constructor(
    @InjectQueue(TRACERS_QUEUE) private readonly queue: Queue<TracerSendJob>,
    private readonly config: AppConfig,
  ) {}

  /**
   * Queues a round; its id is the job id, so queueing it again (a retried add) is a no-op. A failed round is
   * not retried: its logs record why, and the next round comes TRACER_INTERVAL later anyway.
   */
  async request(userId: string, roundId: string = randomUUID()): Promise<string> {
    await this.queue.add(
      TRACER_SEND_JOB,
      { roundId, userId, count: this.config.NUM_TRACERS },
      { jobId: roundId, attempts: 1, removeOnComplete: { age: 24 * 3600, count: 1000 } },
    );
    return roundId;
  }
}

import { Processor, WorkerHost } from '@nestjs/bullmq';

import { OUTBOX_QUEUE } from '@app/core';

import { OutboxSweeper } from './outbox-sweeper.service.js';

/** Runs the sweeps the cluster's one scheduler queues; one at a time per worker, whichever worker is free. */
@Processor(OUTBOX_QUEUE, { concurrency: 1 })
export class OutboxSweepProcessor extends WorkerHost {
  constructor(private readonly sweeper: OutboxSweeper) {
    super();
  }

  async process(): Promise<{ requeued: number }> {
    return { requeued: await this.sweeper.sweep() };
  }
}

import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';

import type { TracerSendJob } from '@app/core';
import { TRACERS_QUEUE } from '@app/core';

import { type RoundOutcome, TracerSender } from './tracer-sender.service.js';

/** Consumes tracer rounds; a round's outcome is its job's return value, its details are in the tracer logs. */
@Processor(TRACERS_QUEUE, { concurrency: 5 })
export class TracerSendProcessor extends WorkerHost {
  constructor(private readonly sender: TracerSender) {
    super();
  }

  async process(job: Job<TracerSendJob>): Promise<RoundOutcome> {
    return this.sender.sendRound(job.data);
  }
}

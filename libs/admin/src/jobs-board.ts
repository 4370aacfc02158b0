import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';

import { TRACERS_QUEUE, WEBHOOKS_QUEUE } from '@app/core';

export const JOBS_PATH = '/admin/jobs';

/**
 * bull-board's UI needs a base URI and inline styles (its React components set them); still no inline or
 * foreign scripts, no plugins, no framing. Its web font from a CDN stays blocked (the UI falls back).
 */
const JOBS_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; img-src 'self' data:";

/**
 * @bull-board at /admin/jobs. It is mounted on the Express app itself (its router needs the prefix stripped),
 * after the admin session and sign-in middleware, which run for every /admin path first.
 */
@Injectable()
export class JobsBoard implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly webhooks: Queue,
    @InjectQueue(TRACERS_QUEUE) private readonly tracers: Queue,
  ) {}

  onModuleInit(): void {
    const adapter = new ExpressAdapter();
    adapter.setBasePath(JOBS_PATH);
    createBullBoard({
      queues: [new BullMQAdapter(this.webhooks), new BullMQAdapter(this.tracers)],
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'SuperIMAP jobs' } },
    });
    const router = adapter.getRouter() as (request: Request, response: Response, next: NextFunction) => void;
    this.host.httpAdapter.use(JOBS_PATH, (request: Request, response: Response, next: NextFunction) => {
      response.setHeader('content-security-policy', JOBS_CSP);
      router(request, response, next);
    });
  }
}

import { Injectable } from '@nestjs/common';

import { type LogFigure, LogMetrics } from '@app/core';

import { TracerMetrics } from '../tracer-metrics.service.js';

/** The seed's `count#app.schedule_tracer_email.count`: tracer emails sent since the previous line. */
@Injectable()
export class TracerLogMetrics {
  private reported = 0;

  constructor(
    private readonly metrics: TracerMetrics,
    logMetrics: LogMetrics,
  ) {
    logMetrics.addSource(() => this.figures());
  }

  figures(): LogFigure[] {
    const sent = this.metrics.sentSinceStart - this.reported;
    this.reported = this.metrics.sentSinceStart;
    return [{ mode: 'count', name: 'app.schedule_tracer_email.count', value: sent }];
  }
}

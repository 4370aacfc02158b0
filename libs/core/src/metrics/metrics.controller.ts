import { Controller, Get, Header, Headers } from '@nestjs/common';

import { AppConfig } from '../config/app-config.js';
import { CoreErrors } from '../errors/domain-error.js';
import { MetricsService } from './metrics.service.js';
import { operatorMayRead } from './operator-access.js';

@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  /** With METRICS_PORT set, metrics live on that listener only; otherwise METRICS_TOKEN guards them. */
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(@Headers('authorization') authorization?: string): Promise<string> {
    if (this.config.METRICS_PORT !== undefined) throw CoreErrors.metricsElsewhere();
    if (!operatorMayRead(this.config, authorization)) throw CoreErrors.metricsTokenRequired();
    return this.metrics.render();
  }
}

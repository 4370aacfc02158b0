import { Controller, Get, Header, Headers } from '@nestjs/common';

import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
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
    if (this.config.METRICS_PORT !== undefined) throw new DomainError('NotFound', 'Cannot GET /metrics');
    if (!operatorMayRead(this.config, authorization)) {
      throw new DomainError('Unauthorized', 'Send METRICS_TOKEN as a bearer token to read /metrics');
    }
    return this.metrics.render();
  }
}

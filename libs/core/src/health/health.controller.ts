import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { Response } from 'express';

import { AppConfig } from '../config/app-config.js';
import { operatorMayRead } from '../metrics/operator-access.js';
import { type HealthReport, HealthService } from './health.service.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly config: AppConfig,
  ) {}

  /**
   * 200 when PostgreSQL and Redis answer, 503 otherwise; the body says which check failed. Node id and
   * cluster topology only for operators (METRICS_TOKEN, or the METRICS_PORT listener).
   */
  @Get()
  async healthReport(
    @Res({ passthrough: true }) response: Response,
    @Headers('authorization') authorization?: string,
  ): Promise<HealthReport> {
    const detailed = this.config.METRICS_PORT === undefined && operatorMayRead(this.config, authorization);
    const report = detailed ? await this.health.report() : await this.health.summary();
    response.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}

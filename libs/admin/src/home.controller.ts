import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { DashboardData } from './dashboard/dashboard-data.js';
import { DASHBOARD_SCRIPT } from './dashboard/dashboard-script.js';
import { ADMIN_CSS } from './pages/admin-layout.js';
import { dashboardPage } from './pages/dashboard-page.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';

const ASSET_CACHE = 'public, max-age=3600';

/** Chart.js's UMD build, from the installed package (no CDN: the pages work on a closed network). */
let chartLibrary: string | undefined;
function chartJs(): string {
  chartLibrary ??= readFileSync(
    join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'),
    'utf8',
  );
  return chartLibrary;
}

/** The dashboard and the admin pages' static assets (the stylesheet, Chart.js and the dashboard's script). */
@ApiExcludeController()
@Controller('admin')
export class HomeController {
  constructor(private readonly dashboard: DashboardData) {}

  @Get('assets/admin.css')
  stylesheet(@Res() response: Response): void {
    response.type('text/css').set('cache-control', ASSET_CACHE).send(ADMIN_CSS);
  }

  @Get('assets/chart.umd.min.js')
  chartLibrary(@Res() response: Response): void {
    response.type('text/javascript').set('cache-control', ASSET_CACHE).send(chartJs());
  }

  @Get('assets/dashboard.js')
  dashboardScript(@Res() response: Response): void {
    response.type('text/javascript').set('cache-control', ASSET_CACHE).send(DASHBOARD_SCRIPT);
  }

  @Get()
  async home(@Req() request: Request, @Res() response: Response): Promise<void> {
    const notice = takeNotice(request);
    sendPage(
      response,
      200,
      dashboardPage({ admin: signedInAdmin(response), data: await this.dashboard.gather(), notice }),
    );
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig } from '../config/app-config.js';
import { errorBody } from '../errors/error-body.js';
import { HealthService } from '../health/health.service.js';
import { ROOT_LOGGER } from '../logging/logging.module.js';
import { MetricsService } from './metrics.service.js';
import { operatorMayRead } from './operator-access.js';

/**
 * With METRICS_PORT set, /metrics and the detailed /health are served here, on METRICS_ADDRESS (loopback
 * by default), and no longer on the role's public port; METRICS_TOKEN, if set, is required here too.
 */
@Injectable()
export class OperatorServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly logger: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly health: HealthService,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'operator-server' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.METRICS_PORT;
    if (port === undefined) return;
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.METRICS_ADDRESS, () => resolve());
    });
    this.server = server;
    this.logger.info({ port, address: this.config.METRICS_ADDRESS }, 'metrics listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type }).end(body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json', JSON.stringify(body));
    try {
      if (this.config.METRICS_TOKEN && !operatorMayRead(this.config, request.headers.authorization)) {
        return json(401, errorBody('Unauthorized', 'Send METRICS_TOKEN as a bearer token'));
      }
      const path = new URL(request.url ?? '/', 'http://operator').pathname;
      if (request.method === 'GET' && path === '/metrics') {
        return send(200, 'text/plain; version=0.0.4', await this.metrics.render());
      }
      if (request.method === 'GET' && path === '/health') {
        const report = await this.health.report();
        return json(report.status === 'ok' ? 200 : 503, report);
      }
      json(404, errorBody('NotFound', `Cannot ${request.method} ${path}`));
    } catch (error) {
      this.logger.error({ err: error }, 'operator endpoint failed');
      if (!response.headersSent) json(500, errorBody('InternalError', 'Internal server error'));
    }
  }
}

import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';

import { AllErrorsFilter } from './all-errors.filter.js';
import { DomainError } from './domain-error.js';

function run(exception: unknown) {
  const logged: unknown[] = [];
  const logger = { error: (...args: unknown[]) => logged.push(args) } as unknown as Logger;
  const reply: { status?: number; body?: unknown } = {};
  const response = {
    headersSent: false,
    status(code: number) {
      reply.status = code;
      return this;
    },
    json(body: unknown) {
      reply.body = body;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ method: 'GET', path: '/x' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new AllErrorsFilter(logger).catch(exception, host);
  return { ...reply, logged };
}

describe('AllErrorsFilter', () => {
  it('maps a domain error to its status and code', () => {
    const reply = run(new DomainError('TagTaken', 'taken', [{ field: 'tag' }]));
    expect(reply).toMatchObject({
      status: 409,
      body: { error: { code: 'TagTaken', message: 'taken', details: [{ field: 'tag' }] } },
    });
  });

  it('keeps 4xx HTTP errors as JSON', () => {
    expect(run(new BadRequestException('nope'))).toMatchObject({
      status: 400,
      body: { error: { code: 'BadRequest' } },
    });
  });

  it('turns anything else into a 500 with a correlation id, logged in full but not shown', () => {
    const reply = run(new Error('database password is hunter2'));
    expect(reply.status).toBe(500);
    const body = reply.body as { error: { code: string; message: string; correlation_id: string } };
    expect(body.error).toMatchObject({ code: 'InternalError', message: 'Internal server error' });
    expect(body.error.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(JSON.stringify(reply.logged)).toContain(body.error.correlation_id);
  });
});

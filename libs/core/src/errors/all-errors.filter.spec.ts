import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';

import { AllErrorsFilter } from './all-errors.filter.js';
import { DomainError } from './domain-error.js';

function run(exception: unknown, path = '/x') {
  const logged: unknown[] = [];
  const logger = { error: (...args: unknown[]) => logged.push(args) } as unknown as Logger;
  const reply: { status?: number; body?: unknown; type?: string } = {};
  const response = {
    headersSent: false,
    status(code: number) {
      reply.status = code;
      return this;
    },
    set() {
      return this;
    },
    type(type: string) {
      reply.type = type;
      return this;
    },
    json(body: unknown) {
      reply.body = body;
    },
    send(body: unknown) {
      reply.body = body;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ method: 'GET', path }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new AllErrorsFilter(logger).catch(exception, host);
  return { ...reply, logged };
}

describe('AllErrorsFilter', () => {
  it('maps a domain error to its status and code', () => {
    const reply = run(new DomainError('conflict', 'TagTaken', 'taken', [{ field: 'tag' }]));
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

  it('answers browser paths with an HTML page: the message escaped, no stack, the correlation id of a 500', () => {
    const page = run(new DomainError('not_found', 'NotFound', 'Link <b>expired</b>'), '/users/connect/abc');
    expect(page).toMatchObject({ status: 404, type: 'html' });
    expect(page.body).toContain('Link &#60;b&#62;expired&#60;/b&#62;');

    const crash = run(new Error('at Object.secret (/srv/app.js:1:1)'), '/admin/partners');
    expect(crash).toMatchObject({ status: 500, type: 'html' });
    const html = String(crash.body);
    expect(html).not.toContain('app.js');
    const logged = JSON.stringify(crash.logged);
    const reference = /<code>([0-9a-f-]{36})<\/code>/.exec(html)?.[1];
    expect(reference).toBeDefined();
    expect(logged).toContain(reference);
  });

  it('keeps JSON for the API, health and metrics', () => {
    for (const path of ['/api/v1/connections', '/health', '/metrics']) {
      expect(run(new DomainError('invalid', 'ValidationFailed', 'bad'), path)).toMatchObject({
        status: 400,
        body: { error: { code: 'ValidationFailed' } },
      });
    }
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseRetryAfter, sendWebhook } from './webhook-sender.js';

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('sendWebhook', () => {
  let server: Server;
  let received: number;
  let url: string;

  beforeAll(async () => {
    received = 0;
    server = createServer((_request, response) => {
      received += 1;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const send = (allowHttp: boolean) =>
    sendWebhook({ url, body: '{}', headers: {}, timeoutMs: 2000, allowPrivate: true, allowHttp });

  it('refuses a plain-http target unless http is allowed, without connecting', async () => {
    const refused = await send(false);
    expect(refused.status).toBeNull();
    expect(refused.error).toMatch(/https/);
    expect(received).toBe(0);
    expect((await send(true)).status).toBe(200);
    expect(received).toBe(1);
  });
});

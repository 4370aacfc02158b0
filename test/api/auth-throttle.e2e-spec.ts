import { get } from 'node:http';

import { ApiClient } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { uniqueName } from '../support/test-env.js';

const LIMIT = 5;

/** A GET sent from a chosen local address (fetch cannot choose one). */
function statusFrom(localAddress: string, url: string, apiKey: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = get(url, { localAddress, headers: { 'x-api-key': apiKey } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('error', reject);
  });
}

describe('API: wrong API keys are logged and throttled per client address', () => {
  let api: RoleProcess;
  let partner: ApiClient;

  beforeAll(async () => {
    // Its own Redis prefix, so this file's failures never throttle other suites on 127.0.0.1.
    api = await RoleProcess.start('api', {
      API_AUTH_FAILURE_LIMIT: String(LIMIT),
      REDIS_PREFIX: uniqueName('auth-throttle'),
      LOG_LEVEL: 'info',
    });
    await api.waitHealthy();
    partner = await ApiClient.forNewPartner(api.url, 'Throttled');
  });
  afterAll(() => api.stop());

  it('answers 401 up to the limit, then 429 with Retry-After, even for the right key; other addresses go on', async () => {
    const guesses = Array.from({ length: LIMIT }, (_, index) => `sk_guess_${index}_${'x'.repeat(20)}`);
    for (const apiKey of guesses) expect((await partner.get('/api/v1/connections', { apiKey })).status).toBe(401);

    const throttled = await partner.get('/api/v1/connections', { apiKey: 'sk_guess_next' });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('RateLimited');
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await partner.get('/api/v1/connections')).status).toBe(429);

    // 127.0.0.2 is loopback too, but another client address.
    expect(await statusFrom('127.0.0.2', `${api.url}/api/v1/connections`, partner.apiKey)).toBe(200);
  });

  it('logs each refused key with the address, never the key', () => {
    const refusals = api.output.split('\n').filter((line) => line.includes('API key refused'));
    expect(refusals).toHaveLength(LIMIT);
    expect(JSON.parse(refusals[0])).toMatchObject({ client: '127.0.0.1', method: 'GET', path: '/api/v1/connections' });
    expect(api.output).not.toContain('sk_guess_');
  });
});

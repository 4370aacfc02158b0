import { ApiClient } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { TestInstallation } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

/** Nothing listens on port 1; the password must never appear in any output. */
const UNREACHABLE_REDIS = 'redis://:hunter2-redis-secret@127.0.0.1:1';

describe('a role whose Redis is unreachable', () => {
  const installation = new TestInstallation();
  let partner: ApiClient;
  const started: RoleProcess[] = [];

  beforeAll(async () => {
    await installation.start();
    partner = await installation.createPartner('Redis Down');
  });
  afterAll(async () => {
    await Promise.all(started.map((role) => role.stop('SIGKILL')));
    await installation.stop();
  });

  it('imap-client: names Redis and its URL without the password, retries with backoff, logs JSON only', async () => {
    const role = await RoleProcess.start('imap-client', { ...installation.env, REDIS_URL: UNREACHABLE_REDIS });
    started.push(role);
    await waitFor('two attempts to reach Redis', () => (role.output.match(/retrying in/g)?.length ?? 0) >= 2 || null, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    expect(role.child.exitCode).toBeNull(); // still waiting, not dead
    expect(role.output).toContain(
      'Redis at redis://:***@127.0.0.1:1 is unreachable (connect ECONNREFUSED 127.0.0.1:1)',
    );
    expect(role.output).toMatch(/retrying in 1 s[\s\S]*retrying in 2 s/);
    expect(role.output).not.toContain('hunter2-redis-secret');
    expect(role.output).not.toContain('[ioredis]');
    for (const line of role.output.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('api: answers 503 with a JSON error saying Redis is unavailable, logs JSON only', async () => {
    const api = await RoleProcess.start('api', {
      ...installation.env,
      REDIS_URL: UNREACHABLE_REDIS,
      LOG_LEVEL: 'info',
    });
    started.push(api);
    const client = new ApiClient(api.url, partner.apiKey);
    const response = await waitFor('the api to answer', () => client.get('/api/v1/connections').catch(() => null), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      error: {
        code: 'ServiceUnavailable',
        message: 'Redis is unavailable; retry later',
        details: { service: 'Redis' },
      },
    });
    expect(api.output).toContain('Redis at redis://:***@127.0.0.1:1 is unreachable');
    expect(api.output).not.toContain('hunter2-redis-secret');
    expect(api.output).not.toContain('[ioredis]');
    for (const line of api.output.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});

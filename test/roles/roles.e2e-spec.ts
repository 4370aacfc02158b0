import { RoleProcess } from '../support/role-process.js';
import { waitFor } from '../support/wait-for.js';

describe.each(['api', 'imap-client', 'worker', 'all'])('superimap %s', (role) => {
  let process: RoleProcess | undefined;
  afterEach(async () => {
    await process?.stop('SIGKILL');
  });

  it('boots, answers /health with PostgreSQL and Redis up, and exits 0 on SIGTERM within 10 s', async () => {
    process = await RoleProcess.start(role, { LOG_LEVEL: 'info' });
    const health = await process.waitHealthy();
    expect(health).toMatchObject({
      status: 'ok',
      checks: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
    const started = Date.now();
    const exit = await process.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(process.output).toContain('"msg":"stopped"');
  });
});

describe('boot with a wrong variable', () => {
  it('stops with a message naming it', async () => {
    const process = await RoleProcess.start('api', { PORT: 'abc', MAX_EMAIL_SIZE: 'lots' }, 1);
    const exit = await process.exited();
    expect(exit.code).toBe(1);
    expect(process.output).toContain('PORT="abc"');
    expect(process.output).toContain('MAX_EMAIL_SIZE="lots"');
  });
});

describe('boot with NODE_ENV unset', () => {
  it('refuses a public PUBLIC_URL, naming NODE_ENV, and starts once NODE_ENV=development is explicit', async () => {
    const publicUrl = { PUBLIC_URL: 'https://imap.example.com' };
    const refused = await RoleProcess.start('api', { NODE_ENV: '', ...publicUrl });
    expect((await refused.exited()).code).toBe(1);
    expect(refused.output).toContain('PUBLIC_URL is not loopback, so NODE_ENV must be set');

    const explicit = await RoleProcess.start('api', { NODE_ENV: 'development', ...publicUrl });
    try {
      await explicit.waitHealthy();
    } finally {
      await explicit.stop('SIGKILL');
    }
  });

  it('binds loopback only', async () => {
    const process = await RoleProcess.start('worker', { NODE_ENV: '', LOG_LEVEL: 'info' });
    try {
      await process.waitHealthy();
      expect(process.output).toContain('"address":"127.0.0.1"');
    } finally {
      await process.stop('SIGKILL');
    }
  });
});

describe('/health when Redis is unreachable', () => {
  it('answers 503 and says which check failed', async () => {
    const process = await RoleProcess.start('worker', { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const response = await waitForStatus(`${process.url}/health`, 503);
      expect(await response.json()).toMatchObject({ status: 'error', checks: { redis: { status: 'down' } } });
    } finally {
      await process.stop('SIGKILL');
    }
  });
});

async function waitForStatus(url: string, status: number): Promise<Response> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === status) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a Redis that may evict keys', () => {
  it('stops a production role from starting', async () => {
    const { spawn } = await import('node:child_process');
    const { freePort } = await import('../support/free-port.js');
    const port = await freePort();
    const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--maxmemory-policy', 'allkeys-lru'], {
      stdio: 'ignore',
    });
    try {
      const { Redis } = await import('ioredis');
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
      await waitFor('the private Redis', () => probe.ping().then(() => true), { timeoutMs: 5000 });
      probe.disconnect();
      const process = await RoleProcess.start('worker', {
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://imap.example.test',
        REDIS_URL: `redis://127.0.0.1:${port}`,
      });
      const exit = await process.exited();
      expect(exit.code).toBe(1);
      expect(process.output).toContain('maxmemory-policy is \\"allkeys-lru\\"');
    } finally {
      redis.kill();
    }
  });
});

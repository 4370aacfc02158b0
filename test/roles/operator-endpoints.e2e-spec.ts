import { freePort } from '../support/free-port.js';
import { RoleProcess } from '../support/role-process.js';

const PRODUCTION = { NODE_ENV: 'production', PUBLIC_URL: 'https://imap.example.test' };
const TOKEN = 'metrics-token-0123456789abcdef';

const get = (url: string, token?: string) =>
  fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('/metrics and the detailed /health are for operators only', () => {
  const processes: RoleProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const role = await RoleProcess.start('imap-client', { ...PRODUCTION, ...env });
    processes.push(role);
    await role.waitHealthy();
    return role;
  };
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((role) => role.stop('SIGKILL')));
  });

  it('in production without METRICS_TOKEN: /metrics refused, /health without node id or cluster', async () => {
    const role = await start({});
    expect((await get(`${role.url}/metrics`)).status).toBe(401);
    const health = await get(`${role.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      checks: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('with METRICS_TOKEN: only the bearer of the token reads /metrics and the cluster view', async () => {
    const role = await start({ METRICS_TOKEN: TOKEN });
    expect((await get(`${role.url}/metrics`)).status).toBe(401);
    expect((await get(`${role.url}/metrics`, `${TOKEN}x`)).status).toBe(401);
    const metrics = await get(`${role.url}/metrics`, TOKEN);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('superimap_');
    expect(await (await get(`${role.url}/health`)).json()).not.toHaveProperty('cluster');
    const detailed = (await (await get(`${role.url}/health`, TOKEN)).json()) as Record<string, unknown>;
    expect(detailed).toMatchObject({ status: 'ok', node: expect.any(String), cluster: expect.any(Object) });
  });

  it('with METRICS_PORT: served on that listener only, the role port keeps the summary', async () => {
    const metricsPort = await freePort();
    const role = await start({ METRICS_PORT: String(metricsPort) });
    const operator = `http://127.0.0.1:${metricsPort}`;
    expect((await get(`${role.url}/metrics`)).status).toBe(404);
    expect(await (await get(`${role.url}/health`)).json()).not.toHaveProperty('node');
    const metrics = await get(`${operator}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('superimap_');
    expect(await (await get(`${operator}/health`)).json()).toMatchObject({ status: 'ok', cluster: expect.any(Object) });
    expect((await get(`${operator}/other`)).status).toBe(404);
  });
});

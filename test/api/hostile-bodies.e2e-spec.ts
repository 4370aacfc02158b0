import { ApiClient, type ApiResult, usersPath } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { runCli } from '../support/run-cli.js';

const CODE = 'FASTMAIL_PASSWORD';

/** `{"k0":0,"k1":0,…}` with `count` keys, padded with spaces to at least `bytes`. */
function manyKeys(count: number, bytes = 0): string {
  const keys = Array.from({ length: count }, (_, index) => `"k${index}":0`).join(',');
  return `{${keys}}`.padEnd(bytes, ' ');
}
/** `{"tag":[[[…]]]}`, `depth` arrays deep. */
const nestedArrays = (depth: number) => `{"tag":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('API: hostile request bodies', () => {
  let api: RoleProcess;
  let partner: ApiClient;

  beforeAll(async () => {
    await runCli(['seed']);
    api = await RoleProcess.start('api');
    await api.waitHealthy();
    partner = await ApiClient.forNewPartner(api.url, 'Hostile bodies');
    await partner.post('/api/v1/connections', { imap_provider_code: CODE });
  });
  afterAll(() => api.stop());

  const send = (rawBody: string, contentType = 'application/json'): Promise<ApiResult> =>
    partner.post(usersPath(CODE), undefined, { rawBody, headers: { 'content-type': contentType } });

  const expectShortClientError = (result: ApiResult) => {
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(typeof result.body.error.code).toBe('string');
    expect(JSON.stringify(result.body).length).toBeLessThan(2000);
  };

  it('answers a 900 KB body of 70,000 keys and an 800 KB body of nested arrays with a short 4xx', async () => {
    const wide = await send(manyKeys(70_000, 900_000));
    expectShortClientError(wide);
    expect(wide.status).toBe(413);
    const deep = await send(nestedArrays(400_000));
    expectShortClientError(deep);
    expect(deep.status).toBe(413);
  });

  it('refuses bodies within the size cap that hold too many keys or nest too deep, before validation', async () => {
    const wide = await send(manyKeys(5_000));
    expectShortClientError(wide);
    expect(wide.status).toBe(400);
    expect(wide.body.error.message).toContain('more than 1000');

    const deep = await send(nestedArrays(30_000));
    expectShortClientError(deep);
    expect(deep.status).toBe(400);
    expect(deep.body.error.message).toContain('nested deeper');

    const nestedTag = await send(nestedArrays(3));
    expect(nestedTag.status).toBe(400);

    const form = Array.from({ length: 5_000 }, (_, index) => `k${index}=0`).join('&');
    expectShortClientError(await send(form, 'application/x-www-form-urlencoded'));
  });

  it('names at most a few unknown fields in a validation error', async () => {
    const result = await send(manyKeys(900));
    expectShortClientError(result);
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('ValidationFailed');
    expect(result.body.error.message).toContain('and 890 more');
    expect(result.body.error.details).toHaveLength(10);
    expect(result.body.error.details[0]).toMatchObject({ field: 'tag' });
  });

  it('keeps /health answering while attackers keep sending hostile bodies', async () => {
    let healthDone = false;
    const answers: number[] = [];
    const attacker = async (body: string) => {
      while (!healthDone) answers.push((await send(body)).status);
    };
    const attackers = [
      attacker(manyKeys(70_000, 900_000)),
      attacker(nestedArrays(400_000)),
      attacker(manyKeys(5_000)),
      attacker(nestedArrays(30_000)),
    ];
    const health: number[] = [];
    try {
      for (let round = 0; round < 5; round += 1) health.push((await fetch(`${api.url}/health`)).status);
    } finally {
      healthDone = true;
    }
    await Promise.all(attackers);
    expect(health).toEqual([200, 200, 200, 200, 200]);
    expect(answers.length).toBeGreaterThanOrEqual(4);
    expect(answers.every((status) => status === 400 || status === 413)).toBe(true);
  });
});

import { ApiClient, usersPath } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { runCli } from '../support/run-cli.js';

/** Another partner's connections and users must not exist for a partner: 404, never 403, never data. */
describe('API: partners are isolated', () => {
  let api: RoleProcess;
  let owner: ApiClient;
  let intruder: ApiClient;

  beforeAll(async () => {
    await runCli(['seed']);
    api = await RoleProcess.start('api');
    await api.waitHealthy();
    owner = await ApiClient.forNewPartner(api.url, 'Owner');
    intruder = await ApiClient.forNewPartner(api.url, 'Intruder');
    await owner.post('/api/v1/connections', {
      imap_provider_code: 'OUTLOOK_OAUTH2',
      oauth2_client_id: 'owner-client',
      oauth2_client_secret: 'owner-secret',
    });
    await owner.post(usersPath('OUTLOOK_OAUTH2'), {
      tag: 'private',
      email: 'private@owner.test',
      oauth2_refresh_token: 'owner-refresh',
    });
  });
  afterAll(() => api.stop());

  it("lists none of the other partner's connections", async () => {
    expect((await intruder.get('/api/v1/connections')).body).toEqual([]);
  });

  it.each([
    ['GET', '/api/v1/connections/OUTLOOK_OAUTH2', undefined],
    ['PUT', '/api/v1/connections/OUTLOOK_OAUTH2', { oauth2_client_id: 'stolen' }],
    ['DELETE', '/api/v1/connections/OUTLOOK_OAUTH2', undefined],
    ['GET', usersPath('OUTLOOK_OAUTH2'), undefined],
    ['POST', usersPath('OUTLOOK_OAUTH2'), { tag: 'planted' }],
    ['GET', usersPath('OUTLOOK_OAUTH2', 'private'), undefined],
    ['PUT', usersPath('OUTLOOK_OAUTH2', 'private'), { archived: true }],
    ['DELETE', usersPath('OUTLOOK_OAUTH2', 'private'), undefined],
  ])('%s %s → 404 ConnectionNotFound', async (method, path, body) => {
    const result = await intruder.request(method, path, body);
    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('ConnectionNotFound');
    expect(JSON.stringify(result.body)).not.toMatch(/owner|private/);
  });

  it("with the same provider connected, still cannot reach the owner's users", async () => {
    await intruder.post('/api/v1/connections', {
      imap_provider_code: 'OUTLOOK_OAUTH2',
      oauth2_client_id: 'intruder-client',
      oauth2_client_secret: 'intruder-secret',
    });
    expect((await intruder.get(usersPath('OUTLOOK_OAUTH2'))).body).toEqual([]);
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { archived: true }],
      ['DELETE', undefined],
    ] as const) {
      const result = await intruder.request(method, usersPath('OUTLOOK_OAUTH2', 'private'), body);
      expect(result.status).toBe(404);
      expect(result.body.error.code).toBe('UserNotFound');
    }
    expect((await intruder.get('/api/v1/connections/OUTLOOK_OAUTH2')).body).toMatchObject({
      users_count: 0,
      oauth2_client_id: 'intruder-client', // its own, never the owner's
    });
    // The owner's data is untouched.
    const mine = await owner.get(usersPath('OUTLOOK_OAUTH2', 'private'));
    expect(mine.body).toMatchObject({ tag: 'private', archived: false });
    expect((await owner.get('/api/v1/connections/OUTLOOK_OAUTH2')).body).toMatchObject({
      users_count: 1,
      oauth2_client_id: 'owner-client',
    });
  });

  it('never returns a secret in any response', async () => {
    const responses = [
      await owner.get('/api/v1/connections'),
      await owner.get('/api/v1/connections/OUTLOOK_OAUTH2'),
      await owner.get(usersPath('OUTLOOK_OAUTH2')),
      await owner.get(usersPath('OUTLOOK_OAUTH2', 'private')),
    ];
    for (const response of responses) {
      const text = JSON.stringify(response.body);
      expect(text).not.toContain('owner-secret');
      expect(text).not.toContain('owner-refresh');
      expect(text).not.toContain(owner.apiKey);
    }
  });
});

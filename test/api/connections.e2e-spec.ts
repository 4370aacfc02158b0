import pg from 'pg';

import { ApiClient } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { runCli } from '../support/run-cli.js';

async function rawRows(sql: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe('API: authentication and connections', () => {
  let api: RoleProcess;
  let partner: ApiClient;

  beforeAll(async () => {
    await runCli(['seed']);
    api = await RoleProcess.start('api');
    await api.waitHealthy();
    partner = await ApiClient.forNewPartner(api.url, 'Connections');
  });
  afterAll(() => api.stop());

  describe('authentication', () => {
    it('answers 401 JSON without a key or with a wrong one', async () => {
      for (const apiKey of [null, 'sk_wrong']) {
        const result = await partner.get('/api/v1/connections', { apiKey });
        expect(result.status).toBe(401);
        expect(result.body).toEqual({
          error: { code: 'Unauthorized', message: 'Partner not found. Check your api_key.' },
        });
      }
    });

    it('accepts the key as a header or as the api_key parameter', async () => {
      expect((await partner.get('/api/v1/connections')).status).toBe(200);
      const viaParam = await partner.get(`/api/v1/connections?api_key=${encodeURIComponent(partner.apiKey)}`, {
        apiKey: null,
      });
      expect(viaParam.status).toBe(200);
    });
  });

  it('creates, reads, updates and deletes an OAuth2 connection; the secret is write-only', async () => {
    const created = await partner.post('/api/v1/connections', {
      imap_provider_code: 'GMAIL_OAUTH2',
      oauth2_client_id: 'client-123',
      oauth2_client_secret: 'very-secret-value',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      imap_provider_code: 'GMAIL_OAUTH2',
      users_count: 0,
      oauth2_client_id: 'client-123',
      oauth2_client_secret_set: true,
    });
    expect(JSON.stringify(created.body)).not.toContain('very-secret-value');
    const [row] = await rawRows('SELECT * FROM partner_connections WHERE partner_id = $1', [partner.partnerId]);
    expect(JSON.stringify(row)).not.toContain('very-secret-value');
    expect(row.oauth2_client_secret).toMatch(/^v1:/);

    expect((await partner.get('/api/v1/connections')).body).toEqual([
      expect.objectContaining({ imap_provider_code: 'GMAIL_OAUTH2' }),
    ]);
    expect((await partner.get('/api/v1/connections/GMAIL_OAUTH2.json')).body).toMatchObject({
      imap_provider_code: 'GMAIL_OAUTH2',
    });

    const updated = await partner.put('/api/v1/connections/GMAIL_OAUTH2', { oauth2_client_id: 'client-456' });
    expect(updated.body).toMatchObject({ oauth2_client_id: 'client-456', oauth2_client_secret_set: true });

    const duplicate = await partner.post('/api/v1/connections', { imap_provider_code: 'GMAIL_OAUTH2' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('ConnectionExists');

    expect((await partner.delete('/api/v1/connections/GMAIL_OAUTH2')).status).toBe(204);
    expect((await partner.get('/api/v1/connections/GMAIL_OAUTH2')).status).toBe(404);
  });

  it('deleting a connection removes its users', async () => {
    await partner.post('/api/v1/connections', { imap_provider_code: 'YAHOO_PASSWORD' });
    await partner.post('/api/v1/connections/YAHOO_PASSWORD/users', { tag: 'u1' });
    expect((await partner.get('/api/v1/connections/YAHOO_PASSWORD')).body.users_count).toBe(1);
    await partner.delete('/api/v1/connections/YAHOO_PASSWORD');
    const users = await rawRows(
      `SELECT u.id FROM users u JOIN partner_connections c ON c.id = u.partner_connection_id WHERE c.partner_id = $1`,
      [partner.partnerId],
    );
    expect(users).toEqual([]);
  });

  describe('errors', () => {
    it('unknown provider code → 404 with the seed message', async () => {
      const result = await partner.post('/api/v1/connections', { imap_provider_code: 'NOPE' });
      expect(result.status).toBe(404);
      expect(result.body).toEqual({
        error: { code: 'ImapProviderNotFound', message: "Imap Provider not found for 'NOPE'" },
      });
      expect((await partner.get('/api/v1/connections/NOPE')).body.error.code).toBe('ImapProviderNotFound');
    });

    it('no connection for a known provider → 404', async () => {
      const result = await partner.get('/api/v1/connections/AOL_PASSWORD');
      expect(result.status).toBe(404);
      expect(result.body.error.code).toBe('ConnectionNotFound');
    });

    it('missing imap_provider_code, unknown fields and wrong types → 400 naming each', async () => {
      const missing = await partner.post('/api/v1/connections', {});
      expect(missing.status).toBe(400);
      expect(missing.body.error.details).toEqual([expect.objectContaining({ field: 'imap_provider_code' })]);
      const wrong = await partner.post('/api/v1/connections', {
        imap_provider_code: 'GMAIL_OAUTH2',
        oauth2_client_id: 42,
        colour: 'red',
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.message).toContain('unknown field: colour');
      expect(wrong.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'colour',
        'oauth2_client_id',
      ]);
    });

    it('OAuth2 settings on a password provider → 400', async () => {
      const result = await partner.post('/api/v1/connections', {
        imap_provider_code: 'ICLOUD_PASSWORD',
        oauth2_client_secret: 'x',
      });
      expect(result.status).toBe(400);
      expect(result.body.error.message).toContain('oauth2_client_secret not accepted');
      expect(result.body.error.message).not.toContain('"x"');
    });

    it('malformed JSON → 400, a body over 1 MiB → 413, a JSON array → 400', async () => {
      const malformed = await partner.post('/api/v1/connections', undefined, { rawBody: '{"imap_provider_code":' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('InvalidJson');
      const huge = await partner.post('/api/v1/connections', { imap_provider_code: 'X', pad: 'x'.repeat(1_100_000) });
      expect(huge.status).toBe(413);
      expect(huge.body.error.code).toBe('PayloadTooLarge');
      expect((await partner.post('/api/v1/connections', [1, 2])).status).toBe(400);
    });

    it('an unknown route → 404 JSON', async () => {
      const result = await partner.get('/api/v1/nothing-here');
      expect(result.status).toBe(404);
      expect(result.body.error.code).toBe('NotFound');
    });
  });

  it('rate-limits each partner separately with 429 and Retry-After', async () => {
    const limited = await RoleProcess.start('api', { API_RATE_LIMIT: '3' });
    try {
      await limited.waitHealthy();
      const a = await ApiClient.forNewPartner(limited.url, 'Limited');
      const b = await ApiClient.forNewPartner(limited.url, 'Other');
      // The limit counts per clock minute: start well inside one.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoMinute));
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await a.get('/api/v1/connections')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const blocked = await a.get('/api/v1/connections');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.body.error.code).toBe('RateLimited');
      expect((await b.get('/api/v1/connections')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('documents every route in OpenAPI', async () => {
    const response = await fetch(`${api.url}/api/docs-json`);
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/connections',
        'POST /api/v1/connections',
        'GET /api/v1/connections/{code}',
        'PUT /api/v1/connections/{code}',
        'DELETE /api/v1/connections/{code}',
        'GET /api/v1/connections/{code}/users',
        'POST /api/v1/connections/{code}/users',
        'GET /api/v1/connections/{code}/users/{tag}',
        'PUT /api/v1/connections/{code}/users/{tag}',
        'DELETE /api/v1/connections/{code}/users/{tag}',
      ]),
    );
    expect((await fetch(`${api.url}/api/docs`)).status).toBe(200);
  });
});

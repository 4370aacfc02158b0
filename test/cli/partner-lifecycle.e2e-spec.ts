import pg from 'pg';

import { ApiClient } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { runCli } from '../support/run-cli.js';

async function count(sql: string, values: unknown[]): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return Number((await client.query(sql, values)).rows[0].count);
  } finally {
    await client.end();
  }
}

describe('partner lifecycle: API key rotation, disable, delete', () => {
  let api: RoleProcess;
  let partner: ApiClient;
  const status = async (apiKey: string) => (await partner.get('/api/v1/connections', { apiKey })).status;

  beforeAll(async () => {
    await runCli(['seed']);
    api = await RoleProcess.start('api');
    await api.waitHealthy();
    partner = await ApiClient.forNewPartner(api.url, 'Lifecycle');
    await partner.post('/api/v1/connections', { imap_provider_code: 'FASTMAIL_PASSWORD' });
  });
  afterAll(() => api.stop());

  it('rotates the API key: the old one keeps working for the grace period only, or is revoked at once', async () => {
    const first = partner.apiKey;
    const graceful = await runCli(['partner', 'rotate-key', '--id', partner.partnerId, '--grace-seconds', '600']);
    expect(graceful.code).toBe(0);
    const second = (graceful.json as { api_key: string }).api_key;
    expect(second).toMatch(/^sk_/);
    expect(await status(first)).toBe(200);
    expect(await status(second)).toBe(200);

    const immediate = await runCli(['partner', 'rotate-key', '--id', partner.partnerId]);
    const third = (immediate.json as { api_key: string }).api_key;
    expect(await status(third)).toBe(200);
    expect(await status(second)).toBe(401);
    expect(await status(first)).toBe(401);

    const badGrace = await runCli(['partner', 'rotate-key', '--id', partner.partnerId, '--grace-seconds', '-1']);
    expect(badGrace.code).not.toBe(0);
    expect(await status(third)).toBe(200);
  });

  it('disables and enables a partner; deletes it, with its data, only when confirmed', async () => {
    const rotated = await runCli(['partner', 'rotate-key', '--id', partner.partnerId]);
    const apiKey = (rotated.json as { api_key: string }).api_key;

    expect((await runCli(['partner', 'disable', '--id', partner.partnerId])).json).toMatchObject({ disabled: true });
    const refused = await partner.get('/api/v1/connections', { apiKey });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('PartnerDisabled');
    expect((await runCli(['partner', 'enable', '--id', partner.partnerId])).json).toMatchObject({ disabled: false });
    expect(await status(apiKey)).toBe(200);

    const unconfirmed = await runCli(['partner', 'delete', '--id', partner.partnerId]);
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toContain('--yes');
    expect(await status(apiKey)).toBe(200);

    expect((await runCli(['partner', 'delete', '--id', partner.partnerId, '--yes'])).json).toEqual({
      id: partner.partnerId,
      deleted: true,
    });
    expect(await status(apiKey)).toBe(401);
    expect(await count('SELECT count(*) FROM partners WHERE id = $1', [partner.partnerId])).toBe(0);
    expect(await count('SELECT count(*) FROM partner_connections WHERE partner_id = $1', [partner.partnerId])).toBe(0);
    expect((await runCli(['partner', 'delete', '--id', partner.partnerId, '--yes'])).code).not.toBe(0);
  });
});

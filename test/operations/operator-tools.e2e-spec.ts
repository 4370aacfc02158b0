import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ApiClient } from '../support/api-client.js';
import { runCli } from '../support/run-cli.js';
import { TestInstallation } from '../support/test-installation.js';

describe('operator and partner tools', () => {
  const installation = new TestInstallation();
  let partner: ApiClient;

  beforeAll(async () => {
    await installation.start();
    partner = await installation.createPartner('Tools');
  });
  afterAll(() => installation.stop());

  it('superimap with no arguments prints the usage and exits 2 (a usage error)', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: superimap <command>');
    expect((await runCli(['help'])).code).toBe(0);
  });

  it('partner update changes only the given fields and validates them', async () => {
    const updated = await installation.cli([
      'partner',
      'update',
      '--id',
      partner.partnerId,
      '--account-error-webhook',
      'https://tools.example/hooks/account',
    ]);
    expect(updated.code).toBe(0);
    expect(updated.json).toMatchObject({
      id: partner.partnerId,
      name: 'Tools',
      account_error_webhook: 'https://tools.example/hooks/account',
    });
    const invalid = await installation.cli([
      'partner',
      'update',
      '--id',
      partner.partnerId,
      '--new-mail-webhook',
      'nope',
    ]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('newMailWebhook must be an http(s) URL');
    const missing = await installation.cli(['partner', 'update', '--id', crypto.randomUUID(), '--name', 'X']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Partner not found');
  });

  it('users list|show|state find users across partners by connection, tag and state', async () => {
    await partner.post('/api/v1/connections', { imap_provider_code: 'FASTMAIL_PASSWORD' });
    await partner.post('/api/v1/connections/FASTMAIL_PASSWORD/users', { tag: 'waiting' });
    await partner.post('/api/v1/connections/FASTMAIL_PASSWORD/users', {
      tag: 'ready',
      login_username: 'ready@fastmail.test',
      login_password: 'hunter2-cli',
    });
    const list = await installation.cli([
      'users',
      'list',
      '--partner',
      partner.partnerId,
      '--connection',
      'FASTMAIL_PASSWORD',
    ]);
    expect(list.code).toBe(0);
    expect((list.json as { tag: string }[]).map((user) => user.tag)).toEqual(['waiting', 'ready']);
    expect(list.stdout).not.toContain('hunter2-cli');
    const waiting = await installation.cli([
      'users',
      'list',
      '--state',
      'needs_credentials',
      '--partner',
      partner.partnerId,
    ]);
    expect((waiting.json as { tag: string }[]).map((user) => user.tag)).toEqual(['waiting']);
    const shown = await installation.cli(['users', 'show', '--tag', 'READY', '--partner', partner.partnerId]);
    expect(shown.json).toMatchObject({
      tag: 'ready',
      connection: 'FASTMAIL_PASSWORD',
      state: 'idle',
      connected_at: null,
    });
    const summary = await installation.cli(['users', 'state', '--partner', partner.partnerId]);
    expect(summary.json).toEqual({ needs_credentials: 1, idle: 1 });
    expect((await installation.cli(['users', 'list', '--state', 'sleepy'])).code).toBe(2);
  });

  it('GET /api/v1/providers lists the codes a partner can use, with title and auth type', async () => {
    const response = await partner.get('/api/v1/providers');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(
      expect.arrayContaining([
        { code: 'GMAIL_OAUTH2', title: expect.any(String), auth: 'oauth2' },
        { code: 'FASTMAIL_PASSWORD', title: expect.any(String), auth: 'password' },
      ]),
    );
    expect((await partner.get('/api/v1/providers', { apiKey: null })).status).toBe(401);
  });

  it('an OAuth2 connection without client id and secret is a clear 400', async () => {
    const response = await partner.post('/api/v1/connections', { imap_provider_code: 'OUTLOOK_OAUTH2' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'ValidationFailed',
      message: 'OUTLOOK_OAUTH2 uses OAuth2: oauth2_client_id and oauth2_client_secret are required',
    });
  });

  it('providers can trust their own CA; insecure is refused in production', async () => {
    const pem = join(tmpdir(), `ca-${process.pid}.pem`);
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const base = ['provider', 'create', '--title', 'Private', '--imap-host', 'imap.corp.test', '--imap-port', '993'];
    const withCa = await installation.cli([
      ...base,
      '--code',
      'PRIVATE_CA',
      '--imap-security',
      'tls',
      '--auth',
      'password',
      '--tls-ca',
      pem,
    ]);
    expect(withCa.code).toBe(0);
    expect(withCa.json).toMatchObject({ code: 'PRIVATE_CA', tls: 'own CA bundle' });
    const [row] = await installation.sql('SELECT tls_ca FROM imap_providers WHERE code = $1', ['PRIVATE_CA']);
    expect(row.tls_ca).toContain('BEGIN CERTIFICATE');

    const insecure = [...base, '--code', 'INSECURE', '--imap-security', 'tls', '--auth', 'password', '--tls-insecure'];
    const refused = await installation.cli(insecure, {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://imap.example.test',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('tls_insecure is refused in production');
    expect((await installation.cli(insecure)).json).toMatchObject({ tls: 'insecure (no certificate check)' });
  });
});

import { ApiClient, type ApiResult, usersPath } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { runCli } from '../support/run-cli.js';

const CODE = 'FASTMAIL_PASSWORD';
const MARKER = 'malformed-marker-7f3a';
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const SOME_UUID = '0b9f7c4e-5a3d-4f2e-9c1b-2d8e6f4a7b10';

describe('API: malformed input gets a 4xx, never a 500', () => {
  let api: RoleProcess;
  let partner: ApiClient;

  beforeAll(async () => {
    await runCli(['seed']);
    api = await RoleProcess.start('api', { LOG_LEVEL: 'info' });
    await api.waitHealthy();
    partner = await ApiClient.forNewPartner(api.url, 'Malformed');
    await partner.post('/api/v1/connections', { imap_provider_code: CODE });
    await partner.post(usersPath(CODE), { tag: 'known' });
  });
  afterAll(() => api.stop());

  const expect400 = (result: ApiResult) => {
    expect({ status: result.status, code: result.body?.error?.code }).toEqual({
      status: 400,
      code: expect.stringMatching(/^(BadRequest|ValidationFailed)$/),
    });
  };

  it('refuses NUL bytes in tags, other body fields, paths and query strings', async () => {
    expect400(await partner.post(usersPath(CODE), { tag: `${MARKER}\u0000x` }));
    expect400(await partner.post(usersPath(CODE), { tag: 'nul-password', login_password: `${MARKER}\u0000` }));
    expect400(await partner.put(usersPath(CODE, 'known'), { login_username: `a\u0000${MARKER}` }));
    expect400(await partner.get(usersPath(CODE, `${MARKER}\u0000`)));
    expect400(await partner.get(`/api/v1/connections/${CODE}%00`));
    expect400(await partner.get(`/api/v1/events?user_tag=${MARKER}%00`));
    expect400(await partner.get(`/api/v1/events?status=%00`));
    // Form bodies too, and a NUL hidden in a key.
    const form = await partner.post(usersPath(CODE), undefined, {
      rawBody: `tag=${MARKER}%00`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect400(form);
    expect400(await partner.post(usersPath(CODE), undefined, { rawBody: `{"tag":"t","\\u0000":1}` }));
  });

  it.each([
    ['an impossible day', ['2026-02-30 10:00:00.123456+00', SOME_UUID]],
    ['year 0', ['0000-01-01 00:00:00+00', SOME_UUID]],
    ['a NUL in the time', ['2026-01-01 00:00:00+00\u0000', SOME_UUID]],
    ['an hour 25', ['2026-01-01 25:00:00+00', SOME_UUID]],
    ['a huge year', ['275760-09-13 00:00:00+00', SOME_UUID]],
    ['a UUID-shaped non-UUID', ['2026-01-01 00:00:00+00', 'zzzzzzzz-zzzz-4zzz-zzzz-zzzzzzzzzzzz']],
  ])('refuses a tampered cursor with %s', async (_name, position) => {
    const cursor = cursorOf(position);
    expect400(await partner.get(`/api/v1/events?cursor=${cursor}`));
    expect400(await partner.get(`${usersPath(CODE)}?cursor=${cursor}`));
  });

  it.each(['2026-02-30', '2026-02-29T00:00:00Z', '0000-01-01', '2026-13-01', '2026-01-01T24:30:00Z', '+275760-09-13'])(
    'refuses the impossible date %p in since and until',
    async (date) => {
      expect400(await partner.get(`/api/v1/events?since=${encodeURIComponent(date)}`));
      expect400(await partner.get(`/api/v1/events?until=${encodeURIComponent(date)}`));
    },
  );

  it('accepts real dates, including a leap day and an offset', async () => {
    for (const date of ['2024-02-29', '2026-01-01T00:00:00Z', '2026-06-30T23:59:59.999+02:00']) {
      expect((await partner.get(`/api/v1/events?since=${encodeURIComponent(date)}`)).status).toBe(200);
    }
  });

  it('answers event ids of the right length but the wrong form like unknown ids', async () => {
    for (const id of ['-'.repeat(36), 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '0b9f7c4e5a3d4f2e9c1b2d8e6f4a7b10----']) {
      const fetched = await partner.get(`/api/v1/events/${id}`);
      expect({ status: fetched.status, code: fetched.body.error.code }).toEqual({ status: 404, code: 'EventNotFound' });
      expect((await partner.post(`/api/v1/events/${id}/redeliver`)).status).toBe(404);
    }
  });

  it('logged no unhandled error, and never the values sent', () => {
    expect(api.output).not.toContain('Unhandled error');
    expect(api.output).not.toContain(MARKER);
  });
});

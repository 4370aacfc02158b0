import { buildMail } from '../harness/mail-factory.js';
import { WebhookSink } from '../harness/webhook-sink.js';
import { usersPath } from '../support/api-client.js';
import { FakeImapTestbed } from '../support/fake-imap-testbed.js';
import type { RoleProcess } from '../support/role-process.js';
import { waitFor } from '../support/wait-for.js';

/** What an operator and a partner see of a mailbox's life: its state in the API, account_error, info logs. */
describe('state that tells the truth, logs that show the work', () => {
  let sink: WebhookSink;
  let bed: FakeImapTestbed;
  let imapClient: RoleProcess;
  let worker: RoleProcess;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    bed = await FakeImapTestbed.create({
      env: { LOG_LEVEL: 'info' },
      partnerArgs: ['--new-mail-webhook', sink.urlFor('/mail'), '--account-error-webhook', sink.urlFor('/account')],
    });
  });
  afterAll(async () => {
    await bed.stop();
    await sink.close();
  });

  const user = async (tag: string) => (await bed.partner.get(usersPath(bed.providerCode, tag))).body;

  it('tells apart users without credentials, never reached, watching, failing and archived', async () => {
    await bed.partner.post(usersPath(bed.providerCode), { tag: 'NO_CREDENTIALS' });
    const good = await bed.addMailbox();
    const bad = await bed.addMailbox({ password: 'wrong-password' });

    expect(await user('NO_CREDENTIALS')).toMatchObject({ state: 'needs_credentials', connected_at: null });
    // Credentials alone are not a connection: nothing has logged in yet.
    expect(await user(good.tag)).toMatchObject({ state: 'idle', connected_at: null });

    imapClient = await bed.startRole('imap-client', { LOG_LEVEL: 'info' });
    worker = await bed.startRole('worker', { LOG_LEVEL: 'info' });

    const watching = await waitFor('the good mailbox watched', async () => {
      const body = await user(good.tag);
      return body.state === 'watching' && body;
    });
    expect(Date.parse(watching.connected_at as string)).toBeGreaterThan(Date.now() - 60_000);
    await waitFor('the bad mailbox failing', async () => (await user(bad.tag)).state === 'auth_error');
    expect((await user(bad.tag)).connected_at).toBeNull();

    // account_error: once, signed, naming the mailbox and why.
    const [report] = await sink.waitFor(1, 20_000, '/account');
    expect(report.json).toMatchObject({ event: 'account_error', user_tag: bad.tag, state: 'auth_error' });
    expect((report.json as { error: string }).error).toBeTruthy();
    expect(report.headers['webhook-signature']).toMatch(/^v1,/);
    expect(typeof (report.json as { signature: unknown }).signature).toBe('string');

    // Mailbox state changes are logged by tag and partner.
    expect(imapClient.output).toMatch(new RegExp(`"tag":"${good.tag}"[^\\n]*"to":"watching"`));
    expect(imapClient.output).toMatch(new RegExp(`"tag":"${bad.tag}"[^\\n]*"to":"auth_error"`));

    // Detected mail and its webhook attempt, at info.
    const uid = bed.server.appendMessage(good.username, buildMail({ subject: 'Logged' }));
    await sink.waitFor(1, 20_000, '/mail');
    const detected = await waitFor('the detection line', () =>
      imapClient.output.split('\n').find((line) => line.includes('new mail detected')),
    );
    expect(JSON.parse(detected)).toMatchObject({
      partner: bed.partner.partnerId,
      connection: bed.providerCode,
      tag: good.tag,
      uid,
    });
    expect(JSON.parse(detected).size).toBeGreaterThan(0);
    const attempt = await waitFor('the attempt line', () =>
      worker.output.split('\n').find((line) => line.includes('"event":"new_mail"') && line.includes('webhook attempt')),
    );
    expect(JSON.parse(attempt)).toMatchObject({ status: 200, attempt: 1, maxAttempts: 6, tag: good.tag });
    expect(JSON.parse(attempt).durationMs).toEqual(expect.any(Number));

    // Archived users say so, whatever their last session state was.
    await bed.partner.delete(usersPath(bed.providerCode, good.tag));
    expect(await user(good.tag)).toMatchObject({ state: 'archived', archived: true });
    const archivedList = await bed.partner.get(`${usersPath(bed.providerCode)}?state=archived`);
    expect(archivedList.body.map((u: { tag: string }) => u.tag)).toEqual([good.tag]);
    const waiting = await bed.partner.get(`${usersPath(bed.providerCode)}?state=needs_credentials`);
    expect(waiting.body.map((u: { tag: string }) => u.tag)).toEqual(['NO_CREDENTIALS']);

    // API requests: method, path template, status, duration, partner; never the key.
    const request = bed.api.output
      .split('\n')
      .find((line) => line.includes('"method":"DELETE"') && line.includes('"component":"http"'));
    expect(JSON.parse(request!)).toMatchObject({
      path: '/api/v1/connections/:code/users/:tag',
      status: 204,
      partner: bed.partner.partnerId,
      durationMs: expect.any(Number),
    });
    expect(bed.api.output).not.toContain(bed.partner.apiKey);

    // Still one account_error for the failing mailbox.
    expect(sink.requestsFor('/account')).toHaveLength(1);
  }, 90_000);
});

import { usersPath } from '../support/api-client.js';
import { FakeImapTestbed, type FakeMailbox } from '../support/fake-imap-testbed.js';
import { waitFor } from '../support/wait-for.js';

const states = async (bed: FakeImapTestbed, mailboxes: FakeMailbox[]) =>
  Promise.all(
    mailboxes.map(async (m) => (await bed.partner.get(usersPath(bed.providerCode, m.tag))).body.state as string),
  );

describe('watch capacity', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
  });
  afterAll(() => bed.stop());

  it('says which mailboxes no imap-client can take, and watches them once capacity is added', async () => {
    const mailboxes = [await bed.addMailbox(), await bed.addMailbox(), await bed.addMailbox()];
    const node = await bed.startRole('imap-client', { MAX_USER_THREADS: '2' });
    const seen = await waitFor(
      'two watching, one unwatched',
      async () => {
        const now = await states(bed, mailboxes);
        const sorted = [...now].sort();
        return sorted.join() === 'unwatched,watching,watching' ? now : null;
      },
      { timeoutMs: 20_000 },
    );
    const unwatched = mailboxes[seen.indexOf('unwatched')];
    expect(bed.server.openSessions(unwatched.username)).toBe(0);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/^superimap_cluster_users_unwatched 1$/m);
    expect(node.output).toContain('watch capacity exhausted');

    await bed.startRole('imap-client', { MAX_USER_THREADS: '2' });
    await waitFor('all three watching', async () => (await states(bed, mailboxes)).every((s) => s === 'watching'), {
      timeoutMs: 20_000,
    });
    expect(bed.server.openSessions(unwatched.username)).toBe(1);
  });
});

describe('a partner user quota', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create({ partnerArgs: ['--max-users', '2'] });
  });
  afterAll(() => bed.stop());

  it('refuses a user beyond the quota with 409 and the reason, counting only active users', async () => {
    const first = await bed.addMailbox();
    await bed.addMailbox();
    const refused = await bed.partner.post(usersPath(bed.providerCode), { tag: 'third' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'UserQuotaReached' });
    expect(refused.body.error.message).toContain('quota of 2');

    expect((await bed.partner.delete(usersPath(bed.providerCode, first.tag))).status).toBe(204);
    expect((await bed.partner.post(usersPath(bed.providerCode), { tag: 'third' })).status).toBe(200);
    const restore = await bed.partner.put(usersPath(bed.providerCode, first.tag), { archived: false });
    expect(restore.status).toBe(409);
    expect(restore.body.error.code).toBe('UserQuotaReached');
  });
});

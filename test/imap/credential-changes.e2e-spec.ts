import { usersPath } from '../support/api-client.js';
import { ImapTestbed, type Mailbox } from '../support/imap-testbed.js';
import { waitFor } from '../support/wait-for.js';

describe('updating a watched user', () => {
  let bed: ImapTestbed;
  let mailbox: Mailbox;

  beforeAll(async () => {
    bed = await ImapTestbed.create();
    // The default heartbeats, not the tests' fast ones: this file counts logins, and on a busy machine a 3 s
    // lease renewed late rightly fences the sessions, a reconnect this file does not measure.
    await bed.startRole('imap-client', { HEARTBEAT_INTERVAL: '10', HEARTBEAT_TIMEOUT: '30' });
    mailbox = await bed.addMailbox(1);
    await waitFor('watching', async () => (await bed.userRow(mailbox.userId)).state === 'watching', {
      timeoutMs: 15_000,
    });
    // The state is written right after the login; Dovecot logs it asynchronously.
    await bed.dovecot.waitForLogins(mailbox.email, { succeeded: 1 }, 15_000);
  });
  afterAll(() => bed.stop());

  it('restarts no session for edits that do not change the login', async () => {
    const before = await bed.dovecot.countLogins(mailbox.email);
    for (let i = 0; i < 10; i++) {
      // The example: a PUT of {enable_tracer: false} used to force a new login every time.
      const result = await bed.partner.put(usersPath(bed.providerCode, mailbox.tag), { enable_tracer: false });
      expect(result.status).toBe(200);
    }
    // A new login would have shown up by the time a fresh one does: make one, then compare.
    await bed.partner.put(usersPath(bed.providerCode, mailbox.tag), { login_password: mailbox.password });
    await bed.dovecot.waitForLogins(mailbox.email, { succeeded: before.succeeded + 1 }, 15_000);
    expect((await bed.dovecot.countLogins(mailbox.email)).succeeded).toBe(before.succeeded + 1);
  });

  it('limits credential changes per mailbox: the sixth in ten minutes gets 429 with Retry-After', async () => {
    const other = await bed.addMailbox(2);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const result = await bed.partner.put(usersPath(bed.providerCode, other.tag), { login_password: `guess-${i}` });
      statuses.push(result.status);
      if (result.status === 429) {
        retryAfter = result.headers.get('retry-after');
        expect(result.body.error.code).toBe('CredentialChangesLimited');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

import { FakeImapTestbed } from '../support/fake-imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import { waitFor } from '../support/wait-for.js';

const MAILBOXES = 200;
const CONNECT_CONCURRENCY = 10;

describe('a short server-wide outage', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    for (let i = 0; i < MAILBOXES; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, MAILBOXES - i) }, () => bed.addMailbox()));
    }
    await bed.startRole('imap-client', { IMAP_CONNECT_CONCURRENCY: String(CONNECT_CONCURRENCY) });
    await waitFor(`${MAILBOXES} mailboxes watched`, () => bed.server.idlingSessions() === MAILBOXES, {
      timeoutMs: 60_000,
    });
  }, 120_000); // 200 users through the API, then 200 first connections, on a busy machine
  afterAll(() => bed.stop());

  it('is followed by every mailbox watched again within 15 s, never above the handshake cap', async () => {
    bed.server.resetPeakHandshakes();
    await bed.server.suspend();
    await quietPeriod(10_000, 'the outage itself: the scenario keeps the server refusing connections for 10 s');
    const loginsBefore = bed.server.totals().logins;
    await bed.server.resume();
    const back = Date.now();
    await waitFor('a first login after the outage', () => bed.server.totals().logins > loginsBefore, {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    const firstLoginMs = Date.now() - back;
    await waitFor('every mailbox watched again', () => bed.server.idlingSessions() === MAILBOXES, {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    const recoveredMs = Date.now() - back;
    const { peak } = bed.server.handshakes();
    console.info(
      `outage of 10 s: first login after ${firstLoginMs} ms, all ${MAILBOXES} back after ${recoveredMs} ms, peak handshakes ${peak}`,
    );
    expect(peak).toBeLessThanOrEqual(CONNECT_CONCURRENCY);
    // One login per mailbox: none had to try twice.
    expect(bed.server.totals().logins - loginsBefore).toBe(MAILBOXES);
  });
});

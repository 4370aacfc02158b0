import { execFileSync } from 'node:child_process';

import { pino } from 'pino';

import type { AppConfig } from '@app/core';
import { ImapConnector } from '@app/imap';
import type { MailboxAccount, UserCredentials } from '@app/users';

import { FakeImapServer } from '../harness/fake-imap/index.js';

const config = { IDLE_RESTART_INTERVAL: 300, IMAP_SOCKET_TIMEOUT: 120, MAX_EMAIL_SIZE: 1 << 20 } as AppConfig;

/**
 * Seconds left on the keepalive timer of each established connection to `port`, as `ss` reports them:
 * `1min30sec`, `59sec`, `4.996ms` (ss's way of writing 4.996 s), or `250ms`.
 */
function keepaliveTimers(port: number): number[] {
  const out = execFileSync('ss', ['-tnoH', 'state', 'established', 'dport', '=', `:${port}`], { encoding: 'utf8' });
  return [...out.matchAll(/timer:\(keepalive,(?:(\d+)min)?(?:(\d+)(\.\d+)?(sec|ms))?,/g)].map(
    ([, minutes, whole, fraction, unit]) => {
      const seconds = fraction || unit === 'sec' ? Number(`${whole}${fraction ?? ''}`) : Number(whole ?? 0) / 1000;
      return Number(minutes ?? 0) * 60 + seconds;
    },
  );
}

describe('a watching connection', () => {
  let server: FakeImapServer;
  beforeAll(async () => {
    server = await FakeImapServer.start();
    server.addUser('kim@fake.test', 'secret');
  });
  afterAll(() => server.close());

  it('probes an idle peer after a minute, not after imapflow’s 5 s', async () => {
    const credentials = { loginFor: () => Promise.resolve({ user: 'kim@fake.test', pass: 'secret' }) };
    const connector = new ImapConnector(credentials as unknown as UserCredentials, config);
    const account = {
      partnerId: 'p',
      connectionId: 'c',
      user: { id: 'u' },
      provider: { code: 'FAKE', auth: 'password', imapHost: '127.0.0.1', imapPort: server.port, imapSecurity: 'none' },
    } as unknown as MailboxAccount;
    const { client } = await connector.open(account, pino({ level: 'silent' }));
    try {
      const timers = keepaliveTimers(server.port);
      expect(timers).toHaveLength(1);
      // imapflow's own setting leaves at most 5 s on the timer.
      expect(timers[0]).toBeGreaterThan(5);
      expect(timers[0]).toBeLessThanOrEqual(60);
    } finally {
      await client.logout();
    }
  });
});

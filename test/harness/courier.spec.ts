import { ImapFlow } from 'imapflow';

import { CourierTestServer } from './courier.js';
import { buildMail } from './mail-factory.js';
import { processesWithMarker } from './server-processes.js';

describe('CourierTestServer', () => {
  let server: CourierTestServer;

  beforeAll(async () => {
    server = await CourierTestServer.start({ users: 2 });
  });
  afterAll(() => server?.stop());

  function client(login: string, pass: string): ImapFlow {
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: server.imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: login, pass },
      logger: false,
    });
    imap.on('error', () => undefined);
    return imap;
  }

  it('checks passwords, delivers with deliverquota, and pushes EXISTS in IDLE without sending UIDNEXT', async () => {
    await expect(client('user1', 'wrong').connect()).rejects.toMatchObject({ authenticationFailed: true });
    const imap = client('user1', 'pw-user1');
    await imap.connect();
    const mailbox = await imap.mailboxOpen('INBOX');
    expect(mailbox.uidNext).toBeUndefined();
    const exists = new Promise((resolve) => imap.once('exists', resolve));
    void imap.idle();
    await server.deliver(1, buildMail({ to: 'user1@example.test', messageId: 'c1@t' }));
    await exists;
    // Noticing the mail moved it from new/ to cur/ (Courier's \Recent), without a flag.
    expect(await server.flags(1)).toEqual([expect.objectContaining({ flags: [] })]);
    await imap.logout();
  });

  it('stops every process it started', async () => {
    const other = await CourierTestServer.start({ users: 1 });
    const marker = (other as unknown as { marker: string }).marker;
    const imap = client('user1', 'pw-user1');
    await imap.connect();
    expect((await processesWithMarker(marker)).length).toBeGreaterThan(0);
    await other.stop();
    expect(await processesWithMarker(marker)).toEqual([]);
    imap.close();
  });
});

import { ImapFlow } from 'imapflow';

import { CyrusTestServer } from './cyrus.js';
import { buildMail } from './mail-factory.js';
import { processesWithMarker } from './server-processes.js';

describe('CyrusTestServer', () => {
  it('delivers over LMTP, pushes EXISTS in IDLE, changes UIDVALIDITY, and stops every process', async () => {
    const server = await CyrusTestServer.start({ users: 1 });
    const marker = (server as unknown as { marker: string }).marker;
    try {
      const imap = new ImapFlow({
        host: '127.0.0.1',
        port: server.imapPort,
        secure: false,
        doSTARTTLS: false,
        auth: { user: 'user1', pass: 'pw-user1' },
        logger: false,
      });
      imap.on('error', () => undefined);
      await imap.connect();
      const before = await imap.mailboxOpen('INBOX', { readOnly: true });
      const exists = new Promise((resolve) => imap.once('exists', resolve));
      void imap.idle();
      await server.deliver(1, buildMail({ to: 'user1@example.test', messageId: 'y1@t' }));
      await exists;
      expect(await server.flags(1)).toEqual([{ uid: 1, flags: ['\\Recent'] }]);
      imap.close();
      await server.changeUidValidity(1);
      const uidValidity = await server.uidValidity(1);
      expect(uidValidity).not.toBe(before.uidValidity);
    } finally {
      await server.stop();
    }
    expect(await processesWithMarker(marker)).toEqual([]);
  });
});

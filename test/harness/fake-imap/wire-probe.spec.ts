import { FakeImapServer } from './index.js';
import { connectClient, sampleMessage, waitFor } from './imapflow-test-client.js';

it('probe', async () => {
  const server = await FakeImapServer.start();
  server.addUser('u', 'p');
  server.appendMessage('u', sampleMessage());
  const lines: string[] = [];
  const logger = {
    debug: (o: any) => {
      if (o.src === 'c' || o.src === 's') lines.push(`${o.src} ${o.msg}`);
    },
    info: () => {},
    warn: (o: any) => lines.push('WARN ' + JSON.stringify(o)),
    error: (o: any) => lines.push('ERR ' + JSON.stringify(o)),
    trace: (o: any) => {
      if (o.src) lines.push(`${o.src} ${o.msg}`);
    },
  };
  const client = await connectClient(server, 'u', 'p', { logger: logger as any });
  await client.mailboxOpen('INBOX', { readOnly: true });
  for await (const m of client.fetch(
    '1:*',
    { uid: true, envelope: true, source: true, flags: true, internalDate: true, size: true },
    { uid: true },
  )) {
    lines.push('GOT ' + m.uid + ' ' + m.envelope?.subject + ' ' + m.source?.length);
  }
  const s = await client.search({ since: new Date(Date.now() - 86400000) }, { uid: true });
  lines.push('SEARCH ' + JSON.stringify(s));
  const idle = client.idle();
  await new Promise((r) => setTimeout(r, 100));
  server.appendMessage('u', sampleMessage());
  await waitFor(() => (client.mailbox as any).exists === 2);
  await client.logout();
  await idle.catch(() => {});
  console.log(lines.join('\n'));
  await server.close();
});

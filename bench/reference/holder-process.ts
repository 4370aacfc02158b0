// The reference for SuperIMAP's imap-client: a bare imapflow script that holds the same IDLE
// sessions with the same client options and nothing else (no database, no framework, no pipeline).

import { monitorEventLoopDelay } from 'node:perf_hooks';

import { ImapFlow } from 'imapflow';

import type { HolderAccount, HolderConnectResult, HolderMessage, HolderRequest } from './protocol.js';

const clients: ImapFlow[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const send = (message: HolderMessage): void => void process.send?.(message);

async function open(account: HolderAccount): Promise<void> {
  const client = new ImapFlow({
    host: account.host,
    port: account.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: account.username, pass: account.password },
    logger: false,
    // The options SuperIMAP's MailboxSession uses, so the comparison is of everything around them.
    autoIdleDelay: 0,
    maxIdleTime: 300_000,
    socketTimeout: 120_000,
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    disableCompression: true,
  });
  client.on('error', () => undefined);
  client.on('exists', (data: { count: number; prevCount: number }) =>
    send({ type: 'exists', username: account.username, newMessages: data.count - data.prevCount, at: Date.now() }),
  );
  await client.connect();
  await client.mailboxOpen('INBOX', { readOnly: true });
  clients.push(client);
}

async function connectAll(accounts: HolderAccount[], concurrency: number): Promise<HolderConnectResult> {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < accounts.length) {
      const account = accounts[next++];
      await open(account).catch((error: Error) => {
        failed++;
        firstError ??= error.message;
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { ms: performance.now() - started, connected: clients.length, failed, firstError };
}

async function handle(request: HolderRequest): Promise<unknown> {
  switch (request.op) {
    case 'connect':
      return connectAll(request.accounts, request.concurrency);
    case 'eventLoop':
      return {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
        heapUsedBytes: process.memoryUsage().heapUsed,
      };
    case 'resetEventLoop':
      loopDelay.reset();
      return null;
    case 'close':
      for (const client of clients) client.close();
      setTimeout(() => process.exit(0), 100);
      return null;
  }
}

process.on('message', (envelope: { id: number; request: HolderRequest }) => {
  handle(envelope.request).then(
    (result) => send({ type: 'reply', id: envelope.id, result }),
    (error: Error) => send({ type: 'reply', id: envelope.id, error: error.message }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });

// Spec support: a real imapflow client pointed at a FakeImapServer, a condition poller
// and a sample message. Not a spec itself.

import { ImapFlow, type ImapFlowOptions } from 'imapflow';

import type { FakeImapServer } from './fake-imap-server.js';

export type ClientOptions = Partial<ImapFlowOptions>;

export function createClient(
  server: FakeImapServer,
  user: string,
  pass: string,
  options: ClientOptions = {},
): ImapFlow {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user, pass },
    logger: false,
    // Specs end sessions on purpose; nobody should wait minutes for a timeout
    connectionTimeout: 5_000,
    greetingTimeout: 2_000,
    socketTimeout: 10_000,
    ...options,
  });
  // An unhandled 'error' event would crash the test process; specs assert on their own listeners
  client.on('error', () => undefined);
  return client;
}

export async function connectClient(
  server: FakeImapServer,
  user: string,
  pass: string,
  options: ClientOptions = {},
): Promise<ImapFlow> {
  const client = createClient(server, user, pass, options);
  await client.connect();
  return client;
}

/** Resolves once `condition` holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves on the client's next 'close' event; call it before provoking the close. */
export function closed(client: ImapFlow): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

export function sampleMessage(
  overrides: { messageId?: string; subject?: string; body?: string; headers?: string } = {},
): Buffer {
  const messageId = overrides.messageId ?? `<${Math.random().toString(36).slice(2)}@example.test>`;
  return Buffer.from(
    [
      'From: "Alice Example" <alice@example.test>',
      'To: bob@example.test, "Carol, C." <carol@example.test>',
      `Subject: ${overrides.subject ?? 'Hello'}`,
      'Date: Mon, 01 Jan 2024 10:00:00 +0000',
      `Message-ID: ${messageId}`,
      ...(overrides.headers ? [overrides.headers] : []),
      'Content-Type: text/plain; charset=utf-8',
      '',
      overrides.body ?? 'Hi Bob,\r\nthis is the body.\r\n',
    ].join('\r\n'),
  );
}

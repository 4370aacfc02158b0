// The partner's webhook endpoint for stress runs: verifies each signature, answers 200 at once and
// keeps only what the accounting needs (which webhook-ids carried which test mail, and when).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

import { testIdFromMessageId } from '../test/harness/fake-imap/index.js';

export interface TestMailDelivery {
  /** Distinct webhook-ids that carried this mail: more than one is a duplicate event. */
  webhookIds: Set<string>;
  /** Date.now() when the first request carrying it arrived. */
  firstAt: number;
}

export class CountingSink {
  /** Requests received, all kinds. */
  requests = 0;
  badSignatures = 0;
  /** Events other than new_mail (user_connected...), not part of the accounting. */
  otherEvents = 0;
  /** new_mail events whose Message-ID is not a test id. */
  readonly foreignMail: string[] = [];
  /** How many requests carried each webhook-id (above 1: an HTTP-level redelivery). */
  readonly requestsByWebhookId = new Map<string, number>();
  readonly byTestId = new Map<string, TestMailDelivery>();
  private readonly verifier: Webhook;
  private readonly listeners: Array<(testId: string, at: number) => void> = [];

  private constructor(
    private readonly server: Server,
    secret: string,
  ) {
    this.verifier = new Webhook(secret);
  }

  /** Listens at once (the partner must exist before its secret is known, so the secret comes later). */
  static async listen(): Promise<{ port: number; attach: (secret: string) => CountingSink }> {
    const server = createServer({ keepAliveTimeout: 60_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return {
      port,
      attach: (secret) => {
        const sink = new CountingSink(server, secret);
        server.on('request', (req: IncomingMessage, res: ServerResponse) => sink.handle(req, res));
        return sink;
      },
    };
  }

  /** Called when a test mail arrives for the first time. */
  onFirstDelivery(listener: (testId: string, at: number) => void): void {
    this.listeners.push(listener);
  }

  /** Distinct test mails delivered. */
  get delivered(): number {
    return this.byTestId.size;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      this.requests++;
      this.record(Buffer.concat(chunks), req.headers as Record<string, string>, at);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  }

  private record(body: Buffer, headers: Record<string, string>, at: number): void {
    let payload: { event?: string; envelope?: { message_id?: string } };
    try {
      payload = this.verifier.verify(body, headers) as typeof payload;
    } catch {
      this.badSignatures++;
      return;
    }
    const webhookId = headers['webhook-id'];
    this.requestsByWebhookId.set(webhookId, (this.requestsByWebhookId.get(webhookId) ?? 0) + 1);
    if (payload.event !== 'new_mail') {
      this.otherEvents++;
      return;
    }
    const testId = testIdFromMessageId(payload.envelope?.message_id);
    if (!testId) {
      this.foreignMail.push(payload.envelope?.message_id ?? '(no Message-ID)');
      return;
    }
    const delivery = this.byTestId.get(testId);
    if (delivery) delivery.webhookIds.add(webhookId);
    else {
      this.byTestId.set(testId, { webhookIds: new Set([webhookId]), firstAt: at });
      for (const listener of this.listeners) listener(testId, at);
    }
  }
}

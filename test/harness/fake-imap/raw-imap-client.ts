// Spec support: a bare socket that speaks IMAP line by line, for what imapflow never sends
// (BODY[] without PEEK, synchronizing literals, pipelining, malformed input). Not a spec.

import { connect, type Socket } from 'node:net';

export class RawImapClient {
  private received = '';
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawImapClient> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawImapClient(socket);
    await client.waitFor(/^\* OK .*\r\n/m);
    return client;
  }

  get transcript(): string {
    return this.received;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends `<tag> <text>` and returns everything received up to its tagged completion. */
  async command(tag: string, text: string): Promise<string> {
    const start = this.received.length;
    this.write(`${tag} ${text}\r\n`);
    return this.waitFor(new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm'), start);
  }

  /** Waits until the input (from offset `from`) matches, and returns that input. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 2_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.received.slice(from);
      if (pattern.test(text)) return text;
      if (this.closed) throw new Error(`Connection closed before ${pattern}; got: ${text}`);
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}; got: ${text}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}

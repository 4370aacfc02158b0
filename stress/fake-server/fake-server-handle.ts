// Parent side of the fake IMAP server child process: typed requests over IPC, and the stream of
// generated mails.

import { type ChildProcess, fork } from 'node:child_process';

import type { ChaosOptions, FaultRule, GeneratedMail, HandshakeChange } from '../../test/harness/fake-imap/index.js';
import type {
  FakeServerConfig,
  FakeServerEnvelope,
  FakeServerMessage,
  FakeServerRequest,
  FakeServerStats,
  FakeUserInfo,
} from './protocol.js';

const ENTRY = new URL('./fake-server-process.js', import.meta.url);

export class FakeServerHandle {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners: Array<(mails: GeneratedMail[]) => void> = [];

  private constructor(
    readonly child: ChildProcess,
    readonly addresses: Array<{ host: string; port: number }>,
  ) {
    child.on('message', (message: FakeServerMessage) => this.onMessage(message));
    child.on('exit', () => {
      for (const { reject } of this.waiting.values()) reject(new Error('fake IMAP server process exited'));
      this.waiting.clear();
    });
  }

  static async start(config: FakeServerConfig): Promise<FakeServerHandle> {
    const child = fork(ENTRY, [], {
      env: { ...process.env, FAKE_SERVER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The accounts and their messages can reach a few GiB in long runs.
      execArgv: ['--max-old-space-size=8192'],
    });
    const addresses = await new Promise<Array<{ host: string; port: number }>>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`fake IMAP server exited early (${code})`)));
      child.on('message', (message: FakeServerMessage) => {
        if (message.type === 'ready') resolve(message.addresses);
      });
    });
    return new FakeServerHandle(child, addresses);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Called with every batch of generated mails (also those of `append`). */
  onGenerated(listener: (mails: GeneratedMail[]) => void): void {
    this.listeners.push(listener);
  }

  async addUsers(usernames: string[], password: string): Promise<void> {
    for (let i = 0; i < usernames.length; i += 5000) {
      await this.request({ op: 'addUsers', usernames: usernames.slice(i, i + 5000), password });
    }
  }

  startGenerating(ratePerSecond: number, sizeBytes: number, usernames?: string[]): Promise<unknown> {
    return this.request({ op: 'startGenerating', ratePerSecond, sizeBytes, usernames });
  }

  /** Stops the generator; resolves with the number of mails generated in total. */
  async stopGenerating(): Promise<number> {
    return (await this.request({ op: 'stopGenerating' })) as number;
  }

  async append(usernames: string[], sizeBytes: number): Promise<GeneratedMail[]> {
    return (await this.request({ op: 'append', usernames, sizeBytes })) as GeneratedMail[];
  }

  async setChaos(chaos: ChaosOptions | null): Promise<void> {
    await this.request({ op: 'setChaos', chaos });
  }

  /** Scripted faults (see FaultRule), e.g. to reproduce one race on purpose. */
  async script(rules: FaultRule[]): Promise<void> {
    await this.request({ op: 'script', rules });
  }

  async stats(): Promise<FakeServerStats> {
    return (await this.request({ op: 'stats' })) as FakeServerStats;
  }

  async userInfo(username: string): Promise<FakeUserInfo> {
    return (await this.request({ op: 'userInfo', username })) as FakeUserInfo;
  }

  async handshakeTimeline(): Promise<HandshakeChange[]> {
    return (await this.request({ op: 'handshakeTimeline' })) as HandshakeChange[];
  }

  async resetPeakHandshakes(): Promise<void> {
    await this.request({ op: 'resetPeakHandshakes' });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request({ op: 'close' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private request(request: FakeServerRequest): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const envelope: FakeServerEnvelope = { id, request };
      this.child.send(envelope);
    });
  }

  private onMessage(message: FakeServerMessage): void {
    if (message.type === 'generated') {
      for (const listener of this.listeners) listener(message.mails);
      return;
    }
    if (message.type !== 'reply') return;
    const waiter = this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  }
}

// Parent side of the bare imapflow reference process.

import { type ChildProcess, fork } from 'node:child_process';

import type { EventLoopFigures, HolderAccount, HolderConnectResult, HolderMessage, HolderRequest } from './protocol.js';

const ENTRY = new URL('./holder-process.js', import.meta.url);

export class BareImapflowHolder {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly existsListeners: Array<(username: string, newMessages: number, at: number) => void> = [];

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: HolderMessage) => {
      if (message.type === 'exists') {
        for (const listener of this.existsListeners) listener(message.username, message.newMessages, message.at);
        return;
      }
      if (message.type !== 'reply') return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  }

  static async start(execArgv: string[] = []): Promise<BareImapflowHolder> {
    const child = fork(ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`reference process exited (${code})`)));
      child.on('message', (message: HolderMessage) => message.type === 'ready' && resolve());
    });
    return new BareImapflowHolder(child);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  onExists(listener: (username: string, newMessages: number, at: number) => void): void {
    this.existsListeners.push(listener);
  }

  async connect(accounts: HolderAccount[], concurrency: number): Promise<HolderConnectResult> {
    return (await this.request({ op: 'connect', accounts, concurrency })) as HolderConnectResult;
  }

  async eventLoop(): Promise<EventLoopFigures> {
    return (await this.request({ op: 'eventLoop' })) as EventLoopFigures;
  }

  async resetEventLoop(): Promise<void> {
    await this.request({ op: 'resetEventLoop' });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request({ op: 'close' }).catch(() => undefined);
    await exited;
  }

  private request(request: HolderRequest): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, request });
    });
  }
}

// Follows generated test mails to the sink: when each was stored and when its webhook arrived.

import { sleep } from '../stress/free-port.js';
import { percentile } from '../stress/ledger.js';
import type { Testbed } from '../stress/testbed.js';
import type { GeneratedMail } from '../test/harness/fake-imap/index.js';

export interface Latencies {
  count: number;
  lost: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Date.now() of the first generated and the last delivered mail. */
  firstGeneratedAt: number;
  lastDeliveredAt: number;
}

export class MailTracker {
  private collecting: GeneratedMail[] | null = null;
  private readonly waiters = new Map<string, (at: number) => void>();

  constructor(private readonly bed: Testbed) {
    bed.fakeServer.onGenerated((mails) => this.collecting?.push(...mails));
    bed.sink.onFirstDelivery((testId, at) => {
      this.waiters.get(testId)?.(at);
      this.waiters.delete(testId);
    });
  }

  /** Starts recording generated mails; `stop()` returns them. */
  start(): void {
    this.collecting = [];
  }

  async stop(): Promise<GeneratedMail[]> {
    await sleep(300); // the last batch travels over IPC every 100 ms
    const mails = this.collecting ?? [];
    this.collecting = null;
    return mails;
  }

  /** Resolves with the arrival time of one test mail. */
  delivered(testId: string, timeoutMs = 60_000): Promise<number> {
    const known = this.bed.sink.byTestId.get(testId);
    if (known) return Promise.resolve(known.firstAt);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mail ${testId} not delivered in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(testId, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** Waits until every mail arrived (or the timeout), then measures. */
  async settle(mails: readonly GeneratedMail[], timeoutMs: number): Promise<Latencies> {
    const deadline = Date.now() + timeoutMs;
    const sink = this.bed.sink;
    while (Date.now() < deadline && mails.some((mail) => !sink.byTestId.has(mail.testId))) await sleep(100);
    const latencies: number[] = [];
    let lastDeliveredAt = 0;
    for (const mail of mails) {
      const delivery = sink.byTestId.get(mail.testId);
      if (!delivery) continue;
      latencies.push(delivery.firstAt - mail.at);
      lastDeliveredAt = Math.max(lastDeliveredAt, delivery.firstAt);
    }
    latencies.sort((a, b) => a - b);
    return {
      count: mails.length,
      lost: mails.length - latencies.length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.length ? latencies[latencies.length - 1] : NaN,
      firstGeneratedAt: Math.min(...mails.map((mail) => mail.at)),
      lastDeliveredAt,
    };
  }
}

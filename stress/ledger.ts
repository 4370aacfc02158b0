// Jepsen-style set accounting: what was generated against what the partner received.

import type { GeneratedMail } from '../test/harness/fake-imap/index.js';
import type { CountingSink } from './counting-sink.js';

export interface Accounting {
  generated: number;
  delivered: number;
  lost: number;
  /** Test ids the sink saw that were never generated, plus new_mail events of mail that is not a test mail. */
  unexpected: number;
  /** Mails that arrived under two or more webhook-ids: one mail, two events. */
  duplicateEvents: number;
  /** Extra HTTP requests for a webhook-id already received (at-least-once redeliveries). */
  duplicateDeliveries: number;
  badSignatures: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  lostIds: string[];
  unexpectedIds: string[];
}

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export class Ledger {
  readonly generated = new Map<string, GeneratedMail>();
  /** Generation times in order, for the time series. */
  readonly generatedTimes: number[] = [];

  add(mails: readonly GeneratedMail[]): void {
    for (const mail of mails) {
      if (this.generated.has(mail.testId)) continue;
      this.generated.set(mail.testId, mail);
      this.generatedTimes.push(mail.at);
    }
  }

  /** Every generated mail has arrived. */
  complete(sink: CountingSink): boolean {
    if (sink.delivered < this.generated.size) return false;
    for (const testId of this.generated.keys()) if (!sink.byTestId.has(testId)) return false;
    return true;
  }

  account(sink: CountingSink): Accounting {
    const lostIds = [...this.generated.keys()].filter((testId) => !sink.byTestId.has(testId));
    const unexpectedIds = [...sink.byTestId.keys()].filter((testId) => !this.generated.has(testId));
    let duplicateEvents = 0;
    const latencies: number[] = [];
    for (const [testId, delivery] of sink.byTestId) {
      if (delivery.webhookIds.size > 1) duplicateEvents++;
      const mail = this.generated.get(testId);
      if (mail) latencies.push(delivery.firstAt - mail.at);
    }
    latencies.sort((a, b) => a - b);
    let duplicateDeliveries = 0;
    for (const count of sink.requestsByWebhookId.values()) duplicateDeliveries += count - 1;
    return {
      generated: this.generated.size,
      delivered: sink.delivered - unexpectedIds.length,
      lost: lostIds.length,
      unexpected: unexpectedIds.length + sink.foreignMail.length,
      duplicateEvents,
      duplicateDeliveries,
      badSignatures: sink.badSignatures,
      latencyMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies.length ? latencies[latencies.length - 1] : NaN,
      },
      lostIds,
      unexpectedIds: [...unexpectedIds, ...sink.foreignMail],
    };
  }
}

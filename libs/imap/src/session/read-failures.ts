import type { ImapFlow } from 'imapflow';

import { SourceTooLargeError } from './bounded-fetch.js';

/** Failed reads of one message, in a row and across reconnects, before it is given up as unreadable. */
export const MAX_READ_FAILURES = 3;

/** What was being read: the metadata FETCH (UID, ENVELOPE…) or the source. */
export type ReadStage = 'metadata' | 'source';

/**
 * Remembers which message the last reads failed on, so a message that breaks every attempt (a poisoned
 * UID) is given up instead of being retried forever while the mail behind it waits.
 */
export class ReadFailures {
  private failing = { uidValidity: 0, uid: 0, stage: 'metadata' as ReadStage };
  private failures = 0;
  /** UIDs up to this one are read one at a time and in two steps, since a read holding them failed. */
  private aloneUntil = { uidValidity: 0, uid: 0 };
  /** The message whose source broke the parser's limits: its source is not read again. */
  private oversizedSource = { uidValidity: 0, uid: 0 };
  /** Why the last counted read failed, for the event that reports the message. */
  lastError = '';

  /** How often in a row reading this message failed at this stage. */
  count(uidValidity: number, uid: number, stage: ReadStage): number {
    const { failing } = this;
    return failing.uidValidity === uidValidity && failing.uid === uid && failing.stage === stage ? this.failures : 0;
  }

  /** Whether this message must be read on its own, metadata then source, so that a failure names both. */
  readAlone(uidValidity: number, uid: number): boolean {
    return this.aloneUntil.uidValidity === uidValidity && uid <= this.aloneUntil.uid;
  }

  /**
   * Runs the one-FETCH read of a message (metadata and source together). When it fails, the message is
   * read in two steps from then on, where failures count (`track`); a source beyond the parser's limits is
   * remembered, so the two-step read records it as truncated without downloading it again.
   */
  async trackWhole<T>(uidValidity: number, uid: number, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      const alreadyAlone = this.aloneUntil.uidValidity === uidValidity ? this.aloneUntil.uid : 0;
      this.aloneUntil = { uidValidity, uid: Math.max(uid, alreadyAlone) };
      if (error instanceof SourceTooLargeError) this.oversizedSource = { uidValidity, uid };
      throw error;
    }
  }

  /** Whether this message's source is known to be beyond the parser's limits. */
  oversized(uidValidity: number, uid: number): boolean {
    return this.oversizedSource.uidValidity === uidValidity && this.oversizedSource.uid === uid;
  }

  /**
   * Runs a read of `uids`. On a connection that worked until then, a failed batch
   * makes its messages be read alone from then on, and a failed read of one message counts against it
   * (a failure on a connection already dead says nothing about the messages).
   */
  async track<T>(
    client: ImapFlow,
    uidValidity: number,
    uids: number[],
    stage: ReadStage,
    read: () => Promise<T>,
  ): Promise<T> {
    const wasUsable = client.usable;
    try {
      return await read();
    } catch (error) {
      if (!wasUsable) throw error;
      if (uids.length > 1) this.aloneUntil = { uidValidity, uid: Math.max(...uids) };
      else this.note(uidValidity, uids[0], stage, error);
      throw error;
    }
  }

  private note(uidValidity: number, uid: number, stage: ReadStage, error: unknown): void {
    this.failures = this.count(uidValidity, uid, stage) + 1;
    this.failing = { uidValidity, uid, stage };
    this.lastError = (error instanceof Error ? error.message : String(error)).slice(0, 200);
  }
}

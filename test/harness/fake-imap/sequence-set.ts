// Sequence sets (`1:4,7,10:*`) resolved against a mailbox, by sequence number or by UID.

import { ImapSyntaxError } from './imap-parser.js';
import type { Mailbox } from './mailbox-store.js';

export type Range = readonly [low: number, high: number];

/** Parses a set; `*` stands for `star` (the highest sequence number or UID in use). */
export function parseSequenceSet(text: string, star: number): Range[] {
  if (!/^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(text))
    throw new ImapSyntaxError(`Invalid sequence set ${text}`);
  return text.split(',').map((part) => {
    const [a, b = a] = part.split(':').map((n) => (n === '*' ? star : Number(n)));
    return a <= b ? [a, b] : [b, a];
  });
}

export function inRanges(ranges: Range[], value: number): boolean {
  return ranges.some(([low, high]) => value >= low && value <= high);
}

/** Indexes into `mailbox.messages`, ascending and unique. */
export function selectMessages(mailbox: Mailbox, setText: string, byUid: boolean): number[] {
  const messages = mailbox.messages;
  const ranges = parseSequenceSet(setText, byUid ? mailbox.highestUid : messages.length);
  const picked = new Set<number>();
  for (const [low, high] of ranges) {
    if (!byUid) {
      for (let seq = Math.max(low, 1); seq <= Math.min(high, messages.length); seq++) picked.add(seq - 1);
      continue;
    }
    let index = lowerBound(mailbox, low);
    for (; index < messages.length && messages[index].uid <= high; index++) picked.add(index);
  }
  return [...picked].sort((a, b) => a - b);
}

function lowerBound(mailbox: Mailbox, uid: number): number {
  let lo = 0;
  let hi = mailbox.messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (mailbox.messages[mid].uid < uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

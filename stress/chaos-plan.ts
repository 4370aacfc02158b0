// The stress run's chaos: the seed's faults (BAD, NO, gibberish, BYE, dropped sockets, a new
// UIDVALIDITY, a missing INBOX) plus throttling replies, silent hangs and slow answers. Each fault is
// one a real server can produce and none makes a mail undeliverable for good: a missing INBOX lasts
// one command, a new UIDVALIDITY comes with a (re)select as RFC 3501 requires, and logins only
// meet faults that cannot be read as "wrong password" (a client must park refused credentials).

import { type ChaosOptions, type FaultAction, THROTTLE } from '../test/harness/fake-imap/index.js';

/** Faults that end or stall a connection without saying anything about the credentials. */
const TRANSIENT: FaultAction[] = [
  { type: 'bye', text: 'Chaos: server going down' },
  { type: 'destroy' },
  { type: 'destroy', reset: true },
  { type: 'silent' },
  { type: 'delay', ms: 1500 },
];

const REPLIES: FaultAction[] = [
  { type: 'bad', text: 'Chaos' },
  { type: 'no', text: 'Chaos' },
  { type: 'gibberish' },
  { type: 'gibberish', untagged: true },
];

const THROTTLING: FaultAction[] = [
  { type: 'bad', text: THROTTLE.backoff(2000) },
  { type: 'no', text: THROTTLE.tooManyConnections },
];

const SLOW: FaultAction[] = [
  { type: 'delay', ms: 300 },
  { type: 'delay', ms: 3000 },
];

const NEW_UIDVALIDITY: FaultAction[] = [{ type: 'uidvalidity' }, { type: 'uidvalidity', renumber: true }];

/**
 * `loginThrottling` adds `NO [UNAVAILABLE] Too many simultaneous connections` on LOGIN, which real
 * providers send when a user has too many sessions; off by default because today's product reads it
 * as refused credentials and parks the mailbox for an hour (see docs/PERFORMANCE.md).
 */
export function stressChaos(probability: number, seed: number, loginThrottling = false): ChaosOptions {
  const general = [...TRANSIENT, ...REPLIES, ...THROTTLING, ...SLOW];
  return {
    probability,
    seed,
    faults: general,
    faultsFor: [
      { command: 'GREETING', faults: [...TRANSIENT, { type: 'gibberish', untagged: true }] },
      { command: 'LOGIN', faults: loginThrottling ? [...TRANSIENT, THROTTLING[1]] : TRANSIENT },
      { command: 'SELECT', faults: [...general, ...NEW_UIDVALIDITY, { type: 'mailbox-missing' }] },
      { command: 'EXAMINE', faults: [...general, ...NEW_UIDVALIDITY, { type: 'mailbox-missing' }] },
      { command: 'LIST', faults: [...general, { type: 'mailbox-missing' }] },
    ],
  };
}

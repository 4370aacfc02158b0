/** How long to wait before reconnecting, by what went wrong. */

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 5 * 60_000;
/** A connection that lived this long was healthy: the next failure starts the backoff over. */
export const STABLE_CONNECTION_MS = 3 * 60_000;
/** Refused credentials are retried at most this often until they change. */
export const AUTH_RETRY_MS = 60 * 60_000;
const TOO_MANY_CONNECTIONS_DELAY_MS = 60_000;

export type FailureKind =
  | { kind: 'auth'; reason: string }
  | { kind: 'throttled'; delayMs: number; reason: string }
  | {
      kind: 'transient';
      reason: string;
      /** Nothing answered in time (connect, greeting, TLS upgrade or socket timeout): maybe only our own lateness. */
      timedOut?: boolean;
    };

const AUTH_CODES = new Set(['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED']);
/** imapflow's codes for a peer that did not answer in time. */
const TIMEOUT_CODES = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT']);

/** Sorts an IMAP or OAuth failure into what it means for retrying. */
export function classifyFailure(error: unknown): FailureKind {
  const e = (error ?? {}) as Record<string, unknown>;
  const text = distinctParts([e.message, e.response, e.responseText]).join(' ');
  const reason = text.trim() || String(error);
  if (
    e.authenticationFailed === true ||
    AUTH_CODES.has(String(e.serverResponseCode)) ||
    (e.name === 'CredentialsError' && e.permanent === true)
  ) {
    return { kind: 'auth', reason };
  }
  if (e.code === 'ETHROTTLE' && typeof e.throttleReset === 'number') {
    return { kind: 'throttled', delayMs: e.throttleReset, reason };
  }
  const backoff = /Backoff Time[:=\s]+(\d+)/i.exec(text);
  if (backoff) return { kind: 'throttled', delayMs: Number(backoff[1]), reason };
  if (/too many simultaneous connections|too many connections|\[UNAVAILABLE\]/i.test(text)) {
    return { kind: 'throttled', delayMs: TOO_MANY_CONNECTIONS_DELAY_MS, reason };
  }
  return TIMEOUT_CODES.has(String(e.code))
    ? { kind: 'transient', reason, timedOut: true }
    : { kind: 'transient', reason };
}

/** The text parts of an error, each once: imapflow's `response` usually repeats its `responseText`. */
function distinctParts(parts: unknown[]): string[] {
  const kept: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string' || part.trim() === '') continue;
    const text = part.trim();
    if (kept.some((earlier) => earlier.toLowerCase().includes(text.toLowerCase()))) continue;
    kept.push(text);
  }
  return kept;
}

/** Capped exponential backoff with full jitter: a random delay in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 20));
  return Math.floor(random() * ceiling);
}

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
  | { kind: 'transient'; reason: string };

const AUTH_CODES = new Set(['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED']);

/** Sorts an IMAP or OAuth failure into what it means for retrying. */
export function classifyFailure(error: unknown): FailureKind {
  const e = (error ?? {}) as Record<string, unknown>;
  const text = [e.message, e.response, e.responseText].filter((part) => typeof part === 'string').join(' ');
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
  return { kind: 'transient', reason };
}

/** Capped exponential backoff with full jitter: a random delay in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 20));
  return Math.floor(random() * ceiling);
}

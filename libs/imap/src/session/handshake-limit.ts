/** Event-loop delay up to which handshakes run at the full IMAP_CONNECT_CONCURRENCY. */
export const CALM_LAG_MS = 50;

/**
 * How many handshakes may run at once given the event loop's delay: the full cap while the loop keeps up,
 * then inversely to the delay (half at 100 ms, one at a second or more). Each handshake and the sync after
 * it cost CPU; a process that starts them faster than it can finish them starves everything else.
 */
export function handshakeLimit(cap: number, lagMs: number): number {
  if (lagMs <= CALM_LAG_MS) return cap;
  return Math.max(1, Math.min(cap, Math.floor((cap * CALM_LAG_MS) / lagMs)));
}

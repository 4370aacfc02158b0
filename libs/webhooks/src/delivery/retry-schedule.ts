/**
 * Delay before retry number `failedAttempts` + 1: exponential from `baseSeconds` (×2 each time), with
 * jitter in [50 %, 100 %] so retries of many events spread out instead of arriving together.
 */
export function retryDelayMs(failedAttempts: number, baseSeconds: number, random: () => number = Math.random): number {
  const ceiling = baseSeconds * 1000 * 2 ** Math.max(0, failedAttempts - 1);
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

import { createHash, timingSafeEqual } from 'node:crypto';

import type { AppConfig } from '../config/app-config.js';

/**
 * Who may read /metrics and the detailed /health (node id, cluster topology) on the role's own port:
 * the holder of METRICS_TOKEN as a bearer token; without a token, anyone outside production and nobody in
 * production. The separate METRICS_PORT listener is reached by network placement (and the token, if set).
 */
export function operatorMayRead(config: AppConfig, authorization: string | undefined): boolean {
  if (!config.METRICS_TOKEN) return !config.isProduction;
  const match = /^Bearer (.+)$/i.exec(authorization ?? '');
  return match !== null && sameSecret(match[1], config.METRICS_TOKEN);
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

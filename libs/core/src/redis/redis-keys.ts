/**
 * Redis key names. Every key is `{<prefix>:<area>}:<rest>`: the braces are a Redis Cluster hash tag, so all
 * keys of one area (the leases, the cluster's membership, BullMQ's queues...) share a slot and the area's
 * multi-key scripts and transactions work unchanged on a cluster, while different areas spread over its nodes.
 */
export function redisKey(prefix: string, area: string, ...rest: string[]): string {
  return [`{${prefix}:${area}}`, ...rest].join(':');
}

/** BullMQ's key prefix: one hash tag for every queue, since a job's keys must share a slot with its queue's. */
export function bullPrefix(prefix: string): string {
  return redisKey(prefix, 'bull');
}

/** A SCAN pattern that matches every key of the installation with this prefix (and nothing of another). */
export function installationKeyPattern(prefix: string): string {
  return `{${prefix}:*`;
}

import { Inject, Injectable } from '@nestjs/common';

import { AppConfig, RedisService } from '@app/core';

import { CLUSTER_NODE_ID } from './cluster-node-id.js';

// For each key: take it if free, keep it if ours (extending it), else report it held by another node.
const ACQUIRE_SCRIPT = `
local result = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if not holder then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    result[i] = 1
  elseif holder == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    result[i] = 1
  else
    result[i] = 0
  end
end
return result`;

// For each key: extend it if ours; report those that are not ours any more.
const RENEW_SCRIPT = `
local result = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    result[i] = 1
  else
    result[i] = 0
  end
end
return result`;

const RELEASE_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0`;

const BATCH = 1000;

/**
 * One lease per watched mailbox, in Redis: a node opens a session only while it holds the user's lease,
 * renews it with every heartbeat (from the lease-renewal thread, see LeaseRenewer), and releases it after
 * closing the session. A lease lives
 * HEARTBEAT_TIMEOUT, so a dead node's mailboxes free up when it is declared dead.
 */
@Injectable()
export class UserLeases {
  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    @Inject(CLUSTER_NODE_ID) private readonly nodeId: string,
  ) {}

  private key(userId: string): string {
    return this.redis.key('lease', userId);
  }

  private get ttlMs(): number {
    return Math.round(this.config.HEARTBEAT_TIMEOUT * 1000);
  }

  /** Takes or extends the leases it can; returns the users whose lease this node now holds. */
  async acquire(userIds: string[]): Promise<string[]> {
    return this.runBatched(ACQUIRE_SCRIPT, userIds);
  }

  /** What the lease-renewal thread needs to renew this node's leases on a connection of its own. */
  renewalPlan(): { script: string; keyPrefix: string; nodeId: string; ttlMs: number; batch: number } {
    return { script: RENEW_SCRIPT, keyPrefix: this.key(''), nodeId: this.nodeId, ttlMs: this.ttlMs, batch: BATCH };
  }

  async release(userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += BATCH) {
      const keys = userIds.slice(i, i + BATCH).map((id) => this.key(id));
      await this.redis.client.eval(RELEASE_SCRIPT, keys.length, ...keys, this.nodeId);
    }
  }

  /** Which node holds each user's lease (for status and tests). */
  async holders(userIds: string[]): Promise<(string | null)[]> {
    if (userIds.length === 0) return [];
    return this.redis.client.mget(userIds.map((id) => this.key(id)));
  }

  private async runBatched(script: string, userIds: string[]): Promise<string[]> {
    const held: string[] = [];
    for (let i = 0; i < userIds.length; i += BATCH) {
      const batch = userIds.slice(i, i + BATCH);
      const keys = batch.map((id) => this.key(id));
      const result = (await this.redis.client.eval(script, keys.length, ...keys, this.nodeId, this.ttlMs)) as number[];
      batch.forEach((id, j) => {
        if (result[j] === 1) held.push(id);
      });
    }
    return held;
  }
}

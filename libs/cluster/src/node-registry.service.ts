import { hostname } from 'node:os';

import { Inject, Injectable } from '@nestjs/common';

import { AppConfig, type RedisClient, RedisService } from '@app/core';

import { CLUSTER_NODE_ID } from './cluster-node-id.js';
import type { ClusterNode } from './rendezvous-assignment.js';

/** A node's heartbeat record, as `superimap cluster status` shows it. */
export interface NodeInfo extends ClusterNode {
  host: string;
  pid: number;
  startedAt: string;
  /** Mailboxes it holds sessions for at its last heartbeat. */
  owned: number;
  /** Milliseconds since its last heartbeat (Redis clock). */
  lastHeartbeatAgoMs: number;
}

export type MembershipEvent = { type: 'join' | 'leave' | 'released'; nodeId: string };

// One round trip: record this node's heartbeat (Redis clock, so nodes' clocks may differ), drop nodes
// long dead, and return the live ones with their records.
const HEARTBEAT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local timeout = tonumber(ARGV[3])
if ARGV[1] ~= '' then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - timeout * 10)
for _, id in ipairs(dead) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
local alive = redis.call('ZRANGEBYSCORE', KEYS[1], now - timeout, '+inf', 'WITHSCORES')
local result = {tostring(now)}
for i = 1, #alive, 2 do
  table.insert(result, alive[i])
  table.insert(result, alive[i + 1])
  table.insert(result, redis.call('HGET', KEYS[2], alive[i]) or '{}')
end
return result`;

/**
 * Cluster membership in Redis: each imap-client writes a heartbeat every HEARTBEAT_INTERVAL with its
 * capacity and load; nodes heard within HEARTBEAT_TIMEOUT are alive. Joins and leaves are announced.
 */
@Injectable()
export class NodeRegistry {
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    @Inject(CLUSTER_NODE_ID) readonly nodeId: string,
  ) {}

  private get membersKey(): string {
    return this.redis.key('cluster', 'members');
  }

  private get infoKey(): string {
    return this.redis.key('cluster', 'info');
  }

  get eventsChannel(): string {
    return this.redis.key('cluster', 'events');
  }

  /** Records this node's heartbeat and returns the live nodes, this one included. */
  async heartbeat(owned: number): Promise<NodeInfo[]> {
    return this.run(this.nodeId, JSON.stringify({ ...this.record(), owned }));
  }

  /** What the lease-renewal thread needs to heartbeat for this node on a connection of its own. */
  heartbeatPlan(): {
    script: string;
    keys: string[];
    nodeId: string;
    info: Record<string, unknown>;
    timeoutMs: number;
  } {
    return {
      script: HEARTBEAT_SCRIPT,
      keys: [this.membersKey, this.infoKey],
      nodeId: this.nodeId,
      info: this.record(),
      timeoutMs: this.timeoutMs,
    };
  }

  /** The live nodes, without heartbeating (for `superimap cluster status`). */
  async liveNodes(): Promise<NodeInfo[]> {
    return this.run('', '');
  }

  async leave(): Promise<void> {
    await this.redis.client.multi().zrem(this.membersKey, this.nodeId).hdel(this.infoKey, this.nodeId).exec();
    await this.announce('leave');
  }

  async announce(type: MembershipEvent['type']): Promise<void> {
    await this.redis.client.publish(this.eventsChannel, JSON.stringify({ type, nodeId: this.nodeId }));
  }

  /** Subscribes to joins, leaves and lease releases on a connection of its own; returns it for closing. */
  async subscribe(handler: (event: MembershipEvent) => void): Promise<RedisClient> {
    const subscriber = this.redis.duplicate();
    subscriber.on('message', (_channel: string, message: string) => handler(JSON.parse(message) as MembershipEvent));
    await subscriber.subscribe(this.eventsChannel);
    return subscriber;
  }

  /** The live nodes in a heartbeat script's reply. */
  parseHeartbeat(reply: string[]): NodeInfo[] {
    const now = Number(reply[0]);
    const nodes: NodeInfo[] = [];
    for (let i = 1; i < reply.length; i += 3) {
      const record = JSON.parse(reply[i + 2]) as Partial<NodeInfo>;
      nodes.push({
        id: reply[i],
        capacity: record.capacity ?? this.config.MAX_USER_THREADS,
        owned: record.owned ?? 0,
        host: record.host ?? '?',
        pid: record.pid ?? 0,
        startedAt: record.startedAt ?? '?',
        lastHeartbeatAgoMs: now - Number(reply[i + 1]),
      });
    }
    return nodes;
  }

  private get timeoutMs(): number {
    return Math.round(this.config.HEARTBEAT_TIMEOUT * 1000);
  }

  private record(): Omit<NodeInfo, 'id' | 'owned' | 'lastHeartbeatAgoMs'> {
    return { capacity: this.config.MAX_USER_THREADS, host: hostname(), pid: process.pid, startedAt: this.startedAt };
  }

  private async run(nodeId: string, info: string): Promise<NodeInfo[]> {
    const reply = (await this.redis.client.eval(
      HEARTBEAT_SCRIPT,
      2,
      this.membersKey,
      this.infoKey,
      nodeId,
      info,
      this.timeoutMs,
    )) as string[];
    return this.parseHeartbeat(reply);
  }
}

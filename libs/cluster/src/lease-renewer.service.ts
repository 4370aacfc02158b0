import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig, parseClusterNodes, redisCredentials, RedisService, ROOT_LOGGER } from '@app/core';

import {
  type FromRenewalThread,
  leaseRenewalThread,
  type RenewalThreadData,
  SHARED_SLOTS,
  type ToRenewalThread,
} from './lease-renewal-thread.js';
import { type NodeInfo, NodeRegistry } from './node-registry.service.js';
import { UserLeases } from './user-leases.service.js';

/** What one renewal round found: the live nodes, and the leases that were not this node's any more. */
export interface RenewalResult {
  nodes: NodeInfo[];
  lost: string[];
}

/** How often the main thread shows the renewal thread that it still runs. */
const TICK_MS = 250;
/** A failed round is retried this soon. */
const RETRY_MS = 250;

/**
 * Heartbeats and renews this node's leases from a worker thread with its own Redis connection, so that a
 * main thread busy with thousands of handshakes and syncs cannot make them late. The time of the last
 * complete renewal is shared memory, readable at once however many messages wait in the main thread's queue.
 * A main thread that has not run for `mainStallLimitMs` is wedged, not busy: the thread stops renewing, so
 * the leases lapse and other nodes take the mailboxes over.
 */
@Injectable()
export class LeaseRenewer {
  private worker?: Worker;
  private tickTimer?: NodeJS.Timeout;
  /** The leases the thread renews, kept here too so that a thread that died can be replaced. */
  private readonly tracked = new Set<string>();
  private onRenewal?: (result: RenewalResult) => void;
  private failing = false;
  private readonly shared = new Float64Array(new SharedArrayBuffer(3 * Float64Array.BYTES_PER_ELEMENT));
  private readonly logger: Logger;

  constructor(
    private readonly registry: NodeRegistry,
    private readonly leases: UserLeases,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'lease-renewal' });
  }

  /** When the last renewal round that renewed every lease still held started (ms since the epoch). */
  get lastRenewedAt(): number {
    return this.shared[SHARED_SLOTS.renewedAt];
  }

  /** The session count reported in this node's heartbeat. */
  set owned(count: number) {
    this.shared[SHARED_SLOTS.owned] = count;
  }

  /** Starts the thread; `onRenewal` gets each round's result on the main thread. */
  start(onRenewal: (result: RenewalResult) => void): void {
    const now = Date.now();
    this.onRenewal = onRenewal;
    this.shared[SHARED_SLOTS.renewedAt] = now;
    this.shared[SHARED_SLOTS.mainAliveAt] = now;
    this.tickTimer = setInterval(() => (this.shared[SHARED_SLOTS.mainAliveAt] = Date.now()), TICK_MS);
    this.startThread();
  }

  private startThread(): void {
    const intervalMs = this.config.HEARTBEAT_INTERVAL * 1000;
    const timeoutMs = this.config.HEARTBEAT_TIMEOUT * 1000;
    const { url, clusterNodes } = this.redis.target;
    const workerData: RenewalThreadData = {
      ioredisPath: createRequire(import.meta.url).resolve('ioredis'),
      redis: clusterNodes
        ? { url, cluster: parseClusterNodes(clusterNodes), clusterCredentials: redisCredentials(url) }
        : { url },
      intervalMs,
      retryMs: RETRY_MS,
      commandTimeoutMs: Math.max(500, intervalMs),
      mainStallLimitMs: Math.max(4 * timeoutMs, 30_000),
      heartbeat: this.registry.heartbeatPlan(),
      leases: this.leases.renewalPlan(),
      slots: SHARED_SLOTS,
      shared: this.shared.buffer,
    };
    const worker = new Worker(`(${leaseRenewalThread.toString()})()`, { eval: true, workerData });
    worker.on('message', (message: FromRenewalThread) => this.onMessage(message));
    worker.on('error', (error) => this.logger.error({ err: error }, 'lease-renewal thread failed'));
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      // Not stopped by us: replace it, or the node would fence itself for want of renewals.
      this.logger.error('lease-renewal thread exited; starting another');
      this.startThread();
    });
    this.worker = worker;
    if (this.tracked.size > 0) this.post({ type: 'track', userIds: [...this.tracked] });
  }

  /** Leases this node has just taken: renew them from now on. */
  track(userIds: string[]): void {
    for (const userId of userIds) this.tracked.add(userId);
    if (userIds.length > 0) this.post({ type: 'track', userIds });
  }

  /** Leases this node has released (or lost): stop renewing them. */
  untrack(userIds: string[]): void {
    for (const userId of userIds) this.tracked.delete(userId);
    if (userIds.length > 0) this.post({ type: 'untrack', userIds });
  }

  /** Starts a round now instead of at the next interval (a renewal is overdue). */
  renewNow(): void {
    this.post({ type: 'renew-now' });
  }

  async stop(): Promise<void> {
    clearInterval(this.tickTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToRenewalThread);
    // A round stuck on an unreachable Redis ends at its command timeout; do not wait longer than that.
    const timer = setTimeout(() => void worker.terminate(), Math.max(1000, this.config.HEARTBEAT_INTERVAL * 2000));
    await exited;
    clearTimeout(timer);
  }

  private post(message: ToRenewalThread): void {
    this.worker?.postMessage(message);
  }

  private onMessage(message: FromRenewalThread): void {
    if (message.type === 'renewed') {
      for (const userId of message.lost) this.tracked.delete(userId);
      if (this.failing) this.logger.info('lease renewal works again');
      this.failing = false;
      this.onRenewal?.({ nodes: this.registry.parseHeartbeat(message.heartbeat), lost: message.lost });
    } else if (message.type === 'failed') {
      // Retried every RETRY_MS: one line when it starts failing, one when it works again.
      if (!this.failing) this.logger.warn({ error: message.message }, 'lease renewal failed; retrying');
      this.failing = true;
    } else {
      this.logger.error(
        { mainSilentMs: message.mainSilentMs },
        'the main thread has not run for too long: not renewing leases, so that other nodes can take over',
      );
    }
  }
}

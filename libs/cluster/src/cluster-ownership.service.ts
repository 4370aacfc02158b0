import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';

import {
  AppConfig,
  type HealthContributor,
  HealthService,
  MetricsService,
  type RedisClient,
  ROOT_LOGGER,
  type UserChange,
  UserChangeNotifier,
} from '@app/core';
import { SessionManager } from '@app/imap';
import { MailboxStates, WatchableUsersQuery } from '@app/users';

import { type MembershipEvent, type NodeInfo, NodeRegistry } from './node-registry.service.js';
import { assignUsers } from './rendezvous-assignment.js';
import { UserLeases } from './user-leases.service.js';
import { WatchableUsers } from './watchable-users.js';

/** When some of our users' leases are still held by their previous owner, try again this soon. */
const LEASE_RETRY_MS = 500;
/** Only while capacity is or just was short can a stale report have called a watched mailbox unwatched. */
const CORRECTION_WINDOW_MS = 2 * 60_000;
/** A burst of notifications is handled by one pass. */
const PASS_DEBOUNCE_MS = 50;

/**
 * Decides which mailboxes this imap-client watches, with no master: every pass it heartbeats, computes the
 * same rendezvous assignment as every other node, takes the leases of its users (sessions open only under a
 * lease), and hands back the rest. If it cannot renew its leases for too long, it closes every session
 * before the leases can expire elsewhere (self-fencing).
 */
@Injectable()
export class ClusterOwnership implements OnApplicationBootstrap, BeforeApplicationShutdown, HealthContributor {
  private readonly watchable: WatchableUsers;
  private readonly held = new Set<string>();
  private nodes: NodeInfo[] = [];
  private lastRenewalAt = Date.now();
  private fenced = false;
  private stopping = false;
  private passTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private fenceTimer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private running?: Promise<void>;
  private passAgain = false;
  private subscriber?: RedisClient;
  private readonly logger: Logger;
  private readonly nodesGauge: Gauge;
  private readonly ownedGauge: Gauge;
  private readonly unwatchedGauge: Gauge;
  private reportedUnwatched = 0;
  /** Until when passes check for wrongly unwatched mailboxes: a while after start and after any shortage. */
  private correctUntil = Date.now() + CORRECTION_WINDOW_MS;

  constructor(
    private readonly registry: NodeRegistry,
    private readonly leases: UserLeases,
    private readonly sessions: SessionManager,
    private readonly changes: UserChangeNotifier,
    private readonly config: AppConfig,
    watchableQuery: WatchableUsersQuery,
    private readonly states: MailboxStates,
    health: HealthService,
    metrics: MetricsService,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.watchable = new WatchableUsers(watchableQuery);
    this.logger = logger.child({ component: 'cluster' });
    health.addContributor(this);
    this.nodesGauge = new Gauge({
      name: 'superimap_cluster_nodes',
      help: 'Live imap-client nodes seen by this node',
      registers: [metrics.registry],
    });
    this.unwatchedGauge = new Gauge({
      name: 'superimap_cluster_users_unwatched',
      help: 'Watchable mailboxes no imap-client has capacity for',
      registers: [metrics.registry],
    });
    this.ownedGauge = new Gauge({
      name: 'superimap_cluster_users_owned',
      help: 'Mailboxes this node holds sessions for',
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = await this.registry.subscribe((event) => this.onMembership(event));
    await this.changes.subscribe((change) => void this.onUserChange(change));
    await this.heartbeat();
    await this.registry.announce('join');
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.config.HEARTBEAT_INTERVAL * 1000);
    this.fenceTimer = setInterval(() => void this.fenceIfStale(), 250);
    this.schedule(0);
  }

  /** Clean handoff: stop taking work, close sessions, release leases, leave, announce. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.passTimer);
    clearInterval(this.heartbeatTimer);
    clearInterval(this.fenceTimer);
    await Promise.all([this.running, this.beating]);
    await this.sessions.stopAll();
    await this.leases.release([...this.held]).catch((error: unknown) => this.logger.warn({ err: error }, 'release'));
    this.held.clear();
    await this.registry.leave().catch((error: unknown) => this.logger.warn({ err: error }, 'leave'));
    await this.subscriber?.quit().catch(() => undefined);
    this.logger.info('left the cluster');
  }

  ownedUserIds(): string[] {
    return this.sessions.ownedUserIds();
  }

  healthDetails(): Promise<Record<string, unknown>> {
    return Promise.resolve({
      cluster: {
        node: this.registry.nodeId,
        nodes: this.nodes.map(({ id, owned, capacity, lastHeartbeatAgoMs }) => ({
          id,
          owned,
          capacity,
          lastHeartbeatAgoMs,
        })),
        owned: this.sessions.size,
        fenced: this.fenced,
      },
    });
  }

  private onMembership(event: MembershipEvent): void {
    if (event.nodeId !== this.registry.nodeId) this.schedule(PASS_DEBOUNCE_MS);
  }

  private async onUserChange(change: UserChange): Promise<void> {
    try {
      await this.watchable.apply(change);
      // Only a new login needs a new session; other edits (tag, tracer) must not cost the provider a login.
      if (change.reason === 'credentials_changed') await this.sessions.restart(change.userIds);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not apply a user change; the next pass will');
    }
    this.schedule(PASS_DEBOUNCE_MS);
  }

  /** Runs a pass after `delayMs` (sooner requests win); passes never overlap. */
  private schedule(delayMs: number): void {
    if (this.stopping) return;
    if (this.running) {
      this.passAgain = true;
      return;
    }
    clearTimeout(this.passTimer);
    this.passTimer = setTimeout(() => void this.runPass(), delayMs);
  }

  private async runPass(): Promise<void> {
    let retryLeasesSoon = false;
    this.running = (async () => {
      try {
        retryLeasesSoon = await this.pass();
      } catch (error) {
        this.logger.warn({ err: error }, 'cluster pass failed');
      }
    })();
    await this.running;
    this.running = undefined;
    const next = this.passAgain
      ? PASS_DEBOUNCE_MS
      : retryLeasesSoon
        ? LEASE_RETRY_MS
        : this.config.HEARTBEAT_INTERVAL * 1000;
    this.passAgain = false;
    this.schedule(next);
  }

  /**
   * Heartbeat and lease renewal, on a timer of their own so that a slow pass (closing many sessions)
   * never delays them. A membership change triggers a pass at once.
   */
  private async heartbeat(): Promise<void> {
    if (this.beating || this.stopping) return;
    this.beating = (async () => {
      try {
        const before = this.nodes
          .map((node) => node.id)
          .sort()
          .join();
        this.nodes = await this.registry.heartbeat(this.sessions.size);
        const renewing = [...this.held];
        const kept = new Set(await this.leases.renew(renewing));
        this.lastRenewalAt = Date.now();
        const lost = renewing.filter((userId) => !kept.has(userId));
        for (const userId of lost) this.held.delete(userId);
        if (lost.length > 0) this.logger.warn({ lost: lost.length }, 'leases lost; their sessions will close');
        const resumed = this.fenced;
        if (resumed) {
          this.fenced = false;
          this.logger.info('Redis reachable again; resuming');
        }
        const membershipChanged =
          before !==
          this.nodes
            .map((node) => node.id)
            .sort()
            .join();
        if (resumed || lost.length > 0 || membershipChanged) this.schedule(0);
      } catch (error) {
        this.logger.warn({ err: error }, 'heartbeat failed');
      } finally {
        this.beating = undefined;
      }
    })();
    await this.beating;
  }

  /** One assignment pass; returns true when some of this node's users are still leased elsewhere. */
  private async pass(): Promise<boolean> {
    if (this.fenced) return false;
    await this.watchable.refresh();
    const nodes = this.nodes.some((node) => node.id === this.registry.nodeId)
      ? this.nodes
      : [...this.nodes, { id: this.registry.nodeId, capacity: this.config.MAX_USER_THREADS }];
    const assignment = assignUsers(nodes, this.watchable.all);
    const mine = assignment.get(this.registry.nodeId) ?? [];
    await this.reportUnassigned(nodes, assignment);
    const wanted = mine.filter((userId) => !this.held.has(userId));
    for (const userId of await this.leases.acquire(wanted)) this.held.add(userId);

    await this.sessions.reconcile(mine.filter((userId) => this.held.has(userId)));
    const running = new Set(this.sessions.ownedUserIds());
    const surplus = [...this.held].filter((userId) => !running.has(userId));
    if (surplus.length > 0) {
      await this.leases.release(surplus);
      for (const userId of surplus) this.held.delete(userId);
      await this.registry.announce('released');
    }

    // A capacity report made from a stale view may have called a watched mailbox unwatched: correct it.
    if (Date.now() < this.correctUntil) {
      await this.states.correctUnwatched(this.sessions.watchingUserIds());
    }
    this.nodesGauge.set(this.nodes.length);
    this.ownedGauge.set(this.sessions.size);
    return mine.some((userId) => !this.held.has(userId));
  }

  /**
   * Mailboxes beyond the cluster's capacity are watched by nobody: say so, in their state, a metric and a
   * warning. Every node computes the same assignment; the node with the smallest id writes the states.
   */
  private async reportUnassigned(nodes: { id: string }[], assignment: Map<string, string[]>): Promise<void> {
    const assigned = [...assignment.values()].reduce((sum, users) => sum + users.length, 0);
    const unassignedCount = this.watchable.all.size - assigned;
    this.unwatchedGauge.set(unassignedCount);
    if (unassignedCount > 0) this.correctUntil = Date.now() + CORRECTION_WINDOW_MS;
    if (unassignedCount === 0) {
      this.reportedUnwatched = 0;
      return;
    }
    if (nodes.reduce((min, node) => (node.id < min ? node.id : min), nodes[0].id) !== this.registry.nodeId) return;
    const taken = new Set([...assignment.values()].flat());
    const unassigned = [...this.watchable.all].filter((userId) => !taken.has(userId));
    // A node that joined since this pass's view may already hold some: a leased mailbox is watched.
    const holders = await this.leases.holders(unassigned);
    await this.states.markUnwatched(unassigned.filter((_, i) => holders[i] === null));
    if (unassignedCount !== this.reportedUnwatched) {
      this.logger.warn(
        { unwatched: unassignedCount, nodes: nodes.length },
        'watch capacity exhausted: some mailboxes are watched by no imap-client (add nodes or raise MAX_USER_THREADS)',
      );
      this.reportedUnwatched = unassignedCount;
    }
  }

  /** Closes every session when leases could not be renewed for longer than is safe. */
  private async fenceIfStale(): Promise<void> {
    const unsafeAfterMs = (this.config.HEARTBEAT_TIMEOUT - this.config.HEARTBEAT_INTERVAL) * 1000;
    const holding = this.held.size > 0 || this.sessions.size > 0;
    if (this.fenced || this.stopping || !holding || Date.now() - this.lastRenewalAt < unsafeAfterMs) return;
    this.fenced = true;
    this.logger.error('cannot renew leases: closing every session before they expire (self-fencing)');
    this.held.clear();
    await this.sessions.stopAll({ graceful: false });
  }
}

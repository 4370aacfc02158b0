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

import { LeaseRenewer, type RenewalResult } from './lease-renewer.service.js';
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
/** How often the node checks that its leases were renewed recently enough. */
const FENCE_CHECK_MS = 250;

/**
 * Decides which mailboxes this imap-client watches, with no master: every pass it computes the
 * same rendezvous assignment as every other node, takes the leases of its users (sessions open only under a
 * lease), and hands back the rest. Heartbeats and renewals run in a thread of their own (LeaseRenewer).
 * When a renewal is overdue the node takes no new mailboxes and asks for one at once; if none has succeeded
 * shortly before the leases could expire, it closes every session (self-fencing). A renewal that succeeds,
 * however late, proves which leases never lapsed: their sessions stay (or reopen), only the lost ones close.
 */
@Injectable()
export class ClusterOwnership implements OnApplicationBootstrap, BeforeApplicationShutdown, HealthContributor {
  private readonly watchable: WatchableUsers;
  private readonly held = new Set<string>();
  private nodes: NodeInfo[] = [];
  /** A renewal is overdue: no new leases or sessions until one succeeds. */
  private fenced = false;
  /** The renewal stayed overdue until the leases were about to expire: every session was closed. */
  private sessionsClosed = false;
  private stopping = false;
  private passTimer?: NodeJS.Timeout;
  private fenceTimer?: NodeJS.Timeout;
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
    private readonly renewer: LeaseRenewer,
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
    this.nodes = await this.registry.heartbeat(0);
    await this.registry.announce('join');
    this.renewer.start((result) => this.onRenewal(result));
    this.fenceTimer = setInterval(() => void this.fenceIfStale(), FENCE_CHECK_MS);
    this.schedule(0);
  }

  /** Clean handoff: stop taking work, close sessions, release leases, leave, announce. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.passTimer);
    clearInterval(this.fenceTimer);
    // Each step's time is logged: a handoff that overruns the shutdown deadline must say where it went.
    const started = Date.now();
    await this.running;
    const passEnded = Date.now();
    const sessions = this.sessions.size;
    await this.sessions.stopAll();
    const sessionsEnded = Date.now();
    // Before leaving: a round after leave() would put this node back in the membership.
    await this.renewer.stop();
    const leases = this.held.size;
    await this.leases.release([...this.held]).catch((error: unknown) => this.logger.warn({ err: error }, 'release'));
    this.held.clear();
    await this.registry.leave().catch((error: unknown) => this.logger.warn({ err: error }, 'leave'));
    await this.subscriber?.quit().catch(() => undefined);
    this.logger.info(
      {
        sessions,
        leases,
        passMs: passEnded - started,
        sessionsMs: sessionsEnded - passEnded,
        leaveMs: Date.now() - sessionsEnded,
      },
      'left the cluster',
    );
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
        lastRenewalAgoMs: Date.now() - this.renewer.lastRenewedAt,
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

  /** A renewal round's result (on this thread, possibly late): drop lost leases, un-fence, react. */
  private onRenewal({ nodes, lost }: RenewalResult): void {
    if (this.stopping) return;
    const membership = (of: NodeInfo[]) =>
      of
        .map((node) => node.id)
        .sort()
        .join();
    const membershipChanged = membership(this.nodes) !== membership(nodes);
    this.nodes = nodes;
    const dropped = lost.filter((userId) => this.held.delete(userId));
    if (dropped.length > 0) this.logger.warn({ lost: dropped.length }, 'leases lost; their sessions will close');
    const resumed = this.fenced;
    if (resumed) {
      this.logger.info(
        { lost: dropped.length, held: this.held.size, reopening: this.sessionsClosed },
        'leases renewed again; resuming with the mailboxes whose leases held',
      );
      this.fenced = false;
      this.sessionsClosed = false;
    }
    if (resumed || dropped.length > 0 || membershipChanged) this.schedule(0);
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
    const acquired = await this.leases.acquire(wanted);
    for (const userId of acquired) this.held.add(userId);
    this.renewer.track(acquired);

    await this.sessions.reconcile(mine.filter((userId) => this.held.has(userId)));
    const running = new Set(this.sessions.ownedUserIds());
    const surplus = [...this.held].filter((userId) => !running.has(userId));
    if (surplus.length > 0) {
      this.renewer.untrack(surplus);
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

  /**
   * Reads the last renewal from shared memory (so it is right however late this timer fires). Overdue after
   * HEARTBEAT_TIMEOUT - HEARTBEAT_INTERVAL: take nothing new, ask for a renewal now. Still none half an
   * interval later: close every session before the leases can expire elsewhere. Both end with a renewal.
   */
  private async fenceIfStale(): Promise<void> {
    this.renewer.owned = this.sessions.size;
    const holding = this.held.size > 0 || this.sessions.size > 0;
    if (this.stopping || !holding || this.sessionsClosed) return;
    const sinceRenewalMs = Date.now() - this.renewer.lastRenewedAt;
    const { HEARTBEAT_TIMEOUT: timeout, HEARTBEAT_INTERVAL: interval } = this.config;
    if (!this.fenced && sinceRenewalMs >= (timeout - interval) * 1000) {
      this.fenced = true;
      this.logger.warn({ sinceRenewalMs }, 'lease renewal overdue: taking no new mailboxes until it succeeds');
      this.renewer.renewNow();
    }
    if (this.fenced && sinceRenewalMs >= (timeout - interval / 2) * 1000) {
      this.sessionsClosed = true;
      this.logger.error(
        { sinceRenewalMs },
        'cannot renew leases: closing every session before they expire (self-fencing)',
      );
      await this.sessions.stopAll({ graceful: false });
    }
  }
}

import type { Logger } from 'pino';

import { CALM_LAG_MS } from './handshake-limit.js';

/** One IMAP server, as sessions reach it. */
export interface ServerAddress {
  host: string;
  port: number;
  /** Implicit TLS: the probe must speak TLS before it can read the greeting. */
  tls: boolean;
}

export interface OutageOptions {
  /** Distinct sessions failing within `windowMs` that make an outage (and more than are still connected). */
  sessions: number;
  windowMs: number;
  /** First and longest pause between probes. */
  probeIntervalMs: number;
  maxProbeIntervalMs: number;
  /** This process's event-loop delay now (ms). */
  eventLoopDelayMs: () => number;
}

const DEFAULT_OPTIONS: OutageOptions = {
  sessions: 3,
  windowMs: 30_000,
  probeIntervalMs: 500,
  maxProbeIntervalMs: 1000,
  eventLoopDelayMs: () => 0,
};

/** The slowest probing, for a server that keeps failing right after each return: the longest session backoff. */
const MAX_RELAPSE_INTERVAL_MS = 5 * 60_000;

interface ServerState {
  /** Session id → when it last failed, within the window. */
  failures: Map<string, number>;
  /** This process's connections to the server that are open now: each one shows the server is up. */
  open: number;
  inOutage: boolean;
  /** Sessions waiting to hear that the current (or next) outage ended. */
  waiting: Set<() => void>;
  /** When the last outage ended, and how many in a row ended (by the probe) only to start again, no session through. */
  recoveredAt: number;
  relapses: number;
}

/**
 * Treats many sessions to one server failing at once as one server outage: a single probe connection
 * watches for the server's return, and then every waiting session is woken to reconnect at once (the
 * admission limiter still caps handshakes), instead of each waiting out its own, by then long, backoff.
 */
export class ServerOutages {
  private readonly servers = new Map<string, ServerState>();
  private readonly options: OutageOptions;
  private closed = false;

  constructor(
    /** True once the server answers with a greeting; one connection, closed at once. */
    private readonly probe: (server: ServerAddress) => Promise<boolean>,
    private readonly logger: Logger,
    options: Partial<OutageOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  /**
   * A session could not connect to `server`, or lost its connection. A timeout while this process's own event
   * loop lags does not count: a starved process (a cold start of tens of thousands of mailboxes on too few
   * cores) misses greetings from servers that answered, and taking that for an outage parks every session of
   * the server behind one probe, probed ever more slowly as the "outages" relapse.
   */
  failed(server: ServerAddress, sessionId: string, cause: { timedOut?: boolean } = {}): void {
    if (cause.timedOut && this.options.eventLoopDelayMs() > CALM_LAG_MS) return;
    const state = this.state(server);
    const now = Date.now();
    state.failures.set(sessionId, now);
    for (const [id, at] of state.failures) if (now - at > this.options.windowMs) state.failures.delete(id);
    // A few of many connections dropping is those connections' trouble; a server that is down drops them all.
    const needed = Math.max(this.options.sessions, state.open + 1);
    if (state.inOutage || state.failures.size < needed) return;
    state.inOutage = true;
    state.relapses = now - state.recoveredAt < this.options.windowMs ? state.relapses + 1 : 0;
    this.logger.warn(
      { server: keyOf(server), sessions: state.failures.size },
      'server outage: probing until it answers',
    );
    void this.probeUntilBack(server, state);
  }

  /**
   * A session connected to `server` (call `disconnected` when that connection ends): whatever outage there was
   * is over. Failures count towards an outage only while no session gets through and they outnumber the
   * connections still open, so a working server whose sessions fail now and then never has one.
   */
  connected(server: ServerAddress): void {
    const state = this.state(server);
    state.open++;
    state.failures.clear();
    state.relapses = 0;
    if (state.inOutage) this.endOutage(server, state);
  }

  /** A connection that `connected` counted has ended. */
  disconnected(server: ServerAddress): void {
    const state = this.servers.get(keyOf(server));
    if (state && state.open > 0) state.open--;
  }

  /** In an outage: its probe has not seen the server answer yet. */
  isDown(server: ServerAddress): boolean {
    return this.servers.get(keyOf(server))?.inOutage ?? false;
  }

  /** Calls `listener` once when the server's current or next outage ends; returns how to stop listening. */
  onRecovery(server: ServerAddress, listener: () => void): () => void {
    const { waiting } = this.state(server);
    waiting.add(listener);
    return () => waiting.delete(listener);
  }

  /** Stops probing (shutdown). */
  close(): void {
    this.closed = true;
  }

  private async probeUntilBack(server: ServerAddress, state: ServerState): Promise<void> {
    // A server that "returns" only to fail again at once is probed ever more slowly, so that no storm follows.
    let interval = Math.min(MAX_RELAPSE_INTERVAL_MS, this.options.probeIntervalMs * 2 ** state.relapses);
    while (state.inOutage && !this.closed) {
      await new Promise((resolve) => setTimeout(resolve, interval).unref());
      if (!state.inOutage || this.closed) return;
      const back = await this.probe(server).catch(() => false);
      if (back) return this.endOutage(server, state);
      interval = Math.max(interval, Math.min(this.options.maxProbeIntervalMs, interval * 2));
    }
  }

  private endOutage(server: ServerAddress, state: ServerState): void {
    if (!state.inOutage) return;
    state.inOutage = false;
    state.failures.clear();
    state.recoveredAt = Date.now();
    this.logger.info({ server: keyOf(server) }, 'server answers again: reconnecting its mailboxes');
    const waiting = [...state.waiting];
    state.waiting.clear();
    for (const listener of waiting) listener();
  }

  private state(server: ServerAddress): ServerState {
    const key = keyOf(server);
    let state = this.servers.get(key);
    if (!state) {
      state = {
        failures: new Map(),
        open: 0,
        inOutage: false,
        waiting: new Set(),
        recoveredAt: 0,
        relapses: 0,
      };
      this.servers.set(key, state);
    }
    return state;
  }
}

function keyOf(server: ServerAddress): string {
  return `${server.host}:${server.port}`;
}

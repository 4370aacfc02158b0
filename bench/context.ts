// What bench sections share: one installation on the fake IMAP server, created once with as many
// mailboxes as the largest section needs, and the way to start a measured imap-client on it.

import { sleep } from '../stress/free-port.js';
import { Installation } from '../stress/installation.js';
import type { RoleInstance } from '../stress/role-fleet.js';
import { Testbed } from '../stress/testbed.js';
import { waitUntil } from './measure.js';

/** How long a stopped imap-client may take to log its sessions out before it is killed. */
const STOP_GRACE_MS = 30_000;

/** imap-client settings of a bench run: production defaults except where a section says otherwise. */
export const BENCH_ROLE_ENV = { LOG_LEVEL: 'warn', OUTBOX_SWEEP_INTERVAL: '5' };

export class BenchContext {
  private bed?: Testbed;

  constructor(
    readonly outDir: string,
    readonly mailboxes: number,
    readonly log: (line: string) => void,
  ) {}

  /** The fake-server testbed, created on first use. */
  async fake(): Promise<Testbed> {
    if (this.bed) return this.bed;
    const runId = Installation.newRunId();
    this.log(`setting up ${this.mailboxes} mailboxes on the fake server (run ${runId})`);
    this.bed = await Testbed.create({
      runId,
      mailboxes: this.mailboxes,
      // 4 addresses: no (source, destination) pair needs more than ~4,500 ephemeral ports
      imapHosts: 4,
      outDir: this.outDir,
      seed: 7,
      roleEnv: BENCH_ROLE_ENV,
      log: this.log,
    });
    return this.bed;
  }

  /** Starts an imap-client capped at `cap` sessions; resolves when all `cap` are in IDLE, with the time it took. */
  async startImapClient(
    cap: number,
    env: Record<string, string> = {},
    timeoutMs = 180_000,
  ): Promise<{ instance: RoleInstance; connectMs: number }> {
    const bed = await this.fake();
    const before = (await bed.fakeServer.stats()).idling;
    const started = Date.now();
    const instance = await bed.fleet.start('imap-client', bed.fleet.instances.length + 1, {
      MAX_USER_THREADS: String(cap),
      ...env,
    });
    await waitUntil(
      `${cap} sessions in IDLE`,
      async () => (await bed.fakeServer.stats()).idling - before >= cap,
      timeoutMs,
      50,
    );
    return { instance, connectMs: Date.now() - started };
  }

  /**
   * Stops an imap-client as an operator's restart does (SIGTERM: it hands its mailboxes back and leaves the
   * cluster), killing it only if that takes too long. A SIGKILLed node's leases would hold its mailboxes for
   * HEARTBEAT_TIMEOUT: that is the takeover (`npm run scale`), not a restart. Returns once the fake server
   * has seen its connections close.
   */
  async stopAndSettle(instance: RoleInstance): Promise<void> {
    const bed = await this.fake();
    const exited = instance.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!stopped) await instance.kill('SIGKILL');
    await waitUntil(
      'connections of a stopped process to close',
      async () => (await bed.fakeServer.stats()).totals.openConnections === 0,
      60_000,
      100,
    ).catch(() => undefined);
    await sleep(500);
  }

  async close(): Promise<void> {
    const bed = this.bed;
    this.bed = undefined;
    await bed?.tearDown(false);
  }
}

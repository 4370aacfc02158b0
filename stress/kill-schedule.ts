// SIGKILLs a random imap-client or worker now and then and starts it again, as a crash and a
// supervisor restart would.

import { sleep } from './free-port.js';
import type { RoleInstance } from './role-fleet.js';

export interface KillEvent {
  at: number;
  name: string;
  /** Time until the restarted process answered /health. */
  restartMs: number;
}

export class KillSchedule {
  readonly events: KillEvent[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly victims: () => RoleInstance[],
    private readonly intervalMs: number,
    private readonly random: () => number,
    /** How long a killed process stays down. */
    private readonly downMs = 1000,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Stops killing; waits for a restart in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      // Jittered between half and one and a half intervals, so kills hit every phase of the work.
      const wait = this.intervalMs * (0.5 + this.random());
      const until = Date.now() + wait;
      while (!this.stopped && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
      if (this.stopped) return;
      const candidates = this.victims();
      if (candidates.length === 0) continue;
      const victim = candidates[Math.floor(this.random() * candidates.length)];
      const at = Date.now();
      await victim.kill('SIGKILL');
      await sleep(this.downMs);
      victim.spawn();
      await victim.waitHealthy().catch((error: Error) => console.error(`restart of ${victim.name}: ${error.message}`));
      this.events.push({ at, name: victim.name, restartMs: Date.now() - at - this.downMs });
    }
  }
}

// Where the machine's CPU went during a measurement: CPU seconds per component (SuperIMAP roles,
// the fake server, the bench process with its sink, PostgreSQL and Redis), read from /proc.

import { readdir, readFile } from 'node:fs/promises';

import { sampleProcess } from '../stress/process-sampler.js';

export type CpuGroups = Record<string, () => Promise<number[]>>;

/** Pids of every process whose command name is `comm` (e.g. all PostgreSQL backends). */
export async function pidsByName(comm: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const name = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (name.trim() === comm) pids.push(Number(entry));
  }
  return pids;
}

async function ticks(pids: number[]): Promise<Map<number, number>> {
  const byPid = new Map<number, number>();
  for (const pid of pids) {
    const sample = await sampleProcess(pid);
    if (sample) byPid.set(pid, sample.cpuTicks);
  }
  return byPid;
}

export class CpuBreakdown {
  private before = new Map<string, Map<number, number>>();

  constructor(private readonly groups: CpuGroups) {}

  async start(): Promise<void> {
    for (const [name, pids] of Object.entries(this.groups)) this.before.set(name, await ticks(await pids()));
  }

  /** CPU seconds per group since start (processes that ended in between are not counted). */
  async stop(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.groups)) {
      const after = await ticks(await pids());
      const before = this.before.get(name) ?? new Map<number, number>();
      let sum = 0;
      for (const [pid, value] of after) sum += value - (before.get(pid) ?? 0);
      result[name] = sum / 100;
    }
    return result;
  }
}

// Where the machine's CPU went during a measurement: CPU seconds per component (SuperIMAP roles,
// the fake server, the bench process with its sink, PostgreSQL and Redis), read from /proc.

import { readdir, readFile } from 'node:fs/promises';

import { sampleProcess } from '../stress/process-sampler.js';

export type CpuGroups = Record<string, () => Promise<number[]>>;

/** One scan of /proc serves every group of one sample: with 1,000 Dovecot processes, a scan is costly. */
const PROCESS_TABLE_TTL_MS = 250;
let processTable: { at: number; byName: Promise<Map<string, number[]>> } | undefined;

async function scanProcesses(): Promise<Map<string, number[]>> {
  const byName = new Map<string, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const name = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    if (name) byName.set(name, [...(byName.get(name) ?? []), Number(entry)]);
  }
  return byName;
}

/** Pids of every process whose command name is `comm` (e.g. all PostgreSQL backends). */
export async function pidsByName(comm: string): Promise<number[]> {
  const now = Date.now();
  if (!processTable || now - processTable.at > PROCESS_TABLE_TTL_MS) {
    processTable = { at: now, byName: scanProcesses() };
  }
  return (await processTable.byName).get(comm) ?? [];
}

/** CPU seconds the whole machine spent busy (not idle or waiting for I/O) since boot, from /proc/stat. */
export async function machineBusySeconds(): Promise<number> {
  const [cpu] = (await readFile('/proc/stat', 'utf8')).split('\n');
  const [user, nice, system, , , irq, softirq, steal] = cpu.split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

async function ticks(pids: number[]): Promise<Map<number, number>> {
  const byPid = new Map<number, number>();
  for (const pid of pids) {
    const sample = await sampleProcess(pid);
    if (sample) byPid.set(pid, sample.cpuTicks);
  }
  return byPid;
}

/**
 * How often the processes are sampled: a process that exits (a PostgreSQL backend closed by its idle pool)
 * loses at most this much. Each sample reads /proc for every process, which costs the machine being measured.
 */
const SAMPLE_MS = 1000;

export class CpuBreakdown {
  /** Per group and pid: ticks at the first sample (0 for a process that started later) and at the latest. */
  private readonly seen = new Map<string, Map<number, { first: number; last: number }>>();
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;

  constructor(private readonly groups: CpuGroups) {}

  async start(): Promise<void> {
    await this.sample(true);
    this.timer = setInterval(() => {
      this.sampling ??= this.sample(false).finally(() => (this.sampling = undefined));
    }, SAMPLE_MS);
  }

  /** CPU seconds per group since start, including processes that ended in between (up to their last sample). */
  async stop(): Promise<Record<string, number>> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    const result: Record<string, number> = {};
    for (const name of Object.keys(this.groups)) {
      let sum = 0;
      for (const { first, last } of this.seen.get(name)?.values() ?? []) sum += last - first;
      result[name] = sum / 100;
    }
    return result;
  }

  private async sample(initial: boolean): Promise<void> {
    for (const [name, pids] of Object.entries(this.groups)) {
      const byPid = this.seen.get(name) ?? new Map<number, { first: number; last: number }>();
      this.seen.set(name, byPid);
      for (const [pid, value] of await ticks(await pids())) {
        const known = byPid.get(pid);
        if (known) known.last = value;
        else byPid.set(pid, { first: initial ? value : 0, last: value });
      }
    }
  }
}

// Samples memory, file descriptors and CPU of named processes from /proc, keeping peaks per name
// (a name survives restarts: "imap-client-1" is whichever process currently plays that part).

import { readdir, readFile } from 'node:fs/promises';

export interface ProcessSample {
  rssBytes: number;
  fds: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

export interface ProcessFigures {
  name: string;
  peakRssBytes: number;
  lastRssBytes: number;
  peakFds: number;
  lastFds: number;
  /** CPU seconds used by the processes under this name (all incarnations). */
  cpuSeconds: number;
}

const CLOCK_TICKS = 100;

export async function sampleProcess(pid: number): Promise<ProcessSample | null> {
  try {
    const [status, stat, fds] = await Promise.all([
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readdir(`/proc/${pid}/fd`),
    ]);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // Fields after the ")" of the command name: state is #3, utime #14, stime #15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { rssBytes: rssKb * 1024, fds: fds.length, cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // gone between listing and reading
  }
}

export class ProcessSampler {
  private readonly figures = new Map<string, ProcessFigures>();
  /** Last CPU ticks seen per pid, to add only the growth. */
  private readonly ticksByPid = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  readonly history: Array<{ t: number; name: string; rssBytes: number; fds: number }> = [];

  constructor(private readonly processes: () => Array<{ name: string; pid: number }>) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.sampleAll(), intervalMs);
    void this.sampleAll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async sampleAll(): Promise<void> {
    const t = Date.now();
    await Promise.all(
      this.processes().map(async ({ name, pid }) => {
        const sample = await sampleProcess(pid);
        if (!sample) return;
        const figures = this.figures.get(name) ?? {
          name,
          peakRssBytes: 0,
          lastRssBytes: 0,
          peakFds: 0,
          lastFds: 0,
          cpuSeconds: 0,
        };
        figures.peakRssBytes = Math.max(figures.peakRssBytes, sample.rssBytes);
        figures.lastRssBytes = sample.rssBytes;
        figures.peakFds = Math.max(figures.peakFds, sample.fds);
        figures.lastFds = sample.fds;
        figures.cpuSeconds += (sample.cpuTicks - (this.ticksByPid.get(pid) ?? 0)) / CLOCK_TICKS;
        this.ticksByPid.set(pid, sample.cpuTicks);
        this.figures.set(name, figures);
        this.history.push({ t, name, rssBytes: sample.rssBytes, fds: sample.fds });
      }),
    );
  }

  all(): ProcessFigures[] {
    return [...this.figures.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

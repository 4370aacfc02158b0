// The human-readable end of a stress run.

import type { FakeServerStats } from './fake-server/protocol.js';
import type { KillEvent } from './kill-schedule.js';
import type { Accounting } from './ledger.js';
import type { ProcessFigures } from './process-sampler.js';

const MIB = 1024 * 1024;

export function formatSummary(input: {
  title: string;
  accounting: Accounting;
  processes: ProcessFigures[];
  kills: KillEvent[];
  server: FakeServerStats;
  durationSeconds: number;
  drainSeconds: number;
}): string {
  const { accounting: a, processes, kills, server } = input;
  const ms = (value: number): string => (Number.isNaN(value) ? '-' : `${Math.round(value)} ms`);
  const lines = [
    `== ${input.title}`,
    `generated              ${a.generated}`,
    `delivered (distinct)   ${a.delivered}`,
    `lost                   ${a.lost}`,
    `unexpected             ${a.unexpected}`,
    `duplicate events       ${a.duplicateEvents}   (one mail under two webhook-ids; must be 0)`,
    `duplicate deliveries   ${a.duplicateDeliveries}   (same webhook-id again; allowed, at-least-once)`,
    `bad signatures         ${a.badSignatures}`,
    `latency p50/p95/p99    ${ms(a.latencyMs.p50)} / ${ms(a.latencyMs.p95)} / ${ms(a.latencyMs.p99)}  (max ${ms(a.latencyMs.max)})`,
    `generation / drain     ${input.durationSeconds.toFixed(0)} s / ${input.drainSeconds.toFixed(1)} s`,
    `kills                  ${kills.length}${kills.length ? ` (${kills.map((k) => k.name).join(', ')})` : ''}`,
    `server                 ${server.totals.connections} connections, ${server.totals.logins} logins, ${server.totals.messagesServed} messages served`,
    `faults fired           ${JSON.stringify(server.totals.faults)}`,
    '',
    'process            peak RSS   last RSS   peak fds  last fds   CPU s',
    ...processes.map(
      (p) =>
        `${p.name.padEnd(16)} ${(p.peakRssBytes / MIB).toFixed(0).padStart(6)} MiB ${(p.lastRssBytes / MIB).toFixed(0).padStart(6)} MiB ${String(p.peakFds).padStart(9)} ${String(p.lastFds).padStart(9)} ${p.cpuSeconds.toFixed(1).padStart(7)}`,
    ),
  ];
  if (a.lostIds.length) lines.push('', `lost test ids (first 20): ${a.lostIds.slice(0, 20).join(' ')}`);
  if (a.unexpectedIds.length) lines.push(`unexpected (first 20): ${a.unexpectedIds.slice(0, 20).join(' ')}`);
  return lines.join('\n');
}

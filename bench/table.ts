// The one table `npm run bench` prints: each figure beside its reference and target.

export interface BenchRow {
  section: string;
  figure: string;
  superimap: string;
  reference: string;
  target: string;
  /** 'met', 'missed', or '' when the figure has no target. */
  verdict: 'met' | 'missed' | '';
}

export function formatTable(rows: readonly BenchRow[]): string {
  const header: BenchRow = {
    section: 'section',
    figure: 'figure',
    superimap: 'SuperIMAP',
    reference: 'reference',
    target: 'target',
    verdict: '' as const,
  };
  const cells = (row: BenchRow): string[] => [
    row.section,
    row.figure,
    row.superimap,
    row.reference,
    row.target,
    row === header ? 'verdict' : row.verdict,
  ];
  const all = [header, ...rows].map(cells);
  const widths = all[0].map((_, column) => Math.max(...all.map((line) => line[column].length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(all[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...all.slice(1).map(line)].join('\n');
}

export const fmt = {
  ms: (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : '-'),
  s: (value: number): string => (Number.isFinite(value) ? `${(value / 1000).toFixed(1)} s` : '-'),
  mib: (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : '-'),
  kib: (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : '-'),
  pct: (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} %` : '-'),
  rate: (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} mails/s` : '-'),
};

export const verdict = (ok: boolean): 'met' | 'missed' => (ok ? 'met' : 'missed');

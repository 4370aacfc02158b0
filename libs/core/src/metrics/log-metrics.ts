/** The log-metrics modes the seed used (Librato / l2met): a gauge-like measure, a sample, a counted delta. */
export type LogMetricMode = 'measure' | 'sample' | 'count';

export interface LogFigure {
  mode: LogMetricMode;
  /** The seed's dotted name, e.g. `imap_client.user_thread.count`. */
  name: string;
  value: number;
  /** Appended to the value, as l2met reads units (`0.012s`). */
  unit?: string;
}

/** Parsed back from a line: `{ 'measure#work_queue.latency': { value: 0.012, unit: 's' } }` and the source. */
export interface ParsedLogMetrics {
  source: string | null;
  figures: Record<string, { value: number; unit: string }>;
}

/** One log-metrics line: `[source=<dyno> ]mode#name=value[unit] ...`, numbers without exponents. */
export function formatLogMetrics(figures: LogFigure[], source?: string): string {
  const parts = figures.map(({ mode, name, value, unit }) => `${mode}#${name}=${formatNumber(value)}${unit ?? ''}`);
  return (source ? [`source=${source}`, ...parts] : parts).join(' ');
}

/** Reads a log-metrics line the way a log-based dashboard does; throws on anything it would not parse. */
export function parseLogMetrics(line: string): ParsedLogMetrics {
  const result: ParsedLogMetrics = { source: null, figures: {} };
  for (const token of line.trim().split(/\s+/)) {
    const source = /^source=(\S+)$/.exec(token);
    if (source) {
      result.source = source[1];
      continue;
    }
    const figure = /^((?:measure|sample|count)#[a-z0-9_.]+)=(-?\d+(?:\.\d+)?)([a-z%]*)$/i.exec(token);
    if (!figure) throw new Error(`not a log-metrics token: ${token}`);
    result.figures[figure[1]] = { value: Number(figure[2]), unit: figure[3] };
  }
  return result;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '0';
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

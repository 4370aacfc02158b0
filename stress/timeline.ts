// Generated vs delivered over time, sampled once a second, with the kills marked; written as CSV
// and as a small self-contained SVG chart.

export interface TimelinePoint {
  /** Seconds since the run started generating. */
  t: number;
  generated: number;
  delivered: number;
  httpRequests: number;
}

export interface Marker {
  t: number;
  label: string;
}

export function timelineCsv(points: readonly TimelinePoint[]): string {
  const rows = points.map((p) => `${p.t.toFixed(1)},${p.generated},${p.delivered},${p.httpRequests}`);
  return ['t_seconds,generated,delivered,http_requests', ...rows].join('\n') + '\n';
}

const WIDTH = 900;
const HEIGHT = 420;
const PAD = { left: 70, right: 20, top: 40, bottom: 45 };

export function timelineSvg(title: string, points: readonly TimelinePoint[], markers: readonly Marker[]): string {
  const maxT = Math.max(1, ...points.map((p) => p.t));
  const maxY = Math.max(1, ...points.map((p) => Math.max(p.generated, p.delivered)));
  const x = (t: number): number => PAD.left + (t / maxT) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number): number => HEIGHT - PAD.bottom - (v / maxY) * (HEIGHT - PAD.top - PAD.bottom);
  const line = (pick: (p: TimelinePoint) => number): string =>
    points.map((p) => `${x(p.t).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${PAD.left}" y="22" font-size="14">${escape(title)}</text>
${ticks
  .map(
    (f) => `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(f * maxY)}" y2="${y(f * maxY)}" stroke="#eee"/>
<text x="${PAD.left - 6}" y="${y(f * maxY) + 4}" text-anchor="end">${Math.round(f * maxY)}</text>
<text x="${x(f * maxT)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${Math.round(f * maxT)} s</text>`,
  )
  .join('\n')}
${markers
  .map(
    (
      m,
    ) => `<line x1="${x(m.t)}" x2="${x(m.t)}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" stroke="#d33" stroke-dasharray="3,3"/>
<text x="${x(m.t) + 2}" y="${PAD.top + 10}" fill="#d33" font-size="9">${escape(m.label)}</text>`,
  )
  .join('\n')}
<polyline fill="none" stroke="#888" stroke-width="2" points="${line((p) => p.generated)}"/>
<polyline fill="none" stroke="#1a7" stroke-width="2" points="${line((p) => p.delivered)}"/>
<text x="${WIDTH - 230}" y="${PAD.top + 30}" fill="#888">generated (cumulative)</text>
<text x="${WIDTH - 230}" y="${PAD.top + 46}" fill="#1a7">delivered, distinct (cumulative)</text>
<text x="${WIDTH - 230}" y="${PAD.top + 62}" fill="#d33">kill -9 (restarted)</text>
<text x="${WIDTH / 2}" y="${HEIGHT - 8}" text-anchor="middle">time since generation started</text>
</svg>
`;
}

import { escapeHtml } from '@app/core';

import type { DashboardView, LatencySeries } from '../dashboard/dashboard-data.js';
import { adminPage, type SignedInView } from './admin-layout.js';
import { table } from './lists.js';

export const CHART_SCRIPT = '/admin/assets/chart.umd.min.js';
export const DASHBOARD_SCRIPT_PATH = '/admin/assets/dashboard.js';

const COLORS = {
  purple: '#6b1f73',
  green: '#1e7b3a',
  red: '#b3261e',
  amber: '#c27c0e',
  blue: '#2a62b8',
  grey: '#8a93a6',
};

interface ChartSpec {
  type: 'line' | 'bar';
  labels: string[];
  datasets: { label: string; data: (number | null)[]; color: string }[];
  unit?: string;
  stacked?: boolean;
  integer?: boolean;
  horizontal?: boolean;
}

/** A chart and, below it, the same figures as a table (open until the script has drawn the chart). */
function chartPanel(id: string, title: string, spec: ChartSpec, tableHtml: string, summary: string): string {
  return `<section class="panel chart-panel" aria-labelledby="${id}-title">
<h2 id="${id}-title">${escapeHtml(title)}</h2>
<div class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(`${title}: ${summary}`)}" data-chart="${escapeHtml(JSON.stringify(spec))}" data-table="${id}-table"></canvas></div>
<details id="${id}-table" open><summary>Figures</summary>${tableHtml}</details>
</section>`;
}

const hhmm = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(11, 16);
const bucketLabel = (epochSeconds: number, bucketSeconds: number) =>
  `${new Date(epochSeconds * 1000).toISOString().slice(0, 10)} ${hhmm(epochSeconds)}–${hhmm(epochSeconds + bucketSeconds)}`;
const seconds = (value: number | null) => (value === null ? '—' : `${value.toFixed(value < 10 ? 2 : 1)} s`);
const sum = (values: (number | null)[]) => values.reduce<number>((total, value) => total + (value ?? 0), 0);

/** Rows only for the buckets where something happened: a quiet day reads as one line, not 96. */
function bucketTable(
  view: DashboardView,
  headings: string[],
  cells: (i: number) => string[] | null,
  empty: string,
): string {
  const rows = view.window.starts
    .map((start, i) => {
      const row = cells(i);
      return row
        ? [
            `<time datetime="${new Date(start * 1000).toISOString()}">${escapeHtml(bucketLabel(start, view.window.bucketSeconds))}</time>`,
            ...row,
          ]
        : null;
    })
    .filter((row): row is string[] => row !== null)
    .reverse();
  return table(['Time (UTC)', ...headings], rows, empty);
}

function latencyPanel(
  view: DashboardView,
  id: string,
  title: string,
  series: LatencySeries,
  countLabel: string,
  labels: string[],
): string {
  const spec: ChartSpec = {
    type: 'line',
    labels,
    unit: 'seconds',
    datasets: [
      { label: 'p50', data: series.p50, color: COLORS.purple },
      { label: 'p95', data: series.p95, color: COLORS.amber },
    ],
  };
  const tableHtml = bucketTable(
    view,
    [countLabel, 'p50', 'p95'],
    (i) =>
      series.p50[i] === null ? null : [String(series.count[i] ?? 0), seconds(series.p50[i]), seconds(series.p95[i])],
    'Nothing measured in the last 24 hours.',
  );
  const measured = sum(series.count);
  return chartPanel(id, title, spec, tableHtml, `${measured} measured in the last 24 hours`);
}

export function dashboardPage(view: { admin: SignedInView; data: DashboardView; notice?: string }): string {
  const data = view.data;
  const labels = data.window.starts.map(hhmm);
  const mailsTotal = sum(data.mails);
  const attemptsTotal = sum(data.attempts.accepted) + sum(data.attempts.refused) + sum(data.attempts.unreachable);
  const failedAttempts = sum(data.attempts.refused) + sum(data.attempts.unreachable);
  const watching = data.nodes.reduce((total, node) => total + node.owned, 0);
  const bucketMinutes = data.window.bucketSeconds / 60;

  const figures = [
    ['Mails seen', mailsTotal],
    ['Delivery attempts', attemptsTotal],
    ['Failed attempts', failedAttempts],
    ['Events pending', data.pendingEvents],
    ['Nodes', data.nodes.length],
    ['Mailboxes watched', watching],
  ]
    .map(
      ([label, value]) =>
        `<div class="figure" role="listitem"><span class="value">${escapeHtml(String(value))}</span><span class="label">${escapeHtml(String(label))}</span></div>`,
    )
    .join('');

  const nodeRows = data.nodes.map((node) => [
    `<code>${escapeHtml(node.id)}</code>`,
    escapeHtml(`${node.host} (pid ${node.pid})`),
    `${node.owned} <span class="muted">of ${node.capacity}</span>`,
    `${(node.lastHeartbeatAgoMs / 1000).toFixed(1)} s ago`,
    escapeHtml(node.startedAt.slice(0, 19).replace('T', ' ')) + ' UTC',
  ]);

  const mailsPanel = chartPanel(
    'chart-mails',
    `Mails per ${bucketMinutes} minutes`,
    {
      type: 'bar',
      labels,
      integer: true,
      unit: 'mails',
      datasets: [{ label: 'Mails', data: data.mails, color: COLORS.purple }],
    },
    bucketTable(
      view.data,
      ['Mails', 'Per minute'],
      (i) => (data.mails[i] ? [String(data.mails[i]), ((data.mails[i] ?? 0) / bucketMinutes).toFixed(2)] : null),
      'No mail in the last 24 hours.',
    ),
    `${mailsTotal} in the last 24 hours`,
  );
  const attempts = data.attempts;
  const deliveriesPanel = chartPanel(
    'chart-deliveries',
    'Webhook deliveries by result',
    {
      type: 'bar',
      labels,
      stacked: true,
      integer: true,
      unit: 'attempts',
      datasets: [
        { label: 'Accepted (2xx)', data: attempts.accepted, color: COLORS.green },
        { label: 'Refused (other status)', data: attempts.refused, color: COLORS.amber },
        { label: 'No answer', data: attempts.unreachable, color: COLORS.red },
      ],
    },
    bucketTable(
      view.data,
      ['Accepted (2xx)', 'Refused', 'No answer'],
      (i) =>
        attempts.accepted[i] || attempts.refused[i] || attempts.unreachable[i]
          ? [String(attempts.accepted[i]), String(attempts.refused[i]), String(attempts.unreachable[i])]
          : null,
      'No delivery attempts in the last 24 hours.',
    ),
    `${attemptsTotal} attempts, ${failedAttempts} failed`,
  );

  const queueLabels = [...data.queues.map((queue) => `${queue.name} queue`)];
  const queuePanel = chartPanel(
    'chart-queues',
    'Queue depth now',
    {
      type: 'bar',
      labels: queueLabels,
      stacked: true,
      integer: true,
      horizontal: true,
      datasets: [
        { label: 'Waiting', data: data.queues.map((queue) => queue.waiting), color: COLORS.blue },
        { label: 'Active', data: data.queues.map((queue) => queue.active), color: COLORS.green },
        { label: 'Delayed (retrying)', data: data.queues.map((queue) => queue.delayed), color: COLORS.amber },
        { label: 'Failed', data: data.queues.map((queue) => queue.failed), color: COLORS.red },
      ],
    },
    `${table(
      ['Queue', 'Waiting', 'Active', 'Delayed', 'Failed'],
      data.queues.map((queue) => [
        escapeHtml(queue.name),
        ...[queue.waiting, queue.active, queue.delayed, queue.failed].map(String),
      ]),
      'No queues.',
    )}<p class="muted">Outbox events pending delivery: <strong>${data.pendingEvents}</strong>. Jobs in detail: <a href="/admin/jobs">Jobs</a>.</p>`,
    data.queues.map((queue) => `${queue.name} ${queue.waiting} waiting, ${queue.delayed} delayed`).join('; '),
  );

  const statesPanel = chartPanel(
    'chart-states',
    'Mailboxes by state',
    {
      type: 'bar',
      labels: data.states.map((entry) => entry.state),
      integer: true,
      horizontal: true,
      datasets: [{ label: 'Mailboxes', data: data.states.map((entry) => entry.count), color: COLORS.purple }],
    },
    table(
      ['State', 'Mailboxes'],
      data.states.map((entry) => [
        `<a href="/admin/users?state=${encodeURIComponent(entry.state)}">${escapeHtml(entry.state)}</a>`,
        String(entry.count),
      ]),
      'No users yet.',
    ),
    data.states.map((entry) => `${entry.count} ${entry.state}`).join(', ') || 'no users',
  );

  return adminPage({
    title: 'Dashboard',
    admin: view.admin,
    section: '/admin',
    notice: view.notice,
    scripts: [CHART_SCRIPT, DASHBOARD_SCRIPT_PATH],
    body: `<h1>Dashboard</h1>
<p class="muted">The last 24 hours in ${bucketMinutes}-minute steps (times in UTC), as of ${formatNow(data.generatedAt)} UTC; reload for fresh figures.</p>
<div class="figures" role="list" aria-label="Last 24 hours">${figures}</div>
<section class="panel" aria-labelledby="nodes-title">
<h2 id="nodes-title">Cluster nodes</h2>
${table(['Node', 'Host', 'Mailboxes', 'Last heartbeat', 'Started'], nodeRows, 'No imap-client node is running: no mailbox is watched.')}
</section>
<div class="charts">
${mailsPanel}
${deliveriesPanel}
${latencyPanel(data, 'chart-mail-latency', 'Mail to webhook latency (noticed → accepted)', data.mailLatency, 'Delivered', labels)}
${latencyPanel(data, 'chart-queue-latency', 'Queue latency (event → first attempt)', data.queueLatency, 'First attempts', labels)}
${queuePanel}
${statesPanel}
${latencyPanel(data, 'chart-tracer-latency', 'Tracer latency (sent → detected)', data.tracerLatency, 'Detected', labels)}
</div>`,
  });
}

function formatNow(generatedAt: Date): string {
  return generatedAt.toISOString().slice(0, 16).replace('T', ' ');
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { load } from 'js-yaml';

const METRICS_DOC = readFileSync('docs/METRICS.md', 'utf8');
const OBSERVABILITY = 'docker/observability';
/** prom-client's default process metrics, documented as a group. */
const DEFAULT_METRIC = /^superimap_(process|nodejs)_/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Metric names an expression uses, without the histogram series suffixes. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bsuperimap_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, ''));
}

function documented(name: string): boolean {
  return DEFAULT_METRIC.test(name) || METRICS_DOC.includes(`\`${name}\``);
}

describe('observability', () => {
  it('docs/METRICS.md documents every metric the code registers', () => {
    const registered = sourceFiles('libs').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/name: '(superimap_[a-z_]+)'/g)].map((match) => match[1]),
    );
    expect(registered.length).toBeGreaterThanOrEqual(15);
    expect(registered.filter((name) => !documented(name))).toEqual([]);
  });

  it('the alert rules are well-formed Prometheus rule groups on documented metrics', () => {
    const rules = load(readFileSync(join(OBSERVABILITY, 'alerts.yml'), 'utf8')) as {
      groups: { name: string; rules: Record<string, any>[] }[];
    };
    const names = new Set<string>();
    for (const group of rules.groups) {
      expect(group.name).toMatch(/^[\w-]+$/);
      expect(group.rules.length).toBeGreaterThan(0);
      for (const rule of group.rules) {
        expect(Object.keys(rule).sort()).toEqual(
          ['alert', 'annotations', 'expr', 'labels', ...(rule.for ? ['for'] : [])].sort(),
        );
        expect(names.has(rule.alert)).toBe(false);
        names.add(rule.alert);
        expect(['warning', 'critical']).toContain(rule.labels.severity);
        expect(typeof rule.annotations.summary).toBe('string');
        if (rule.for) expect(rule.for).toMatch(/^\d+[smh]$/);
        expect(balanced(rule.expr)).toBe(true);
        expect(metricsIn(rule.expr).filter((name) => !documented(name))).toEqual([]);
      }
    }
    // What the issue asks alerts for: tracers missing or slow, queue latency, mailbox errors, webhooks, heartbeats.
    for (const alert of [
      'SuperImapTracerMissing',
      'SuperImapTracerSlow',
      'SuperImapWorkQueueLatencyHigh',
      'SuperImapMailboxesAuthError',
      'SuperImapMailboxesConnectError',
      'SuperImapWebhookFailures',
      'SuperImapImapClientHeartbeatMissing',
    ]) {
      expect(names).toContain(alert);
    }
  });

  it('the Grafana dashboard is a provisionable dashboard on the provisioned data source', () => {
    const dashboard = JSON.parse(readFileSync(join(OBSERVABILITY, 'grafana/dashboards/superimap.json'), 'utf8'));
    const datasources = load(
      readFileSync(join(OBSERVABILITY, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: { uid: string }[] };
    expect(dashboard).toMatchObject({ uid: expect.any(String), title: 'SuperIMAP', schemaVersion: expect.any(Number) });
    const ids = dashboard.panels.map((panel: any) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource.uid).toBe(datasources.datasources[0].uid);
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.refId).toMatch(/^[A-Z]$/);
        expect(balanced(target.expr)).toBe(true);
        expect(metricsIn(target.expr).filter((name) => !documented(name))).toEqual([]);
      }
    }
    const provisioned = load(
      readFileSync(join(OBSERVABILITY, 'grafana/provisioning/dashboards/superimap.yml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    expect(readFileSync('docker/compose.yml', 'utf8')).toContain(
      `./observability/grafana/dashboards:${provisioned.providers[0].options.path}`,
    );
  });
});

function balanced(expr: string): boolean {
  let depth = 0;
  for (const char of expr) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

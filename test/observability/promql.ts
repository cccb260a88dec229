/**
 * Helpers for the observability tests: what metrics the watchdog registers (with their labels),
 * a small PromQL scanner that finds the metric names, label matchers and grouping labels an
 * expression uses, and the dashboard's queries with Grafana's variables filled in.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PromMetrics } from '../../src/metrics/prom.ts';
import { PromNotifyMetrics } from '../../src/notify/prom-notify-metrics.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RULES_PATH = `${ROOT}config/prometheus-rules.yaml`;
export const DASHBOARD_PATH = `${ROOT}config/grafana-dashboard.json`;
export const PROMTOOL = '/usr/bin/promtool';

/** Labels Prometheus attaches to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

export interface RegisteredMetric {
  type: string;
  labelNames: string[];
}

/**
 * Every series name the daemon's /metrics page can carry: PromMetrics (with the default process
 * metrics, as the daemon builds it) plus PromNotifyMetrics on the same registry, as src/main.ts
 * wires them. Histograms are expanded to their `_bucket`, `_sum` and `_count` series.
 */
export async function registeredMetrics(): Promise<Map<string, RegisteredMetric>> {
  const metrics = new PromMetrics();
  new PromNotifyMetrics(metrics.registry);
  const out = new Map<string, RegisteredMetric>();
  for (const { name, type } of await metrics.registry.getMetricsAsJSON()) {
    const declared = (metrics.registry.getSingleMetric(name) as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? [];
    const labelNames = [...declared, ...TARGET_LABELS];
    const typeName = String(type);
    out.set(name, { type: typeName, labelNames });
    if (typeName === 'histogram') {
      out.set(`${name}_bucket`, { type: 'histogram bucket', labelNames: [...labelNames, 'le'] });
      out.set(`${name}_sum`, { type: 'histogram sum', labelNames });
      out.set(`${name}_count`, { type: 'histogram count', labelNames });
    }
  }
  return out;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);

/** Removes what can hold identifiers that are not metric names: strings and Grafana variables. */
function stripStringsAndVariables(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
}

/** Metric names an expression selects (functions, aggregations, keywords and label names excluded). */
export function metricNames(expr: string): string[] {
  const s = stripStringsAndVariables(expr)
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (m[2] !== undefined) continue; // a function or an aggregation
    if (KEYWORDS.has(m[1]!.toLowerCase())) continue;
    names.add(m[1]!);
  }
  return [...names];
}

/** `metric{label="x", other=~"y"}` selectors: the metric and the label names it matches on. */
export function selectors(expr: string): { metric: string; labels: string[] }[] {
  const s = expr.replace(/\$\{[^}]*\}|\$\w+/g, 'VAR');
  return [...s.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g)].map((m) => ({
    metric: m[1]!,
    labels: [...m[2]!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
  }));
}

/** Label names in `by (...)`, `without (...)`, `on (...)`, `ignoring (...)` and `group_x (...)`. */
export function groupingLabels(expr: string): string[] {
  const s = stripStringsAndVariables(expr);
  return [...s.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!.split(',').map((l) => l.trim()).filter(Boolean),
  );
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string }; legendFormat?: string }[];
  panels?: DashboardPanel[];
}

export interface Dashboard {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: { name: string; type: string; query: unknown; definition?: string; datasource?: { uid: string } }[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every panel, rows flattened (a collapsed row keeps its panels inside it). */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function panelQueries(dashboard: Dashboard): { panel: string; refId: string; expr: string }[] {
  return allPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, refId: t.refId, expr: t.expr })));
}

/** `label_values(selector, label)` of a query variable, split. */
export function labelValuesQuery(query: string): { selector: string; label: string } | undefined {
  const m = /^label_values\((.*),\s*([a-zA-Z_]\w*)\s*\)$/.exec(query.trim());
  return m ? { selector: m[1]!, label: m[2]! } : undefined;
}

/**
 * Fills in Grafana's variables as Grafana would for "All" targets and environments, so an
 * expression can be checked by promtool or run against a real Prometheus.
 */
export function withGrafanaVariables(expr: string, values: { rateInterval?: string; range?: string } = {}): string {
  return expr
    .replace(/\$__rate_interval/g, values.rateInterval ?? '1m')
    .replace(/\$__range/g, values.range ?? '1h')
    .replace(/\$__interval/g, '15s')
    .replace(/\$\{?(target|environment)\}?/g, '.*');
}

/**
 * config/prometheus-rules.yaml: valid for promtool, every alert documented, only real metrics,
 * and `promtool test rules` unit tests (input series → the alerts that must and must not fire).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricNames, PROMTOOL, registeredMetrics, ROOT, RULES_PATH, selectors, type RegisteredMetric } from './promql.ts';

const run = promisify(execFile);

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const rulesFile = () => parse(readFileSync(RULES_PATH, 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] };
const alerts = () => Object.fromEntries(rulesFile().groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));

const ALERTS = {
  RollbackWatchdogDown: { severity: 'critical', for: '2m' },
  RollbackWatchdogRollbackFailed: { severity: 'critical', for: undefined },
  RollbackWatchdogRollbackHeldTooLong: { severity: 'warning', for: '15m' },
  RollbackWatchdogPlatformErrors: { severity: 'warning', for: '10m' },
  RollbackWatchdogNotificationsFailing: { severity: 'warning', for: undefined },
};

/** GitHub's anchor for a README heading. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

describe('config/prometheus-rules.yaml', () => {
  let registered: Map<string, RegisteredMetric>;
  beforeAll(async () => {
    registered = await registeredMetrics();
  });

  it('is one group, rollback-watchdog, with the five alerts', () => {
    const { groups } = rulesFile();
    expect(groups.map((g) => g.name)).toEqual(['rollback-watchdog']);
    expect(Object.keys(alerts()).sort()).toEqual(Object.keys(ALERTS).sort());
  });

  it('every alert has a severity, a summary, a description and a runbook link to a README section', () => {
    const headings = new Set([...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
    for (const [name, expected] of Object.entries(ALERTS)) {
      const rule = alerts()[name]!;
      expect(rule.labels.severity, name).toBe(expected.severity);
      expect(rule.for, name).toBe(expected.for);
      expect(rule.annotations.summary, name).toBeTruthy();
      expect(rule.annotations.description, name).toBeTruthy();
      const runbook = rule.annotations.runbook_url!;
      expect(runbook, name).toMatch(/\/README\.md#[\w-]+$/);
      expect(headings.has(runbook.split('#')[1]!), `${name}: ${runbook} names no README heading`).toBe(true);
    }
  });

  it('per-target alerts name the target in their summary and description', () => {
    for (const name of ['RollbackWatchdogRollbackFailed', 'RollbackWatchdogRollbackHeldTooLong']) {
      expect(alerts()[name]!.annotations.summary).toContain('{{ $labels.target }}');
      expect(alerts()[name]!.annotations.description).toContain('{{ $labels.target }}');
    }
  });

  it('reads only metrics and labels the watchdog exports (and Prometheus\' own `up`)', () => {
    for (const rule of Object.values(alerts())) {
      for (const name of metricNames(rule.expr).filter((n) => n !== 'up')) expect(registered.has(name), `${rule.alert}: ${name}`).toBe(true);
      for (const { metric, labels } of selectors(rule.expr).filter((s) => s.metric !== 'up')) {
        for (const label of labels) expect(registered.get(metric)?.labelNames, `${rule.alert}: ${metric}{${label}}`).toContain(label);
      }
    }
  });
});

// Skipped only on a developer machine without promtool; in CI (.ci/run installs it) a missing binary fails.
describe.skipIf(!existsSync(PROMTOOL) && !process.env.CI)('promtool', () => {
  it('check rules: the file is valid', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', RULES_PATH]);
    expect(stdout).toContain('SUCCESS: 5 rules found');
  });

  it('test rules: the alerts fire (and resolve) on the series they are meant for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wd-rules-'));
    try {
      const file = join(dir, 'rules.test.yaml');
      await writeFile(file, JSON.stringify(unitTests(), null, 2)); // JSON is YAML
      const result = await run(PROMTOOL, ['test', 'rules', file]).catch((err: { stdout?: string; stderr?: string }) => {
        throw new Error(`promtool test rules failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      });
      expect(result.stdout).toContain('SUCCESS');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const WD = { job: 'rollback-watchdog', instance: 'watchdog:9464' };
const API = { ...WD, target: 'renderflow-api', environment: 'production' };
const SHOP = { ...WD, target: 'shop', environment: 'staging' };

const series = (name: string, labels: Record<string, string>, values: string) => ({
  series: `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`,
  values,
});

/**
 * The annotations Prometheus renders for `alertname` with these labels. The templates only use
 * `{{ $labels.x }}`, `{{ with $labels.x }}…{{ . }}…{{ end }}` and `{{ printf "%.2f" $value }}`;
 * anything else is left in place and fails the check below. `summary` is given by the test
 * itself, so the rendering is checked independently of this function.
 */
function annotations(alertname: keyof typeof ALERTS, labels: Record<string, string>, summary: string, value = 0): Record<string, string> {
  const rendered = Object.fromEntries(
    Object.entries(alerts()[alertname]!.annotations).map(([key, template]) => [
      key,
      template
        .replace(/\{\{ with \$labels\.(\w+) \}\}(.*?)\{\{ end \}\}/g, (_, label: string, body: string) => (labels[label] ? body.replace(/\{\{ \. \}\}/g, labels[label]) : ''))
        .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => labels[label] ?? '')
        .replace(/\{\{ printf "%\.2f" \$value \}\}/g, value.toFixed(2)),
    ]),
  );
  for (const [key, text] of Object.entries(rendered)) expect(text, `${alertname} ${key}`).not.toContain('{{');
  expect(rendered.summary).toBe(summary);
  return rendered;
}

function expectAlert(alertname: keyof typeof ALERTS, labels: Record<string, string>, summary: string, value?: number) {
  return {
    exp_labels: { ...labels, severity: ALERTS[alertname].severity },
    exp_annotations: annotations(alertname, labels, summary, value),
  };
}

/** A `promtool test rules` file: 1 m steps; `_` is no sample, `stale` ends a series. */
function unitTests() {
  const state = (labels: Record<string, string>, phase: string) => ({ ...labels, state: phase });
  const slack = expectAlert('RollbackWatchdogNotificationsFailing', { ...WD, channel: 'slack', reason: 'exhausted' }, 'rollback-watchdog notifications to slack are failing (exhausted)');
  const pagerduty = expectAlert('RollbackWatchdogNotificationsFailing', { ...WD, channel: 'pagerduty', reason: 'permanent' }, 'rollback-watchdog notifications to pagerduty are failing (permanent)');
  return {
    rule_files: [RULES_PATH],
    evaluation_interval: '1m',
    tests: [
      {
        name: 'RollbackFailed fires while a target is in rollback-failed, and resolves when it leaves it',
        interval: '1m',
        input_series: [
          series('rollback_watchdog_target_state', state(API, 'rollback-failed'), '_ _ 1x5 stale'),
          series('rollback_watchdog_target_state', state(API, 'stable'), '1 1 stale'),
          series('rollback_watchdog_target_state', state(SHOP, 'held'), '1x10'), // other states never fire it
        ],
        alert_rule_test: [
          { eval_time: '1m', alertname: 'RollbackWatchdogRollbackFailed', exp_alerts: [] },
          {
            eval_time: '3m',
            alertname: 'RollbackWatchdogRollbackFailed',
            exp_alerts: [expectAlert('RollbackWatchdogRollbackFailed', state(API, 'rollback-failed'), 'Rollback of renderflow-api (production) failed')],
          },
          { eval_time: '9m', alertname: 'RollbackWatchdogRollbackFailed', exp_alerts: [] },
        ],
      },
      {
        name: 'HeldTooLong fires after 15 minutes held, not for a hold resolved sooner',
        interval: '1m',
        input_series: [
          series('rollback_watchdog_target_state', state(API, 'held'), '1x30'),
          series('rollback_watchdog_target_state', state(SHOP, 'held'), '1x10 stale'),
          series('rollback_watchdog_target_state', state(SHOP, 'rolled-back'), '_x11 1x20'),
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'RollbackWatchdogRollbackHeldTooLong', exp_alerts: [] },
          { eval_time: '14m', alertname: 'RollbackWatchdogRollbackHeldTooLong', exp_alerts: [] },
          {
            eval_time: '16m',
            alertname: 'RollbackWatchdogRollbackHeldTooLong',
            exp_alerts: [expectAlert('RollbackWatchdogRollbackHeldTooLong', state(API, 'held'), 'Rollback of renderflow-api (production) held for 15 minutes')],
          },
        ],
      },
      {
        name: 'Down fires when the scrape fails for 2 minutes',
        interval: '1m',
        input_series: [series('up', WD, '1 1 0x10')],
        alert_rule_test: [
          { eval_time: '3m', alertname: 'RollbackWatchdogDown', exp_alerts: [] },
          { eval_time: '5m', alertname: 'RollbackWatchdogDown', exp_alerts: [expectAlert('RollbackWatchdogDown', WD, 'rollback-watchdog watchdog:9464 is down', 0)] },
        ],
      },
      {
        name: 'Down fires when the watchdog is not scraped at all',
        interval: '1m',
        input_series: [series('up', { job: 'other', instance: 'x:1' }, '1x10')],
        alert_rule_test: [
          { eval_time: '1m', alertname: 'RollbackWatchdogDown', exp_alerts: [] },
          { eval_time: '3m', alertname: 'RollbackWatchdogDown', exp_alerts: [expectAlert('RollbackWatchdogDown', { job: WD.job }, 'rollback-watchdog is down', 1)] },
        ],
      },
      {
        name: 'PlatformErrors fires for a command failing steadily for 10 minutes, not for a rare failure',
        interval: '1m',
        input_series: [
          series('rollback_watchdog_platform_errors_total', { ...WD, command: 'releases' }, '0+6x30'), // 0.1/s
          series('rollback_watchdog_platform_errors_total', { ...WD, command: 'status' }, '0+1x30'), // 1/min
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'RollbackWatchdogPlatformErrors', exp_alerts: [] },
          {
            eval_time: '16m',
            alertname: 'RollbackWatchdogPlatformErrors',
            exp_alerts: [expectAlert('RollbackWatchdogPlatformErrors', { ...WD, command: 'releases' }, 'rollback-watchdog: flyctl `releases` keeps failing', 0.1)],
          },
        ],
      },
      {
        name: 'NotificationsFailing fires on the first failure of a channel, and resolves 15 minutes after the last',
        interval: '1m',
        input_series: [
          // A labelled counter appears at its first increment: its first sample is already 1.
          series('rollback_watchdog_notifications_failed_total', { ...WD, channel: 'slack', kind: 'rollback-verified', reason: 'exhausted' }, '_x5 1x40'), // first sample at 5m
          series('rollback_watchdog_notifications_failed_total', { ...WD, channel: 'pagerduty', kind: 'rollback-failed', reason: 'permanent' }, '0+1x10 10x30'), // fails for 10m
          series('rollback_watchdog_notifications_delivered_total', { ...WD, channel: 'slack', kind: 'rollback-started' }, '1+1x45'),
        ],
        alert_rule_test: [
          { eval_time: '0m', alertname: 'RollbackWatchdogNotificationsFailing', exp_alerts: [] },
          { eval_time: '4m', alertname: 'RollbackWatchdogNotificationsFailing', exp_alerts: [pagerduty] },
          ...['5m', '12m'].map((eval_time) => ({ eval_time, alertname: 'RollbackWatchdogNotificationsFailing', exp_alerts: [pagerduty, slack] })),
          { eval_time: '22m', alertname: 'RollbackWatchdogNotificationsFailing', exp_alerts: [pagerduty] },
          { eval_time: '30m', alertname: 'RollbackWatchdogNotificationsFailing', exp_alerts: [] },
        ],
      },
    ],
  };
}

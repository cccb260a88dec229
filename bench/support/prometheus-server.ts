/**
 * A real Prometheus (Debian package `prometheus`) for benchmarks. Unlike test/support/prometheus.ts
 * (1 s scrapes, no rules) it takes the scrape and evaluation intervals, per-target labels, a rule
 * file and an Alertmanager, so a benchmark can run the alerting setup users build themselves.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startManagedServer, type ManagedServer } from './managed-server.ts';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export interface ScrapeTarget {
  /** `host:port` serving `/metrics`. */
  address: string;
  /** Attached to every series of the target (static_configs labels), e.g. `{ app: 'api' }`. */
  labels: Record<string, string>;
}

export interface PrometheusOptions {
  targets: ScrapeTarget[];
  /** Prometheus durations, e.g. `5s`. */
  scrapeInterval: string;
  evaluationInterval: string;
  /** Contents of one rule file (YAML), if any. */
  rules?: string;
  /** `host:port` of the Alertmanager that firing alerts go to. */
  alertmanager?: string;
}

export function prometheusConfig(options: PrometheusOptions): Record<string, unknown> {
  return {
    global: {
      scrape_interval: options.scrapeInterval,
      // A scrape may never outlast its interval; the fake apps answer /metrics at once anyway.
      scrape_timeout: options.scrapeInterval,
      evaluation_interval: options.evaluationInterval,
    },
    ...(options.rules !== undefined && { rule_files: ['rules.yml'] }),
    ...(options.alertmanager !== undefined && {
      alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] },
    }),
    scrape_configs: [
      {
        job_name: 'app',
        static_configs: options.targets.map((t) => ({ targets: [t.address], labels: t.labels })),
      },
    ],
  };
}

export function startPrometheus(options: PrometheusOptions): Promise<ManagedServer> {
  return startManagedServer({
    name: 'prometheus',
    binary: PROMETHEUS_BINARY,
    debianPackage: 'prometheus',
    prepare: async (dir, port) => {
      await writeFile(join(dir, 'prometheus.yml'), stringify(prometheusConfig(options)));
      if (options.rules !== undefined) await writeFile(join(dir, 'rules.yml'), options.rules);
      return [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        '--storage.tsdb.retention.time=1h',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ];
    },
  });
}

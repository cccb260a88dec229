/**
 * A real Alertmanager (Debian package `prometheus-alertmanager`) routing every alert to one
 * webhook. Clustering is switched off: by default it would listen for peers on 0.0.0.0:9094.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startManagedServer, type ManagedServer } from './managed-server.ts';

export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerOptions {
  /** Where every notification is POSTed (Alertmanager's webhook JSON). */
  webhookUrl: string;
  /** Labels alerts are grouped by; one notification per group. */
  groupBy: string[];
  /** Alertmanager durations. `groupWait` is how long a new group waits before its first notification. */
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

export function alertmanagerConfig(o: AlertmanagerOptions): Record<string, unknown> {
  return {
    route: {
      receiver: 'webhook',
      group_by: o.groupBy,
      group_wait: o.groupWait,
      group_interval: o.groupInterval,
      repeat_interval: o.repeatInterval,
    },
    receivers: [{ name: 'webhook', webhook_configs: [{ url: o.webhookUrl, send_resolved: false }] }],
  };
}

export function startAlertmanager(options: AlertmanagerOptions): Promise<ManagedServer> {
  return startManagedServer({
    name: 'alertmanager',
    binary: ALERTMANAGER_BINARY,
    debianPackage: 'prometheus-alertmanager',
    prepare: async (dir, port) => {
      await writeFile(join(dir, 'alertmanager.yml'), stringify(alertmanagerConfig(options)));
      return [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ];
    },
  });
}

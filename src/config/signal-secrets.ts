/**
 * Registers the secrets a signal spec holds, so logs, measurements and errors mask them by value
 * (the same idea as collectNotifySecrets). The config loader calls it for every spec in the file;
 * providers call it for their own spec too; registering twice is harmless.
 */
import type { SecretRegistry } from '../infra/secrets.ts';
import type { MigrationSource, PrometheusCounters, PrometheusLatency, ScrapeCounters, SmokeTest } from './signal-schemas.ts';

/**
 * Environment variable names that conventionally hold credentials. Only these are registered:
 * masking every value (`production`, `https://example.com`) would shred unrelated log lines.
 */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH/i;

export type SignalSpecWithSecrets =
  | Pick<SmokeTest, 'type' | 'env'>
  | Pick<PrometheusCounters | PrometheusLatency, 'type' | 'bearerToken'>
  | Pick<ScrapeCounters, 'type' | 'headers'>
  | Pick<Extract<MigrationSource, { type: 'url' }>, 'type' | 'headers'>
  /** An HTTP probe: its `headers` too. */
  | { type: string; headers?: Record<string, string> | undefined };

export function collectSignalSecrets(spec: SignalSpecWithSecrets, secrets: SecretRegistry): void {
  if ('bearerToken' in spec) secrets.add(spec.bearerToken);
  // Every header value: headers on a probe or a metrics endpoint are there to authenticate.
  for (const value of Object.values(('headers' in spec && spec.headers) || {})) {
    secrets.add(value);
    // `Bearer <token>`: an error may quote the token without its scheme.
    secrets.add(value.split(' ').at(-1));
  }
  if ('env' in spec) {
    for (const [name, value] of Object.entries(spec.env ?? {})) if (SECRET_NAME.test(name)) secrets.add(value);
  }
}

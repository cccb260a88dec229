/** Records shared by the formatter tests. */
import { defaultConfig } from '../../../src/sim/app-config.ts';
import type { LogEntry, MachineView, SimRelease } from '../../../src/sim/sim-types.ts';

export const T0 = Date.UTC(2025, 7, 12, 16, 21, 0);

export function release(version: number, overrides: Partial<SimRelease> = {}): SimRelease {
  return {
    id: `rel${version}`,
    version,
    status: 'complete',
    description: 'Release',
    user: { id: 'usr_1', name: 'ci', email: 'ci@example.com' },
    createdAt: T0 + version * 60_000,
    imageRef: `registry.fly.io/api:deployment-0000000000000000000000000${version}`,
    imageDigest: `sha256:${String(version).padStart(64, '0')}`,
    strategy: 'rolling',
    config: defaultConfig('api'),
    secrets: {},
    ...overrides,
  };
}

export function machine(id: string, overrides: Partial<MachineView> = {}): MachineView {
  return {
    id,
    name: 'wispy-fog-1234',
    region: 'iad',
    state: 'started',
    instanceId: '01J0000000000000000000000A',
    privateIp: 'fdaa:0:1:a7b:2:3:4:2',
    createdAt: T0,
    updatedAt: T0,
    imageRef: 'registry.fly.io/api:deployment-01J00000000000000000000000',
    releaseId: 'rel3',
    releaseVersion: 3,
    imageDigest: 'sha256:abc',
    processGroup: 'app',
    standbyFor: [],
    config: defaultConfig('api'),
    checks: [{ name: 'servicecheck-00-http-8080', status: 'passing', output: 'ok', updatedAt: T0 }],
    ...overrides,
  };
}

export function logEntry(overrides: Partial<LogEntry> = {}): LogEntry {
  return { seq: 1, timestamp: T0 + 123, provider: 'app', instance: '148e21ea7e2889', region: 'lhr', level: 'info', message: 'Listening', ...overrides };
}

import { describe, expect, it } from 'vitest';
import { formatMachineListJson, formatStatusJson } from '../../../src/sim/format/machines.ts';
import type { AppStatusView } from '../../../src/sim/sim-types.ts';
import { machine } from './fixtures.ts';

const status: AppStatusView = { name: 'api', version: 3, deployed: true, machines: [machine('0a1'), machine('9f2')] };

describe('formatStatusJson', () => {
  const parsed = JSON.parse(formatStatusJson(status)) as Record<string, unknown>;

  it('prints the status map with alphabetical keys', () => {
    const keys = Object.keys(parsed);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toEqual(['AppURL', 'Deployed', 'Hostname', 'ID', 'Machines', 'Name', 'Organization', 'PlatformVersion', 'Status', 'Version']);
    expect(parsed).toMatchObject({ AppURL: 'https://api.fly.dev', Hostname: 'api.fly.dev', Name: 'api', Version: 3, Deployed: true });
    expect(Object.keys(parsed.Organization as object)).toEqual(['ID', 'InternalNumericID', 'Name', 'Slug', 'RawSlug', 'PaidPlan']);
  });

  it('lists machines id descending with fly-go Machine fields in struct order', () => {
    const machines = parsed.Machines as Array<Record<string, unknown>>;
    expect(machines.map((m) => m.id)).toEqual(['9f2', '0a1']);
    expect(Object.keys(machines[0] ?? {})).toEqual([
      'id', 'name', 'state', 'region', 'image_ref', 'instance_id', 'version', 'private_ip',
      'created_at', 'updated_at', 'config', 'events', 'checks', 'host_status', 'cordoned',
    ]);
    expect(machines[0]?.image_ref).toEqual({ registry: 'registry.fly.io', repository: 'api', tag: 'deployment-01J00000000000000000000000', digest: 'sha256:abc' });
    expect(machines[0]?.cordoned).toBe(false);
  });

  it('prints config.metadata as a Go map (sorted) carrying the release version', () => {
    const config = (parsed.Machines as Array<{ config: { metadata: Record<string, string>; image: string } }>)[0]?.config;
    expect(config?.metadata).toEqual({ fly_platform_version: 'v2', fly_process_group: 'app', fly_release_id: 'rel3', fly_release_version: '3' });
    expect(Object.keys(config?.metadata ?? {})).toEqual(Object.keys(config?.metadata ?? {}).sort());
    expect(config?.image).toBe('registry.fly.io/api:deployment-01J00000000000000000000000');
  });

  it('uses 4-space indentation', () => {
    expect(formatStatusJson(status).split('\n').slice(0, 2)).toEqual(['{', '    "AppURL": "https://api.fly.dev",']);
  });
});

describe('formatMachineListJson', () => {
  it('prints an array of the same Machine objects', () => {
    const list = JSON.parse(formatMachineListJson(status.machines)) as Array<{ id: string; checks: unknown[] }>;
    expect(list.map((m) => m.id)).toEqual(['9f2', '0a1']);
    expect(list[0]?.checks).toEqual([{ name: 'servicecheck-00-http-8080', status: 'passing', output: 'ok', updated_at: '2025-08-12T16:21:00Z' }]);
  });
});

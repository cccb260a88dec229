import { describe, expect, it } from 'vitest';
import { formatReleasesJson, formatReleasesTable } from '../../../src/sim/format/releases.ts';
import { release, T0 } from './fixtures.ts';

describe('formatReleasesJson', () => {
  it('prints Release structs newest first, keys in fly-go struct order, 4-space indent', () => {
    const out = formatReleasesJson([release(1), release(2, { status: 'running' })]);
    const parsed = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(parsed.map((r) => r.Version)).toEqual([2, 1]);
    expect(Object.keys(parsed[0] ?? {})).toEqual([
      'ID', 'Version', 'Stable', 'InProgress', 'Reason', 'Description', 'Status',
      'DeploymentStrategy', 'Metadata', 'User', 'EvaluationID', 'CreatedAt', 'ImageRef',
    ]);
    expect(Object.keys(parsed[0]?.User as object)).toEqual(['ID', 'Name', 'Email', 'EnablePaidHobby']);
    expect(out.split('\n')[1]).toBe('    {');
    expect(out.split('\n')[2]).toBe('        "ID": "rel2",');
    expect(out.endsWith(']\n')).toBe(true);
  });

  it('fills the fields flyctl never queries with zero values', () => {
    const [r] = JSON.parse(formatReleasesJson([release(7)])) as Array<Record<string, unknown>>;
    expect(r).toMatchObject({ InProgress: false, DeploymentStrategy: '', EvaluationID: '', Metadata: null, Description: 'Release' });
    expect(r?.CreatedAt).toBe('2025-08-12T16:28:00Z');
  });

  it('prints an empty list as []', () => {
    expect(formatReleasesJson([])).toBe('[]\n');
  });
});

describe('formatReleasesTable', () => {
  it('has flyctl headers, v-prefixed versions and relative dates', () => {
    const now = T0 + 2 * 60_000 + 45_000;
    const out = formatReleasesTable([release(1), release(2)], now, false);
    expect(out).toBe(
      'VERSION\tSTATUS  \tDESCRIPTION\tUSER          \tDATE      \n' +
        'v2     \tcomplete\tRelease    \tci@example.com\t45s ago  \t\n' +
        'v1     \tcomplete\tRelease    \tci@example.com\t1m45s ago\t\n' +
        '\n',
    );
  });

  it('adds DOCKER IMAGE with --image', () => {
    const out = formatReleasesTable([release(1)], T0, true);
    expect(out.split('\n')[0]).toMatch(/^VERSION\tSTATUS +\tDESCRIPTION\tUSER +\tDATE *\tDOCKER IMAGE +$/);
    expect(out).toContain('registry.fly.io/api:deployment-');
  });
});

import { describe, expect, it } from 'vitest';
import { parseReleases } from '../../../src/platform/fly/parse-releases.ts';
import { fixture } from './fake-fly.ts';

const releasesJson = await fixture('releases.json');
const raw = () => JSON.parse(releasesJson) as Record<string, unknown>[];

/** Re-encodes like flyctl (4-space indent) after a test edited the decoded fixture. */
const encode = (value: unknown) => JSON.stringify(value, null, 4);

function parseError(text: string): { code?: string; message: string } {
  try {
    parseReleases(text);
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected parseReleases to throw');
}

describe('parseReleases', () => {
  it('maps the flyctl fixture to domain releases, newest first', () => {
    const releases = parseReleases(releasesJson);
    expect(releases.map((r) => r.version)).toEqual([42, 41, 40]);
    expect(releases[0]).toEqual({
      version: 42,
      imageRef: 'registry.fly.io/renderflow-api:deployment-01J5ZK8Q9X3V7M2N4P6R8T0W1Y',
      status: 'complete',
      createdAt: Date.UTC(2025, 7, 12, 16, 21, 0),
      user: 'dana@renderflow.dev',
      description: 'Release',
    });
    expect(releases[1]?.status).toBe('failed');
  });

  it('sorts by version even if flyctl did not', () => {
    expect(parseReleases(encode(raw().reverse())).map((r) => r.version)).toEqual([42, 41, 40]);
  });

  it.each([
    ['an empty array', '[]\n'],
    ['null (nil slice)', 'null\n'],
  ])('when the output is %s then there are no releases', (_label, text) => {
    expect(parseReleases(text)).toEqual([]);
  });

  it('tolerates unknown keys and nulls where flyctl emits them', () => {
    const releases = raw().map((r) => ({ ...r, BrandNewField: { nested: [1] }, User: null, Description: null }));
    const [first] = parseReleases(encode(releases));
    expect(first).toMatchObject({ version: 42, user: '', description: '' });
  });

  it('accepts RFC3339 with nanoseconds and offsets, as Go writes them', () => {
    const releases = raw();
    releases[0] = { ...releases[0], CreatedAt: '2025-08-12T18:21:00.123456789+02:00' };
    expect(parseReleases(encode(releases))[0]?.createdAt).toBe(Date.UTC(2025, 7, 12, 16, 21, 0, 123));
  });

  it('keeps a release whose ImageRef is empty (fly-go Release.ImageRef is a plain string), with imageRef \'\'', () => {
    const releases = raw();
    (releases[1] as Record<string, unknown>).ImageRef = '';
    const parsed = parseReleases(encode(releases));
    expect(parsed.map((r) => r.version)).toEqual([42, 41, 40]);
    expect(parsed[1]).toMatchObject({ version: 41, imageRef: '' });
  });

  it.each([
    ['ImageRef missing', (r: Record<string, unknown>) => delete r.ImageRef, '[1].ImageRef'],
    ['Version a string', (r: Record<string, unknown>) => (r.Version = '41'), '[1].Version'],
    ['CreatedAt not RFC3339', (r: Record<string, unknown>) => (r.CreatedAt = '2h5m ago'), '[1].CreatedAt'],
    ['Status null', (r: Record<string, unknown>) => (r.Status = null), '[1].Status'],
  ])('when %s then OUTPUT_INVALID naming the path', (_label, mutate, path) => {
    const releases = raw();
    mutate(releases[1] as Record<string, unknown>);
    const err = parseError(encode(releases));
    expect(err.code).toBe('WD_ERR_PLATFORM_OUTPUT_INVALID');
    expect(err.message).toContain(`fly releases --json: ${path}`);
  });

  it.each([
    ['a table', 'VERSION\tSTATUS\tDESCRIPTION\nv42\tcomplete\tRelease\n'],
    ['an error page', '<html><body>502 Bad Gateway</body></html>'],
    ['empty output', ''],
    ['truncated JSON', releasesJson.slice(0, 200)],
    ['an object', '{"Version": 1}'],
  ])('when stdout is %s then OUTPUT_INVALID', (_label, text) => {
    expect(parseError(text).code).toBe('WD_ERR_PLATFORM_OUTPUT_INVALID');
  });

  it('quotes the start of non-JSON output', () => {
    expect(parseError('Error: not logged in').message).toBe('fly releases --json: not JSON: Error: not logged in');
  });
});

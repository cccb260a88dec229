import { describe, expect, it } from 'vitest';
import { formatImageRef, parseStatus } from '../../../src/platform/fly/parse-status.ts';
import { fixture } from './fake-fly.ts';

const statusJson = await fixture('status.json');
type Json = Record<string, any>;
const raw = () => JSON.parse(statusJson) as Json;
const encode = (value: unknown) => JSON.stringify(value, null, 4);
const IMAGE = 'registry.fly.io/renderflow-api:deployment-01J5ZK8Q9X3V7M2N4P6R8T0W1Y';

function parseError(text: string): { code?: string; message: string } {
  try {
    parseStatus(text);
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected parseStatus to throw');
}

describe('parseStatus', () => {
  it('maps the flyctl fixture to AppStatus', () => {
    const status = parseStatus(statusJson);
    expect(status).toMatchObject({ app: 'renderflow-api', version: 42, deployed: true });
    expect(status.machines).toEqual([
      {
        id: 'e784079b449483',
        state: 'started',
        region: 'iad',
        imageRef: IMAGE,
        imageDigest: 'sha256:5f1c2a9e8b7d6c4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f',
        releaseVersion: 42,
        processGroup: 'app',
        checks: [{ name: 'servicecheck-00-http-8080', status: 'passing', output: '200 OK' }],
      },
      expect.objectContaining({ id: '148ed726c56628', region: 'ord', checks: [expect.objectContaining({ status: 'critical' })] }),
    ]);
  });

  it('tolerates omitted optional machine fields and null Machines', () => {
    const bare = raw();
    bare.Machines = [{ id: 'm1', state: 'created', region: 'iad', image_ref: { registry: 'registry.fly.io', repository: 'a', tag: 't' } }];
    expect(parseStatus(encode(bare)).machines).toEqual([
      { id: 'm1', state: 'created', region: 'iad', imageRef: 'registry.fly.io/a:t', checks: [] },
    ]);
    expect(parseStatus(encode({ ...raw(), Machines: null })).machines).toEqual([]);
  });

  it('falls back to config.image when image_ref has no repository', () => {
    const s = raw();
    s.Machines[0].image_ref = {};
    expect(parseStatus(encode(s)).machines[0]?.imageRef).toBe(IMAGE);
  });

  it('tolerates unknown keys', () => {
    const s = raw();
    s.Machines[0].incomplete_config = null;
    s.Shiny = { new: true };
    expect(parseStatus(encode(s)).machines).toHaveLength(2);
  });

  it('reads a machine on an unreachable host from incomplete_config, and one without any image as imageRef \'\'', () => {
    // fly-go machine_types.go: Config is unset when host_status isn't "ok"; IncompleteConfig holds what is known.
    const s = raw();
    s.Machines.push(
      { id: 'm3', state: 'started', region: 'ams', image_ref: {}, incomplete_config: { image: IMAGE, metadata: { fly_release_version: '41' } }, host_status: 'unreachable', cordoned: false },
      { id: 'm4', image_ref: {}, host_status: 'unknown', cordoned: false },
    );
    const machines = parseStatus(encode(s)).machines;
    expect(machines[2]).toMatchObject({ id: 'm3', state: 'started', imageRef: IMAGE, releaseVersion: 41 });
    expect(machines[3]).toEqual({ id: 'm4', state: '', region: '', imageRef: '', checks: [] });
  });

  it('keeps checks without a name or a status (fly-go omits empty ones)', () => {
    const s = raw();
    s.Machines[0].checks = [{ output: 'starting' }, { name: 'alive' }];
    expect(parseStatus(encode(s)).machines[0]?.checks).toEqual([
      { name: '', status: '', output: 'starting' },
      { name: 'alive', status: '', output: '' },
    ]);
  });

  it('reads the digest, the process group, standbys and the autostop of the machine\'s services', () => {
    const s = raw();
    Object.assign(s.Machines[0].config, {
      services: [{ internal_port: 8080, autostop: true }, { internal_port: 9090, autostop: 'suspend' }],
    });
    Object.assign(s.Machines[1].config, { standbys: ['e784079b449483'] });
    s.Machines[1].config.metadata.fly_process_group = 'worker';
    const [first, second] = parseStatus(encode(s)).machines;
    expect(first).toMatchObject({ imageDigest: 'sha256:5f1c2a9e8b7d6c4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f', processGroup: 'app', autostop: 'stop' });
    expect(second).toMatchObject({ processGroup: 'worker', standbyFor: ['e784079b449483'] });
    expect(second).not.toHaveProperty('autostop');
  });

  it.each([
    [[{ autostop: false }], 'off'],
    [[{ autostop: true }], 'stop'],
    [[{ autostop: 'suspend' }], 'suspend'],
    [[{ autostop: 'stop' }, { autostop: 'off' }], 'off'],
    [[{ autostop: 'suspend' }, { autostop: true }], 'stop'],
    [[{}], 'off'],
  ])('services %j: autostop %s (the most restrictive, as Fly\'s proxy takes it)', (services, autostop) => {
    const s = raw();
    s.Machines[0].config.services = services;
    expect(parseStatus(encode(s)).machines[0]?.autostop).toBe(autostop);
  });

  it.each([
    ['a non-numeric release version', (s: Json) => (s.Machines[0].config.metadata.fly_release_version = 'v42'), 'Machines[0].config.metadata.fly_release_version'],
    ['Version missing', (s: Json) => delete s.Version, 'Version'],
    ['Deployed as a string', (s: Json) => (s.Deployed = 'true'), 'Deployed'],
  ])('when %s then OUTPUT_INVALID naming the path', (_label, mutate, path) => {
    const s = raw();
    mutate(s);
    const err = parseError(encode(s));
    expect(err.code).toBe('WD_ERR_PLATFORM_OUTPUT_INVALID');
    expect(err.message).toContain(`fly status --json: ${path}`);
  });

  it.each([['not JSON', 'Error: app not found'], ['an array', '[]'], ['empty', '']])(
    'when stdout is %s then OUTPUT_INVALID',
    (_label, text) => expect(parseError(text).code).toBe('WD_ERR_PLATFORM_OUTPUT_INVALID'),
  );
});

describe('formatImageRef', () => {
  it.each([
    [{ registry: 'registry.fly.io', repository: 'a', tag: 'v1', digest: 'sha256:ab' }, 'registry.fly.io/a:v1'],
    [{ registry: 'registry.fly.io', repository: 'a', tag: '', digest: 'sha256:ab' }, 'registry.fly.io/a@sha256:ab'],
    [{ repository: 'library/nginx', tag: 'latest' }, 'library/nginx:latest'],
    [{ registry: 'docker.io', repository: 'a' }, 'docker.io/a'],
    [{ registry: 'registry.fly.io', tag: 'v1' }, undefined],
    [null, undefined],
  ])('formats %j as %s', (ref, expected) => {
    expect(formatImageRef(ref)).toBe(expected);
  });
});

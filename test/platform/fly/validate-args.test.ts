import { describe, expect, it } from 'vitest';
import { assertAppName, assertImageRef, assertInteger, assertStrategy } from '../../../src/platform/fly/validate-args.ts';

const invalid = expect.objectContaining({ code: 'WD_ERR_PLATFORM_ARGUMENT_INVALID' });

describe('argument guards', () => {
  it.each(['renderflow-api', 'a', 'app2', 'a'.repeat(63)])('accepts app %j', (app) => {
    expect(() => assertAppName(app)).not.toThrow();
  });

  it.each(['-a', '--app=x', 'App', 'a_b', 'a b', '', 'a'.repeat(64), 'é'])('rejects app %j', (app) => {
    expect(() => assertAppName(app)).toThrow(invalid);
  });

  it.each([
    'registry.fly.io/renderflow-api:deployment-01J5ZK8Q9X3V7M2N4P6R8T0W1Y',
    'registry.fly.io/a@sha256:5f1c2a9e',
    'nginx',
    'ghcr.io/org/img:v1.2.3-rc.1',
  ])('accepts image ref %j', (ref) => {
    expect(() => assertImageRef(ref)).not.toThrow();
  });

  it.each(['--detach', '-x', 'a b', 'a\tb', '', 'a\u001bb', 'x'.repeat(1025)])('rejects image ref %j', (ref) => {
    expect(() => assertImageRef(ref)).toThrow(invalid);
  });

  it('rejects unknown strategies', () => {
    expect(() => assertStrategy('rolling')).not.toThrow();
    expect(() => assertStrategy('--detach')).toThrow(invalid);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects %s as a count', (n) => {
    expect(() => assertInteger('lines', n, 1)).toThrow(invalid);
  });
});

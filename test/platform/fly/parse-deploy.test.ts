import { describe, expect, it } from 'vitest';
import { parseDeployOutput } from '../../../src/platform/fly/parse-deploy.ts';
import { fixture } from './fake-fly.ts';

const stdout = await fixture('deploy-stdout.txt');
const withoutJson = stdout.split('\n').filter((l) => !l.startsWith('{')).join('\n');

describe('parseDeployOutput', () => {
  it('finds the FLY_EMIT_RELEASE_JSON line among the human output', () => {
    expect(parseDeployOutput(stdout)).toEqual({
      id: 'Rel_0w3MyR1bAl4',
      version: 43,
      imageRef: 'registry.fly.io/renderflow-api:deployment-01J5ZK8Q9X3V7M2N4P6R8T0W1Y',
    });
  });

  it('returns undefined when flyctl printed no release line (older flyctl)', () => {
    expect(parseDeployOutput(withoutJson)).toBeUndefined();
    expect(parseDeployOutput('')).toBeUndefined();
  });

  it('takes the last release line and ignores unrelated braces', () => {
    const text = `{"id":"a","version":1,"image_ref":"x"}\n{not json but no image key}\n{"id":"b","version":2,"image_ref":"y"}\n`;
    expect(parseDeployOutput(text)?.version).toBe(2);
  });

  it.each([
    ['version as a string', '{"id":"r","version":"43","image_ref":"x"}'],
    ['image_ref missing a value', '{"id":"r","version":43,"image_ref":""}'],
    ['broken JSON', '{"id":"r","version":43,"image_ref":"x"'.concat(',}')],
  ])('when the release line has %s then OUTPUT_INVALID', (_label, line) => {
    expect(() => parseDeployOutput(`${withoutJson}\n${line}\n`)).toThrow(
      expect.objectContaining({ code: 'WD_ERR_PLATFORM_OUTPUT_INVALID' }),
    );
  });
});

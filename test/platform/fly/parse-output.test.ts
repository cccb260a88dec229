import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { formatPath, parseJsonOutput } from '../../../src/platform/fly/parse-output.ts';

describe('formatPath', () => {
  it.each([
    [[3, 'ImageRef'], '[3].ImageRef'],
    [['Machines', 0, 'image_ref', 'tag'], 'Machines[0].image_ref.tag'],
    [[], ''],
  ])('%j → %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});

describe('parseJsonOutput', () => {
  const Schema = z.array(z.object({ a: z.string() }));

  it('returns the validated data', () => {
    expect(parseJsonOutput('cmd', '[{"a":"x","extra":1}]', Schema)).toEqual([{ a: 'x' }]);
  });

  it('lists the first three issues and counts the rest', () => {
    const text = JSON.stringify([{}, {}, {}, {}, {}]);
    expect(() => parseJsonOutput('cmd', text, Schema)).toThrow(
      'cmd: [0].a: expected string, received undefined; [1].a: expected string, received undefined; [2].a: expected string, received undefined (+2 more)',
    );
  });

  it('shows the first 80 characters of non-JSON on one line', () => {
    const text = `<html>\n  ${'x'.repeat(200)}`;
    expect(() => parseJsonOutput('cmd', text, Schema)).toThrow(/^cmd: not JSON: <html> x{72}…$/);
  });
});

import { describe, expect, it } from 'vitest';
import { TailBuffer } from '../../../src/infra/exec/tail-buffer.ts';

describe('TailBuffer', () => {
  it('keeps everything under the limit', () => {
    const buf = new TailBuffer(10);
    buf.push('abc');
    buf.push(Buffer.from('def'));
    expect(buf.toString()).toBe('abcdef');
    expect(buf.truncated).toBe(false);
  });

  it.each([
    ['many small chunks', ['ab\n', 'cd\n', 'ef\n', 'gh\n', 'ij\n', 'kl\n'], 'gh\nij\nkl\n'],
    ['one huge chunk', ['line-0\nline-1\nline-2\n'], 'line-2\n'],
    ['a huge chunk then a small one', ['0123456789abcdef', '\nXY'], 'XY'],
    ['one endless line', ['0123456789abcdef'], ''],
  ])('with %s keeps only whole lines from the last bytes', (_label, chunks, expected) => {
    const buf = new TailBuffer(10);
    for (const chunk of chunks) buf.push(chunk);
    expect(buf.toString()).toBe(expected);
    expect(buf.truncated).toBe(true);
  });

  it('drops a secret cut at the boundary, which masking could no longer recognise', () => {
    const buf = new TailBuffer(20);
    buf.push('token=SECRET-VALUE-123456\nok\n');
    expect(buf.toString()).toBe('ok\n');
  });
});

import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { readBounded } from '../../../src/infra/http/read-bounded.ts';

const body = (chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c))) as unknown as Dispatcher.ResponseData['body'];

describe('readBounded', () => {
  it('returns the whole body when it fits', async () => {
    expect((await readBounded(body(['ab', 'cd']), 4))?.toString()).toBe('abcd');
  });

  it('returns undefined and stops reading once over the limit', async () => {
    const stream = body(['abc', 'def', 'ghi']);
    expect(await readBounded(stream, 5)).toBeUndefined();
    expect((stream as unknown as Readable).destroyed).toBe(true);
  });
});

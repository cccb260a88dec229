import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/client/sse-reader.ts';

/** Feeds `chunks` one by one and collects every event. */
const parse = (...chunks: string[]) => {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
};

describe('SseParser', () => {
  it('parses the daemon frames, skipping the retry hint and heartbeats', () => {
    expect(parse('retry: 3000\n\n', 'id: 7\nevent: state\ndata: {"a":1}\n\n', ': ping\n\n')).toEqual([{ id: '7', type: 'state', data: '{"a":1}' }]);
  });

  it.each([
    ['split inside a field', ['id: 1\nevent: deci', 'sion\ndata: x\n', '\n']],
    ['CRLF line ends split between the CR and the LF', ['id: 1\r', '\nevent: decision\r\ndata: x\r\n\r', '\n']],
    // The final CR could be half a CRLF, so the event completes with the next byte.
    ['bare CR line ends', ['id: 1\revent: decision\rdata: x\r\r', ': ping\r']],
  ])('when %s then one complete event', (_label, chunks) => {
    expect(parse(...chunks)).toEqual([{ id: '1', type: 'decision', data: 'x' }]);
  });

  it('joins data lines with newlines, defaults the type to message, and keeps the last id for events without one', () => {
    expect(parse('id: 4\ndata: a\ndata:b\n\ndata: c\n\n')).toEqual([
      { id: '4', type: 'message', data: 'a\nb' },
      { id: '4', type: 'message', data: 'c' },
    ]);
  });

  it('dispatches nothing for a block without data, and ignores ids holding NUL', () => {
    expect(parse('event: state\n\nid: 1\nid: 2\u0000\ndata: y\n\n')).toEqual([{ id: '1', type: 'message', data: 'y' }]);
  });
});

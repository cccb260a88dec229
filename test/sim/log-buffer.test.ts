import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../../src/sim/log-buffer.ts';
import { logEntry } from './format/fixtures.ts';

describe('LogBuffer', () => {
  it('numbers entries and returns those after a sequence number', () => {
    const buffer = new LogBuffer(10);
    for (let i = 0; i < 3; i++) buffer.append({ ...logEntry(), message: `m${i}` });
    expect(buffer.since(0).map((e) => e.message)).toEqual(['m0', 'm1', 'm2']);
    expect(buffer.since(2).map((e) => [e.seq, e.message])).toEqual([[3, 'm2']]);
    expect(buffer.lastSeq).toBe(3);
  });

  it('keeps only the newest `capacity` lines', () => {
    const buffer = new LogBuffer(5);
    for (let i = 0; i < 40; i++) buffer.append({ ...logEntry(), message: `m${i}` });
    expect(buffer.since().map((e) => e.message)).toEqual(['m35', 'm36', 'm37', 'm38', 'm39']);
  });
});

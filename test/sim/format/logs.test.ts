import { describe, expect, it } from 'vitest';
import { formatLogJson, formatLogText } from '../../../src/sim/format/logs.ts';
import { logEntry } from './fixtures.ts';

describe('formatLogText', () => {
  it('prints `<RFC3339> <provider>[<instance>] <region> [<level>]<message>`', () => {
    expect(formatLogText(logEntry())).toBe('2025-08-12T16:21:00Z app[148e21ea7e2889] lhr [info]Listening\n');
    expect(formatLogText(logEntry({ provider: 'runner', level: 'error', message: 'boom' }))).toBe(
      '2025-08-12T16:21:00Z runner[148e21ea7e2889] lhr [error]boom\n',
    );
  });

  it('colours time, region and level like flyctl when asked', () => {
    const line = formatLogText(logEntry(), true);
    expect(line).toBe('\x1b[2m2025-08-12T16:21:00Z\x1b[0m app[148e21ea7e2889] \x1b[32mlhr\x1b[0m [\x1b[34minfo\x1b[0m]Listening\n');
    expect(line.replace(/\x1b\[[0-9;]*m/g, '')).toBe(formatLogText(logEntry()));
  });
});

describe('formatLogJson', () => {
  it('prints one indented LogEntry document with lower-case keys and a Meta block', () => {
    const doc = formatLogJson(logEntry());
    const parsed = JSON.parse(doc) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['level', 'instance', 'message', 'region', 'timestamp', 'meta']);
    expect(parsed.timestamp).toBe('2025-08-12T16:21:00.123Z');
    expect(Object.keys(parsed.meta as object)).toEqual(['Instance', 'Region', 'Event', 'HTTP', 'Error', 'URL']);
    expect((parsed.meta as { Event: unknown }).Event).toEqual({ Provider: 'app' });
    expect(doc.startsWith('{\n    "level": "info",')).toBe(true);
  });
});

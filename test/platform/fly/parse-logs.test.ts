import { describe, expect, it } from 'vitest';
import { parseLogJsonStream, parseLogText, splitJsonStream } from '../../../src/platform/fly/parse-logs.ts';
import { fixture } from './fake-fly.ts';

const logsTxt = await fixture('logs.txt');
const logsJson = await fixture('logs.json');
const invalid = expect.objectContaining({ code: 'WD_ERR_PLATFORM_OUTPUT_INVALID' });

describe('parseLogText', () => {
  it('returns the lines oldest first', () => {
    const lines = parseLogText(logsTxt);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('2025-08-12T16:21:04Z runner[e784079b449483] iad [info]Pulling container image');
  });

  it('strips ANSI colours, CRLF and blank lines', () => {
    const coloured = '\u001b[2m2025-08-12T16:21:04Z\u001b[0m app[e78] iad \u001b[34m[info]\u001b[0mhello\r\n\r\n\u001b[31m[error]\u001b[0mboom\n';
    expect(parseLogText(coloured)).toEqual(['2025-08-12T16:21:04Z app[e78] iad [info]hello', '[error]boom']);
  });
});

describe('parseLogJsonStream', () => {
  it('parses concatenated indented objects', () => {
    const entries = parseLogJsonStream(logsJson);
    expect(entries.map((e) => e.message)).toEqual(['Pulling container image', 'Listening on 0.0.0.0:8080 {"pid":1}']);
    expect(entries[0]?.meta?.Event?.Provider).toBe('runner');
  });

  it('returns [] for empty output', () => {
    expect(parseLogJsonStream('\n')).toEqual([]);
  });

  it.each([
    ['an entry missing message', logsJson.replace('"message": "Pulling container image",', '')],
    ['garbage between entries', logsJson.replace('}\n{', '}\nwat\n{')],
    ['a cut-off final entry', logsJson.slice(0, -20)],
  ])('when the stream has %s then OUTPUT_INVALID', (_label, text) => {
    expect(() => parseLogJsonStream(text)).toThrow(invalid);
  });
});

describe('splitJsonStream', () => {
  it('is not fooled by braces and escaped quotes inside strings', () => {
    expect(splitJsonStream('{"a":"}{\\"}"} {"b":{"c":1}}')).toEqual(['{"a":"}{\\"}"}', '{"b":{"c":1}}']);
  });
});

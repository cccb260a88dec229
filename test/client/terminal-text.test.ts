import { describe, expect, it } from 'vitest';
import { safeDeep, safeText, terminalSafe } from '../../src/client/terminal-text.ts';

describe('safeText: a server string as the CLI prints it', () => {
  it.each([
    ['clear screen and home', 'a\u001b[2J\u001b[Hb', 'ab'],
    ['colours', '\u001b[31mred\u001b[0m', 'red'],
    ['a window title (OSC, BEL-terminated)', '\u001b]0;pwned\u0007x', 'x'],
    ['an OSC 8 hyperlink (ST-terminated)', '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\', 'click'],
    ['a two-byte escape (reset)', '\u001bcx', 'x'],
    ['a lone ESC', 'x\u001b', 'x'],
    ['C1 CSI', 'a\u009b31mb', 'a31mb'],
    ['line breaks, which could print fake lines', 'ok\r\nFAKE all healthy', 'ok  FAKE all healthy'],
    ['a tab', 'a\tb', 'a b'],
    ['NUL, BEL, backspace, DEL', 'a\u0000\u0007\u0008\u007fb', 'ab'],
    ['bidi overrides and isolates', 'x\u202egnp.exe\u202c\u2066y\u2069', 'xgnp.exey'],
    ['Unicode line separators', 'a\u2028b\u2029c\u0085d', 'a b c d'],
  ])('removes %s', (_what, text, safe) => expect(safeText(text)).toBe(safe));

  it('keeps ordinary text, accents and emoji', () => {
    expect(safeText('v42 → image of v41: “ünïcode” 🚨')).toBe('v42 → image of v41: “ünïcode” 🚨');
  });
});

describe('safeDeep', () => {
  it('cleans every string and key of an answer, and cuts a hostile nesting', () => {
    expect(safeDeep({ 'k\u001b[1m': ['\u001b[2Jx', 1, null, { r: 'a\nb' }] })).toEqual({ k: ['x', 1, null, { r: 'a b' }] });
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(JSON.stringify(safeDeep(deep))).toContain('[…]');
  });
});

describe('terminalSafe: the last filter on the way out', () => {
  it('keeps the CLI\'s own newlines and removes the rest', () => {
    expect(terminalSafe('line 1\nline 2\u001b[2J\r\u202e\n')).toBe('line 1\nline 2\n');
  });
});

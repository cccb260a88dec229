import { describe, expect, it } from 'vitest';
import { relative, table } from '../../src/client/table.ts';

describe('table', () => {
  it('aligns columns under upper-cased headers, without borders or trailing blanks', () => {
    expect(table(['name', 'phase', 'note'], [['api', 'guarding', ''], ['renderflow-api', 'held', 'approval']])).toBe(
      ['NAME            PHASE     NOTE', 'api             guarding  -', 'renderflow-api  held      approval'].join('\n'),
    );
  });

  it('counts code points, so a name outside the BMP keeps the columns straight', () => {
    const lines = table(['a', 'b'], [['𝒜𝒷', 'x'], ['ab', 'y']]).split('\n');
    expect(lines[1]!.indexOf('x') - lines[1]!.length).toBe(lines[2]!.indexOf('y') - lines[2]!.length);
  });
});

describe('relative', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  it.each([
    [now - 42_000, '42s ago'],
    [now - 5 * 60_000, '5m ago'],
    [now - 3 * 3_600_000, '3h ago'],
    [now - 4 * 86_400_000, '4d ago'],
    [now + 48_000, 'in 48s'],
  ])('%i → %s', (at, text) => {
    expect(relative(new Date(at).toISOString(), now)).toBe(text);
  });

  it('is undefined for a missing or unparsable time', () => {
    expect(relative(undefined, now)).toBeUndefined();
    expect(relative('soon', now)).toBeUndefined();
  });
});

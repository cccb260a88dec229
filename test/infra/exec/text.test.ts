import { describe, expect, it } from 'vitest';
import { cleanText, lastLines, truncate } from '../../../src/infra/exec/text.ts';

describe('text helpers', () => {
  it('cleanText strips colour codes and normalizes line endings', () => {
    expect(cleanText('\u001b[1;31mError:\u001b[0m boom\r\nnext\rlast')).toBe('Error: boom\nnext\nlast');
  });

  it('lastLines skips blank lines', () => {
    expect(lastLines('a\n\nb\n  \nc\n', 2)).toBe('b\nc');
  });

  it.each([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['much too long', 5, 'much…'],
  ])('truncate(%j, %i) = %j', (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });
});

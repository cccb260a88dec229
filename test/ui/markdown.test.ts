/**
 * The post-mortem renderer's parser (static/lib/markdown.js) on a real draft from
 * src/incidents/postmortem.ts, and on text that must stay text.
 */
import { describe, expect, it } from 'vitest';
import { renderPostmortem } from '../../src/incidents/postmortem.ts';
import type { Incident } from '../../src/domain/incident.ts';

type Block = { type: string; level?: number; text?: string; items?: { checked?: boolean; text: string }[]; header?: string[]; rows?: string[][] };
interface MarkdownModule {
  parseMarkdown(md: string): Block[];
  parseInline(text: string): { type: string; text: string }[];
}
const { parseInline, parseMarkdown } = (await import(new URL('../../src/admin/ui/static/lib/markdown.js', import.meta.url).href)) as MarkdownModule;

const incident: Incident = {
  id: 'api-v2-20261125T140000Z',
  target: 'api',
  environment: 'production',
  version: 2,
  imageRef: 'registry.fly.io/api:deployment-2',
  reason: 'ready failed 3 rounds in a row (503 from /api/v1/ready)',
  status: 'closed',
  openedAt: Date.parse('2026-11-25T14:00:00Z'),
  impactStartedAt: Date.parse('2026-11-25T13:59:50Z'),
  recoveredAt: Date.parse('2026-11-25T14:06:00Z'),
  closedAt: Date.parse('2026-11-25T14:06:00Z'),
  outcome: 'rolled-back',
  postmortemRequired: true,
  evidence: [{ kind: 'fly-logs', at: Date.parse('2026-11-25T14:00:01Z'), lines: ['2026-11-25T14:00:00Z app[1] ERROR boom | pipe'] }],
};
const timeline = [{ target: 'api', at: Date.parse('2026-11-25T14:00:00Z'), kind: 'release-failed', message: 'v2 failed | ready 503' }];

describe('parseMarkdown on a post-mortem draft', () => {
  const blocks = parseMarkdown(renderPostmortem(incident, timeline, Date.parse('2026-11-25T15:00:00Z')));

  it('finds the headings in order', () => {
    expect(blocks.filter((b) => b.type === 'h').map((b) => `${b.level} ${b.text}`)).toEqual([
      '1 Post-mortem draft: api v2',
      '2 Summary',
      '2 Impact',
      '2 Timeline',
      '2 Evidence',
      '3 `fly logs --app … --no-tail`, last 1 lines (2026-11-25T14:00:01Z)',
      '2 Root cause',
      '2 Follow-ups',
    ]);
  });

  it('keeps the timeline as a table, with escaped pipes inside the cell', () => {
    const table = blocks.find((b) => b.type === 'table')!;
    expect(table.header).toEqual(['time (UTC)', 'event', 'detail']);
    expect(table.rows).toEqual([['2026-11-25T14:00:00Z', 'release-failed', 'v2 failed | ready 503']]);
  });

  it('keeps code blocks verbatim, and follow-ups as unchecked boxes', () => {
    expect(blocks.find((b) => b.type === 'code')!.text).toBe('2026-11-25T14:00:00Z app[1] ERROR boom | pipe');
    const followUps = blocks.filter((b) => b.type === 'ul').at(-1)!.items!;
    expect(followUps[0]).toEqual({ checked: false, text: 'Investigate the root cause' });
  });
});

describe('parseInline', () => {
  it('splits code, bold and italic, and leaves markup-looking text as text', () => {
    expect(parseInline('Outcome: **rolled-back** in `api`, *(to write)* <img src=x onerror=alert(1)>')).toEqual([
      { type: 'text', text: 'Outcome: ' },
      { type: 'strong', text: 'rolled-back' },
      { type: 'text', text: ' in ' },
      { type: 'code', text: 'api' },
      { type: 'text', text: ', ' },
      { type: 'em', text: '(to write)' },
      { type: 'text', text: ' <img src=x onerror=alert(1)>' },
    ]);
  });
});

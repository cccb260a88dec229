import { describe, expect, it } from 'vitest';
import { parseGroupMessage, parsePlatforms, parseRepublishOutput, parseUpdateList } from '../../../src/platform/expo/parse-updates.ts';
import { fixture } from './fake-eas.ts';

const listJson = await fixture('update-list.json');
const republishJson = await fixture('republish.json');
const minimalJson = await fixture('republish-minimal.json');

/** Re-encodes like eas-cli (2-space indent) after a test edited the decoded fixture. */
const encode = (value: unknown) => JSON.stringify(value, null, 2);
const listRaw = () => JSON.parse(listJson) as { name: string; currentPage: Record<string, unknown>[] };

function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('parseUpdateList', () => {
  it('maps the eas fixture to update groups, newest first', () => {
    const groups = parseUpdateList(listJson, 'production');
    expect(groups.map((g) => g.group)).toEqual([
      '3c5f1a9e-8d2b-4f6a-9c1e-7b4d2a6f8e01', '9a7e2c4b-1f3d-4e5a-8b6c-0d2e4f6a8b02', '5e1b3d7f-2a4c-4b6e-8d0f-1a3c5e7b9d03',
    ]);
    expect(groups[0]).toEqual({
      group: '3c5f1a9e-8d2b-4f6a-9c1e-7b4d2a6f8e01',
      message: 'Fix checkout crash (again)',
      runtimeVersion: '1.0.0',
      platforms: ['android', 'ios'],
      isRollBackToEmbedded: false,
      createdBy: 'ci-bot (robot)',
      createdAgo: '2 hours ago',
    });
    expect(groups[2]).toMatchObject({ message: '', runtimeVersion: '0.9.0', platforms: ['ios'], createdBy: 'dana' });
  });

  it('reads an empty branch', () => {
    expect(parseUpdateList(encode({ name: 'production', id: 'N/A', currentPage: [] }), 'production')).toEqual([]);
  });

  it('treats a missing isRollBackToEmbedded (older eas-cli) as false', () => {
    const raw = listRaw();
    delete raw.currentPage[0]?.isRollBackToEmbedded;
    expect(parseUpdateList(encode(raw), 'production')[0]?.isRollBackToEmbedded).toBe(false);
  });

  it.each([
    ['a missing group', (r: ReturnType<typeof listRaw>) => delete r.currentPage[1]?.group, /currentPage\[1\]\.group/],
    ['a numeric runtimeVersion', (r: ReturnType<typeof listRaw>) => { r.currentPage[0]!.runtimeVersion = 1; }, /currentPage\[0\]\.runtimeVersion/],
    ['no currentPage', (r: ReturnType<typeof listRaw>) => { delete (r as Partial<typeof r>).currentPage; }, /currentPage/],
    ['another branch', (r: ReturnType<typeof listRaw>) => { r.currentPage[2]!.branch = 'staging'; }, /currentPage\[2\]\.branch/],
    ['another branch name', (r: ReturnType<typeof listRaw>) => { r.name = 'staging'; }, /name: expected branch "production"/],
  ])('rejects %s, naming the field', (_label, edit, field) => {
    const raw = listRaw();
    edit(raw);
    const err = thrown(() => parseUpdateList(encode(raw), 'production'));
    expect(err.code).toBe('WD_ERR_PLATFORM_OUTPUT_INVALID');
    expect(err.message).toMatch(field);
  });

  it.each([['garbage', '<html>502 Bad Gateway</html>'], ['empty output', ''], ['an array', '[]']])('rejects %s', (_label, text) => {
    expect(thrown(() => parseUpdateList(text, 'production')).code).toBe('WD_ERR_PLATFORM_OUTPUT_INVALID');
  });
});

describe('parseGroupMessage', () => {
  it.each([
    ['"Fix crash" (2 hours ago by dana)', { message: 'Fix crash', createdAgo: '2 hours ago', createdBy: 'dana' }],
    ['"Say "hi" (x by y)" (just now by ci-bot (robot))', { message: 'Say "hi" (x by y)', createdAgo: 'just now', createdBy: 'ci-bot (robot)' }],
    ['(1 week ago by anonymous)', { message: '', createdAgo: '1 week ago', createdBy: 'anonymous' }],
    ['"multi\nline" (3 days ago by dana)', { message: 'multi\nline', createdAgo: '3 days ago', createdBy: 'dana' }],
    ['N/A', { message: 'N/A' }],
    ['a message in some future format', { message: 'a message in some future format' }],
  ])('%j', (text, expected) => {
    expect(parseGroupMessage(text)).toEqual(expected);
  });
});

describe('parsePlatforms', () => {
  it.each([['android, ios', ['android', 'ios']], ['ios', ['ios']], ['ios, android', ['android', 'ios']], ['N/A', []]])('%j', (text, expected) => {
    expect(parsePlatforms(text)).toEqual(expected);
  });
});

describe('parseRepublishOutput', () => {
  it('maps the UpdateFragment output (branch as an object)', () => {
    const updates = parseRepublishOutput(republishJson);
    expect(updates.map((u) => u.platform)).toEqual(['android', 'ios']);
    expect(updates[0]).toEqual({
      id: '0f3e8a52-6b1d-4c7e-9a2f-4d6b8e0a1c11',
      group: 'c81d4e2a-7f3b-4a5c-9e1d-2b4f6a8c0e12',
      platform: 'android',
      runtimeVersion: '1.0.0',
      branch: 'production',
      message: 'Roll back production to 9a7e2c4b',
      createdAt: '2026-03-01T12:00:05.123Z',
    });
  });

  it('maps the minimal output of older eas-cli', () => {
    expect(parseRepublishOutput(minimalJson)).toEqual([{
      id: '0f3e8a52-6b1d-4c7e-9a2f-4d6b8e0a1c11', group: 'c81d4e2a-7f3b-4a5c-9e1d-2b4f6a8c0e12', platform: 'android', runtimeVersion: '1.0.0',
    }]);
  });

  it('takes runtime.version and a string branch when eas reports them so', () => {
    const text = encode([{ id: 'u1', group: 'g1', platform: 'ios', runtime: { version: '2.0.0' }, branch: 'production' }]);
    expect(parseRepublishOutput(text)).toEqual([{ id: 'u1', group: 'g1', platform: 'ios', runtimeVersion: '2.0.0', branch: 'production' }]);
  });

  it.each([
    ['an empty array', '[]', /expected array to have >=1 items|Too small/i],
    ['a missing group', encode([{ id: 'u1', platform: 'ios' }]), /\[0\]\.group/],
    ['an object', encode({ data: { updateBranch: {} } }), /expected array/],
    ['garbage', '<html>502 Bad Gateway</html>', /not JSON/],
  ])('rejects %s', (_label, text, detail) => {
    const err = thrown(() => parseRepublishOutput(text));
    expect(err.code).toBe('WD_ERR_PLATFORM_OUTPUT_INVALID');
    expect(err.message).toMatch(detail);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/client/commands.ts';
import { CLIENT_COMMANDS } from '../../src/client/usage.ts';
import { guardingV2, heldForApproval, image, OPERATOR, VIEWER } from '../admin/harness.ts';
import { cmd, serve, type Served } from './client-harness.ts';

let s: Served;
afterEach(() => s?.close());

it('the CLI routes exactly the commands that exist', () => {
  expect([...CLIENT_COMMANDS].sort()).toEqual(Object.keys(COMMANDS).sort());
});

describe('operator commands against a running daemon', () => {
  it('status prints the global controls and a target table', async () => {
    s = await serve();
    await guardingV2(s);
    const { code, out } = await cmd(s.url, VIEWER, 'status');
    expect(code).toBe(0);
    expect(out).toMatch(/^ready: {3}yes\nmode: {4}per target \(from the config\)\npaused: {2}no\n\n/);
    expect(out).toMatch(/NAME\s+ENVIRONMENT\s+PHASE\s+SINCE\s+CURRENT\s+MODE\s+PAUSED\s+NOTE\n/);
    expect(out).toMatch(/api\s+production\s+guarding\s+\d+s ago\s+v2\s+auto\s+no\s+guarding v2, window ends in \d+s/);
  });

  it('--json prints the API answer itself', async () => {
    s = await serve();
    const { code, out } = await cmd(s.url, VIEWER, 'targets', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ targets: [{ name: 'api', phase: 'idle' }] });
  });

  it('targets lists each target with its app and mode', async () => {
    s = await serve();
    await s.watchdog.pollAll();
    const { out } = await cmd(s.url, VIEWER, 'targets');
    expect(out.split('\n')[0]).toMatch(/^NAME\s+APP\s+ENVIRONMENT\s+MODE\s+PAUSED\s+PHASE\s+CURRENT IMAGE$/);
    expect(out).toContain(image(1));
  });

  it('rollback --to starts the rollback and says where to', async () => {
    s = await serve();
    await guardingV2(s);
    const { code, out } = await cmd(s.url, OPERATOR, 'rollback', 'api', '--to', '1', '--reason', 'errors up');
    expect(code).toBe(0);
    expect(out).toContain('api: rolling back v2 to the image of v1');
    expect((await s.store.listAudit(1))[0]).toMatchObject({ action: 'rollback', params: { body: { version: 1, reason: 'errors up' } } });
  });

  it('a refusal exits 1 and prints the code and message', async () => {
    s = await serve();
    await guardingV2(s);
    await s.watchdog.runner('api').command({ kind: 'mark', version: 1, verdict: 'bad', by: 'test' });
    const refused = await cmd(s.url, OPERATOR, 'rollback', 'api', '--to', '1');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^rollback refused: WD_ERR_RELEASE_JUDGED_BAD: the image of v1 was judged bad/);
    const forced = await cmd(s.url, OPERATOR, 'rollback', 'api', '--to', '1', '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('(forced)');
  });

  it('--json on a refusal prints the error as JSON too', async () => {
    s = await serve();
    const { code, out } = await cmd(s.url, VIEWER, 'pause', '--json');
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual({ statusCode: 403, code: 'WD_ERR_FORBIDDEN', message: 'This action needs the operator role' });
  });

  it('pause and resume, for one target and for all', async () => {
    s = await serve();
    expect((await cmd(s.url, OPERATOR, 'pause', 'api', '--reason', 'maintenance')).out).toBe('api: paused\n  now: mode auto, automatic rollbacks paused\n');
    expect((await cmd(s.url, OPERATOR, 'pause')).out).toBe('all targets: paused\n');
    const resumed = await cmd(s.url, OPERATOR, 'resume', 'api');
    expect(resumed.out).toContain('still paused');
    expect((await cmd(s.url, OPERATOR, 'resume')).code).toBe(0);
    expect(s.watchdog.policyFor(s.watchdog.runner('api').target).paused).toBe(false);
  });

  it('mode sets approve mode for a target', async () => {
    s = await serve();
    const { code, out } = await cmd(s.url, OPERATOR, 'mode', 'approve', 'api');
    expect(code).toBe(0);
    expect(out).toContain('now: mode approve');
  });

  it('approve and veto a held rollback', async () => {
    s = await serve();
    await heldForApproval(s);
    expect((await cmd(s.url, OPERATOR, 'veto', 'api')).out).toMatch(/^api: rollback vetoed; phase idle/);
    const again = await cmd(s.url, OPERATOR, 'approve', 'api');
    expect(again.code).toBe(1);
    expect(again.err).toContain('WD_ERR_NOT_HELD');
  });

  it('approve starts the held rollback', async () => {
    s = await serve();
    await heldForApproval(s);
    const { code, out } = await cmd(s.url, OPERATOR, 'approve', 'api');
    expect(code).toBe(0);
    expect(out).toMatch(/^api: rollback approved; phase (rolling-back|verifying)/);
  });

  it('abort, mark-good and mark-bad', async () => {
    s = await serve();
    await guardingV2(s);
    expect((await cmd(s.url, OPERATOR, 'abort', 'api')).out).toMatch(/^api: guard aborted; phase idle/);
    expect((await cmd(s.url, OPERATOR, 'mark-bad', 'api', '2')).out).toBe('api: v2 marked bad\n');
    expect((await cmd(s.url, OPERATOR, 'mark-good', 'api', '2', '--reason', 'false alarm')).out).toBe('api: v2 marked good\n');
    const unknown = await cmd(s.url, OPERATOR, 'mark-good', 'api', '99');
    expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining('WD_ERR_RELEASE_UNKNOWN') });
  });

  it.each([
    [1, 0, 'passed: image passed its guard in v1 of api'],
    [2, 1, 'pending: v2 of api carries the image and is pending'],
  ])('gate for image %i exits %i', async (n, exit, line) => {
    s = await serve();
    await guardingV2(s);
    const { code, out } = await cmd(s.url, VIEWER, 'gate', 'api', image(n));
    expect(code).toBe(exit);
    expect(out.split('\n')[0]).toBe(line);
  });

  it('gate exits 1 on failed', async () => {
    s = await serve();
    await guardingV2(s);
    await s.watchdog.runner('api').command({ kind: 'mark', version: 2, verdict: 'bad', by: 'test' });
    const { code, out } = await cmd(s.url, VIEWER, 'gate', 'api', image(2));
    expect(code).toBe(1);
    expect(out).toMatch(/^failed: image judged bad in v2 of api/);
  });

  it('incidents lists the daemon’s incidents', async () => {
    s = await serve();
    const { code, out } = await cmd(s.url, VIEWER, 'incidents');
    expect(code).toBe(0);
    expect(out).toContain('no incidents');
  });

  it('a missing or wrong token is a refusal (exit 1), not a crash', async () => {
    s = await serve();
    expect(await cmd(s.url, undefined, 'status')).toMatchObject({ code: 1, err: expect.stringContaining('WD_ERR_UNAUTHORIZED') });
    expect(await cmd(s.url, 'nope-0123456789abcdef', 'status')).toMatchObject({ code: 1 });
  });
});

describe('usage errors exit 2 before any request', () => {
  it.each([
    [['rollback'], 'missing TARGET'],
    [['rollback', 'api', '--to', 'v1'], '--to must be a release number'],
    [['rollback', 'api', '--to', '1', '--image', 'x'], 'give --to or --image, not both'],
    [['mark-bad', 'api'], 'missing VERSION'],
    [['mark-bad', 'api', '0'], 'VERSION must be a release number'],
    [['status', 'extra'], 'unexpected argument: extra'],
    [['status', '--force'], "Unknown option '--force'"],
    [['gate', 'api'], 'missing IMAGE'],
    [['status', '--url', 'ftp://x'], '--url must be http(s)'],
    [['status', '--url', 'http://ops:secret@127.0.0.1:1'], 'must not hold credentials'],
  ])('%j → %s', async (args, message) => {
    const [command, ...rest] = args as [string, ...string[]];
    const { code, err } = await cmd('http://127.0.0.1:1', OPERATOR, command, ...rest);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).not.toContain('secret');
  });
});

describe('an unreachable daemon exits 3', () => {
  it('when nothing listens on the port', async () => {
    s = await serve();
    const url = s.url;
    await s.app.close(); // the port is free again
    const { code, err } = await cmd(url, VIEWER, 'status');
    expect(code).toBe(3);
    expect(err).toContain(`Cannot reach the watchdog at ${url}`);
    expect(err).not.toContain(VIEWER);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS } from './fixtures.ts';
import { makeNotifier, SECRET_PATH, stopAll } from './harness.ts';
import { startReceiver, until, type Receiver, type Reply } from './receiver.ts';

const receivers: Receiver[] = [];
async function receiver(replies: Reply[] = [{ status: 200 }]): Promise<Receiver> {
  const r = await startReceiver(replies);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await stopAll();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const slack = (r: Receiver, extra: Record<string, unknown> = {}) => ({ name: 'ops-slack', type: 'slack' as const, webhookUrl: r.url(SECRET_PATH), ...extra });
const kindsReceived = (r: Receiver) => r.requests.map((q) => (JSON.parse(q.body) as { event: { kind: string } }).event.kind);

describe('Notifier delivery', () => {
  it('acceptance: Slack fails twice with 500, the third try delivers, and notify() returned before any attempt', async () => {
    const r = await receiver([{ status: 500 }, { status: 500 }, { status: 200 }]);
    const h = makeNotifier({ channels: [slack(r)] });

    const returned = h.notifier.notify(EVENTS['rollback-failed']);

    // Synchronously after notify(): queued, but no request even started.
    expect(returned).toBeUndefined();
    expect(h.agent.dispatches).toBe(0);
    expect(h.notifier.depth).toBe(1);
    await h.notifier.idle();
    expect(r.requests).toHaveLength(3);
    expect(h.metrics.delivered).toEqual(['ops-slack/rollback-failed']);
    expect(h.metrics.failed).toEqual([]);
    // Exponential backoff from 1s, jitter pinned at 0.5: 0.75 × 1000, then 0.75 × 2000.
    expect(h.clock.sleeps).toEqual([750, 1500]);
    const body = JSON.parse(r.requests[2]?.body ?? '{}') as { text: string; blocks: unknown[] };
    expect(body.text).toContain('ROLLBACK FAILED for api (production)');
    expect(body.blocks.length).toBeGreaterThan(2);
    expect(h.metrics.depths.at(-1)).toBe(0);
  });

  it('when 429 with Retry-After then waits exactly that long, capped at maxDelay', async () => {
    const r = await receiver([
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 200 },
    ]);
    const h = makeNotifier({ channels: [slack(r)], retry: { maxDelay: '1m' } });
    h.notifier.notify(EVENTS['rollback-held']);
    await h.notifier.idle();
    expect(h.clock.sleeps).toEqual([7000, 60_000]);
    expect(h.metrics.delivered).toEqual(['ops-slack/rollback-held']);
  });

  it('when 400 then no retry, counted permanent', async () => {
    const r = await receiver([{ status: 400, body: 'invalid_blocks' }]);
    const h = makeNotifier({ channels: [slack(r)] });
    h.notifier.notify(EVENTS['rollback-started']);
    await h.notifier.idle();
    expect(r.requests).toHaveLength(1);
    expect(h.clock.sleeps).toEqual([]);
    expect(h.metrics.failed).toEqual(['ops-slack/rollback-started/permanent']);
    expect(h.records).toContainEqual(expect.objectContaining({ msg: 'notification rejected by receiver, not retrying', status: 400, level: 50 }));
  });

  it('when every attempt fails then counted exhausted after `attempts` tries', async () => {
    const r = await receiver([{ status: 503 }]);
    const h = makeNotifier({ channels: [slack(r)], retry: { attempts: 3, initialDelay: '100ms' } });
    h.notifier.notify(EVENTS['rollback-failed']);
    await h.notifier.idle();
    expect(r.requests).toHaveLength(3);
    expect(h.clock.sleeps).toEqual([75, 150]);
    expect(h.metrics.failed).toEqual(['ops-slack/rollback-failed/exhausted']);
    expect(h.metrics.delivered).toEqual([]);
  });

  it('keeps order per channel, a retried message included', async () => {
    const r = await receiver([{ status: 502 }, { status: 200 }]);
    const h = makeNotifier({ channels: [{ name: 'hook', type: 'webhook', url: r.url() }] });
    h.notifier.notify(EVENTS['release-failing']);
    h.notifier.notify(EVENTS['rollback-started']);
    h.notifier.notify(EVENTS['rollback-finished']);
    await h.notifier.idle();
    expect(kindsReceived(r)).toEqual(['release-failing', 'release-failing', 'rollback-started', 'rollback-finished']);
  });

  it('when the queue is full then the oldest is dropped, counted and warned about', async () => {
    const r = await receiver();
    const h = makeNotifier({ channels: [{ name: 'hook', type: 'webhook', url: r.url() }], queueLimit: 2 });
    for (const kind of ['deploy-guarded', 'release-failing', 'rollback-started', 'rollback-finished', 'postmortem-required'] as const) {
      h.notifier.notify(EVENTS[kind]);
    }
    expect(h.notifier.depth).toBe(2);
    await h.notifier.idle();
    expect(kindsReceived(r)).toEqual(['rollback-finished', 'postmortem-required']);
    expect(h.metrics.failed).toEqual(['hook/deploy-guarded/dropped', 'hook/release-failing/dropped', 'hook/rollback-started/dropped']);
    const warnings = h.records.filter((l) => l.msg === 'notification queue full, dropped the oldest message');
    expect(warnings.map((w) => w.droppedTotal)).toEqual([1, 2, 3]);
  });

  it('channels are independent: a hanging Slack does not delay the webhook', async () => {
    const stuck = await receiver(['hang']);
    const ok = await receiver();
    const h = makeNotifier({ channels: [slack(stuck), { name: 'hook', type: 'webhook', url: ok.url() }] });
    h.notifier.notify(EVENTS['rollback-failed']);
    await until(() => h.metrics.delivered.length === 1);
    expect(h.metrics.delivered).toEqual(['hook/rollback-failed']);
    expect(stuck.requests).toHaveLength(1); // Slack's request is still open
    expect(h.notifier.depth).toBe(1);
    await h.notifier.stop(0);
    expect(h.metrics.failed).toEqual(['ops-slack/rollback-failed/dropped']);
  });

  it('filters per channel by event kind and minimum severity', async () => {
    const all = await receiver();
    const loud = await receiver();
    const h = makeNotifier({
      channels: [
        { name: 'all', type: 'webhook', url: all.url() },
        { name: 'loud', type: 'webhook', url: loud.url(), events: ['rollback-failed', 'deploy-guarded', 'rollback-started'], minSeverity: 'warning' },
      ],
    });
    for (const e of [EVENTS['deploy-guarded'], EVENTS['rollback-started'], EVENTS['rollback-held'], EVENTS['rollback-failed']]) h.notifier.notify(e);
    await h.notifier.idle();
    expect(kindsReceived(all)).toEqual(['deploy-guarded', 'rollback-started', 'rollback-held', 'rollback-failed']);
    expect(kindsReceived(loud)).toEqual(['rollback-started', 'rollback-failed']);
  });

  it('pages PagerDuty on a held rollback and resolves the same incident when the rollback is verified', async () => {
    const pd = await receiver([{ status: 202 }]);
    const h = makeNotifier({ channels: [{ name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY0000000000', url: pd.url('/v2/enqueue') }] });
    for (const e of [EVENTS['deploy-guarded'], EVENTS['rollback-held'], EVENTS['rollback-finished']]) h.notifier.notify(e);
    await h.notifier.idle();
    const bodies = pd.requests.map((q) => JSON.parse(q.body) as { event_action: string; dedup_key: string; routing_key: string });
    expect(bodies.map((b) => b.event_action)).toEqual(['trigger', 'resolve']);
    expect(bodies[0]?.dedup_key).toBe(bodies[1]?.dedup_key);
    expect(bodies[0]?.routing_key).toBe('R0UTINGKEY0000000000');
    expect(h.lines.join('\n')).not.toContain('R0UTINGKEY');
  });
});

describe('Notifier never throws into the caller', () => {
  it('when an event cannot be formatted then it is counted permanent, and later events still go', async () => {
    const r = await receiver();
    const h = makeNotifier({ channels: [{ name: 'hook', type: 'webhook', url: r.url() }] });
    const broken = { ...EVENTS['rollback-started'], from: undefined } as unknown as (typeof EVENTS)['rollback-started'];
    expect(() => h.notifier.notify(broken)).not.toThrow();
    expect(() => h.notifier.notify(null as never)).not.toThrow();
    h.notifier.notify(EVENTS['rollback-finished']);
    await h.notifier.idle();
    expect(h.metrics.failed).toEqual(['hook/rollback-started/permanent']);
    expect(h.metrics.delivered).toEqual(['hook/rollback-finished']);
    expect(h.records).toContainEqual(expect.objectContaining({ msg: 'notification could not be formatted', errorCode: 'TypeError' }));
  });

  it('masks registered secrets in event text before sending', async () => {
    const r = await receiver();
    const { SecretRegistry } = await import('../../src/infra/secrets.ts');
    const secrets = new SecretRegistry();
    secrets.add('fo1_flytoken_abcdef');
    const h = makeNotifier({ channels: [slack(r)] }, { secrets });
    h.notifier.notify({ ...EVENTS['rollback-failed'], reason: 'flyctl: token fo1_flytoken_abcdef rejected' });
    await h.notifier.idle();
    expect(r.requests[0]?.body).not.toContain('fo1_flytoken_abcdef');
    expect(r.requests[0]?.body).toContain('[REDACTED]');
  });
});

/**
 * The audit trail's bounds (issue 16), on a clock the test moves: refusals counted per source and
 * minute and written once the minute is over, retention by age and by count, and masking of rows
 * stored before masking existed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/infra/secrets.ts';
import { TestClock } from '../support/test-clock.ts';
import { bearer, harness, OPERATOR, VIEWER, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('audit trail: refusals counted per source and minute', () => {
  it('writes a minute once it is over: at the next refusal, or at the next tick', async () => {
    const clock = new TestClock('auto', START);
    h = await harness({ clock });
    const post = (token?: string) => h!.app.inject({ method: 'POST', url: '/api/v1/pause', ...(token && { headers: bearer(token) }), remoteAddress: '192.0.2.7' });
    for (let i = 0; i < 3; i++) await post();
    await post(VIEWER);
    expect(await h.store.listAudit()).toEqual([]); // the minute is not over yet

    await clock.sleep(MINUTE);
    await post(); // a refusal in the next minute writes the last one's counts
    const first = await h.store.listAudit();
    expect(first.map((e) => [e.actor, e.role, e.status, e.count, e.source, e.at])).toEqual([
      ['grafana', 'viewer', 403, undefined, '192.0.2.7', START],
      ['anonymous', 'none', 401, 3, '192.0.2.7', START],
    ]);

    await clock.sleep(MINUTE);
    await h.app.auditTrail.tick(); // no refusal since: the timer writes it
    expect((await h.store.listAudit(1))[0]).toMatchObject({ actor: 'anonymous', at: START + MINUTE });
    expect(await h.store.listAudit()).toHaveLength(3);
  });

  it('writes an operator action at once, with its address', async () => {
    h = await harness();
    await h.app.inject({ method: 'POST', url: '/api/v1/pause', headers: bearer(OPERATOR), remoteAddress: '198.51.100.4' });
    expect((await h.store.listAudit())[0]).toMatchObject({ actor: 'ops', action: 'pause-all', status: 200, source: '198.51.100.4' });
  });

  it('logs a refusal at debug only, and the minute it was counted in at info', async () => {
    h = await harness();
    for (let i = 0; i < 50; i++) await h.app.inject({ method: 'POST', url: '/api/v1/pause' });
    await h.app.auditTrail.flush(true);
    const audit = h.records.filter((r) => r.component === 'audit');
    expect(audit.filter((r) => r.level === 20)).toHaveLength(50);
    expect(audit.filter((r) => r.level === 30).map((r) => r.msg)).toEqual(['refused requests']);
  });
});

describe('audit trail: retention', () => {
  it('prunes entries past maxAge and beyond maxEntries every minute', async () => {
    const clock = new TestClock('auto', START);
    h = await harness({ clock, auditRetention: { maxAgeMs: 10 * MINUTE, maxEntries: 3 } });
    const act = () => h!.app.inject({ method: 'POST', url: '/api/v1/resume', headers: bearer(OPERATOR) });
    for (let i = 0; i < 5; i++) await act();
    await h.app.auditTrail.tick();
    expect(await h.store.listAudit()).toHaveLength(3);
    await clock.sleep(11 * MINUTE);
    await act();
    await h.app.auditTrail.tick();
    expect((await h.store.listAudit()).map((e) => e.at)).toEqual([START + 11 * MINUTE]);
    expect(h.records.some((r) => r.msg === 'pruned the audit trail' && r.removed === 3)).toBe(true);
  });
});

describe('audit trail: served masked', () => {
  it('masks, in GET /audit, secrets in rows stored before masking existed', async () => {
    const secrets = new SecretRegistry();
    secrets.add(OPERATOR);
    h = await harness({ secrets });
    // As the code before issue 16 stored it.
    await h.store.appendAudit({ at: 1, actor: 'ops', role: 'operator', action: 'pause', params: { body: { reason: `Bearer ${OPERATOR}`, token: 'raw-token' } }, status: 400, result: 'refused' });
    const res = await h.app.inject({ url: '/api/v1/audit', headers: bearer(OPERATOR) });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(OPERATOR);
    expect(res.body).not.toContain('raw-token');
    expect(res.json().entries[0]).toMatchObject({ params: { body: { reason: 'Bearer [REDACTED]', token: '[REDACTED]' } } });
  });
});

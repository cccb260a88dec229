/**
 * The status page in real headless Chromium, against the simulator and the real daemon process.
 * The tests run in order and share one stack, one browser and two tabs (an overview and a target
 * page) opened before the bad deploys, so every update they show arrived live, without a reload.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MASK } from '../../src/infra/secrets.ts';
import type { DaemonProcess } from '../integration/daemon-process.ts';
import type { Stack } from '../integration/stack.ts';
import { pollUntil } from '../support/poll.ts';
import type { PageElement, PageWindow } from './page-globals.ts';
import { ARTIFACTS, launchBrowser, openPage, Recorder, screenshot, signIn, skipBrowser } from './browser.ts';
import { API, apiGet, OPERATOR_TOKEN, requestsServed, startUiStack, VIEWER_TOKEN, WORKER } from './ui-stack.ts';

/**
 * "Within one poll": the daemon polls `fly releases` every second here; the slack covers a fake
 * flyctl process starting on a loaded 2-core CI machine. The page's own full refresh runs every
 * 30 s, so only the live feed can meet this bound.
 */
const WITHIN_ONE_POLL_MS = 1_000 + 3_000;

describe.skipIf(skipBrowser)('the status page in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let base = '';
  const seen = new Recorder();
  const daemons: DaemonProcess[] = [];
  let overview: Page;
  let target: Page;

  let stableSince = 0; // API's request count when v1 became the stable release

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startUiStack(), launchBrowser()]);
    daemons.push(stack.daemon);
    base = stack.daemon.url;
  }, 60_000);

  // A failed wait says little by itself: keep what each tab showed, and what the daemon decided.
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    const tabs = Object.entries({ overview, target }).filter(([, page]) => page && !page.isClosed());
    await Promise.all(tabs.map(([name, page]) => screenshot(page, `failed-${task.name.slice(0, 24).replace(/\W+/g, '-')}-${name}.png`).catch(() => undefined)));
    const daemonErrors = stack.daemon.records.filter((r) => (r.level as number) >= 50).map((r) => JSON.stringify(r));
    console.error(`page errors: ${JSON.stringify(seen.pageErrors)}\nconsole: ${seen.console.slice(-20).join('\n')}\ndaemon errors:\n${daemonErrors.join('\n')}\ndecisions:\n${stack.daemon.decisionLog()}`);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('lists every target on the overview, and shows a bad deploy within one poll', async () => {
    overview = await openPage(browser, seen);
    await signIn(overview, `${base}/`, OPERATOR_TOKEN);
    // v1 of each target is guarded first (5 s for API): the page shows it become stable.
    await overview.waitForSelector(`#targets tr[data-target="${API}"][data-phase="stable"]`, { timeout: 30_000 });
    stableSince = requestsServed(stack, API);
    await overview.waitForSelector(`#targets tr[data-target="${WORKER}"][data-phase="stable"]`);
    // Environment, state, running release, last known good (read per target after the list).
    await overview.waitForFunction(
      (name: string) => /test.*stable.*v1.*v1/s.test((globalThis as unknown as PageWindow).document.querySelector(`#targets tr[data-target="${name}"]`)?.textContent ?? ''),
      { polling: 50 },
      API,
    );

    // The target page is open before the deploy: what it shows later arrived live.
    target = await openPage(browser, seen);
    await signIn(target, `${base}/targets/${API}`, OPERATOR_TOKEN);
    await target.waitForSelector('#summary [data-phase="stable"]');
    await target.evaluate(() => {
      (globalThis as unknown as PageWindow).sameDocument = true;
    });

    // The bad release is judged against the stable one's traffic (at least minBaselineRequests, 200).
    // The requests served until the guard starts can count toward it too (the baseline is kept in
    // minute blocks: src/guard/step/on-error-rate.ts), so wait for a baseline large enough, and fail clearly enough, that
    // those few cannot hide the failure.
    await pollUntil(() => requestsServed(stack, API) >= stableSince + 1000, { timeoutMs: 20_000, what: 'a clean baseline' });
    const bad = await stack.sim.deploy(API, stack.sim.buildImage(API, 'errors:50'));
    const deployed = Date.now();
    await overview.bringToFront();
    await overview.waitForFunction(
      (name: string, version: number) => {
        const tr = (globalThis as unknown as PageWindow).document.querySelector(`#targets tr[data-target="${name}"]`);
        return tr !== null && tr.dataset.phase !== 'stable' && (tr.textContent ?? '').includes(`v${version}`);
      },
      { polling: 50, timeout: 15_000 },
      API,
      bad.version,
    );
    expect(Date.now() - deployed).toBeLessThan(WITHIN_ONE_POLL_MS);
  });

  it('charts the new release against its baseline and threshold, and shows the rollback in the timeline without a reload', async () => {
    await target.bringToFront();
    await target.waitForFunction(
      () => {
        const data = (globalThis as unknown as PageWindow).statusPage?.chart?.data;
        // A decisive first reading (50% errors against ~0%) can be the only one: the verdict follows it.
        if (!data || data[0]!.length < 1) return false;
        const [, rate, baseline, threshold] = data as number[][];
        // A healthy baseline can be exactly 0 (no errors in its sample): still a point. The decision
        // boundary sits above the baseline (tolerance × baseline, or the floor).
        return rate!.some((r) => r > 0.05) && baseline!.every((b, i) => Number.isFinite(b) && b >= 0 && threshold![i]! > b);
      },
      { polling: 100, timeout: 40_000 },
    ).catch(async (err: unknown) => {
      // Say what the chart held, so a failure explains itself.
      const held = await target.evaluate(() => JSON.stringify((globalThis as unknown as PageWindow).statusPage?.chart?.data ?? null));
      const title = await target.$eval('#chart-title', (h) => h.textContent);
      throw new Error(`the chart never showed the bad release's points (${String(err)}); title "${title}", data ${held.slice(0, 2000)}`);
    });
    expect(await target.$eval('#chart-title', (h) => h.textContent)).toMatch(/v2 against its baseline/);

    await target.waitForSelector('#journal li[data-kind="rollback-started"]', { timeout: 30_000 });
    await target.waitForSelector('#stages li[data-stage="verdict"][data-status="failed"]');
    await screenshot(target, 'target-during-rollback.png');
    if (process.env.UPDATE_README_SCREENSHOT) copyFileSync(join(ARTIFACTS, 'target-during-rollback.png'), join(import.meta.dirname, '../../docs/status-page-target.png'));
    await target.waitForSelector('#stages li[data-stage="verify"][data-status="done"]', { timeout: 30_000 });
    expect(await target.evaluate(() => (globalThis as unknown as PageWindow).sameDocument)).toBe(true);

    // The canvas itself: pixels in the rate's and the baseline's colours were drawn. (The threshold
    // is dashed and antialiased, so its pixel count says less; its data is checked above.)
    const drawn = await target.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      const chart = w.statusPage!.chart!;
      const { width, height } = chart.ctx.canvas;
      const pixels = chart.ctx.getImageData(0, 0, width, height).data;
      const count = (cssVar: string) => {
        const hex = w.getComputedStyle(w.document.documentElement).getPropertyValue(cssVar).trim();
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
        let n = 0;
        for (let i = 0; i < pixels.length; i += 4) if (Math.abs(pixels[i]! - r) + Math.abs(pixels[i + 1]! - g) + Math.abs(pixels[i + 2]! - b) < 40) n++;
        return n;
      };
      return { rate: count('--chart-rate'), baseline: count('--chart-baseline') };
    });
    // Lines when there are two readings or more; a lone reading is drawn as dots.
    const readings = await target.evaluate(() => (globalThis as unknown as PageWindow).statusPage!.chart!.data[0]!.length);
    expect(drawn.rate).toBeGreaterThan(readings > 1 ? 30 : 0);
    // A baseline at 0 runs along the bottom edge, half clipped: fewer of its pixels show.
    expect(drawn.baseline).toBeGreaterThan(readings > 1 ? 10 : 0);
    // Probe results arrived as cells.
    expect(await target.$$eval('#probes .cell', (cells) => cells.length)).toBeGreaterThan(3);
  }, 120_000);

  it('puts a held rollback at the top of the overview, and an operator approves it by clicking', async () => {
    const good = stack.sim.currentImage(WORKER);
    await target.goto(`${base}/targets/${WORKER}`); // same tab: the session is kept
    await target.waitForSelector('#summary [data-phase="stable"]');
    const bad = await stack.sim.deploy(WORKER, stack.sim.buildImage(WORKER, 'down'));

    await overview.bringToFront();
    await overview.waitForSelector(`#held [data-target="${WORKER}"]`, { timeout: 20_000 });
    expect(await overview.$eval('#targets tr', (tr) => (tr as PageElement).dataset.target)).toBe(WORKER);
    await screenshot(overview, 'overview-held.png');

    await target.bringToFront();
    await target.waitForSelector('#actions [data-action="approve"]:not([disabled])');
    await target.click('#actions [data-action="approve"]');
    await target.waitForSelector('#confirm[open]');
    expect(await target.$eval('#confirm-body', (d) => d.textContent)).toMatch(new RegExp(`image of v1 .*replacing v${bad.version}`));
    await target.click('#confirm-ok');

    const rolledOut = () => stack.sim.releases(WORKER).some((r) => r.version > bad.version && r.imageRef === good && r.status === 'complete');
    await pollUntil(rolledOut, { timeoutMs: 20_000, what: 'the rollback deploy of the good image' });
    await target.waitForSelector('#journal li[data-kind="rollback-approved"]');
    await target.waitForSelector('#stages li[data-stage="verify"][data-status="done"]');
    const audit = await apiGet<{ entries: { actor: string; action: string; status: number }[] }>(stack, '/api/v1/audit');
    expect(audit.entries).toContainEqual(expect.objectContaining({ actor: 'oncall', action: 'approve', status: 202 }));
  });

  it('shows an incident with its timeline, evidence and rendered post-mortem draft', async () => {
    await Promise.all([target.waitForNavigation(), target.click('nav a[href="/incidents"]')]);
    const link = await target.waitForSelector(`#incidents tr[data-incident^="${API}-v2-"] a`);
    await Promise.all([target.waitForNavigation(), link!.click()]);
    await target.waitForSelector('#postmortem h2');
    expect(await target.$eval('#postmortem h2', (h) => h.textContent)).toBe(`Post-mortem draft: ${API} v2`);
    expect(await target.$$eval('#incident-timeline li', (items) => items.map((li) => (li as PageElement).dataset.kind))).toEqual(
      expect.arrayContaining(['release-failed', 'rollback-started', 'rollback-verified']),
    );
    await target.waitForSelector('#evidence [data-evidence="fly-logs"] pre');
    expect(await target.$eval('#postmortem-download', (a) => a.getAttribute('href'))).toMatch(/^blob:/);
    await screenshot(target, 'incident.png');
  });

  it('disables every action for a viewer, says why, and the API refuses a forced request with 403', async () => {
    const context = await browser.createBrowserContext(); // fresh session storage
    const viewer = await openPage(context, seen);
    await signIn(viewer, `${base}/targets/${WORKER}`, VIEWER_TOKEN);
    await viewer.waitForSelector('#releases tr');
    expect(await viewer.$eval('#actions-note', (p) => ((p as PageElement).hidden ? '' : p.textContent))).toMatch(/viewer token/);
    const enabled = await viewer.$$eval('[data-action]', (buttons) => buttons.filter((b) => !(b as PageElement).disabled).length);
    expect(await viewer.$$eval('[data-action]', (buttons) => buttons.length)).toBeGreaterThan(4);
    expect(enabled).toBe(0);
    const forced = await viewer.evaluate(async (name: string) => {
      const token = (globalThis as unknown as PageWindow).sessionStorage.getItem('rollback-watchdog.token');
      const res = await fetch(`/api/v1/targets/${name}/pause`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      return { status: res.status, code: ((await res.json()) as { code: string }).code };
    }, WORKER);
    expect(forced).toEqual({ status: 403, code: 'WD_ERR_FORBIDDEN' });

    // Phone-sized: nothing is wider than the screen.
    await viewer.setViewport({ width: 390, height: 844 });
    await viewer.goto(`${base}/`);
    await viewer.waitForSelector('#targets tr');
    expect(await viewer.evaluate(() => (globalThis as unknown as PageWindow).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(viewer, 'overview-phone.png');
    // Dark unless the browser prefers light.
    const background = () =>
      viewer.evaluate(() => {
        const w = globalThis as unknown as PageWindow;
        return w.getComputedStyle(w.document.body).backgroundColor;
      });
    expect(await background()).toBe('rgb(15, 18, 22)');
    await viewer.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
    expect(await background()).toBe('rgb(246, 247, 249)');
    await context.close();
  });

  it('reconnects on its own after the daemon restarts, and stays live', async () => {
    await overview.bringToFront();
    await stack.daemon.kill('SIGTERM');
    await overview.waitForSelector('#live[data-state="reconnecting"]');
    daemons.push(await stack.restart());
    await overview.waitForSelector('#live[data-state="live"]', { timeout: 20_000 });

    const next = await stack.sim.deploy(API, stack.sim.buildImage(API, 'healthy'));
    const deployed = Date.now();
    await overview.waitForFunction(
      (name: string, version: number) =>
        ((globalThis as unknown as PageWindow).document.querySelector(`#targets tr[data-target="${name}"]`)?.textContent ?? '').includes(`v${version}`),
      { polling: 50, timeout: 15_000 },
      API,
      next.version,
    );
    expect(Date.now() - deployed).toBeLessThan(WITHIN_ONE_POLL_MS);
  });

  it('never lets a token into a URL, an HTML page, a response, the console or the daemon log', async () => {
    await seen.settle();
    expect(seen.urls.some((u) => u.endsWith('/api/v1/events'))).toBe(true);
    expect(seen.bodies.some((b) => b.startsWith('<!doctype html>'))).toBe(true);
    const requestLines = daemons.flatMap((d) => d.records).filter((r) => typeof (r.req as { url?: unknown } | undefined)?.url === 'string');
    expect(requestLines.length).toBeGreaterThan(10);
    const daemonLog = daemons.flatMap((d) => [...d.records.map((r) => JSON.stringify(r)), ...d.stderr]);
    for (const token of [OPERATOR_TOKEN, VIEWER_TOKEN]) {
      const leaks = [...seen.urls, ...seen.bodies, ...seen.console, ...daemonLog].filter((text) => text.includes(token));
      expect(leaks).toEqual([]);
    }
    // The daemon masks known secrets in its log, which would hide a token that reached a URL: so
    // no request line may show the mask either.
    expect(requestLines.filter((r) => JSON.stringify(r.req).includes(MASK))).toEqual([]);
    expect(await browser.cookies()).toEqual([]);
    expect(await overview.evaluate(() => (globalThis as unknown as PageWindow).localStorage.length)).toBe(0);
    expect(seen.pageErrors).toEqual([]);
    expect(seen.console.filter((line) => /Content Security Policy|Uncaught/.test(line))).toEqual([]);
  });
});

/**
 * Headless Chromium for the status page tests (Debian package `chromium`, driven by puppeteer-core),
 * and a recorder of everything the browser saw: every request URL and body, every response body
 * it could read, every console message and page error. The token test greps all of it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
/** No browser on a developer machine: skip. In CI (CI set) a missing browser fails the run instead. */
export const skipBrowser = !existsSync(CHROME_PATH) && !process.env.CI;
export const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/ui');

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return puppeteer.launch({
    executablePath: CHROME_PATH,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    defaultViewport: { width: 1280, height: 900 },
  });
}

export class Recorder {
  readonly urls: string[] = [];
  readonly bodies: string[] = [];
  readonly console: string[] = [];
  readonly pageErrors: string[] = [];
  readonly #pending: Promise<unknown>[] = [];

  /** Records what `page` requests, receives and logs from now on. */
  attach(page: Page): Page {
    page.on('request', (req) => {
      this.urls.push(req.url());
      const body = req.postData();
      if (body) this.bodies.push(body);
    });
    page.on('response', (res) => {
      // An event stream never ends, so its body cannot be read here; its frames are the daemon's own.
      if ((res.headers()['content-type'] ?? '').startsWith('text/event-stream')) return;
      this.#pending.push(res.text().then((text) => this.bodies.push(text), () => undefined));
    });
    page.on('console', (msg) => this.console.push(`${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (err) => this.pageErrors.push(String(err)));
    return page;
  }

  /** Waits for the response bodies still being read. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#pending);
  }
}

/** A new tab that prefers the dark scheme (the page's default look), recorded by `recorder`. */
export async function openPage(browser: Browser | { newPage(): Promise<Page> }, recorder: Recorder): Promise<Page> {
  const page = recorder.attach(await browser.newPage());
  page.setDefaultTimeout(20_000);
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  return page;
}

/** Opens `url`, which shows the log-in form, and signs in by typing `token` into it. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('#login-token', { visible: true });
  await page.type('#login-token', token);
  await page.click('#login-form button[type="submit"]');
  await page.waitForSelector('#main', { visible: true });
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });

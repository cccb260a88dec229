/**
 * The few browser globals the tests read inside page.evaluate(), typed here so the project's one
 * TypeScript program stays without the DOM lib (nothing in src/ may compile against `document`).
 * Inside an evaluated function `globalThis` is the page's window:
 * `const w = globalThis as unknown as PageWindow` (the cast is erased before the function is sent).
 */
export interface PageElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  hidden: boolean;
  disabled: boolean;
  getAttribute(name: string): string | null;
}

export interface Canvas2d {
  canvas: { width: number; height: number };
  getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
}

export interface PageWindow {
  document: {
    querySelector(selector: string): PageElement | null;
    documentElement: PageElement & { scrollWidth: number };
    body: PageElement;
  };
  getComputedStyle(element: PageElement): { backgroundColor: string; getPropertyValue(name: string): string };
  localStorage: { length: number };
  sessionStorage: { getItem(key: string): string | null };
  /** Exposed by static/pages/target.js: the uPlot instance as drawn. */
  statusPage?: { chart?: { data: (number | null)[][]; ctx: Canvas2d } };
  /** Set by a test; still there later only if the page never reloaded. */
  sameDocument?: boolean;
}

/**
 * The browser the console's tests drive: Debian's Chromium through playwright-core (the
 * machine cannot download Playwright's own builds), axe-core injected into the page, and
 * screenshots written under `test-output/console/` (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT } from '../fixtures/server.ts';

export const SCREENSHOTS = join(ROOT, 'test-output', 'console');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Console {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export const openBrowser = async (): Promise<Console> => {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  // The console's Content-Security-Policy forbids inline scripts; axe is injected as one.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  return { browser, context, page, close: () => browser.close() };
};

interface Violation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical findings on the page as it is now (WCAG 2.1 A/AA and best practice). */
export const seriousViolations = async (page: Page): Promise<string[]> => {
  if (!(await page.evaluate("'axe' in window"))) await page.addScriptTag({ content: axe.source });
  const violations = (await page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((result) => result.violations)`)) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
};

/**
 * `<name>-1280.png` and `<name>-360.png` of the whole page, then back to the desktop width;
 * and fails if the page is wider than the phone's 360 px (something would scroll sideways).
 */
export const screenshots = async (page: Page, name: string): Promise<void> => {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 360, height: 800 });
  const overflow = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-360.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  if (overflow > 360) throw new Error(`${name} is ${overflow} px wide at a 360 px viewport`);
};

/** Drops `bytes` as a file named `name` on the element `selector` (dragenter, dragover, drop). */
export const dropFile = async (page: Page, selector: string, name: string, bytes: Uint8Array) => {
  // Page-side code is given as text: the tests are compiled without the DOM's types.
  const dataTransfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    const bytes = new Uint8Array(${JSON.stringify([...bytes])});
    transfer.items.add(new File([bytes], ${JSON.stringify(name)}, { type: 'application/zip' }));
    return transfer;
  })()`);
  for (const type of ['dragenter', 'dragover', 'drop'])
    await page.locator(selector).dispatchEvent(type, { dataTransfer });
};

export interface LoadMeasure {
  /** When the console had rendered its first page (its `console:rendered` mark), ms from navigation. */
  rendered: number;
  /** Chromium's first contentful paint, ms from navigation. */
  paint: number;
  files: number;
  /** The bytes that crossed the network for the page and its scripts and styles. */
  compressed: number;
  uncompressed: number;
}

/** What the browser measured of the page's initial load (Navigation and Resource Timing). */
export const measureLoad = async (page: Page): Promise<LoadMeasure> =>
  (await page.evaluate(`(() => {
    const navigation = performance.getEntriesByType('navigation')[0];
    const assets = performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname.startsWith('/console/'));
    const sum = (field) => navigation[field] + assets.reduce((total, r) => total + r[field], 0);
    return {
      rendered: performance.getEntriesByName('console:rendered')[0]?.startTime ?? NaN,
      paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      files: assets.length + 1,
      compressed: sum('encodedBodySize'),
      uncompressed: sum('decodedBodySize'),
    };
  })()`)) as LoadMeasure;

/**
 * Marks the document, and watches for the upload's progress bar: `marks` then tells whether
 * the page is still that document (no reload happened) and whether the bar showed.
 */
export const markDocument = (page: Page) =>
  page.evaluate(`(() => {
    window.sameDocument = true;
    window.sawProgress = false;
    new MutationObserver(() => {
      if (document.getElementById('upload-progress')) window.sawProgress = true;
    }).observe(document.body, { subtree: true, childList: true });
  })()`);

export const marks = async (page: Page) =>
  (await page.evaluate(
    '({ sameDocument: window.sameDocument === true, sawProgress: window.sawProgress === true })',
  )) as {
    sameDocument: boolean;
    sawProgress: boolean;
  };

/** What the console keeps in session storage. */
export const storedSession = async (page: Page) =>
  (await page.evaluate("sessionStorage.getItem('slipway.session')")) as string | null;

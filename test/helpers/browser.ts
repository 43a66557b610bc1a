// Headless Chromium for page tests: Debian's /usr/bin/chromium driven by playwright-core (playwright's own
// browser download does not work on this machine). Missing browser: CI fails, a laptop skips with a message.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether browser tests can run here; throws in CI, where the browser must be installed. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env['CI']) throw new Error(`browser tests: ${CHROMIUM_PATH} is missing in CI (apt-get install -y chromium)`);
  console.warn(`browser tests SKIPPED: ${CHROMIUM_PATH} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Everything a page did that a test may want to assert on: console errors, page errors, request URLs. */
export interface PageRecorder {
  errors: string[];
  requests: string[];
}

export function recordPage(page: Page): PageRecorder {
  const rec: PageRecorder = { errors: [], requests: [] };
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    if (isMissingReport(msg.text(), msg.location().url)) return;
    rec.errors.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => rec.errors.push(`pageerror: ${err.message}`));
  page.on('request', (req) => rec.requests.push(req.url()));
  return rec;
}

/**
 * A sidecar without the reports route answers `GET /report` with 404, and one whose first report is not
 * published yet with 503; the page shows a placeholder for both. The browser's own log line for that answer
 * is not a page error. Any other failed load still counts.
 */
export function isMissingReport(text: string, url: string): boolean {
  if (!/status of (404|503)\b/.test(text)) return false;
  try {
    return new URL(url).pathname.endsWith('/report');
  } catch {
    return false;
  }
}

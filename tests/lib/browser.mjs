// browser.mjs — Debian's chromium through playwright-core, and axe-core.
//
//   const browser = await launchBrowser();
//   const page = await (await browser.newContext()).newPage();
//   const problems = watchPage(page);          // console errors, CSP, JS errors
//   await page.goto(url);
//   const violations = await runAxe(page);
//   assert.equal(violations.length, 0, formatViolations(violations));

import path from 'node:path';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { REPO } from './server.mjs';

export const CHROMIUM = process.env.RATHAUS_CHROMIUM || '/usr/bin/chromium';
const AXE_PATH = path.join(REPO, 'node_modules/axe-core/axe.min.js');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// launchBrowser() → a Browser. Our own (ref'd) timer bounds the start, so a
// launch that hangs fails with a message instead of leaving the test runner
// with an empty event loop.
export async function launchBrowser({ timeoutMs = 60000 } = {}) {
  let timer;
  const launch = chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: timeoutMs,
  });
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${CHROMIUM} did not start within ${timeoutMs + 5000} ms`)), timeoutMs + 5000);
  });
  try {
    return await Promise.race([launch, guard]);
  } finally {
    clearTimeout(timer);
  }
}

// watchPage(page) → {errors: [...], pause(), resume()}: console errors (CSP
// refusals among them), uncaught exceptions and failed sub-resources (with
// their URL) while not paused. Pause it before injecting test code, which the
// page's CSP may refuse. /favicon.ico is left out: Chromium asks for it on its
// own, whatever the page says.
export function watchPage(page) {
  const w = { errors: [], paused: false };
  w.pause = () => (w.paused = true);
  w.resume = () => (w.paused = false);
  page.on('console', (m) => {
    // "Failed to load resource" carries no URL; the response handler reports it with one.
    if (!w.paused && m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      w.errors.push(`${page.url()}: console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    if (!w.paused) w.errors.push(`${page.url()}: uncaught: ${e.message}`);
  });
  page.on('response', (r) => {
    const req = r.request();
    if (w.paused || r.status() < 400 || req.isNavigationRequest()) return;
    if (new URL(r.url()).pathname === '/favicon.ico') return;
    w.errors.push(`${page.url()}: ${req.resourceType()} ${r.url()} → HTTP ${r.status()}`);
  });
  page.on('requestfailed', (req) => {
    // Chromium asks for the favicon after the page has loaded; when the test moves
    // on at once, the navigation aborts that request. Not the server's doing (a
    // favicon the server fails to give still shows up above as an HTTP error).
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && /\/favicon\.(svg|ico)$/.test(new URL(req.url()).pathname)) return;
    if (!w.paused) w.errors.push(`${page.url()}: ${req.resourceType()} ${req.url()} failed: ${req.failure()?.errorText}`);
  });
  return w;
}

// newContext(browser, opts) — a context for a German-speaking visitor (the
// city's default language), unless opts says otherwise.
export function newContext(browser, opts = {}) {
  return browser.newContext({ locale: 'de-DE', ...opts });
}

// Makes window.axe available. addScriptTag inserts an inline <script>, which a
// CSP without 'unsafe-inline' (ours) refuses; then the same source goes in
// through the DevTools protocol, which the page's CSP does not govern.
export async function injectAxe(page) {
  if (await page.evaluate(() => typeof window.axe !== 'undefined')) return;
  try {
    await page.addScriptTag({ path: AXE_PATH });
  } catch {
    /* refused by CSP: fall through */
  }
  if (await page.evaluate(() => typeof window.axe !== 'undefined')) return;
  const src = readFileSync(AXE_PATH, 'utf8');
  await page.evaluate(`(() => { ${src}\n; return typeof window.axe; })()`);
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) throw new Error('could not load axe-core into the page');
}

// runAxe(page) → axe violations for WCAG 2.0/2.1 A and AA on the whole document.
export async function runAxe(page) {
  await injectAxe(page);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  return result.violations;
}

// One readable block per violation: id, impact, help, where.
export function formatViolations(violations, where = '') {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 8)
        .map((n) => `      ${n.target.join(' ')}\n        ${(n.failureSummary ?? '').split('\n').join('\n        ')}`)
        .join('\n');
      const more = v.nodes.length > 8 ? `\n      … and ${v.nodes.length - 8} more` : '';
      return `  ${where}${v.id} [${v.impact}] ${v.help}\n    ${v.helpUrl}\n${nodes}${more}`;
    })
    .join('\n');
}

// switchLanguage(page, lang) — uses the language form on the current page the
// way a visitor would (button, select or radio), then waits for <html lang>.
export async function switchLanguage(page, lang) {
  const form = page.locator('form[action="/sprache"]');
  if ((await form.count()) === 0) throw new Error(`${page.url()}: no language form`);
  const button = form.locator(
    `button[name="lang"][value="${lang}"], input[type="submit"][name="lang"][value="${lang}"]`,
  );
  const oneForm = page.locator(`form[action="/sprache"]:has(input[type="hidden"][name="lang"][value="${lang}"])`);
  if ((await button.count()) > 0) {
    await button.first().click();
  } else if ((await oneForm.count()) > 0) {
    await oneForm.first().locator('button, input[type="submit"]').first().click();
  } else if ((await form.locator('select[name="lang"]').count()) > 0) {
    const f = form.filter({ has: page.locator('select[name="lang"]') }).first();
    await f.locator('select[name="lang"]').selectOption(lang);
    await f.locator('button, input[type="submit"]').first().click();
  } else if ((await form.locator(`input[type="radio"][name="lang"][value="${lang}"]`).count()) > 0) {
    const f = form.filter({ has: page.locator(`input[type="radio"][name="lang"][value="${lang}"]`) }).first();
    await f.locator(`input[type="radio"][name="lang"][value="${lang}"]`).check();
    await f.locator('button, input[type="submit"]').first().click();
  } else {
    throw new Error(`${page.url()}: the language form offers no way to choose ${lang}`);
  }
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: 10000 });
}

// axe.test.mjs — WCAG 2.1 AA (axe-core, tags wcag2a/2aa/21a/21aa) on every page
// a visitor can reach from the start page by following links, in German and,
// after switching with the language form, in English; also the feedback form
// in its error state. On the way it fails on broken internal links, pages in
// the wrong language, and console errors (CSP refusals, script errors).
// SQLite with demo data for the full crawl; a smoke pass on PostgreSQL.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, describePg, testCleanExit } from '../lib/server.mjs';
import { launchBrowser, watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';

const MAX_PAGES = 150; // per language; a guard against endless link spaces
const SKIP_PATH = /^\/(static|events|metrics|healthz|api|_test)(\/|$)/;
const NON_HTML = /\.(pdf|ics|csv|xml|json|zip|png|jpe?g|svg|txt|webmanifest|eml)$/i;

// crawl(page, base, lang) → {visited, broken, wrongLang, axe: [[url, violations]], errors}
async function crawl(page, base, lang, watch) {
  const origin = new URL(base).origin;
  const queue = ['/'];
  const seen = new Set(queue);
  const out = { visited: [], broken: [], wrongLang: [], axe: [], errors: [] };
  while (queue.length && out.visited.length < MAX_PAGES) {
    const path = queue.shift();
    watch.errors.length = 0;
    watch.resume();
    let res;
    try {
      res = await page.goto(base + path, { waitUntil: 'load', timeout: 15000 });
    } catch (e) {
      out.broken.push(`${path}: ${e.message.split('\n')[0]}`);
      continue;
    }
    const ct = res?.headers()['content-type'] ?? '';
    if (!res || res.status() !== 200) {
      out.broken.push(`${path}: HTTP ${res?.status()}`);
      continue;
    }
    if (!ct.startsWith('text/html')) continue;
    out.visited.push(path);
    await page.waitForTimeout(50); // late console messages
    watch.pause();
    out.errors.push(...watch.errors);
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) out.wrongLang.push(`${path}: lang="${htmlLang}"`);
    const violations = await runAxe(page);
    if (violations.length) out.axe.push([path, violations]);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
    for (const h of hrefs) {
      let u;
      try {
        u = new URL(h);
      } catch {
        continue;
      }
      if (u.origin !== origin) continue;
      const p = u.pathname + u.search;
      if (SKIP_PATH.test(u.pathname) || NON_HTML.test(u.pathname) || seen.has(p)) continue;
      seen.add(p);
      queue.push(p);
    }
  }
  return out;
}

function report(lang, r) {
  const lines = [`${lang}: ${r.visited.length} pages checked`];
  if (r.broken.length) lines.push(`broken links:\n  ${r.broken.join('\n  ')}`);
  if (r.wrongLang.length) lines.push(`pages in the wrong language:\n  ${r.wrongLang.join('\n  ')}`);
  if (r.errors.length) lines.push(`console errors:\n  ${r.errors.join('\n  ')}`);
  for (const [p, v] of r.axe) lines.push(`axe on ${p}:\n${formatViolations(v)}`);
  return lines.join('\n');
}

describe('sqlite (demo data)', { timeout: 240000 }, () => {
  let srv;
  let browser;
  before(async () => {
    srv = await startServer({ engine: 'sqlite', demo: true });
    browser = await launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
    if (srv) await srv.stopAndCheck();
  });

  test('every page reachable from the start page, in German: no axe violations', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watchPage(page);
    const r = await crawl(page, srv.base, 'de', w);
    await ctx.close();
    console.log(`de: ${r.visited.length} pages: ${r.visited.join(' ')}`);
    assert.ok(r.visited.length >= 5, `only ${r.visited.length} pages reached from /: ${r.visited.join(' ')}`);
    const ok = !r.broken.length && !r.wrongLang.length && !r.errors.length && !r.axe.length;
    assert.ok(ok, report('de', r));
  });

  test('the same pages in English (switched with the language form): no axe violations', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watchPage(page);
    await page.goto(srv.base + '/');
    await switchLanguage(page, 'en');
    const r = await crawl(page, srv.base, 'en', w);
    await ctx.close();
    assert.ok(r.visited.length >= 5, `only ${r.visited.length} pages reached from /`);
    const ok = !r.broken.length && !r.wrongLang.length && !r.errors.length && !r.axe.length;
    assert.ok(ok, report('en', r));
  });

  for (const lang of ['de', 'en']) {
    test(`the feedback form in its error state (${lang}): no axe violations, error announced`, async () => {
      const ctx = await newContext(browser);
      const page = await ctx.newPage();
      const w = watchPage(page);
      await page.goto(srv.base + '/barrierefreiheit');
      if (lang === 'en') await switchLanguage(page, 'en');
      const form = page.locator('form[action="/barrierefreiheit/rueckmeldung"]');
      await form.locator('[name="nachricht"]').fill('Die Schrift ist zu klein.');
      // A text file as "screenshot": accepted by the picker, refused by the server.
      await form.locator('input[type="file"][name="bildschirmfoto"]').setInputFiles({
        name: 'notiz.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('kein Bild'),
      });
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/barrierefreiheit/rueckmeldung') && r.request().method() === 'POST'),
        form.locator('button[type="submit"], button:not([type]), input[type="submit"]').first().click(),
      ]);
      await page.waitForLoadState('load');
      assert.equal(resp.status(), 422, 'the server refused the text file');
      const problems = [];
      if ((await page.locator('[name="nachricht"]').inputValue()) !== 'Die Schrift ist zu klein.') problems.push('the message was not kept');
      if ((await page.locator('[role="alert"]').count()) === 0) problems.push('no error summary (role="alert") on the page');
      if ((await page.locator('[aria-invalid="true"]').count()) === 0) problems.push('no field marked aria-invalid');
      w.pause();
      const v = await runAxe(page);
      await ctx.close();
      if (v.length) problems.push(formatViolations(v, '/barrierefreiheit/rueckmeldung (error) '));
      assert.deepEqual(problems, []);
      assert.deepEqual(w.errors, []);
    });
  }

  testCleanExit(() => srv);
});

describePg('postgres smoke', { timeout: 120000 }, () => {
  let srv;
  let browser;
  before(async () => {
    srv = await startServer({ engine: 'postgres', demo: true });
    browser = await launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
    if (srv) await srv.stopAndCheck();
  });

  test('the start page: no axe violations', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const w = watchPage(page);
    const res = await page.goto(srv.base + '/');
    assert.equal(res.status(), 200);
    w.pause();
    const v = await runAxe(page);
    await ctx.close();
    assert.equal(v.length, 0, formatViolations(v, '/ '));
    assert.deepEqual(w.errors, []);
  });

  testCleanExit(() => srv);
});

// services-catalogue.test.mjs — the service catalogue in a real browser: zero
// axe violations (WCAG 2.1 A/AA, as axe.test.mjs runs it) on the A–Z list, a
// search with results, a search that finds nothing, a query that is too long
// (the error state), a life situation, a service, its Leichte-Sprache page and
// the 404 page — in German and, after switching with the language form, in
// English; no console errors or CSP refusals. Then the way a keyboard user takes:
// from the start page with Tab and Enter only to the catalogue, a search typed
// into the box, and the first result's service page. SQLite; a smoke pass on
// PostgreSQL.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testCleanExit, describePg } from '../lib/server.mjs';
import { launchBrowser, watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';

const PAGES = [
  ['/leistungen', 200],
  ['/leistungen/suche?q=Reisep%C3%A4sse', 200],
  ['/leistungen/suche?q=Xylophonunterricht', 200],
  ['/leistungen/suche?q=', 200],
  [`/leistungen/suche?q=${'a'.repeat(201)}`, 422],
  ['/leistungen/lebenslagen/umzug', 200],
  ['/leistungen/reisepass', 200],
  ['/leistungen/zweckentfremdung-meldung', 200],
  ['/leistungen/personalausweis/leichte-sprache', 200],
  ['/leistungen/gibt-es-nicht', 404],
];

// Visits each page in lang and collects every problem: status, language, console, axe.
async function checkPages(browser, base, lang, pages) {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  const problems = [];
  if (lang !== 'de') {
    await page.goto(base + '/leistungen');
    await switchLanguage(page, lang);
  }
  const watch = watchPage(page);
  for (const [path, status] of pages) {
    watch.errors.length = 0;
    watch.resume();
    const res = await page.goto(base + path, { waitUntil: 'load' });
    if (res.status() !== status) problems.push(`${path}: HTTP ${res.status()}, expected ${status}`);
    await page.waitForTimeout(50);
    watch.pause();
    problems.push(...watch.errors.map((e) => `${path}: ${e}`));
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) problems.push(`${path}: <html lang="${htmlLang}">, expected ${lang}`);
    const h1 = await page.locator('h1').count();
    if (h1 !== 1) problems.push(`${path}: ${h1} h1 elements`);
    const v = await runAxe(page);
    if (v.length) problems.push(`axe on ${path} (${lang}):\n${formatViolations(v)}`);
  }
  await ctx.close();
  return problems;
}

// What has the focus: tag, text, href, name.
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), text: (el?.innerText ?? '').trim(), href: el?.getAttribute('href'), name: el?.getAttribute('name') };
  });

// Presses Tab until pred(focused) holds; fails after max presses.
async function tabTo(page, pred, what, max = 150) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (pred(f)) return f;
  }
  throw new Error(`Tab never reached ${what} on ${page.url()}`);
}

describe('service catalogue in the browser (SQLite)', { timeout: 300000 }, () => {
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

  test('axe: zero violations on every kind of catalogue page, in German', async () => {
    const problems = await checkPages(browser, srv.base, 'de', PAGES);
    assert.deepEqual(problems, [], problems.join('\n\n'));
  });

  test('axe: zero violations on the same pages in English', async () => {
    const problems = await checkPages(browser, srv.base, 'en', PAGES);
    assert.deepEqual(problems, [], problems.join('\n\n'));
  });

  test('the search works without JavaScript', async () => {
    const ctx = await newContext(browser, { javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(srv.base + '/leistungen');
    await page.fill('input[name="q"]', 'Ferienwohnungen');
    await Promise.all([page.waitForURL(/\/leistungen\/suche\?q=Ferienwohnungen/), page.click('form[role="search"] button[type="submit"]')]);
    const first = await page.locator('ol.catalogue-results a').first().getAttribute('href');
    const value = await page.inputValue('input[name="q"]');
    await ctx.close();
    assert.equal(first, '/leistungen/zweckentfremdung-genehmigung');
    assert.equal(value, 'Ferienwohnungen');
  });

  test('keyboard only: start page → Leistungen A–Z → search → a service page', async () => {
    const ctx = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(srv.base + '/');
    // The start page lists the module; its link leads to the catalogue.
    await tabTo(page, (f) => f.tag === 'a' && f.href === '/leistungen', 'the link to /leistungen');
    await Promise.all([page.waitForURL(/\/leistungen$/), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').innerText(), 'Leistungen von A bis Z');
    // The search box, a query, Enter.
    await tabTo(page, (f) => f.tag === 'input' && f.name === 'q', 'the search box');
    await page.keyboard.type('Reisepässe');
    await Promise.all([page.waitForURL(/\/leistungen\/suche\?q=/), page.keyboard.press('Enter')]);
    assert.equal(await page.inputValue('input[name="q"]'), 'Reisepässe');
    // The first result.
    const hit = await tabTo(page, (f) => f.tag === 'a' && /^\/leistungen\/[a-z0-9-]+$/.test(f.href ?? '') && f.href !== '/leistungen/suche', 'a search result');
    assert.equal(hit.href, '/leistungen/reisepass');
    await Promise.all([page.waitForURL(/\/leistungen\/reisepass$/), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').innerText(), 'Reisepass beantragen');
    // The actions are reachable too: the apply button and the appointment link.
    const apply = await tabTo(page, (f) => f.tag === 'button' && /Online beantragen/.test(f.text), 'the "Online beantragen" button', 60);
    assert.ok(apply);
    const termin = await tabTo(page, (f) => f.tag === 'a' && f.href === '/termine?leistung=reisepass', 'the appointment link', 20);
    assert.ok(termin);
    await ctx.close();
  });

  test('the letter navigation moves focus to the letter', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(srv.base + '/leistungen');
    await tabTo(page, (f) => f.tag === 'a' && f.href === '#buchstabe-r', 'the letter R');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#buchstabe-r');
    const f = await focused(page);
    await ctx.close();
    assert.equal(f.text, 'R', `focus after the letter link: ${JSON.stringify(f)}`);
  });

  testCleanExit(() => srv);
});

describePg('service catalogue in the browser (PostgreSQL smoke)', { timeout: 180000 }, () => {
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

  test('axe: A–Z, a search and a service page', async () => {
    const problems = await checkPages(browser, srv.base, 'de', [PAGES[0], PAGES[1], PAGES[6]]);
    assert.deepEqual(problems, [], problems.join('\n\n'));
  });

  testCleanExit(() => srv);
});

// participation-projects.test.mjs — the Vorhabenliste in a real browser:
// zero axe violations (WCAG 2.1 A/AA) and one h1 on every page of the part —
// start page, list with filters, search, nothing found, a query that is too long
// (error state), an entry with its timeline, the editions and one edition, the
// 404 page; as a signed-in resident the follow boxes and "Was ich verfolge";
// as staff the list, the new-entry form, the edit form and both forms in their
// error state — in German and in English; no console errors or CSP refusals
// (the part's stylesheet css/participation.css must load). Then the keyboard
// path from /beteiligung through a filter to an entry, and the filter form and
// following without JavaScript. SQLite; a smoke pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { testCleanExit, describePg } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountSuite, createStaff, registerAndConfirm, shareSession, signInStaff } from '../lib/account.mjs';

const PUBLIC_PAGES = [
  ['/beteiligung', 200],
  ['/beteiligung/vorhaben', 200],
  ['/beteiligung/vorhaben?bezirk=finthen&thema=bildung', 200],
  ['/beteiligung/vorhaben?q=Radwege', 200],
  ['/beteiligung/vorhaben?q=Xylophonunterricht', 200],
  [`/beteiligung/vorhaben?q=${'a'.repeat(201)}`, 422],
  ['/beteiligung/vorhaben/1', 200],
  ['/beteiligung/vorhaben/ausgaben', 200],
  ['/beteiligung/vorhaben/ausgaben/1', 200],
  ['/beteiligung/vorhaben/999999', 404], // the standard error page: without the part's stylesheet
];
const RESIDENT_PAGES = [
  ['/beteiligung/folgen', 200],
  ['/beteiligung/vorhaben/1', 200],
  ['/beteiligung/vorhaben?bezirk=hechtsheim', 200],
];
const STAFF_PAGES = [
  ['/verwaltung/beteiligung/vorhaben', 200],
  ['/verwaltung/beteiligung/vorhaben/neu', 200],
  ['/verwaltung/beteiligung/vorhaben/1', 200],
];

// Visits pages in lang (switching with the language form first) and collects
// every problem: status, language, one h1, console and CSP, axe.
async function checkPages(browser, base, lang, pages, client) {
  const ctx = await newContext(browser);
  if (client) await shareSession(ctx, client);
  const page = await ctx.newPage();
  const problems = [];
  if (lang !== 'de') {
    await page.goto(base + '/beteiligung');
    await switchLanguage(page, lang);
  }
  const watch = watchPage(page);
  const check = async (label) => {
    await page.waitForTimeout(50);
    watch.pause();
    problems.push(...watch.errors.map((e) => `${label}: ${e}`));
    watch.errors.length = 0;
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) problems.push(`${label}: <html lang="${htmlLang}">, expected ${lang}`);
    const h1 = await page.locator('h1').count();
    if (h1 !== 1) problems.push(`${label}: ${h1} h1 elements`);
    const styled = await page.evaluate(() => [...document.styleSheets].some((s) => /\/static\/[0-9a-f]{16}\/css\/participation\.css$/.test(s.href ?? '')));
    if (!styled && !/999999/.test(label)) problems.push(`${label}: the part's stylesheet did not load`);
    const v = await runAxe(page);
    if (v.length) problems.push(`axe on ${label} (${lang}):\n${formatViolations(v)}`);
    watch.resume();
  };
  for (const [path, status] of pages) {
    watch.errors.length = 0;
    watch.resume();
    const res = await page.goto(base + path, { waitUntil: 'load' });
    if (res.status() !== status) {
      problems.push(`${path}: HTTP ${res.status()}, expected ${status}`);
      continue;
    }
    await check(path);
  }
  return { ctx, page, problems, check, watch };
}

// The staff forms in their error state, checked like pages.
async function checkStaffErrors(run) {
  const { page, check, watch } = run;
  const base = new URL(page.url()).origin;
  // A new entry with a title too long and nothing else.
  await page.goto(base + '/verwaltung/beteiligung/vorhaben/neu');
  watch.errors.length = 0;
  await page.fill('input[name="titel"]', 'T'.repeat(201));
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/verwaltung/beteiligung/vorhaben/neu"] button[type="submit"]')]);
  await page.waitForSelector('#fehler');
  assert.equal(await page.inputValue('input[name="titel"]'), 'T'.repeat(201));
  await check('new entry with errors');
  // An edit without the explanation.
  await page.goto(base + '/verwaltung/beteiligung/vorhaben/1');
  await page.selectOption('select[name="status"]', 'abgeschlossen');
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/verwaltung/beteiligung/vorhaben/1"] button[type="submit"]')]);
  await page.waitForSelector('#fehler');
  await check('edit without explanation');
  // The edition form with mistakes.
  await page.goto(base + '/verwaltung/beteiligung/vorhaben');
  await page.fill('input[name="jahr"]', '26');
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/verwaltung/beteiligung/vorhaben/ausgaben"] button[type="submit"]')]);
  await page.waitForSelector('#fehler');
  await check('edition form with errors');
}

// What has the focus: tag, text, href, name.
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), text: (el?.innerText ?? '').trim(), href: el?.getAttribute('href'), name: el?.getAttribute('name') };
  });

// Whether the focused element draws a focus indicator (outline or box-shadow), as keyboard.test.mjs checks it.
const focusVisible = (page) =>
  page.evaluate(() => {
    const cs = getComputedStyle(document.activeElement);
    return (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none');
  });

async function tabTo(page, pred, what, max = 200) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (pred(f)) return f;
  }
  throw new Error(`Tab never reached ${what} on ${page.url()}`);
}

describe('Vorhabenliste in the browser (SQLite)', { timeout: 600000 }, () => {
  let srv;
  let smtp;
  let browser;
  let resident;
  let staff;
  accountSuite('sqlite', { demo: true, browser: true, onStart: (s) => ({ srv, smtp, browser } = s) });
  before(async () => {
    resident = await registerAndConfirm(srv, smtp, { tag: 'browser' });
    staff = (await signInStaff(srv, await createStaff(srv, { role: 'beteiligung' }))).client;
  });

  for (const lang of ['de', 'en']) {
    test(`axe: zero violations on every public page (${lang})`, async () => {
      const run = await checkPages(browser, srv.base, lang, PUBLIC_PAGES);
      await run.ctx.close();
      assert.deepEqual(run.problems, [], run.problems.join('\n\n'));
    });

    test(`axe: zero violations on the resident's pages with follow boxes (${lang})`, async () => {
      const run = await checkPages(browser, srv.base, lang, RESIDENT_PAGES, resident.client);
      await run.ctx.close();
      assert.deepEqual(run.problems, [], run.problems.join('\n\n'));
    });

    test(`axe: zero violations on the staff pages and their forms with errors (${lang})`, async () => {
      const run = await checkPages(browser, srv.base, lang, STAFF_PAGES, staff);
      await checkStaffErrors(run);
      await run.ctx.close();
      assert.deepEqual(run.problems, [], run.problems.join('\n\n'));
    });
  }

  test('keyboard only: /beteiligung → Vorhabenliste → a district filter → an entry', async () => {
    const ctx = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(srv.base + '/beteiligung');
    await tabTo(page, (f) => f.tag === 'a' && f.href === '/beteiligung/vorhaben', 'the link to the list');
    await Promise.all([page.waitForURL(/\/beteiligung\/vorhaben$/), page.keyboard.press('Enter')]);
    await tabTo(page, (f) => f.tag === 'select' && f.name === 'bezirk', 'the district filter');
    // Type-ahead selects an option of a focused select box.
    await page.keyboard.type('Hechtsheim');
    assert.equal(await page.inputValue('select[name="bezirk"]'), 'hechtsheim');
    await tabTo(page, (f) => f.tag === 'button' && /Vorhaben anzeigen/.test(f.text), 'the submit button', 20);
    await Promise.all([page.waitForURL(/bezirk=hechtsheim/), page.keyboard.press('Enter')]);
    const hit = await tabTo(page, (f) => f.tag === 'a' && /^\/beteiligung\/vorhaben\/\d+$/.test(f.href ?? ''), 'a result');
    assert.ok(await focusVisible(page), 'the focused result shows no focus indicator');
    await Promise.all([page.waitForURL(new RegExp(`${hit.href}$`)), page.keyboard.press('Enter')]);
    const h1 = await page.locator('h1').innerText();
    assert.ok(h1.length > 0);
    // The timeline's folded texts open with the keyboard.
    const summaries = await page.locator('details.kern-accordion summary').count();
    if (summaries > 0) {
      await tabTo(page, (f) => f.tag === 'summary', 'a folded change');
      assert.ok(await focusVisible(page), 'the focused summary shows no focus indicator');
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('details.kern-accordion').first().evaluate((d) => d.open), true);
    }
    // The follow box: a visitor is led to sign in, and comes back here.
    const login = await tabTo(page, (f) => f.tag === 'a' && (f.href ?? '').startsWith('/konto/anmelden?weiter='), 'the sign-in link of the follow box');
    assert.equal(decodeURIComponent(login.href.split('weiter=')[1]), new URL(page.url()).pathname);
    await ctx.close();
  });

  test('without JavaScript: the filter form, the search and following work', async () => {
    const ctx = await newContext(browser, { javaScriptEnabled: false });
    await shareSession(ctx, resident.client);
    const page = await ctx.newPage();
    await page.goto(srv.base + '/beteiligung/vorhaben');
    await page.selectOption('select[name="bezirk"]', 'finthen');
    await page.fill('input[name="q"]', 'Schulen');
    await Promise.all([page.waitForURL(/bezirk=finthen/), page.click('form[role="search"] button[type="submit"]')]);
    assert.equal(await page.inputValue('select[name="bezirk"]'), 'finthen');
    assert.equal(await page.inputValue('input[name="q"]'), 'Schulen');
    const hrefs = await page.locator('ul.participation-results a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length >= 1, 'no result for a Finthen school');
    // Follow Finthen from the filtered list, daily.
    await page.check('input[name="modus"][value="taeglich"]');
    await Promise.all([page.waitForURL(/hinweis=gefolgt/), page.click('form[action="/beteiligung/folgen"] button[type="submit"]')]);
    assert.match(await page.locator('main').innerText(), /Sie folgen jetzt/);
    assert.equal(await page.inputValue('select[name="bezirk"]'), 'finthen', 'the filters were lost on the way back');
    await page.goto(srv.base + '/beteiligung/folgen');
    assert.match(await page.locator('main').innerText(), /Finthen/);
    await ctx.close();
  });

  testCleanExit(() => srv);
});

describePg('Vorhabenliste in the browser (PostgreSQL smoke)', { timeout: 300000 }, () => {
  let srv;
  let browser;
  accountSuite('postgres', { demo: true, browser: true, onStart: (s) => ({ srv, browser } = s) });

  test('axe: the list, an entry and an edition', async () => {
    const run = await checkPages(browser, srv.base, 'de', [
      ['/beteiligung/vorhaben?q=Radwege', 200],
      ['/beteiligung/vorhaben/1', 200],
      ['/beteiligung/vorhaben/ausgaben/1', 200],
    ]);
    await run.ctx.close();
    assert.deepEqual(run.problems, [], run.problems.join('\n\n'));
  });

  testCleanExit(() => srv);
});

// participation-moderation.test.mjs — the moderation pages in a real browser:
// WCAG 2.1 A/AA (axe-core) on the report form (also with errors and after a
// refusal), the moderation queue with reported, held and hidden items (also with
// the error of a hiding without reason), the word list, the blocks, the limits
// and the page a blocked person sees, in German and English; a resident who
// reports with the keyboard alone; the queue's actions without JavaScript. No
// console errors or CSP refusals. SQLite; a smoke pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountSuite, contextHeaders, createStaff, registerAndConfirm, shareSession, signInStaff, sqlWrite } from '../lib/account.mjs';

const DEMO_TITLE = 'Rheinufer neu gestalten: Ihre Ideen';

// A page checker: visit(path), or submit(form, fields, status, label); every
// problem (status, language, one h1, console, axe) is collected, not thrown.
function checker(page, base, lang) {
  const watch = watchPage(page);
  const problems = [];
  const visited = [];
  const check = async (label) => {
    await page.waitForTimeout(50);
    watch.pause();
    problems.push(...watch.errors.filter((e) => !/net::ERR_ABORTED$/.test(e)).map((e) => `${label}: ${e}`));
    watch.errors.length = 0;
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) problems.push(`${label}: <html lang="${htmlLang}">, expected ${lang}`);
    const h1 = await page.locator('main h1').count();
    if (h1 !== 1) problems.push(`${label}: ${h1} h1 elements in main, expected 1`);
    const v = await runAxe(page);
    if (v.length) problems.push(`axe on ${label}:\n${formatViolations(v)}`);
    visited.push(label);
    watch.resume();
  };
  const visit = async (path, { status = 200 } = {}) => {
    watch.errors.length = 0;
    watch.resume();
    const res = await page.goto(base + path, { waitUntil: 'load' });
    if (res.status() !== status) problems.push(`${path}: HTTP ${res.status()}, expected ${status}`);
    else await check(path);
    return res;
  };
  const submit = async (form, fields, expect, label) => {
    watch.errors.length = 0;
    watch.resume();
    const f = page.locator(form).first();
    for (const [name, value] of Object.entries(fields)) {
      const input = f.locator(`[name="${name}"]`).first();
      const tag = await input.evaluate((el) => `${el.tagName}:${el.type}`);
      if (tag.startsWith('SELECT')) await input.selectOption(value);
      else if (tag === 'INPUT:radio') await f.locator(`[name="${name}"][value="${value}"]`).check();
      else await input.fill(value);
    }
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      f.locator('button[type="submit"]').first().click(),
    ]);
    await page.waitForLoadState('load');
    if (resp.status() !== expect) problems.push(`${label}: HTTP ${resp.status()}, expected ${expect}`);
    await check(`${label} (HTTP ${resp.status()})`);
  };
  return { visit, submit, check, problems, visited };
}

const report = (c) => `${c.problems.length} problem(s) on ${c.visited.length} pages:\n${c.problems.join('\n')}`;

// Puts one item of each kind into the queue: a reported comment, a held
// comment, a hidden one; and blocks one resident. → ids for the pages.
async function prepare(srv, smtp) {
  const s = {};
  s.pid = Number((await srv.query(`SELECT id FROM participation_processes WHERE title = '${DEMO_TITLE}'`))[0][0]);
  s.comment = Number((await srv.query(`SELECT id FROM comments WHERE process_id = ${s.pid} AND hidden_at IS NULL ORDER BY id LIMIT 1`))[0][0]);
  s.second = Number((await srv.query(`SELECT id FROM comments WHERE process_id = ${s.pid} AND hidden_at IS NULL ORDER BY id LIMIT 1 OFFSET 1`))[0][0]);
  s.third = Number((await srv.query(`SELECT id FROM comments WHERE process_id = ${s.pid} AND hidden_at IS NULL ORDER BY id LIMIT 1 OFFSET 2`))[0][0]);
  s.fourth = Number((await srv.query(`SELECT id FROM comments WHERE process_id = ${s.pid} AND hidden_at IS NULL AND held = 0 ORDER BY id LIMIT 1 OFFSET 3`))[0][0]);
  s.citizen = await registerAndConfirm(srv, smtp, { tag: 'melderin' });
  s.blocked = await registerAndConfirm(srv, smtp, { tag: 'gesperrt' });
  const m = await createStaff(srv, { role: 'moderation', unit: 'hauptamt', name: 'Mona Moderation' });
  s.mod = await signInStaff(srv, m);
  const c = s.citizen.client;
  await c.page(`/beteiligung/melden?art=kommentar&id=${s.comment}`);
  const r = await c.post('/beteiligung/melden', [['art', 'kommentar'], ['id', String(s.comment)], ['grund', 'beleidigung'], ['text', 'Das ist beleidigend.']]);
  assert.equal(r.status, 303, `report: ${r.status}`);
  await sqlWrite(srv, `UPDATE comments SET held = 1 WHERE id = ${s.second}`);
  await sqlWrite(srv, `UPDATE comments SET hidden_at = 1, hidden_reason = 'Werbung' WHERE id = ${s.third}`);
  const mod = s.mod.client;
  await mod.page('/verwaltung/beteiligung/sperren');
  const b = await mod.post('/verwaltung/beteiligung/sperren', [['konto', String(s.blocked.id)], ['grund', 'Spam in vielen Kommentaren'], ['dauer', '30']]);
  assert.equal(b.status, 303, `block: ${b.status}`);
  await mod.page('/verwaltung/beteiligung/woerter');
  assert.equal((await mod.post('/verwaltung/beteiligung/woerter', [['woerter', 'idiot*\ndumme kuh']])).status, 303);
  return s;
}

describe('sqlite', { timeout: 600000 }, () => {
  let srv;
  let smtp;
  let browser;
  let s;
  accountSuite('sqlite', { demo: true, browser: true, onStart: (started) => ({ srv, smtp, browser } = started) });
  before(async () => {
    s = await prepare(srv, smtp);
  });

  async function open(lang, client, { javaScriptEnabled = true } = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), javaScriptEnabled });
    if (client) await shareSession(ctx, client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + '/beteiligung');
      await switchLanguage(page, 'en');
    }
    return { ctx, page, c: checker(page, srv.base, lang) };
  }

  for (const lang of ['de', 'en']) {
    test(`resident pages: the report form with errors, the block page (${lang})`, async () => {
      const resident = await registerAndConfirm(srv, smtp, { tag: `leserin-${lang}` });
      const { ctx, c } = await open(lang, resident.client);
      await c.visit(`/beteiligung/melden?art=kommentar&id=${s.comment}`);
      await c.submit('form[action="/beteiligung/melden"]', { text: 'x'.repeat(1001) }, 422, 'report with mistakes');
      await c.submit('form[action="/beteiligung/melden"]', { grund: 'spam', text: '' }, 303, 'report sent');
      await c.visit('/beteiligung/sperre');
      await ctx.close();
      assert.equal(c.problems.length, 0, report(c));

      const blocked = await open(lang, s.blocked.client);
      await blocked.c.visit('/beteiligung/sperre');
      await blocked.c.visit(`/beteiligung/melden?art=kommentar&id=${s.fourth}`);
      await blocked.c.submit('form[action="/beteiligung/melden"]', { grund: 'spam' }, 403, 'report refused to a blocked person');
      await blocked.ctx.close();
      assert.equal(blocked.c.problems.length, 0, report(blocked.c));
    });

    test(`moderation pages and their error states (${lang})`, async () => {
      const { ctx, c } = await open(lang, s.mod.client);
      await c.visit('/verwaltung/beteiligung');
      await c.visit('/verwaltung/beteiligung/moderation');
      await c.submit(`form[action="/verwaltung/beteiligung/moderation/ausblenden"]:has(input[name="id"][value="${s.comment}"])`, { grund: '' }, 422, 'hiding without a reason');
      await c.visit('/verwaltung/beteiligung/woerter');
      await c.submit('form[action="/verwaltung/beteiligung/woerter"]', { woerter: 'ab*\n!!!' }, 422, 'word list with mistakes');
      await c.visit(`/verwaltung/beteiligung/sperren?konto=${s.citizen.id}`);
      await c.submit('form[action="/verwaltung/beteiligung/sperren"]', { konto: 'niemand@example.org', grund: '' }, 422, 'block with mistakes');
      await c.visit('/verwaltung/beteiligung/grenzen');
      await c.submit('form[action="/verwaltung/beteiligung/grenzen"]', { 'max-comment-600': '-1' }, 422, 'limits with mistakes');
      await ctx.close();
      assert.equal(c.problems.length, 0, report(c));
    });
  }

  test('a resident reports with the keyboard alone', async () => {
    const resident = await registerAndConfirm(srv, smtp, { tag: 'tastatur' });
    const { ctx, page } = await open('de', resident.client);
    await page.goto(`${srv.base}/beteiligung/melden?art=kommentar&id=${s.comment}`);
    const tabTo = async (predicate, what, limit = 60) => {
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(predicate)) return;
      }
      throw new Error(`${what} was not reached with Tab`);
    };
    await tabTo(() => document.activeElement?.name === 'grund', 'the first reason');
    await page.keyboard.press('ArrowDown'); // the second reason: spam
    assert.equal(await page.evaluate(() => document.activeElement?.value), 'spam');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'text');
    await page.keyboard.type('Werbung für einen Onlineshop.');
    await tabTo(() => document.activeElement?.type === 'submit', 'the submit button');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Sie haben diesen Beitrag gemeldet/);
    await ctx.close();
    const rows = await srv.query(`SELECT category, text FROM participation_reports WHERE reporter_id = ${resident.id}`);
    assert.deepEqual(rows, [['spam', 'Werbung für einen Onlineshop.']]);
  });

  test('without JavaScript a moderator hides a comment and releases a held one', async () => {
    const { ctx, page } = await open('de', s.mod.client, { javaScriptEnabled: false });
    await page.goto(`${srv.base}/verwaltung/beteiligung/moderation`);
    const release = page.locator(`form[action="/verwaltung/beteiligung/moderation/freigeben"]:has(input[name="id"][value="${s.second}"])`);
    await Promise.all([page.waitForNavigation(), release.locator('button').click()]);
    assert.match(await page.locator('main').innerText(), /Der Beitrag ist freigegeben/);
    const hide = page.locator(`form[action="/verwaltung/beteiligung/moderation/ausblenden"]:has(input[name="id"][value="${s.comment}"])`);
    await hide.locator('textarea[name="grund"]').fill('Beleidigung');
    await Promise.all([page.waitForNavigation(), hide.locator('button').click()]);
    assert.match(await page.locator('main').innerText(), /Der Beitrag ist ausgeblendet/);
    await ctx.close();
    assert.equal((await srv.query(`SELECT hidden_reason, held FROM comments WHERE id = ${s.comment}`))[0][0], 'Beleidigung');
    assert.equal((await srv.query(`SELECT held FROM comments WHERE id = ${s.second}`))[0][0], '0');
  });

  testCleanExit(() => srv);
});

describePg('postgres', { timeout: 600000 }, () => {
  let srv;
  let smtp;
  let browser;
  let s;
  accountSuite('postgres', { demo: true, browser: true, onStart: (started) => ({ srv, smtp, browser } = started) });
  before(async () => {
    s = await prepare(srv, smtp);
  });

  test('smoke: the queue and the report form pass axe', async () => {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    await shareSession(ctx, s.mod.client);
    const page = await ctx.newPage();
    const c = checker(page, srv.base, 'de');
    await c.visit('/verwaltung/beteiligung/moderation');
    await c.visit('/verwaltung/beteiligung/woerter');
    await ctx.close();
    const ctx2 = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    await shareSession(ctx2, s.citizen.client);
    const page2 = await ctx2.newPage();
    const c2 = checker(page2, srv.base, 'de');
    await c2.visit(`/beteiligung/melden?art=kommentar&id=${s.fourth}`);
    await c2.submit('form[action="/beteiligung/melden"]', {}, 422, 'report without a reason');
    await ctx2.close();
    assert.equal(c.problems.length + c2.problems.length, 0, report(c) + report(c2));
  });

  testCleanExit(() => srv);
});

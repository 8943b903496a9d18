// participation-processes.test.mjs — the pages of participation processes in a
// real browser: WCAG 2.1 A/AA (axe-core) on every public, resident and staff page,
// in German and English, including each form in its error state; a resident who
// proposes, supports and replies with the keyboard alone; the same ways without
// JavaScript (forms and links only). No console errors or CSP refusals. SQLite;
// a smoke pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountSuite, contextHeaders, createStaff, registerAndConfirm, shareSession, signInStaff, unitId } from '../lib/account.mjs';

const DEMO_TITLE = 'Rheinufer neu gestalten: Ihre Ideen';

// A page checker: visit(path) or check(label) after an interaction; every problem
// (status, language, console, axe) is collected rather than thrown.
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
    if (res.status() !== status) {
      problems.push(`${path}: HTTP ${res.status()}, expected ${status}`);
      return res;
    }
    await check(path);
    return res;
  };
  const go = async (path) => {
    watch.pause();
    await page.goto(base + path, { waitUntil: 'load' });
  };
  // submit(form, fields, expect, label) — fills and sends a form as a person does.
  const submit = async (form, fields, expect, label) => {
    watch.errors.length = 0;
    watch.resume();
    const f = page.locator(form).first();
    for (const [name, value] of Object.entries(fields)) {
      const input = f.locator(`[name="${name}"]`).first();
      const tag = await input.evaluate((el) => `${el.tagName}:${el.type}`);
      if (value === true) await input.check();
      else if (tag.startsWith('SELECT')) await input.selectOption(value);
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
  return { visit, go, check, submit, problems, visited };
}

const report = (c) => `${c.problems.length} problem(s) on ${c.visited.length} pages:\n${c.problems.join('\n')}`;

describe('sqlite', { timeout: 600000 }, () => {
  let srv;
  let smtp;
  let browser;
  const s = {};
  accountSuite('sqlite', { demo: true, browser: true, onStart: (started) => ({ srv, smtp, browser } = started) });
  before(async () => {
    s.pid = Number((await srv.query(`SELECT id FROM participation_processes WHERE title = '${DEMO_TITLE}'`))[0][0]);
    s.proposal = Number(
      (await srv.query(`SELECT p.id FROM proposals p WHERE p.process_id = ${s.pid} ORDER BY p.comment_count DESC, p.id LIMIT 1`))[0][0],
    );
    s.comment = Number((await srv.query(`SELECT id FROM comments WHERE target_kind = 'proposal' AND target_id = ${s.proposal} ORDER BY id LIMIT 1`))[0][0]);
    s.processComment = Number((await srv.query(`SELECT id FROM comments WHERE target_kind = 'process' AND target_id = ${s.pid} ORDER BY id LIMIT 1`))[0][0]);
    s.phase = Number((await srv.query(`SELECT id FROM process_phases WHERE process_id = ${s.pid} ORDER BY starts_at LIMIT 1`))[0][0]);
    s.citizen = await registerAndConfirm(srv, smtp, { tag: 'browser' });
    const staff = await createStaff(srv, { role: 'beteiligung', unit: 'bauamt', name: 'Koordination' });
    s.staff = await signInStaff(srv, staff);
    s.bauamt = await unitId(srv, 'bauamt');
    // One hidden comment and one proposal of the citizen, so those states are on the pages too.
    const c = s.citizen.client;
    await c.page(`/beteiligung/verfahren/${s.pid}/vorschlaege/neu`);
    const r = await c.post(`/beteiligung/verfahren/${s.pid}/vorschlaege`, [
      ['titel', 'Mehr Bänke im Schatten'],
      ['text', 'Bitte stellen Sie **mehr Bänke** unter die Bäume.\n\n- am Fischtor\n- am Winterhafen'],
    ]);
    assert.equal(r.status, 303, `the citizen's proposal: ${r.status}`);
    s.own = Number(/vorschlaege\/(\d+)/.exec(r.headers.location)[1]);
  });

  async function open(lang, client, { javaScriptEnabled = true } = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), javaScriptEnabled });
    if (client) await shareSession(ctx, client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + '/beteiligung/verfahren');
      await switchLanguage(page, 'en');
    }
    return { ctx, page, c: checker(page, srv.base, lang) };
  }

  for (const lang of ['de', 'en']) {
    test(`public and resident pages, forms with errors (${lang})`, async () => {
      const base = `/beteiligung/verfahren/${s.pid}`;
      const anon = await open(lang);
      for (const p of [
        '/beteiligung/verfahren',
        base,
        `${base}/vorschlaege`,
        `${base}/vorschlaege?sortierung=unterstuetzt&status=angenommen`,
        `${base}/vorschlaege/${s.proposal}`,
        `${base}/diskussion`,
        `${base}/ergebnisse`,
      ])
        await anon.c.visit(p);
      await anon.c.visit(`${base}/vorschlaege?sortierung=beliebt`, { status: 400 });
      await anon.ctx.close();
      assert.equal(anon.c.problems.length, 0, report(anon.c));

      const { ctx, c } = await open(lang, s.citizen.client);
      await c.visit(base);
      await c.visit(`${base}/vorschlaege/neu`);
      await c.submit(`form[action="${base}/vorschlaege"]`, { titel: 'Kurz', text: '' }, 422, 'proposal with mistakes');
      await c.visit(`${base}/vorschlaege/${s.own}`);
      await c.visit(`${base}/vorschlaege/${s.own}/bearbeiten`);
      await c.submit(`form[action="${base}/vorschlaege/${s.own}/bearbeiten"]`, { titel: '' }, 422, 'edit with mistakes');
      await c.go(`${base}/vorschlaege/${s.proposal}`);
      await c.submit(`form[action="${base}/vorschlaege/${s.proposal}/kommentare"]`, { text: '   ' }, 422, 'empty comment');
      await c.visit(`${base}/vorschlaege/${s.proposal}/kommentare/${s.comment}/antworten`);
      await c.submit(`form[action="${base}/vorschlaege/${s.proposal}/kommentare"]`, { text: 'x'.repeat(5001) }, 422, 'reply too long');
      await c.visit(`${base}/diskussion/${s.processComment}/antworten`);
      await c.go(`${base}/diskussion`);
      await c.submit(`form[action="${base}/diskussion"]`, { text: '' }, 422, 'empty comment on the process');
      await ctx.close();
      assert.equal(c.problems.length, 0, report(c));
    });

    test(`staff pages and their error states (${lang})`, async () => {
      const admin = `/verwaltung/beteiligung/verfahren/${s.pid}`;
      const { ctx, c } = await open(lang, s.staff.client);
      await c.visit('/verwaltung/beteiligung/verfahren');
      await c.visit('/verwaltung/beteiligung/verfahren/neu');
      await c.submit('form[action="/verwaltung/beteiligung/verfahren/neu"]', { titel: '', kurz: '' }, 422, 'new process with mistakes');
      await c.visit(admin);
      await c.visit(`${admin}/phasen/neu`);
      await c.submit(`form[action="${admin}/phasen/neu"]`, { titel: 'Überschneidung', beginn: '2020-13-01', ende: '' }, 422, 'phase with mistakes');
      await c.visit(`${admin}/phasen/${s.phase}`);
      await c.visit(`${admin}/ergebnisse`);
      await c.submit(`form[action="${admin}/ergebnisse"]`, { ergebnisse: 'y'.repeat(20001) }, 422, 'results text too long');
      await c.visit(`${admin}/vorschlaege/${s.proposal}`);
      await c.submit(`form[action="${admin}/vorschlaege/${s.proposal}"]`, { status: 'abgelehnt', begruendung: '' }, 422, 'rejection without reason');
      await ctx.close();
      assert.equal(c.problems.length, 0, report(c));
    });
  }

  test('a resident proposes, supports and replies with the keyboard alone', async () => {
    const resident = await registerAndConfirm(srv, smtp, { tag: 'tastatur' });
    const { ctx, page } = await open('de', resident.client);
    const base = `${srv.base}/beteiligung/verfahren/${s.pid}`;
    // Tab until an element is focused; fails after limit presses.
    const tabTo = async (predicate, what, limit = 80) => {
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(predicate)) return;
      }
      throw new Error(`${what} was not reached with Tab`);
    };
    await page.goto(`${base}/vorschlaege/neu`);
    await tabTo(() => document.activeElement?.name === 'titel', 'the title field');
    await page.keyboard.type('Ein Sonnensegel am Spielplatz');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'text');
    await page.keyboard.type('Im Sommer ist es dort ohne Schatten zu heiß für kleine Kinder.');
    await tabTo(() => document.activeElement?.type === 'submit' && !!document.activeElement.closest('form.process-form'), 'the submit button');
    // A visible focus indicator on the button.
    const outline = await page.evaluate(() => {
      const st = getComputedStyle(document.activeElement);
      return st.outlineStyle !== 'none' || st.boxShadow !== 'none';
    });
    assert.ok(outline, 'the focused button shows its focus');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Vielen Dank! Ihr Vorschlag ist veröffentlicht/);
    await tabTo(() => document.activeElement?.textContent?.includes('Diesen Vorschlag unterstützen'), 'the support button');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Sie unterstützen diesen Vorschlag\./);

    await page.goto(`${base}/vorschlaege/${s.proposal}`);
    await tabTo(() => document.activeElement?.tagName === 'A' && /\/antworten$/.test(document.activeElement.getAttribute('href')), 'a reply link');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await tabTo(() => document.activeElement?.name === 'text', 'the reply field');
    await page.keyboard.type('Das sehe ich auch so.');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Vielen Dank! Ihr Kommentar ist veröffentlicht/);
    assert.ok((await page.locator('.comment-thread .comment-thread li', { hasText: 'Das sehe ich auch so.' }).count()) === 1, 'the reply is nested');
    await ctx.close();
  });

  test('without JavaScript: mistakes keep the input, then propose, support, reply and follow', async () => {
    const resident = await registerAndConfirm(srv, smtp, { tag: 'ohne-js' });
    const { ctx, page } = await open('de', resident.client, { javaScriptEnabled: false });
    const base = `${srv.base}/beteiligung/verfahren/${s.pid}`;
    await page.goto(`${base}/vorschlaege/neu`);
    // (maxlength keeps a browser from sending a title that is too long: too short it is.)
    await page.fill('input[name="titel"]', 'Kurz');
    await page.fill('textarea[name="text"]', 'Dieser Text bleibt stehen, auch wenn der Titel zu kurz ist.');
    await Promise.all([page.waitForNavigation(), page.click('form.process-form button[type="submit"]')]);
    assert.match(await page.locator('#fehler').innerText(), /Der Titel ist zu kurz/);
    assert.equal(await page.inputValue('textarea[name="text"]'), 'Dieser Text bleibt stehen, auch wenn der Titel zu kurz ist.');
    assert.equal(await page.inputValue('input[name="titel"]'), 'Kurz');
    // The summary links to the field.
    assert.equal(await page.locator('#fehler a').first().getAttribute('href'), '#feld-titel');
    await page.fill('input[name="titel"]', 'Ein Trinkbrunnen am Winterhafen');
    await Promise.all([page.waitForNavigation(), page.click('form.process-form button[type="submit"]')]);
    assert.match(await page.locator('main').innerText(), /Ein Trinkbrunnen am Winterhafen/);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Diesen Vorschlag unterstützen")')]);
    assert.match(await page.locator('main').innerText(), /Eine Person unterstützt diesen Vorschlag\. Sie gehören dazu\./);

    await page.goto(`${base}/vorschlaege/${s.proposal}`);
    await Promise.all([page.waitForNavigation(), page.locator('a[href$="/antworten"]').first().click()]);
    await page.fill('textarea[name="text"]', 'Eine Antwort ohne JavaScript.');
    await Promise.all([page.waitForNavigation(), page.click('form.process-form button[type="submit"]')]);
    assert.ok((await page.locator('.comment-thread .comment-thread li', { hasText: 'Eine Antwort ohne JavaScript.' }).count()) === 1);

    await page.goto(base);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Verfahren folgen")')]);
    assert.match(await page.locator('main').innerText(), /Sie folgen diesem Verfahren/);
    await ctx.close();
  });

  testCleanExit(() => srv);
});

describePg('postgres', () => {
  let srv;
  let browser;
  accountSuite('postgres', { demo: true, browser: true, onStart: (started) => ({ srv, browser } = started) });
  test('the process pages on PostgreSQL (smoke)', async () => {
    const pid = Number((await srv.query(`SELECT id FROM participation_processes WHERE title = '${DEMO_TITLE}'`))[0][0]);
    const proposal = Number((await srv.query(`SELECT id FROM proposals WHERE process_id = ${pid} ORDER BY comment_count DESC, id LIMIT 1`))[0][0]);
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    const page = await ctx.newPage();
    const c = checker(page, srv.base, 'de');
    for (const p of ['/beteiligung/verfahren', `/beteiligung/verfahren/${pid}`, `/beteiligung/verfahren/${pid}/vorschlaege`, `/beteiligung/verfahren/${pid}/vorschlaege/${proposal}`, `/beteiligung/verfahren/${pid}/ergebnisse`])
      await c.visit(p);
    await ctx.close();
    assert.equal(c.problems.length, 0, report(c));
  });
  testCleanExit(() => srv);
});

// participation-surveys.test.mjs — surveys and events in a real browser: zero axe
// violations (WCAG 2.1 A/AA), one h1 and no console errors on the surveys of the
// demo process, a survey as visitor and as resident, its answer form sent with
// mistakes, the results page (its SVG charts parse as XML), the staff forms of a
// survey and an event in their error states, the events, an event's page and
// its registrations; in German and English. A resident answers the survey and
// registers for the event with the keyboard alone; without JavaScript a form
// with mistakes keeps every answer, staff add a question row and the answers
// arrive. SQLite; a smoke pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountClient, accountSuite, contextHeaders, createStaff, loginOk, shareSession, signInStaff, sqlWrite } from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);

function suite(engine, { full }) {
  let srv;
  let smtp;
  let browser;
  const s = {};
  let counter = 0;
  accountSuite(engine, { demo: true, browser: true, onStart: (started) => ({ srv, smtp, browser } = started) });

  // A signed-in resident (SQL-made account with the demo password's hash, real login).
  async function resident() {
    const email = `umfrage-${engine}-${++counter}-${Date.now()}@example.org`;
    const t = now();
    await sqlWrite(
      srv,
      `INSERT INTO users (email, password_hash, email_confirmed_at, is_staff, trust_level, display_name, created_at, updated_at)` +
        ` SELECT ${q(email)}, password_hash, ${t}, 0, 1, 'Uta Umfrage', ${t}, ${t} FROM users WHERE email = 'maria.muster@example.org'`,
    );
    const client = accountClient(srv);
    await loginOk(client, email, DEMO_PASSWORD);
    return { email, client };
  }

  before(async () => {
    const [[sid, pid]] = await srv.query(`SELECT id, process_id FROM surveys WHERE title = 'Wie nutzen Sie das Rheinufer?'`);
    const [[eid]] = await srv.query(`SELECT id FROM participation_events WHERE title = 'Bürgerwerkstatt Rheinufer'`);
    s.pid = Number(pid);
    s.survey = `/beteiligung/verfahren/${pid}/umfragen/${sid}`;
    s.event = `/beteiligung/verfahren/${pid}/veranstaltungen/${eid}`;
    const staff = await createStaff(srv, { role: 'beteiligung', unit: 'bauamt', name: 'Koordination Bauamt' });
    s.staff = (await signInStaff(srv, staff)).client;
  });

  async function open(client, lang, { javaScriptEnabled = true } = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), javaScriptEnabled });
    if (client) await shareSession(ctx, client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + s.survey);
      await switchLanguage(page, 'en');
      await page.waitForLoadState('networkidle');
    }
    return { ctx, page, watch: watchPage(page) };
  }

  async function axeClean(page, watch, label, lang) {
    watch.pause();
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${label}: <html lang>`);
    assert.equal(await page.locator('h1').count(), 1, `${label}: one h1`);
    const v = await runAxe(page);
    assert.equal(v.length, 0, `axe on ${label}:\n${formatViolations(v)}`);
    assert.deepEqual(watch.errors, [], `${label}: console or resource errors`);
    watch.resume();
  }

  async function visit(page, watch, path, label, lang, status = 200) {
    const r = await page.goto(srv.base + path);
    assert.equal(r.status(), status, `${label}: HTTP status`);
    await axeClean(page, watch, label, lang);
  }

  // Sends the form containing button and waits for the answer's page; → status.
  async function send(page, button) {
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      button.click(),
    ]);
    await page.waitForLoadState('load');
    return resp.status();
  }

  for (const lang of full ? ['de', 'en'] : ['de']) {
    test(`axe: surveys, the answer form with mistakes, the results with their charts (${lang})`, async () => {
      const anon = await open(null, lang);
      await visit(anon.page, anon.watch, `/beteiligung/verfahren/${s.pid}/umfragen`, 'the surveys of a process', lang);
      await visit(anon.page, anon.watch, s.survey, 'a survey, visitor', lang);
      assert.equal(await anon.page.locator('main form[method="post"]').count(), 0, 'no answer form without an account');
      await visit(anon.page, anon.watch, `${s.survey}/ergebnisse`, 'the results (live)', lang);
      // Every chart is an SVG image with a name, and parses as XML.
      const charts = await anon.page.evaluate(() =>
        [...document.querySelectorAll('main svg')].map((svg) => ({
          role: svg.getAttribute('role'),
          name: svg.querySelector('title')?.textContent ?? '',
          errors: new DOMParser().parseFromString(svg.outerHTML, 'image/svg+xml').getElementsByTagName('parsererror').length,
        })),
      );
      assert.equal(charts.length, 3, 'single, multiple and rating question');
      for (const c of charts) assert.deepEqual([c.role, c.errors, c.name.length > 0], ['img', 0, true]);
      assert.ok((await anon.page.locator('main table').count()) === 3, 'a table next to each chart');
      await anon.ctx.close();

      const someone = await resident();
      const own = await open(someone.client, lang);
      await visit(own.page, own.watch, s.survey, 'the answer form', lang);
      assert.equal(await own.page.locator('main fieldset legend').count(), 3);
      const status = await send(own.page, own.page.locator('#umfrage-formular button[type="submit"]'));
      assert.equal(status, 422);
      assert.equal(await own.page.locator('.form-errors a').count(), 2, 'the two required questions');
      await axeClean(own.page, own.watch, 'the answer form with mistakes', lang);
      await own.ctx.close();
    });

    test(`axe: events, an event, and the staff forms in their error states (${lang})`, async () => {
      const anon = await open(null, lang);
      await visit(anon.page, anon.watch, `/beteiligung/verfahren/${s.pid}/veranstaltungen`, 'the events', lang);
      await visit(anon.page, anon.watch, s.event, 'an event, visitor', lang);
      assert.equal(await anon.page.locator('main .event-features li').count(), 4, 'the accessibility of the place as a list');
      assert.equal(await anon.page.locator('main a[href$="/kalender.ics"]').count(), 1);
      await anon.ctx.close();

      const someone = await resident();
      const own = await open(someone.client, lang);
      await visit(own.page, own.watch, s.event, 'an event, resident', lang);
      await own.ctx.close();

      const staff = await open(s.staff, lang);
      await visit(staff.page, staff.watch, `/beteiligung/verfahren/${s.pid}/umfragen/neu`, 'a new survey', lang);
      await staff.page.locator('input[name="titel"]').fill('');
      await staff.page.locator('input[name="frage1_text"]').fill('Eine Frage mit nur einer Antwort?');
      await staff.page.locator('textarea[name="frage1_antworten"]').fill('Ja');
      let status = await send(staff.page, staff.page.locator('button[value="speichern"]'));
      assert.equal(status, 422);
      await axeClean(staff.page, staff.watch, 'a new survey with mistakes', lang);
      await visit(staff.page, staff.watch, `${s.survey}/bearbeiten`, 'a survey with answers, edited', lang);
      await visit(staff.page, staff.watch, `/beteiligung/verfahren/${s.pid}/veranstaltungen/neu`, 'a new event', lang);
      status = await send(staff.page, staff.page.locator('main form button[type="submit"]'));
      assert.equal(status, 422);
      assert.ok((await staff.page.locator('.form-errors a').count()) >= 5);
      await axeClean(staff.page, staff.watch, 'a new event with mistakes', lang);
      await visit(staff.page, staff.watch, `${s.event}/anmeldungen`, 'the registrations', lang);
      await staff.ctx.close();
    });
  }

  if (full) {
    test('a resident answers the survey and registers for the event with the keyboard alone', async () => {
      const someone = await resident();
      const { ctx, page } = await open(someone.client, 'de');
      await page.goto(srv.base + s.survey);
      const focusedName = () => page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.tagName);
      const names = await page.evaluate(() => [...new Set([...document.querySelectorAll('#umfrage-formular [name^="frage-"]')].map((e) => e.name))]);
      // First question: Tab into the radio group, Space chooses the focused answer.
      for (let i = 0; i < 150 && (await focusedName()) !== names[0]; i++) await page.keyboard.press('Tab');
      assert.equal(await focusedName(), names[0], 'Tab reaches the first question');
      assert.ok(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle !== 'none' || getComputedStyle(document.activeElement).boxShadow !== 'none'), 'focus is visible');
      await page.keyboard.press('Space');
      // The rating: Tab to its group, arrow keys move the choice.
      for (let i = 0; i < 30 && (await focusedName()) !== names[2]; i++) await page.keyboard.press('Tab');
      assert.equal(await focusedName(), names[2], 'Tab reaches the rating');
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      // The free text, then the button.
      for (let i = 0; i < 10 && (await focusedName()) !== names[3]; i++) await page.keyboard.press('Tab');
      await page.keyboard.type('Mit der Tastatur geschrieben.');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.closest('button')?.type), 'submit');
      await Promise.all([page.waitForURL(/hinweis=danke/), page.keyboard.press('Enter')]);
      assert.match(await page.locator('main').innerText(), /Vielen Dank! Ihre Antworten sind gespeichert/);
      const rows = await srv.query(
        `SELECT a.rating, a.text FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id JOIN users u ON u.id = r.user_id` +
          ` WHERE u.email = ${q(someone.email)} AND (a.rating IS NOT NULL OR a.text IS NOT NULL) ORDER BY a.id`,
      );
      assert.deepEqual(rows, [['3', ''], ['', 'Mit der Tastatur geschrieben.']]);

      await page.goto(srv.base + s.event);
      const onButton = () => page.evaluate(() => !!document.activeElement?.closest('form[action$="/anmelden"]'));
      for (let i = 0; i < 80 && !(await onButton()); i++) await page.keyboard.press('Tab');
      assert.ok(await onButton(), 'Tab reaches the registration button');
      await Promise.all([page.waitForURL(/hinweis=angemeldet/), page.keyboard.press('Enter')]);
      assert.match(await page.locator('main').innerText(), /Sie sind angemeldet/);
      await ctx.close();
    });

    test('without JavaScript: answers stay after a mistake, then arrive; staff add a question row', async () => {
      const someone = await resident();
      const { ctx, page } = await open(someone.client, 'de', { javaScriptEnabled: false });
      await page.goto(srv.base + s.survey);
      const groups = page.locator('#umfrage-formular fieldset');
      await groups.nth(1).locator('input[type="checkbox"]').nth(0).check();
      await groups.nth(1).locator('input[type="checkbox"]').nth(2).check();
      await page.locator('#umfrage-formular textarea').fill('Schatten unter Bäumen');
      await Promise.all([page.waitForLoadState('load'), page.locator('#umfrage-formular button[type="submit"]').click()]);
      assert.equal(await page.locator('.form-errors a').count(), 2);
      assert.ok(await groups.nth(1).locator('input[type="checkbox"]').nth(0).isChecked());
      assert.ok(!(await groups.nth(1).locator('input[type="checkbox"]').nth(1).isChecked()));
      assert.ok(await groups.nth(1).locator('input[type="checkbox"]').nth(2).isChecked());
      assert.equal(await page.locator('#umfrage-formular textarea').inputValue(), 'Schatten unter Bäumen');
      // The error summary's link leads to the question.
      const href = await page.locator('.form-errors a').first().getAttribute('href');
      assert.equal(await page.locator(href).evaluate((e) => e.tagName), 'FIELDSET');
      await groups.nth(0).locator('input[type="radio"]').nth(1).check();
      await groups.nth(2).locator('input[type="radio"]').nth(4).check();
      await Promise.all([page.waitForURL(/hinweis=danke/), page.locator('#umfrage-formular button[type="submit"]').click()]);
      assert.match(await page.locator('main').innerText(), /Vielen Dank!/);
      await ctx.close();

      const staff = await open(s.staff, 'de', { javaScriptEnabled: false });
      await staff.page.goto(srv.base + `/beteiligung/verfahren/${s.pid}/umfragen/neu`);
      await staff.page.locator('input[name="titel"]').fill('Ohne JavaScript');
      await staff.page.locator('input[name="frage3_text"]').fill('Die dritte Frage');
      await Promise.all([staff.page.waitForLoadState('load'), staff.page.locator('button[value="frage"]').click()]);
      assert.equal(await staff.page.locator('input[name="frage4_text"]').count(), 1, 'a fourth row');
      assert.equal(await staff.page.locator('input[name="titel"]').inputValue(), 'Ohne JavaScript');
      assert.equal(await staff.page.locator('input[name="frage3_text"]').inputValue(), 'Die dritte Frage');
      await staff.page.locator('input[name="frage4_text"]').fill('Die vierte Frage');
      await staff.page.locator('select[name="frage4_art"]').selectOption('text');
      await staff.page.locator('select[name="frage3_art"]').selectOption('bewertung');
      await staff.page.locator('input[name="beginn"]').fill(new Date().toISOString().slice(0, 10));
      await staff.page.locator('input[name="ende"]').fill(new Date(Date.now() + 5 * 86400000).toISOString().slice(0, 10));
      await Promise.all([staff.page.waitForURL(/hinweis=angelegt/), staff.page.locator('button[value="speichern"]').click()]);
      const kinds = await srv.query(
        `SELECT q.kind FROM survey_questions q JOIN surveys s ON s.id = q.survey_id WHERE s.title = 'Ohne JavaScript' ORDER BY q.position`,
      );
      assert.deepEqual(kinds.map((r) => r[0]), ['bewertung', 'text']);
      await staff.ctx.close();
    });
  }

  testCleanExit(() => srv);
}

describe('sqlite', { timeout: 300000 }, () => suite('sqlite', { full: true }));
describePg('postgres', { timeout: 300000 }, () => suite('postgres', { full: false }));

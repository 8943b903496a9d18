// services-appointments.test.mjs — WCAG 2.1 A/AA (axe-core) on the pages of
// appointments, payment and the status lookup, in German and English, with
// their error states: /termine, the booking page (visitor and citizen, and
// the citizen's booking without a time chosen), the booking, the payment page,
// the caseworker's publishing page (and with mistakes) and the day's list,
// /status with an input error and with "not found". And a citizen books an
// appointment with the keyboard alone, JavaScript switched off. SQLite.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountClient, accountSuite, contextHeaders, loginOk, registerAndConfirm, shareSession, sqlWrite, unitId } from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const berlinDay = (ahead) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date(Date.now() + ahead * 86400000));

describe('sqlite', { timeout: 300000 }, () => {
  let srv;
  let smtp;
  let browser;
  accountSuite('sqlite', { demo: true, browser: true, onStart: (s) => ({ srv, smtp, browser } = s) });
  const DAY = berlinDay(9);
  const s = {};

  before(async () => {
    const unit = await unitId(srv, 'buergeramt');
    await sqlWrite(
      srv,
      `INSERT INTO services (slug, name, unit_id, appointments, workflow, created_at, updated_at) VALUES ('termin-browser', 'Testleistung Browser', ${unit}, 1, 'standard', 0, 0);
       INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES ('termin-browser', 1, 'Test', '{}', 0);`,
    );
    s.staff = accountClient(srv);
    await loginOk(s.staff, 'buergeramt@rathaus.test', DEMO_PASSWORD);
    await s.staff.page('/verwaltung/termine');
    const fields = [
      ['einheit', String(unit)], ['leistung', ''], ['von', DAY], ['bis', DAY], ['beginn', '18:00'], ['ende', '19:00'],
      ['dauer', '20'], ['schalter', 'Schalter 5'], ['kapazitaet', '2'],
      ...['0', '1', '2', '3', '4', '5', '6'].map((d) => ['wochentage', d]),
    ];
    const r = await s.staff.post('/verwaltung/termine', fields);
    assert.equal(r.status, 303);
    s.citizen = await registerAndConfirm(srv, smtp, { tag: 'browser' });
    s.other = await registerAndConfirm(srv, smtp, { tag: 'tastatur' });
    const [[starts]] = await srv.query("SELECT starts_at FROM appointment_slots WHERE counter = 'Schalter 5' ORDER BY starts_at LIMIT 1");
    const b = await s.citizen.client.post('/termine/buchen', [['leistung', 'termin-browser'], ['termin', starts], ['tag', DAY]]);
    assert.equal(b.status, 303);
    s.booking = b.headers.location.replace(/\?.*$/, '');
    const svc = (await srv.query("SELECT id FROM services WHERE slug = 'termin-browser'"))[0][0];
    await sqlWrite(
      srv,
      `INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, data, fee_cents, fee_lines, created_at, submitted_at, updated_at)
       VALUES ('MZ-2026-990001', ${svc}, (SELECT id FROM form_definitions WHERE form_key = 'termin-browser'), ${unit}, ${s.citizen.id}, 'eingegangen', '{}', 3750,
               '[{"label":"Reisepass (unter 24 Jahre, 6 Jahre gültig)","cents":3750}]', 1, 1, 1)`,
    );
    s.appId = (await srv.query("SELECT id FROM applications WHERE reference = 'MZ-2026-990001'"))[0][0];
  });

  // Visits each page (and each error state) and collects every axe violation,
  // console error and wrong status.
  async function audit(context, lang, steps) {
    const page = await context.newPage();
    const watch = watchPage(page);
    const problems = [];
    const check = async (label) => {
      watch.pause();
      const htmlLang = await page.evaluate(() => document.documentElement.lang);
      if (htmlLang !== lang) problems.push(`${label}: <html lang="${htmlLang}">, expected ${lang}`);
      const v = await runAxe(page);
      if (v.length) problems.push(`axe on ${label} (${lang}):\n${formatViolations(v)}`);
      // A request the browser itself cancels when the next page loads is no fault of the page.
      problems.push(...watch.errors.filter((e) => !/net::ERR_ABORTED$/.test(e)).map((e) => `${label}: ${e}`));
      watch.errors.length = 0;
      watch.resume();
    };
    await page.goto(srv.base + '/termine');
    if (lang !== 'de') await switchLanguage(page, lang);
    for (const step of steps) {
      if (step.path) {
        const res = await page.goto(srv.base + step.path, { waitUntil: 'load' });
        if (res.status() !== (step.status ?? 200)) problems.push(`${step.path}: HTTP ${res.status()}`);
        await check(step.path);
      } else {
        await page.goto(srv.base + step.on, { waitUntil: 'load' });
        const form = page.locator(step.form).first();
        for (const [name, value] of Object.entries(step.fill ?? {})) await form.locator(`[name="${name}"]`).first().fill(value);
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
          form.locator('button[type="submit"]').first().click(),
        ]);
        await page.waitForLoadState('load');
        if (resp.status() !== step.status) problems.push(`${step.label}: HTTP ${resp.status()}, expected ${step.status}`);
        await check(step.label);
      }
    }
    await page.close();
    return problems;
  }

  for (const lang of ['de', 'en']) {
    test(`visitor pages and /status with its errors pass axe (${lang})`, async () => {
      const context = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
      const problems = await audit(context, lang, [
        { path: '/termine' },
        { path: `/termine/buchen?leistung=termin-browser&tag=${DAY}` },
        { path: '/status' },
        { on: '/status', form: 'form[action="/status"]', fill: { antragsnummer: 'falsch', geburtsdatum: '' }, status: 422, label: '/status with errors' },
        { on: '/status', form: 'form[action="/status"]', fill: { antragsnummer: 'MZ-2026-000001', geburtsdatum: '1990-01-01' }, status: 200, label: '/status not found' },
      ]);
      await context.close();
      assert.deepEqual(problems, [], problems.join('\n\n'));
    });

    test(`citizen pages pass axe, with the booking error (${lang})`, async () => {
      const context = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
      await shareSession(context, s.citizen.client);
      const problems = await audit(context, lang, [
        { path: '/termine' },
        { path: `/termine/buchen?leistung=termin-browser&tag=${DAY}` },
        { on: `/termine/buchen?leistung=termin-browser&tag=${DAY}`, form: 'form[action="/termine/buchen"]', status: 422, label: 'booking without a time' },
        { path: s.booking },
        { path: `/antraege/${s.appId}/bezahlen` },
      ]);
      await context.close();
      assert.deepEqual(problems, [], problems.join('\n\n'));
    });

    test(`caseworker pages pass axe, with the form's errors (${lang})`, async () => {
      const context = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
      await shareSession(context, s.staff);
      const problems = await audit(context, lang, [
        { path: '/verwaltung/termine' },
        { on: '/verwaltung/termine', form: 'form[action="/verwaltung/termine"][method="post"]', fill: { dauer: '2', schalter: '', bis: '2000-01-01' }, status: 422, label: 'publishing with mistakes' },
        { path: `/verwaltung/termine/tag?datum=${DAY}` },
      ]);
      await context.close();
      assert.deepEqual(problems, [], problems.join('\n\n'));
    });
  }

  test('a citizen books with the keyboard alone, JavaScript off', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false, extraHTTPHeaders: contextHeaders() });
    await shareSession(context, s.other.client);
    const page = await context.newPage();
    await page.goto(`${srv.base}/termine/buchen?leistung=termin-browser&tag=${DAY}`);
    // Tab from the top of the page to the first time, choose it, then on to the button.
    await page.locator('input[name="termin"]').first().focus();
    await page.keyboard.press('Space');
    assert.ok(await page.locator('input[name="termin"]').first().isChecked());
    let onButton = false;
    for (let i = 0; i < 40 && !onButton; i++) {
      await page.keyboard.press('Tab');
      onButton = await page.evaluate(() => document.activeElement?.matches('form[action="/termine/buchen"] button[type="submit"]'));
    }
    assert.ok(onButton, 'the submit button is reachable by Tab');
    await Promise.all([page.waitForURL(/\/termine\/\d+\?gebucht=1$/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Ihr Termin ist gebucht/);
    await context.close();
  });

  testCleanExit(() => srv);
});

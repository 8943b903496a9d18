// participation-requests.test.mjs — the Anregungen in a real browser: zero axe
// violations (WCAG 2.1 A/AA), one h1 and no console errors on the list, the page
// of an Anregung in every stage (the demo data has one each) as a visitor, as a
// resident who may support and as one from outside Mainz, the form to submit one
// (empty, with errors, and the refusal a 13-year-old sees), and the coordination
// office's queue and pages (with the forms of each stage and a form with an
// error); in German and English. A resident supports with the keyboard alone;
// without JavaScript a resident supports, withdraws, and a form with mistakes
// comes back with what was typed. SQLite; a smoke pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountClient, accountSuite, contextHeaders, createStaff, loginOk, shareSession, signInStaff, sqlWrite } from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);

function dateFromToday(years, days) {
  const s = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const [y, m, d] = s.split('-').map(Number);
  const day = m === 2 && d === 29 && (y + years) % 4 !== 0 ? 28 : d;
  return new Date(Date.UTC(y + years, m - 1, day + days)).toISOString().slice(0, 10);
}

function suite(engine, { full }) {
  let srv;
  let smtp;
  let browser;
  const s = {};
  let counter = 0;
  accountSuite(engine, { demo: true, browser: true, onStart: (started) => ({ srv, smtp, browser } = started) });

  // A signed-in resident (SQL-made account with the demo password's hash, real login).
  async function resident({ postcode = '55116', city = 'Mainz', birth = '1990-01-01' } = {}) {
    const email = `browser-${engine}-${++counter}-${Date.now()}@example.org`;
    const t = now();
    await sqlWrite(
      srv,
      `BEGIN; INSERT INTO users (email, password_hash, email_confirmed_at, is_staff, trust_level, display_name, created_at, updated_at)` +
        ` SELECT ${q(email)}, password_hash, ${t}, 0, 1, 'Bea Browser', ${t}, ${t} FROM users WHERE email = 'maria.muster@example.org';` +
        ` INSERT INTO profiles (user_id, given_name, family_name, birth_date, street, house_number, postcode, city, updated_at)` +
        ` SELECT id, 'Bea', 'Browser', ${q(birth)}, 'Lotharstraße', '2', ${q(postcode)}, ${q(city)}, ${t} FROM users WHERE email = ${q(email)}; COMMIT;`,
    );
    const client = accountClient(srv);
    await loginOk(client, email, DEMO_PASSWORD);
    return { email, client };
  }

  const idOf = async (title) => Number((await srv.query(`SELECT id FROM participation_requests WHERE title = ${q(title)}`))[0][0]);

  before(async () => {
    s.ids = {
      eingereicht: await idOf('Mehr sichere Fahrradstellplätze am Hauptbahnhof'),
      sammlung: await idOf('Mehr Bänke und Schatten am Rheinufer'),
      erfolgreich: await idOf('Beteiligung bei der Planung dieses Vorhabens'),
      stadtrat: await idOf('Sichere Schulwege in Gonsenheim'),
      entschieden: await idOf('Ein Jugendtreff für die Neustadt'),
      nicht_erreicht: await idOf('Öffentliche Toiletten in der Altstadt'),
      abgelehnt: await idOf('Tempo 30 auf der Bundesstraße'),
    };
    const staff = await createStaff(srv, { role: 'beteiligung', name: 'Kora Koordination' });
    s.office = (await signInStaff(srv, staff)).client;
    s.resident = await resident();
    s.outsider = await resident({ postcode: '65183', city: 'Wiesbaden' });
    s.young = await resident({ birth: dateFromToday(-14, 1) });
  });

  async function open(client, lang, { javaScriptEnabled = true } = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), javaScriptEnabled });
    if (client) await shareSession(ctx, client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + '/beteiligung/anregungen');
      await switchLanguage(page, 'en');
      // Let the page finish (its icon), so that the next navigation cancels nothing.
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
    test(`axe: the list, an Anregung in every stage, for visitors and residents (${lang})`, async () => {
      const anon = await open(null, lang);
      await visit(anon.page, anon.watch, '/beteiligung/anregungen', 'the list', lang);
      assert.ok((await anon.page.locator('main .kern-card').count()) >= 6, 'the published demo Anregungen');
      await visit(anon.page, anon.watch, '/beteiligung/anregungen?status=sammlung&sortierung=ende', 'the list, filtered', lang);
      for (const [stage, id] of Object.entries(s.ids)) {
        if (stage === 'eingereicht') continue;
        await visit(anon.page, anon.watch, `/beteiligung/anregungen/${id}`, `an Anregung (${stage}), visitor`, lang);
      }
      assert.equal(await anon.page.locator('progress').count(), 0, 'a refused Anregung has no progress bar');
      await visit(anon.page, anon.watch, `/beteiligung/anregungen/${s.ids.eingereicht}`, 'one in the check, visitor', lang, 404);
      await anon.ctx.close();

      const own = await open(s.resident.client, lang);
      await visit(own.page, own.watch, `/beteiligung/anregungen/${s.ids.sammlung}`, 'a collecting Anregung, resident', lang);
      assert.equal(await own.page.locator(`form[action="/beteiligung/anregungen/${s.ids.sammlung}/unterstuetzen"]`).count(), 1);
      await visit(own.page, own.watch, '/beteiligung/anregungen/neu', 'the form', lang);
      // Sent empty: the summary on top, a message per field.
      const status = await send(own.page, own.page.locator('form[action="/beteiligung/anregungen/neu"] button[type="submit"]'));
      assert.equal(status, 422);
      assert.ok((await own.page.locator('.form-errors a').count()) >= 4);
      await axeClean(own.page, own.watch, 'the form with errors', lang);
      await own.ctx.close();

      const away = await open(s.outsider.client, lang);
      await visit(away.page, away.watch, `/beteiligung/anregungen/${s.ids.sammlung}`, 'a collecting Anregung, resident of Wiesbaden', lang);
      assert.equal(await away.page.locator('form[action$="/unterstuetzen"]').count(), 0);
      await visit(away.page, away.watch, '/beteiligung/anregungen/neu', 'the form, resident of Wiesbaden', lang);
      await away.ctx.close();

      const young = await open(s.young.client, lang);
      await visit(young.page, young.watch, '/beteiligung/anregungen/neu', 'the form, 13 years old', lang);
      assert.equal(await young.page.locator('input[name="titel"]').count(), 0, 'no form for a 13-year-old');
      await young.ctx.close();
    });

    test(`axe: the coordination office's queue and pages, with a form in its error state (${lang})`, async () => {
      const { ctx, page, watch } = await open(s.office, lang);
      await visit(page, watch, '/verwaltung/beteiligung/anregungen', 'the queue', lang);
      for (const [stage, id] of Object.entries(s.ids))
        await visit(page, watch, `/verwaltung/beteiligung/anregungen/${id}`, `the office's page (${stage})`, lang);
      await page.goto(srv.base + `/verwaltung/beteiligung/anregungen/${s.ids.eingereicht}`);
      assert.equal(await page.locator('main form[method="post"]').count(), 2, 'admit and refuse');
      // Refusing without a reason and a text.
      const status = await send(page, page.locator('form:has(input[name="aktion"][value="ablehnen"]) button[type="submit"]'));
      assert.equal(status, 422);
      assert.equal(await page.locator('.form-errors a').count(), 2);
      await axeClean(page, watch, "the office's refusal with errors", lang);
      await ctx.close();
    });
  }

  if (full) {
    test('a resident supports with the keyboard alone', async () => {
      const someone = await resident();
      const { ctx, page } = await open(someone.client, 'de');
      await page.goto(srv.base + `/beteiligung/anregungen/${s.ids.sammlung}`);
      const before = Number((await srv.query(`SELECT support_count FROM participation_requests WHERE id = ${s.ids.sammlung}`))[0][0]);
      const onButton = () => page.evaluate(() => !!document.activeElement?.closest('form[action$="/unterstuetzen"]'));
      for (let i = 0; i < 80 && !(await onButton()); i++) await page.keyboard.press('Tab');
      assert.ok(await onButton(), 'Tab reaches the support button');
      assert.ok(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle !== 'none' || getComputedStyle(document.activeElement).boxShadow !== 'none'), 'focus is visible');
      await Promise.all([page.waitForURL(/unterstuetzt=1/), page.keyboard.press('Enter')]);
      assert.match(await page.locator('main').innerText(), /Danke! Ihre Unterstützung ist gezählt/);
      const after = Number((await srv.query(`SELECT support_count FROM participation_requests WHERE id = ${s.ids.sammlung}`))[0][0]);
      assert.equal(after, before + 1);
      await ctx.close();
    });

    test('without JavaScript: support, withdraw, and a form with mistakes keeps what was typed', async () => {
      const someone = await resident();
      const { ctx, page } = await open(someone.client, 'de', { javaScriptEnabled: false });
      const id = s.ids.sammlung;
      await page.goto(srv.base + `/beteiligung/anregungen/${id}`);
      await Promise.all([page.waitForURL(/unterstuetzt=1/), page.locator(`form[action="/beteiligung/anregungen/${id}/unterstuetzen"] button`).click()]);
      assert.match(await page.locator('main').innerText(), /Sie unterstützen diese Anregung/);
      await Promise.all([page.waitForURL(/zurueckgezogen=1/), page.locator(`form[action="/beteiligung/anregungen/${id}/zurueckziehen"] button`).click()]);
      assert.match(await page.locator('main').innerText(), /Ihre Unterstützung ist zurückgezogen/);
      const supported = await srv.query(`SELECT COUNT(*) FROM participation_request_supports s JOIN users u ON u.id = s.user_id WHERE s.request_id = ${id} AND u.email = ${q(someone.email)}`);
      assert.equal(supported[0][0], '0');

      await page.goto(srv.base + '/beteiligung/anregungen/neu');
      await page.locator('input[name="titel"]').fill('Ein Wasserspielplatz am Winterhafen');
      await page.locator('textarea[name="begruendung"]').fill('Zu kurz');
      await page.locator('input[name="form"][value="kooperation"]').check();
      await Promise.all([page.waitForLoadState('load'), page.locator('form[action="/beteiligung/anregungen/neu"] button[type="submit"]').click()]);
      assert.equal(await page.locator('input[name="titel"]').inputValue(), 'Ein Wasserspielplatz am Winterhafen');
      assert.equal(await page.locator('textarea[name="begruendung"]').inputValue(), 'Zu kurz');
      assert.ok(await page.locator('input[name="form"][value="kooperation"]').isChecked());
      await page.locator('input[name="thema"]').fill('Winterhafen');
      await page.locator('textarea[name="begruendung"]').fill('Kinder im Winterhafen haben keinen Ort zum Spielen mit Wasser.');
      await page.locator('input[name="veroeffentlichen"]').check();
      await Promise.all([page.waitForURL(/eingereicht=1/), page.locator('form[action="/beteiligung/anregungen/neu"] button[type="submit"]').click()]);
      assert.match(await page.locator('main').innerText(), /Ihre Anregung ist eingegangen/);
      await ctx.close();
    });
  }

  testCleanExit(() => srv);
}

describe('sqlite', { timeout: 300000 }, () => suite('sqlite', { full: true }));
describePg('postgres', { timeout: 300000 }, () => suite('postgres', { full: false }));

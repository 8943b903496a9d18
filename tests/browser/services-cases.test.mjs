// services-cases.test.mjs — the case work pages in a real browser: WCAG 2.1 A/AA
// (axe-core) on the inbox (also with a filter error), a case page with answers,
// files, history and Postfach, the notice preview, a status form sent back with
// an error, the four-eyes box, and the statistics page, in German and English;
// no console errors or CSP refusals. Then a caseworker without JavaScript
// moves a case with the keyboard alone. SQLite; a smoke pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountSuite, contextHeaders, shareSession, signInStaff, sqlWrite, unitId, userId } from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);

const DEFINITION = JSON.stringify({
  form_key: 'h5-browser',
  title: 'Testformular',
  steps: [
    { title: 'Zur Person', fields: [{ name: 'given_name', type: 'text', label: 'Vorname' }] },
    { title: 'Die Wohnung', fields: [{ name: 'nights', type: 'number', label: 'Nächte pro Jahr' }] },
  ],
});

// Makes a service of unit and n submitted cases of it (by SQL: applying is
// another part's work); → [{id, reference}].
async function seed(srv, { slug, unit, workflow = 'standard', fourEyes = 0, statuses, user }) {
  const t = now();
  const uid = await unitId(srv, unit);
  await sqlWrite(srv, `INSERT INTO form_definitions (form_key, version, title, definition, created_at) SELECT 'h5-browser', 1, 'Test', ${q(DEFINITION)}, ${t} WHERE NOT EXISTS (SELECT 1 FROM form_definitions WHERE form_key = 'h5-browser')`);
  await sqlWrite(
    srv,
    `INSERT INTO services (slug, name, unit_id, workflow, four_eyes, created_at, updated_at) VALUES (${q(slug)}, ${q('Testleistung ' + slug)}, ${uid}, ${q(workflow)}, ${fourEyes}, ${t}, ${t})`,
  );
  const out = [];
  for (const [i, status] of statuses.entries()) {
    const reference = `${slug.toUpperCase()}-${i + 1}`;
    await sqlWrite(
      srv,
      `INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, summary, data, fee_cents, created_at, submitted_at, updated_at)` +
        ` SELECT ${q(reference)}, s.id, f.id, ${uid}, ${user ?? 'NULL'}, ${q(status)}, ${q('Testfall ' + reference)}, ${q(JSON.stringify({ given_name: 'Maria', nights: '120' }))}, 3750, ${t - i * 3600}, ${t - i * 3600}, ${t}` +
        ` FROM services s, form_definitions f WHERE s.slug = ${q(slug)} AND f.form_key = 'h5-browser'`,
    );
    const id = Number((await srv.query(`SELECT id FROM applications WHERE reference = ${q(reference)}`))[0][0]);
    out.push({ id, reference });
  }
  return out;
}

// A page checker: every problem (status, console, axe) is collected.
function checker(page, base, lang) {
  const watch = watchPage(page);
  const problems = [];
  let pages = 0;
  const check = async (label) => {
    await page.waitForTimeout(50);
    watch.pause();
    problems.push(...watch.errors.filter((e) => !/net::ERR_ABORTED$/.test(e)).map((e) => `${label}: ${e}`));
    watch.errors.length = 0;
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) problems.push(`${label}: <html lang="${htmlLang}">, expected ${lang}`);
    const v = await runAxe(page);
    if (v.length) problems.push(`axe on ${label}:\n${formatViolations(v)}`);
    pages++;
    watch.resume();
  };
  const visit = async (path, expect = 200) => {
    watch.errors.length = 0;
    watch.resume();
    const res = await page.goto(base + path, { waitUntil: 'load' });
    if (res.status() !== expect) problems.push(`${path}: HTTP ${res.status()}, expected ${expect}`);
    await check(path);
  };
  // press(button, expect, label) — sends the button's form as a person does.
  const press = async (button, expect, label) => {
    watch.errors.length = 0;
    watch.resume();
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest()),
      page.locator(button).first().click(),
    ]);
    await page.waitForLoadState('load');
    if (resp.status() !== expect) problems.push(`${label}: HTTP ${resp.status()}, expected ${expect}`);
    await check(`${label} (HTTP ${resp.status()})`);
  };
  return { visit, press, check, problems, pages: () => pages };
}

describe('sqlite', { timeout: 300000 }, () => {
  let srv;
  let browser;
  let office;
  let bauamt;
  let leitung;
  const c = {};
  accountSuite('sqlite', { demo: true, browser: true, onStart: (s) => ({ srv, browser } = s) });

  before(async () => {
    const maria = await userId(srv, 'maria.muster@example.org');
    c.standard = await seed(srv, { slug: 'h5-axe', unit: 'buergeramt', statuses: ['eingegangen', 'in_pruefung', 'in_pruefung', 'abgeschlossen'], user: maria });
    c.zweck = await seed(srv, { slug: 'h5-axe-zweck', unit: 'bauamt', workflow: 'zweckentfremdung', fourEyes: 1, statuses: ['in_pruefung'], user: maria });
    await sqlWrite(srv, `UPDATE applications SET closed_at = submitted_at + 86400 * 3 WHERE reference = 'H5-AXE-4'`);
    office = (await signInStaff(srv, { email: 'buergeramt@rathaus.test', password: DEMO_PASSWORD })).client;
    bauamt = (await signInStaff(srv, { email: 'bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
    leitung = (await signInStaff(srv, { email: 'leitung.bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
    // A note, a question with its Postfach message, and a proposal for four eyes.
    const [first, second] = c.standard;
    for (const [client, path, fields] of [
      [office, `/verwaltung/vorgaenge/${first.id}/notiz`, [['notiz', 'Erste Notiz\nzweite Zeile']]],
      [office, `/verwaltung/vorgaenge/${second.id}/status`, [['status', 'rueckfrage'], ['text', 'Bitte Nachweis schicken.']]],
      [bauamt, `/verwaltung/vorgaenge/${c.zweck[0].id}/status`, [['status', 'entschieden'], ['text', 'Genehmigt für 150 Nächte.']]],
    ]) {
      client.syncCsrf();
      const r = await client.postForm(path, fields);
      assert.equal(r.status, 303, `${path}: ${r.status}`);
    }
  });

  async function open(lang, client, { javaScriptEnabled = true } = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), javaScriptEnabled });
    await shareSession(ctx, client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + '/verwaltung/vorgaenge');
      await switchLanguage(page, 'en');
    }
    return { ctx, page, k: checker(page, srv.base, lang) };
  }
  const report = (k) => `${k.problems.length} problem(s) on ${k.pages()} pages:\n${k.problems.join('\n')}`;

  for (const lang of ['de', 'en']) {
    test(`inbox, case, preview, error state, four eyes and statistics pass axe (${lang})`, async () => {
      const { ctx, page, k } = await open(lang, office);
      await k.visit('/verwaltung/vorgaenge');
      await k.visit(`/verwaltung/vorgaenge?status=in_pruefung&sortierung=aelteste&mir=1`);
      await k.visit('/verwaltung/vorgaenge?aelter=viele', 422);
      await k.visit(`/verwaltung/vorgaenge/${c.standard[0].id}`);
      await k.visit(`/verwaltung/vorgaenge/${c.standard[1].id}`);
      await k.visit(`/verwaltung/vorgaenge/${c.standard[3].id}`);
      // The notice preview, then the form sent back: a refusal without reason.
      await page.goto(`${srv.base}/verwaltung/vorgaenge/${c.standard[2].id}`);
      await page.fill('textarea[name="text"]', 'Die Unterlagen fehlen.');
      await k.press('button[name="vorschau"][value="abgelehnt"]', 200, 'notice preview');
      await page.fill('textarea[name="text"]', '');
      await k.press('button[name="status"][value="abgelehnt"]', 422, 'refusal without a reason');
      await k.visit('/verwaltung/vorgaenge/statistik');
      await ctx.close();

      const l = await open(lang, leitung);
      await l.k.visit(`/verwaltung/vorgaenge/${c.zweck[0].id}`);
      await l.ctx.close();
      assert.equal(k.problems.length + l.k.problems.length, 0, report(k) + '\n' + report(l.k));
    });
  }

  test('without JavaScript, sending forms and following links with Enter: filter the inbox, open a case, start the review', async () => {
    const { ctx, page } = await open('de', office, { javaScriptEnabled: false });
    await page.goto(`${srv.base}/verwaltung/vorgaenge`);
    await page.focus('select[name="status"]');
    await page.selectOption('select[name="status"]', 'eingegangen');
    await page.focus('form[role="search"] button[type="submit"]');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(page.url(), /status=eingegangen/);
    const link = page.locator(`a[href="/verwaltung/vorgaenge/${c.standard[0].id}"]`);
    await link.focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await page.focus('button[name="status"][value="in_pruefung"]');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Der Status wurde geändert/);
    const row = await srv.query(`SELECT status FROM applications WHERE id = ${c.standard[0].id}`);
    assert.equal(row[0][0], 'in_pruefung');
    await ctx.close();
  });

  testCleanExit(() => srv);
});

describePg('postgres', { timeout: 300000 }, () => {
  let srv;
  let browser;
  accountSuite('postgres', { demo: true, browser: true, onStart: (s) => ({ srv, browser } = s) });

  test('inbox and a case page pass axe on PostgreSQL', async () => {
    const cases = await seed(srv, { slug: 'h5-pg', unit: 'buergeramt', statuses: ['eingegangen'] });
    const office = (await signInStaff(srv, { email: 'buergeramt@rathaus.test', password: DEMO_PASSWORD })).client;
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    await shareSession(ctx, office);
    const page = await ctx.newPage();
    const k = checker(page, srv.base, 'de');
    await k.visit('/verwaltung/vorgaenge');
    await k.visit(`/verwaltung/vorgaenge/${cases[0].id}`);
    await k.visit('/verwaltung/vorgaenge/statistik');
    await ctx.close();
    assert.equal(k.problems.length, 0, report(k));
  });

  const report = (k) => `${k.problems.length} problem(s):\n${k.problems.join('\n')}`;
  testCleanExit(() => srv);
});

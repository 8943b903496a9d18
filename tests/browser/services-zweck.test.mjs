// services-zweck.test.mjs — the Zweckentfremdung pages in a real browser: zero
// axe violations (WCAG 2.1 A/AA), one h1 and no console errors on
// /zweckentfremdung (anonymous and with the owner's flats), a ledger with the
// alert for a year past its permitted nights, the add form in its error state,
// the Bauamt's read-only ledger and its staff list, and the public check
// (empty, valid, not valid, a mistyped number); in German and English. A stay is
// recorded with the keyboard alone, and without JavaScript. Every step of the two
// forms (the anonymous report, sent; the permit up to its review page) is checked
// with axe too. SQLite; a smoke pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountSuite, contextHeaders, registerAndConfirm, shareSession, signInStaff, sqlWrite, unitId } from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);
const dayOf = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86400000);
const isoOf = (day) => new Date(day * 86400000).toISOString().slice(0, 10);
const todayIso = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const today = () => dayOf(todayIso());

function suite(engine, { full }) {
  let srv;
  let smtp;
  let browser;
  const s = {};
  let refCounter = 0;
  accountSuite(engine, { demo: true, browser: true, onStart: (started) => ({ srv, smtp, browser } = started) });

  // A permit of userId, granted through the case routes (four eyes), valid from validFrom.
  async function permit(userId, { nights, street }, validFrom) {
    const reference = `MZ-ZBROWSER-${++refCounter}`;
    const answers = {
      wohnung_adresse: { street, house_number: '7', postcode: '55116', city: 'Mainz' },
      wohnung_lage: 'Erdgeschoss',
      naechte_pro_jahr: String(nights),
      zeitraum_von: todayIso(),
      zeitraum_bis: isoOf(today() + 3 * 365),
    };
    const t = now();
    await sqlWrite(
      srv,
      `INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, data, summary, created_at, submitted_at, updated_at)` +
        ` SELECT ${q(reference)}, s.id, (SELECT MAX(f.id) FROM form_definitions f WHERE f.form_key = 'zweckentfremdung-genehmigung'),` +
        ` s.unit_id, ${userId}, 'in_pruefung', ${q(JSON.stringify(answers))}, ${q('Ferienwohnung ' + street)}, ${t}, ${t}, ${t}` +
        ` FROM services s WHERE s.slug = 'zweckentfremdung-genehmigung'`,
    );
    const id = Number((await srv.query(`SELECT id FROM applications WHERE reference = ${q(reference)}`))[0][0]);
    const proposal = await s.bauamt.post(`/verwaltung/vorgaenge/${id}/status`, [['status', 'entschieden'], ['text', 'Genehmigt.']]);
    assert.equal(proposal.status, 303);
    assert.equal((await s.leitung.post(`/verwaltung/vorgaenge/${id}/freigabe`, [])).status, 303);
    await sqlWrite(srv, `UPDATE zweck_registrations SET valid_from = ${validFrom} WHERE application_id = ${id}`);
    return { id, number: (await srv.query(`SELECT number FROM zweck_registrations WHERE application_id = ${id}`))[0][0] };
  }

  before(async () => {
    const t = now();
    const bauamtId = await unitId(srv, 'bauamt');
    await sqlWrite(
      srv,
      `INSERT INTO services (slug, name, unit_id, form_key, workflow, four_eyes, min_trust, created_at, updated_at) VALUES` +
        ` ('zweckentfremdung-genehmigung', 'Genehmigung für eine Ferienwohnung', ${bauamtId}, 'zweckentfremdung-genehmigung', 'zweckentfremdung', 1, 1, ${t}, ${t})` +
        ` ON CONFLICT (slug) DO NOTHING`,
    );
    s.owner = await registerAndConfirm(srv, smtp, { tag: 'vermieterin' });
    s.bauamt = (await signInStaff(srv, { email: 'bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
    s.leitung = (await signInStaff(srv, { email: 'leitung.bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
    const lastYear = Number(todayIso().slice(0, 4)) - 1;
    s.lastYear = lastYear;
    s.over = await permit(s.owner.id, { nights: 85, street: 'Kaiserstraße' }, dayOf(`${lastYear}-01-01`));
    s.fine = await permit(s.owner.id, { nights: 120, street: 'Rheinallee' }, dayOf(`${lastYear}-01-01`));
    // 90 nights last year: five past the permit.
    const r = await s.owner.client.post(`/zweckentfremdung/${s.over.number}/aufenthalte`, [
      ['anreise', `${lastYear}-03-01`],
      ['abreise', isoOf(dayOf(`${lastYear}-03-01`) + 90)],
      ['gaeste', '2'],
    ]);
    assert.equal(r.status, 303);
  });

  async function open(client, lang, { javaScriptEnabled = true } = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), javaScriptEnabled });
    if (client) await shareSession(ctx, client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + '/zweckentfremdung');
      await switchLanguage(page, 'en');
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

  for (const lang of full ? ['de', 'en'] : ['de']) {
    test(`axe: the start page, the check, a ledger with its alert and form errors, the staff pages (${lang})`, async () => {
      const anon = await open(null, lang);
      await visit(anon.page, anon.watch, '/zweckentfremdung', '/zweckentfremdung, nobody signed in', lang);
      await visit(anon.page, anon.watch, '/zweckentfremdung/pruefen', 'the check, empty', lang);
      await visit(anon.page, anon.watch, `/zweckentfremdung/pruefen?nummer=${s.fine.number}`, 'the check, valid', lang);
      assert.equal(await anon.page.locator('.kern-alert--success[role="status"]').count(), 1);
      await visit(anon.page, anon.watch, '/zweckentfremdung/pruefen?nummer=MZ-ZE-2099-9999', 'the check, not valid', lang);
      // A mistyped number, sent with the form.
      await anon.page.locator('input[name="nummer"]').fill('Hausnummer 12');
      await Promise.all([anon.page.waitForURL(/nummer=Hausnummer/), anon.page.locator('form[action="/zweckentfremdung/pruefen"] button').click()]);
      assert.equal(await anon.page.locator('.form-errors a[href="#feld-nummer"]').count(), 1);
      await axeClean(anon.page, anon.watch, 'the check with a mistyped number', lang);
      await anon.ctx.close();

      const own = await open(s.owner.client, lang);
      await visit(own.page, own.watch, '/zweckentfremdung', '/zweckentfremdung with the owner’s flats', lang);
      assert.equal(await own.page.locator(`a[href="/zweckentfremdung/${s.over.number}"]`).count(), 1);
      await visit(own.page, own.watch, `/zweckentfremdung/${s.over.number}?jahr=${s.lastYear}`, 'a ledger over its limit', lang);
      assert.equal(await own.page.locator('.kern-alert--danger[role="alert"]').count(), 1, 'the alert');
      // The add form with a mistake: departure before arrival.
      await own.page.locator('input[name="anreise"]').fill(isoOf(today() + 10));
      await own.page.locator('input[name="abreise"]').fill(isoOf(today() + 5));
      await own.page.locator('input[name="gaeste"]').fill('3');
      const [resp] = await Promise.all([
        own.page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
        own.page.locator('form.zweck-add button[type="submit"]').click(),
      ]);
      await own.page.waitForLoadState('load');
      assert.equal(resp.status(), 422);
      assert.equal(await own.page.locator('.form-errors a[href="#feld-abreise"]').count(), 1);
      assert.equal(await own.page.locator('input[name="gaeste"]').inputValue(), '3', 'what was typed stays');
      await axeClean(own.page, own.watch, 'the add form with an error', lang);
      await visit(own.page, own.watch, `/zweckentfremdung/${s.fine.number}`, 'a ledger without stays', lang);
      await own.ctx.close();

      const staff = await open(s.bauamt, lang);
      await visit(staff.page, staff.watch, `/verwaltung/zweckentfremdung?jahr=${s.lastYear}`, 'the staff list', lang);
      assert.equal(await staff.page.locator('.kern-badge--danger').count() >= 1, true, 'a flat over its limit is marked');
      await visit(staff.page, staff.watch, `/zweckentfremdung/${s.over.number}?jahr=${s.lastYear}`, 'the ledger as the Bauamt sees it', lang);
      await staff.ctx.close();
    });
  }

  if (full) {
    test('a stay recorded with the keyboard alone', async () => {
      const { ctx, page } = await open(s.owner.client, 'de');
      await page.goto(srv.base + `/zweckentfremdung/${s.fine.number}`);
      const active = () => page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.tagName);
      // Tab until focus reaches what matches (a date input takes a few Tabs for its parts).
      const tabTo = async (want) => {
        for (let i = 0; i < 8 && (await active()) !== want; i++) await page.keyboard.press('Tab');
        assert.equal(await active(), want, `Tab reaches ${want}`);
      };
      // The browser decides the order of day, month and year in a date input:
      // find it out on a scratch page, then type each date in that order.
      const scratch = await ctx.newPage();
      await scratch.setContent('<input type="date" id="probe">');
      await scratch.locator('#probe').focus();
      await scratch.keyboard.type('01022030');
      const probe = await scratch.locator('#probe').inputValue();
      await scratch.close();
      const order = probe === '2030-01-02' ? ['m', 'd', 'y'] : probe === '2030-02-01' ? ['d', 'm', 'y'] : ['y', 'm', 'd'];
      const typeDate = async (iso) => {
        const [y, m, d] = iso.split('-');
        await page.keyboard.type(order.map((k) => ({ y, m, d })[k]).join(''));
      };
      const arrival = today() + 3;
      await page.locator('input[name="anreise"]').focus();
      await typeDate(isoOf(arrival));
      await tabTo('abreise');
      await typeDate(isoOf(arrival + 4));
      await tabTo('gaeste');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('4');
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => document.activeElement?.matches('form.zweck-add button[type="submit"]')), 'the button is next');
      await Promise.all([page.waitForURL(/eingetragen=1/), page.keyboard.press('Enter')]);
      assert.match(await page.locator('main').innerText(), /Der Aufenthalt ist eingetragen/);
      const rows = await srv.query(
        `SELECT s.arrival, s.departure, s.guests FROM zweck_stays s JOIN zweck_registrations r ON r.id = s.registration_id WHERE r.number = ${q(s.fine.number)}`,
      );
      assert.deepEqual(rows, [[String(arrival), String(arrival + 4), '4']]);
      await ctx.close();
    });

    test('an anonymous report in the browser, axe on every step of its form', async () => {
      const { ctx, page, watch } = await open(null, 'de');
      await visit(page, watch, '/leistungen/zweckentfremdung-meldung/antrag', 'the report’s start page', 'de');
      await Promise.all([page.waitForURL(/\/schritt\/1$/), page.locator('main form[method="post"] button[type="submit"]').first().click()]);
      await axeClean(page, watch, 'report step 1', 'de');
      await page.locator('input[name="wohnung_adresse.street"]').fill('Leibnizstraße');
      await page.locator('input[name="wohnung_adresse.house_number"]').fill('44');
      await page.locator('input[name="wohnung_adresse.postcode"]').fill('55118');
      await page.locator('input[name="wohnung_adresse.city"]').fill('Mainz');
      const next = (n) =>
        Promise.all([page.waitForURL(n), page.locator('button[name="_aktion"][value="weiter"]').click()]);
      await next(/\/schritt\/2$/);
      await axeClean(page, watch, 'report step 2', 'de');
      // Without an observation the step comes back with an error.
      await page.locator('textarea[name="beschreibung"]').fill('Jedes Wochenende neue Gäste.');
      await Promise.all([page.waitForLoadState('load'), page.locator('button[name="_aktion"][value="weiter"]').click()]);
      assert.equal(await page.locator('.form-errors').count(), 1, 'an error summary');
      await axeClean(page, watch, 'report step 2 with an error', 'de');
      await page.locator('input[name="beobachtung"][value="feriengaeste"]').check();
      await next(/\/schritt\/3$/);
      await axeClean(page, watch, 'report step 3 (contact, optional)', 'de');
      await next(/\/pruefen$/);
      await axeClean(page, watch, 'the report’s review page', 'de');
      const id = Number(/\/antraege\/(\d+)\/pruefen$/.exec(page.url())[1]);
      await Promise.all([page.waitForLoadState('load'), page.locator(`form[action="/antraege/${id}/absenden"] button[type="submit"]`).click()]);
      await axeClean(page, watch, 'the report’s receipt', 'de');
      const [row] = await srv.query(`SELECT a.status, COALESCE(a.user_id, 0), u.slug FROM applications a JOIN units u ON u.id = a.unit_id WHERE a.id = ${id}`);
      assert.deepEqual(row, ['eingegangen', '0', 'bauamt']);
      await ctx.close();
    });

    test('the permit application in the browser, axe on every step of its form', async () => {
      const { ctx, page, watch } = await open(s.owner.client, 'de');
      await visit(page, watch, '/leistungen/zweckentfremdung-genehmigung/antrag', 'the permit’s start page', 'de');
      await Promise.all([page.waitForURL(/\/schritt\/1$/), page.locator('main form[method="post"] button[type="submit"]').first().click()]);
      const fill = async (fields) => {
        for (const [name, value] of Object.entries(fields)) {
          const input = page.locator(`[name="${name}"]`).first();
          const type = await input.getAttribute('type');
          if (type === 'radio' || type === 'checkbox') await page.locator(`[name="${name}"][value="${value}"]`).check();
          else if (type === 'file') await input.setInputFiles(value);
          else await input.fill(value);
        }
      };
      const PDF = { name: 'nachweis.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n') };
      const steps = [
        ['die Wohnung', { 'wohnung_adresse.street': 'Holzstraße', 'wohnung_adresse.house_number': '3', 'wohnung_adresse.postcode': '55116', 'wohnung_adresse.city': 'Mainz', wohnung_lage: 'Dachgeschoss', wohnflaeche: '48', zimmer: '2' }],
        ['Angaben zu Ihnen', { antragsteller_vorname: 'Vera', antragsteller_nachname: 'Vermieterin', 'antragsteller_anschrift.street': 'Am Rhein', 'antragsteller_anschrift.house_number': '1', 'antragsteller_anschrift.postcode': '55116', 'antragsteller_anschrift.city': 'Mainz', antragsteller_email: s.owner.email, rolle: 'eigentum' }],
        ['Vermietung', { naechte_pro_jahr: '120', zeitraum_von: isoOf(today() + 7), zeitraum_bis: isoOf(today() + 700) }],
        ['Ausgleich', { ausgleich: 'ersatzwohnraum' }],
        ['Ersatzwohnraum', { 'ersatz_adresse.street': 'Neubaustraße', 'ersatz_adresse.house_number': '9', 'ersatz_adresse.postcode': '55122', 'ersatz_adresse.city': 'Mainz', ersatz_flaeche: '60', ersatz_ab: isoOf(today() + 30) }],
        ['Unterlagen', { nachweis_eigentum: PDF, grundriss: PDF }],
        ['Erklärung', { wahrheit: '1' }],
      ];
      for (const [label, fields] of steps) {
        await axeClean(page, watch, `permit step: ${label}`, 'de');
        await fill(fields);
        const before = page.url();
        await Promise.all([page.waitForURL((u) => u.toString() !== before), page.locator('button[name="_aktion"][value="weiter"]').click()]);
      }
      assert.match(page.url(), /\/pruefen$/, 'after the declaration: the review page');
      await axeClean(page, watch, 'the permit’s review page', 'de');
      assert.match(await page.locator('main').innerText(), /Neubaustraße/);
      await ctx.close();
    });

    test('without JavaScript: an overlap comes back with the values, then a stay is recorded and deleted', async () => {
      const { ctx, page } = await open(s.owner.client, 'de', { javaScriptEnabled: false });
      await page.goto(srv.base + `/zweckentfremdung/${s.fine.number}`);
      const arrival = today() + 5; // shares nights with the stay of the keyboard test
      await page.locator('input[name="anreise"]').fill(isoOf(arrival));
      await page.locator('input[name="abreise"]').fill(isoOf(arrival + 2));
      await page.locator('input[name="gaeste"]').fill('2');
      await Promise.all([page.waitForLoadState('load'), page.locator('form.zweck-add button[type="submit"]').click()]);
      assert.match(await page.locator('main').innerText(), /überschneidet sich/);
      assert.equal(await page.locator('input[name="anreise"]').inputValue(), isoOf(arrival));
      await page.locator('input[name="anreise"]').fill(isoOf(arrival + 30));
      await page.locator('input[name="abreise"]').fill(isoOf(arrival + 32));
      await Promise.all([page.waitForURL(/eingetragen=1/), page.locator('form.zweck-add button[type="submit"]').click()]);
      const del = page.locator('form[action$="/loeschen"] button').last();
      await Promise.all([page.waitForURL(/geloescht=1/), del.click()]);
      assert.match(await page.locator('main').innerText(), /Der Aufenthalt ist gelöscht/);
      await ctx.close();
    });
  }

  testCleanExit(() => srv);
}

describe('sqlite', { timeout: 300000 }, () => suite('sqlite', { full: true }));
describePg('postgres', { timeout: 300000 }, () => suite('postgres', { full: false }));

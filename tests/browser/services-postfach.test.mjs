// services-postfach.test.mjs — the Postfach in a real browser: zero axe
// violations (WCAG 2.1 A/AA) on /postfach empty and with threads, on a thread
// with messages and an attachment, on the reply form in its error state, and
// on the staff thread page; in German and English. The reply works with the
// keyboard alone and without JavaScript (the form is plain multipart HTML),
// and an error keeps the text. SQLite; a smoke pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import {
  accountSuite,
  contextHeaders,
  registerAndConfirm,
  shareSession,
  signInStaff,
  sqlWrite,
  unitId,
} from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);

function suite(engine, { full }) {
  let srv;
  let smtp;
  let browser;
  const s = {};
  accountSuite(engine, { demo: true, browser: true, onStart: (started) => ({ srv, smtp, browser } = started) });

  async function application(userId) {
    const reference = `MZ-BROWSER-${Math.random().toString(36).slice(2, 10)}`;
    const uid = await unitId(srv, 'buergeramt');
    const t = now();
    await sqlWrite(
      srv,
      `INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, summary, created_at, submitted_at, updated_at)` +
        ` SELECT ${q(reference)}, s.id, f.id, ${uid}, ${userId}, 'eingegangen', ${q('Reisepass – ' + reference)}, ${t}, ${t}, ${t}` +
        ` FROM services s, form_definitions f WHERE s.slug = 'postfach-browser' AND f.form_key = 'postfach-browser'`,
    );
    const rows = await srv.query(`SELECT id FROM applications WHERE reference = ${q(reference)}`);
    return { id: Number(rows[0][0]), reference };
  }

  async function reply(client, path, fields) {
    client.syncCsrf();
    const r = await client.postMultipart(path, fields);
    assert.equal(r.status, 303, `${path}: ${r.status}`);
  }

  before(async () => {
    const t = now();
    const uid = await unitId(srv, 'buergeramt');
    await sqlWrite(
      srv,
      `INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES ('postfach-browser', 1, 'Test', '{}', ${t});` +
        ` INSERT INTO services (slug, name, unit_id, created_at, updated_at) VALUES ('postfach-browser', 'Reisepass beantragen', ${uid}, ${t}, ${t})`,
    );
    s.empty = await registerAndConfirm(srv, smtp, { tag: 'leer' });
    s.citizen = await registerAndConfirm(srv, smtp, { tag: 'maria' });
    s.office = (await signInStaff(srv, { email: 'buergeramt@rathaus.test', password: DEMO_PASSWORD })).client;
    s.app = await application(s.citizen.id);
    s.second = await application(s.citizen.id);
    await reply(s.office, `/verwaltung/vorgaenge/${s.app.id}/nachricht`, [
      ['betreff', 'Rückfrage zu Ihren Unterlagen'],
      ['nachricht', 'Guten Tag,\nbitte senden Sie uns eine Kopie Ihres alten Passes.\n\nMit freundlichen Grüßen\nIhr Bürgeramt'],
    ]);
    await reply(s.citizen.client, `/postfach/${s.app.id}`, [
      ['nachricht', 'Anbei die Kopie.'],
      ['anhang', { filename: 'alter-pass.pdf', contentType: 'application/pdf', data: PDF }],
    ]);
    await reply(s.office, `/verwaltung/vorgaenge/${s.second.id}/nachricht`, [['nachricht', 'Ihr Termin ist bestätigt.']]);
  });

  // A browser page signed in as client, in lang, watching for console errors.
  async function open(client, lang, { javaScriptEnabled = true } = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), javaScriptEnabled });
    await shareSession(ctx, client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + '/postfach');
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

  for (const lang of full ? ['de', 'en'] : ['de']) {
    test(`axe: /postfach empty and with threads, a thread, the error state, the staff page (${lang})`, async () => {
      const empty = await open(s.empty.client, lang);
      const r0 = await empty.page.goto(srv.base + '/postfach');
      assert.equal(r0.status(), 200);
      await axeClean(empty.page, empty.watch, '/postfach without applications', lang);
      await empty.ctx.close();

      const { ctx, page, watch } = await open(s.citizen.client, lang);
      const r1 = await page.goto(srv.base + '/postfach');
      assert.equal(r1.status(), 200);
      assert.equal(await page.locator(`a[href="/postfach/${s.app.id}"]`).count(), 1);
      await axeClean(page, watch, '/postfach with threads', lang);

      const r2 = await page.goto(srv.base + `/postfach/${s.app.id}`);
      assert.equal(r2.status(), 200);
      assert.equal(await page.locator('ol.postfach-thread > li').count(), 2);
      await axeClean(page, watch, 'a thread with an attachment', lang);

      // The error state: an empty message.
      await page.locator('textarea[name="nachricht"]').fill('   ');
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
        page.locator(`form[action="/postfach/${s.app.id}"] button[type="submit"]`).click(),
      ]);
      await page.waitForLoadState('load');
      assert.equal(resp.status(), 422);
      assert.equal(await page.locator('.form-errors a[href="#feld-nachricht"]').count(), 1, 'the summary links to the field');
      await axeClean(page, watch, 'the reply form with an error', lang);
      await ctx.close();

      const staff = await open(s.office, lang);
      const r3 = await staff.page.goto(srv.base + `/verwaltung/vorgaenge/${s.app.id}/nachricht`);
      assert.equal(r3.status(), 200);
      await axeClean(staff.page, staff.watch, 'the staff thread page', lang);
      await staff.ctx.close();
    });
  }

  if (full) {
    test('the reply with the keyboard alone', async () => {
      const { ctx, page } = await open(s.citizen.client, 'de');
      await page.goto(srv.base + `/postfach/${s.second.id}`);
      await page.locator('textarea[name="nachricht"]').focus();
      await page.keyboard.type('Danke, ich komme zum Termin.');
      // Tab past the file input to the send button and press Enter.
      for (let i = 0; i < 5; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement?.matches('button[type="submit"]'))) break;
      }
      assert.ok(await page.evaluate(() => document.activeElement?.closest('form')?.getAttribute('action')), 'focus is in the form');
      await Promise.all([page.waitForURL(/gesendet=1/), page.keyboard.press('Enter')]);
      assert.match(await page.locator('main').innerText(), /Danke, ich komme zum Termin\./);
      await ctx.close();
    });

    test('without JavaScript: an error keeps the text, then the message with a file goes out', async () => {
      const { ctx, page } = await open(s.citizen.client, 'de', { javaScriptEnabled: false });
      await page.goto(srv.base + `/postfach/${s.second.id}`);
      const text = 'Ohne JavaScript geschrieben.\nZweite Zeile.';
      await page.locator('textarea[name="nachricht"]').fill(text);
      await page.locator('input[name="anhang"]').setInputFiles({ name: 'notiz.txt', mimeType: 'text/plain', buffer: Buffer.from('nur Text') });
      await Promise.all([page.waitForLoadState('load'), page.locator(`form[action="/postfach/${s.second.id}"] button[type="submit"]`).click()]);
      assert.match(await page.locator('main').innerText(), /PDF, JPEG oder PNG/);
      assert.equal(await page.locator('textarea[name="nachricht"]').inputValue(), text, 'the text is kept');
      await page.locator('input[name="anhang"]').setInputFiles({ name: 'nachweis.pdf', mimeType: 'application/pdf', buffer: PDF });
      await Promise.all([page.waitForURL(/gesendet=1/), page.locator(`form[action="/postfach/${s.second.id}"] button[type="submit"]`).click()]);
      const main = await page.locator('main').innerText();
      assert.match(main, /Ihre Nachricht ist gesendet/);
      assert.match(main, /nachweis\.pdf \(PDF/);
      await ctx.close();
    });
  }

  testCleanExit(() => srv);
}

describe('sqlite', { timeout: 300000 }, () => suite('sqlite', { full: true }));
describePg('postgres', { timeout: 300000 }, () => suite('postgres', { full: false }));

// services-forms-admin.test.mjs — the form administration in a real browser:
// axe-core (WCAG 2.1 A/AA) on the list, a form's versions, the preview of a JSON
// form and of an imported XDatenfelder form with its notes, and the upload form
// in its error states (no file; a definition the check refuses; an XML file
// without a key), in German and in English; an upload by keyboard alone with
// JavaScript switched off. No console errors or CSP refusals. SQLite; a smoke
// pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import { accountSuite, contextHeaders, createStaff, shareSession, signInStaff } from '../lib/account.mjs';

const LIST = '/verwaltung/formulare';
const XDF2 = readFileSync(path.join(REPO, 'tests/data/xdf/zweckentfremdung-xdf2.xml'));
const definition = (key, title, fields) =>
  JSON.stringify({ form_key: key, title, steps: [{ title: 'Angaben', intro: 'Bitte ausfüllen.', fields }] }, null, 2);
const GOOD = definition('beispiel', 'Beispielformular', [
  { name: 'vorname', type: 'text', label: 'Vorname', required: true, max_length: 100 },
  { name: 'art', type: 'radio', label: 'Art', options: [{ value: 'a', label: 'Erste' }, { value: 'b', label: 'Zweite' }] },
  { name: 'anlage', type: 'file', label: 'Anlage', accept: ['pdf'], show_if: { field: 'art', equals: 'b' } },
]);
const BAD = definition('beispiel', 'Kaputt', [{ name: 'farbe', type: 'colour', label: 'Farbe' }]);

// Uploads through the client of a signed-in editor (the data the pages show).
async function upload(c, key, filename, data) {
  await c.page(LIST);
  c.syncCsrf();
  const r = await c.postMultipart(LIST, [['schluessel', key], ['datei', { filename, data }]]);
  if (r.status !== 303) throw new Error(`upload of ${filename}: ${r.status}`);
}

// Collects problems of the pages one browser page visits: HTTP status, <html
// lang>, console errors and CSP refusals, axe violations.
function checker(page, base, lang) {
  const watch = watchPage(page);
  const problems = [];
  const check = async (label) => {
    await page.waitForTimeout(50);
    watch.pause();
    problems.push(...watch.errors.filter((e) => !/net::ERR_ABORTED$/.test(e)).map((e) => `${label}: ${e}`));
    watch.errors.length = 0;
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) problems.push(`${label}: <html lang="${htmlLang}">, expected ${lang}`);
    const v = await runAxe(page);
    if (v.length) problems.push(`axe on ${label}:\n${formatViolations(v)}`);
    watch.resume();
  };
  const visit = async (p) => {
    watch.errors.length = 0;
    watch.resume();
    const res = await page.goto(base + p, { waitUntil: 'load' });
    if (res.status() !== 200) problems.push(`${p}: HTTP ${res.status()}`);
    else await check(p);
  };
  // Sends the upload form with a file (or none) and a key, like a person.
  const uploadForm = async (key, file, expect, label) => {
    watch.pause();
    await page.goto(base + LIST, { waitUntil: 'load' });
    watch.errors.length = 0;
    watch.resume();
    const form = page.locator(`form[action="${LIST}"]`);
    await form.locator('[name="schluessel"]').fill(key);
    if (file) await form.locator('[name="datei"]').setInputFiles(file);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      form.locator('button[type="submit"]').click(),
    ]);
    await page.waitForLoadState('load');
    if (resp.status() !== expect) problems.push(`${label}: HTTP ${resp.status()}, expected ${expect}`);
    await check(label);
  };
  return { visit, uploadForm, problems };
}

describe('sqlite', { timeout: 300000 }, () => {
  let srv;
  let browser;
  let editor;
  accountSuite('sqlite', { browser: true, onStart: (s) => ({ srv, browser } = s) });
  before(async () => {
    const staff = await createStaff(srv, { role: 'redaktion', name: 'Rita Redaktion' });
    editor = await signInStaff(srv, staff, { enrol: true });
    await upload(editor.client, '', 'beispiel.json', GOOD);
    await upload(editor.client, 'zweckentfremdung', 'S99000001.xml', XDF2);
  });

  async function open(lang, opts = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), ...opts });
    await shareSession(ctx, editor.client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + LIST);
      await switchLanguage(page, 'en');
    }
    return { ctx, page, c: checker(page, srv.base, lang) };
  }

  for (const lang of ['de', 'en']) {
    test(`the pages and the upload form's error states have no axe violations (${lang})`, async () => {
      const { ctx, c } = await open(lang);
      for (const p of [LIST, `${LIST}/beispiel`, `${LIST}/beispiel/1`, `${LIST}/zweckentfremdung`, `${LIST}/zweckentfremdung/1`])
        await c.visit(p);
      await c.uploadForm('', null, 422, 'upload without a file');
      await c.uploadForm('', { name: 'kaputt.json', mimeType: 'application/json', buffer: Buffer.from(BAD) }, 422, 'a definition the check refuses');
      await c.uploadForm('', { name: 'schema.xml', mimeType: 'text/xml', buffer: XDF2 }, 422, 'an XDatenfelder file without a key');
      await c.uploadForm('Groß', { name: 'schema.xml', mimeType: 'text/xml', buffer: XDF2 }, 422, 'a key with capitals');
      await ctx.close();
      assert.equal(c.problems.length, 0, c.problems.join('\n'));
    });
  }

  test('an upload by keyboard alone, JavaScript off: the error first, then the stored version', async () => {
    const { ctx, page } = await open('de', { javaScriptEnabled: false });
    await page.goto(srv.base + LIST);
    // Tab to the key field, type, submit with Enter: no file yet → the error summary
    const key = page.locator('#feld-schluessel');
    for (let i = 0; i < 60 && !(await key.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    assert.ok(await key.evaluate((el) => el === document.activeElement), 'the key field is reachable with Tab');
    await page.keyboard.type('tastatur');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.locator('.form-errors').innerText(), /Bitte wählen Sie eine Datei aus/);
    assert.equal(await page.locator('#feld-schluessel').inputValue(), 'tastatur', 'the typed key is kept');
    // the summary links to the file field
    assert.equal(await page.locator('.form-errors a').first().getAttribute('href'), '#feld-datei');
    await page.locator('#feld-datei').setInputFiles({ name: 'schema.xml', mimeType: 'text/xml', buffer: XDF2 });
    await page.locator('#feld-datei').focus();
    // from the file field, Tab reaches the submit button
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('type')), 'submit');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(new URL(page.url()).pathname, /^\/verwaltung\/formulare\/tastatur$/);
    assert.match(await page.locator('main').innerText(), /gespeichert als Version 1/);
    await ctx.close();
  });

  testCleanExit(() => srv);
});

describePg('postgres smoke', { timeout: 120000 }, () => {
  let srv;
  let browser;
  accountSuite('postgres', { browser: true, onStart: (s) => ({ srv, browser } = s) });

  test('the list, a preview and a refused upload: no axe violations', async () => {
    const staff = await createStaff(srv, { role: 'redaktion', name: 'Paula Postgres' });
    const editor = await signInStaff(srv, staff, { enrol: true });
    await upload(editor.client, 'zweckentfremdung', 'S99000001.xml', XDF2);
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    await shareSession(ctx, editor.client);
    const page = await ctx.newPage();
    const c = checker(page, srv.base, 'de');
    await c.visit(LIST);
    await c.visit(`${LIST}/zweckentfremdung/1`);
    await c.uploadForm('', { name: 'kaputt.json', mimeType: 'application/json', buffer: Buffer.from(BAD) }, 422, 'a refused upload');
    await ctx.close();
    assert.equal(c.problems.length, 0, c.problems.join('\n'));
  });

  testCleanExit(() => srv);
});

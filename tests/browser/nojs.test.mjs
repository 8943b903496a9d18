// nojs.test.mjs — everything works without JavaScript (DESIGN §5): with
// scripting off, the feedback form can be sent, comes back with the values when
// the server refuses it, and the language switch works.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testCleanExit } from '../lib/server.mjs';
import { launchBrowser, switchLanguage, newContext } from '../lib/browser.mjs';

describe('without JavaScript', { timeout: 120000 }, () => {
  let srv;
  let browser;
  let ctx;
  before(async () => {
    srv = await startServer({ engine: 'sqlite' });
    browser = await launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
    if (srv) await srv.stopAndCheck();
  });

  async function page() {
    ctx = await newContext(browser, { javaScriptEnabled: false });
    const p = await ctx.newPage();
    await p.goto(srv.base + '/barrierefreiheit');
    return p;
  }
  const form = (p) => p.locator('form[action="/barrierefreiheit/rueckmeldung"]');
  const submit = (p) => form(p).locator('button[type="submit"], button:not([type]), input[type="submit"]').first();

  test('the feedback form is sent and thanked for', async () => {
    const p = await page();
    const text = `Ohne JavaScript gesendet ${Date.now()}`;
    await form(p).locator('[name="nachricht"]').fill(text);
    await form(p).locator('[name="kontakt"]').fill('erika@example.org');
    await Promise.all([p.waitForURL(/\/barrierefreiheit\?danke=1(#[\w-]+)?$/, { timeout: 15000 }), submit(p).click()]);
    assert.ok((await p.locator('[role="status"]').count()) > 0 || /Danke|danke/.test(await p.content()), 'a thank-you message');
    const rows = await srv.query('SELECT message FROM accessibility_feedback');
    assert.ok(rows.some((r) => r[0] === text), 'stored');
    await ctx.close();
  });

  test('a refused upload brings the form back with the values; corrected, it is sent', async () => {
    const p = await page();
    await form(p).locator('[name="nachricht"]').fill('Mit falschem Anhang');
    await form(p).locator('[name="kontakt"]').fill('max@example.org');
    await form(p).locator('input[type="file"][name="bildschirmfoto"]').setInputFiles({
      name: 'notiz.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('kein Bild'),
    });
    const [resp] = await Promise.all([p.waitForResponse((r) => r.request().method() === 'POST'), submit(p).click()]);
    await p.waitForLoadState('load');
    assert.equal(resp.status(), 422);
    assert.equal(await form(p).locator('[name="nachricht"]').inputValue(), 'Mit falschem Anhang');
    assert.equal(await form(p).locator('[name="kontakt"]').inputValue(), 'max@example.org');
    await Promise.all([p.waitForURL(/\/barrierefreiheit\?danke=1(#[\w-]+)?$/, { timeout: 15000 }), submit(p).click()]);
    await ctx.close();
  });

  test('the language switch works', async () => {
    const p = await page();
    await switchLanguage(p, 'en');
    assert.match(p.url(), /\/barrierefreiheit$/, 'back on the same page');
    await switchLanguage(p, 'de');
    await ctx.close();
  });

  testCleanExit(() => srv);
});

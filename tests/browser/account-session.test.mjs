// account-session.test.mjs — the idle-timeout warning (WCAG 2.2.1): two minutes
// before a session ends a dialog offers "Angemeldet bleiben", which extends the
// session without leaving the page; without JavaScript the header link leads to
// /konto/sitzung, whose button does the same. SQLite.
//
// The page's clock is Playwright's fake clock, moved on to the moment of the
// warning, while the server's idle time is moved with /_test/session/age, so
// that both agree how much time is left. (Reloading a page after ageing the
// session cannot show the dialog: the reload is itself activity and starts the
// 30 minutes again.)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testCleanExit } from '../lib/server.mjs';
import { newContext, watchPage, runAxe, formatViolations } from '../lib/browser.mjs';
import { accountSuite, contextHeaders, registerAndConfirm, shareSession } from '../lib/account.mjs';

describe('session timeout', { timeout: 120000 }, () => {
  let srv;
  let smtp;
  let browser;
  accountSuite('sqlite', { browser: true, onStart: (s) => ({ srv, smtp, browser } = s) });

  const stillSignedIn = async (client) => (await client.fetch('/konto')).status === 200;

  test('the warning dialog opens two minutes before the end; "Angemeldet bleiben" extends the session', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    await shareSession(ctx, acc.client);
    const page = await ctx.newPage();
    const watch = watchPage(page);
    await page.clock.install();
    await page.goto(srv.base + '/konto');
    const timer = page.locator('.session-timer');
    const expiresAt = Number(await timer.getAttribute('data-expires-at'));
    const warn = Number(await timer.getAttribute('data-warn-seconds'));
    assert.equal(warn, 120, 'the warning comes two minutes before');
    const now = Date.now() / 1000;
    assert.ok(Math.abs(expiresAt - (now + 30 * 60)) < 10, `the page knows the session ends in 30 minutes: ${expiresAt - now} s`);
    const isOpen = () => page.evaluate(() => document.querySelector('dialog.session-dialog')?.open ?? false);
    assert.equal(await isOpen(), false, 'no dialog at first');

    // 27 minutes 50 seconds on: not yet.
    const untilWarning = (expiresAt - warn) * 1000 - Date.now();
    await page.clock.fastForward(untilWarning - 10000);
    assert.equal(await isOpen(), false, 'no dialog ten seconds before the warning time');
    // The server's view: the same 28 idle minutes.
    await acc.client.ageSession(28 * 60);
    await page.clock.fastForward(15000);
    await page.waitForFunction(() => document.querySelector('dialog.session-dialog')?.open, null, { timeout: 5000 });
    const dialog = page.locator('dialog.session-dialog');
    assert.match(await dialog.innerText(), /Ihre Sitzung läuft gleich ab/);
    const focusInside = await page.evaluate(() => document.querySelector('dialog.session-dialog').contains(document.activeElement));
    assert.ok(focusInside, 'the focus is in the dialog');
    watch.pause();
    const v = await runAxe(page);
    watch.resume();
    assert.equal(v.length, 0, formatViolations(v, 'the open session dialog: '));

    // Back to the real time, then "Angemeldet bleiben" by keyboard.
    await page.clock.setSystemTime(new Date());
    const before = await timer.locator('.session-timer__time').innerText();
    const button = dialog.locator('.session-dialog__extend');
    await button.focus();
    const [resp] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/konto/sitzung' && r.request().method() === 'POST'),
      page.keyboard.press('Enter'),
    ]);
    assert.equal(resp.status(), 200, 'the extension is accepted');
    const body = await resp.json();
    assert.ok(Math.abs(body.expires_at - (Date.now() / 1000 + 30 * 60)) < 10, 'extended by 30 minutes from now');
    await page.waitForFunction(() => !document.querySelector('dialog.session-dialog').open, null, { timeout: 5000 });
    assert.ok(page.url().endsWith('/konto'), 'the page stayed (nothing typed is lost)');
    const shown = await timer.locator('.session-timer__time').innerText();
    const end = new Date(body.expires_at * 1000);
    const hm = `${String(end.getHours()).padStart(2, '0')}:${String(end.getMinutes()).padStart(2, '0')}`;
    assert.equal(shown, hm, `the header shows the new end time (was ${before})`);

    // 28 idle minutes were extended: five more minutes and still signed in.
    await acc.client.ageSession(5 * 60);
    assert.ok(await stillSignedIn(acc.client), 'still signed in after 28 + 5 idle minutes, thanks to the extension');
    await ctx.close();
    assert.deepEqual(watch.errors, []);
  });

  test('without JavaScript the header link leads to /konto/sitzung, whose button extends the session', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const ctx = await newContext(browser, { javaScriptEnabled: false, extraHTTPHeaders: contextHeaders() });
    await shareSession(ctx, acc.client);
    const page = await ctx.newPage();
    await page.goto(srv.base + '/konto');
    assert.equal(await page.evaluate(() => document.querySelector('dialog.session-dialog')?.open ?? false), false);
    await Promise.all([page.waitForURL(/\/konto\/sitzung\?weiter=/), page.locator('.session-timer a[href^="/konto/sitzung"]').click()]);
    assert.match(await page.locator('main').innerText(), /\d\d:\d\d/, 'the page says when the session ends');

    await acc.client.ageSession(25 * 60);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/konto'),
      page.locator('main form[action="/konto/sitzung"] button[type="submit"]').click(),
    ]);
    await acc.client.ageSession(25 * 60);
    assert.ok(await stillSignedIn(acc.client), 'still signed in after 25 + 25 idle minutes, extended in between');

    // And the page on its own (no weiter) confirms the extension.
    await page.goto(srv.base + '/konto/sitzung');
    await Promise.all([page.waitForURL(/verlaengert=1/), page.locator('main form[action="/konto/sitzung"] button[type="submit"]').click()]);
    assert.match(await page.locator('main').innerText(), /verlängert/);
    await ctx.close();
  });

  testCleanExit(() => srv);
});

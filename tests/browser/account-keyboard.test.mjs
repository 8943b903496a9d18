// account-keyboard.test.mjs — the whole way into an account by keyboard alone:
// register (Tab through the form, type, Space on the consent box, Enter), open
// the link from the mail and confirm with the keyboard, sign out and sign in
// again. Every field is reached by Tab in a sensible order and shows a visible
// focus; a form sent with mistakes is corrected by keyboard too. SQLite.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testCleanExit } from '../lib/server.mjs';
import { newContext, watchPage } from '../lib/browser.mjs';
import { SUBJECT, accountSuite, contextHeaders, linkPath, newPassword, uniqueEmail, waitForMail } from '../lib/account.mjs';

// Presses Tab until the focused element matches selector; returns how many
// presses it took. Fails after max presses, listing where the focus went.
async function tabTo(page, selector, { max = 40, shift = false } = {}) {
  const seen = [];
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
    const hit = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
    if (hit) return i;
    seen.push(
      await page.evaluate(() => {
        const el = document.activeElement;
        return el ? `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}` : 'none';
      }),
    );
  }
  throw new Error(`${selector} not reached with ${max} × Tab on ${page.url()}; focus went: ${seen.join(' → ')}`);
}

// Whether the focused element shows a focus indicator (outline or box-shadow).
async function focusVisible(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return false;
    const cs = getComputedStyle(el);
    return (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none');
  });
}

describe('keyboard only', { timeout: 120000 }, () => {
  let srv;
  let smtp;
  let browser;
  accountSuite('sqlite', { browser: true, onStart: (s) => ({ srv, smtp, browser } = s) });

  test('register → confirm → sign out → sign in, without a mouse', async () => {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    const page = await ctx.newPage();
    const watch = watchPage(page);
    const email = uniqueEmail('tastatur');
    const password = newPassword();
    const noFocus = [];
    const step = async (selector, what) => {
      await tabTo(page, selector);
      if (!(await focusVisible(page))) noFocus.push(`${what} on ${new URL(page.url()).pathname}`);
    };

    // Registration, first with a mistake: no consent.
    await page.goto(srv.base + '/konto/registrieren');
    await step('[name="email"]', 'the e-mail field');
    await page.keyboard.type(email);
    await step('[name="passwort"]', 'the password field');
    await page.keyboard.type(password);
    await step('[name="passwort2"]', 'the repeat field');
    await page.keyboard.type(password);
    await step('[name="datenschutz"]', 'the consent box');
    await step('form[action="/konto/registrieren"] button[type="submit"]', 'the submit button');
    await Promise.all([page.waitForLoadState('load'), page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('[name="email"]').inputValue(), email, 'the address is kept');
    assert.ok((await page.locator('#fehler, [role="alert"]').count()) > 0, 'an error summary');
    // The summary comes first in the tab order; the passwords are not kept:
    // type them again, then tick the box with Space.
    await step('[role="alert"] a[href$="datenschutz"]', 'the link in the error summary');
    await step('[name="passwort"]', 'the password field');
    await page.keyboard.type(password);
    await step('[name="passwort2"]', 'the repeat field');
    await page.keyboard.type(password);
    await step('[name="datenschutz"]', 'the consent box');
    await page.keyboard.press('Space');
    assert.ok(await page.locator('[name="datenschutz"]').isChecked(), 'Space ticks the box');
    await step('form[action="/konto/registrieren"] button[type="submit"]', 'the submit button');
    const since = smtp.messages.length;
    await Promise.all([page.waitForLoadState('load'), page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 200), page.keyboard.press('Enter')]);

    // The link from the mail; the button is reached and pressed by keyboard.
    const link = linkPath(await waitForMail(smtp, email, { since, subject: SUBJECT.confirm }), '/konto/bestaetigen');
    await page.goto(srv.base + link);
    await step('form[action="/konto/bestaetigen"] button[type="submit"]', 'the confirm button');
    await Promise.all([page.waitForURL(/\/konto(\?|$)/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Willkommen/);

    // Sign out with the header button.
    await step('form[action="/konto/abmelden"] button', 'the sign-out button');
    await Promise.all([page.waitForURL(/\/konto\/anmelden/), page.keyboard.press('Enter')]);

    // Sign in: Enter in the password field sends the form.
    await step('[name="login"]', 'the login field');
    await page.keyboard.type(email);
    await step('[name="passwort"]', 'the password field');
    await page.keyboard.type(password);
    await Promise.all([page.waitForURL((u) => u.pathname === '/konto'), page.keyboard.press('Enter')]);
    assert.ok(await page.locator('form[action="/konto/abmelden"]').count(), 'signed in');

    await ctx.close();
    assert.deepEqual(noFocus, [], 'every focused element shows a focus indicator');
    assert.deepEqual(watch.errors, []);
  });

  testCleanExit(() => srv);
});

// account-recovery.test.mjs — "Passwort vergessen": the same answer whether or
// not an address has an account; the link read from the mail works once and
// only the newest one works; using it ends every session of the account; the
// old password is dead afterwards and the new one works. On both engines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import { sleep } from '../lib/http.mjs';
import {
  SUBJECT,
  accountClient,
  accountSuite,
  auditRows,
  fieldError,
  inputByName,
  linkPath,
  location,
  login,
  loginOk,
  mailsTo,
  mainText,
  mainWithoutToken,
  newPassword,
  registerAndConfirm,
  signedIn,
  tokenOf,
  uniqueEmail,
  waitForMail,
} from '../lib/account.mjs';

forEachEngine((engine) => {
  let srv;
  let smtp;
  accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });

  async function requestReset(c, email) {
    await c.page('/konto/passwort-vergessen');
    return c.post('/konto/passwort-vergessen', [['email', email]]);
  }

  test('the same answer for a known and an unknown address; only the known one gets a mail', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = accountClient(srv);
    const unknown = uniqueEmail('unbekannt');
    const since = smtp.messages.length;
    const a = await requestReset(c, acc.email);
    const b = await requestReset(c, unknown);
    assertHtmlPage(a, 200, 'known address');
    assert.equal(b.status, a.status, 'same status');
    assert.equal(mainWithoutToken(b.text), mainWithoutToken(a.text), 'same page');
    await waitForMail(smtp, acc.email, { subject: SUBJECT.reset, since });
    await sleep(500);
    assert.equal(mailsTo(smtp, unknown, { since }).length, 0, 'nothing is sent to an unknown address');
  });

  test('an address that is not one comes back with the value and a message at the field', async () => {
    const c = accountClient(srv);
    const r = await requestReset(c, 'erika.example.org');
    assertHtmlPage(r, 422, 'invalid address');
    assert.equal(inputByName(r.text, 'email').value, 'erika.example.org');
    assert.match(fieldError(r.text, 'email') ?? '', /gültige E-Mail-Adresse/);
  });

  test('the link works once, ends every session, and only the new password works afterwards', async () => {
    const acc = await registerAndConfirm(srv, smtp); // acc.client: a session that must end
    const other = accountClient(srv);
    await loginOk(other, acc.email, acc.password); // and a second one
    const c = accountClient(srv);
    let since = smtp.messages.length;
    await requestReset(c, acc.email);
    const first = linkPath(await waitForMail(smtp, acc.email, { subject: SUBJECT.reset, since }), '/konto/passwort-neu');
    since = smtp.messages.length;
    await requestReset(c, acc.email);
    const link = linkPath(await waitForMail(smtp, acc.email, { subject: SUBJECT.reset, since }), '/konto/passwort-neu');
    assert.notEqual(link, first);
    assert.equal((await c.fetch(first)).status, 410, 'a newer link makes the older one worthless');

    const form = await c.page(link);
    assert.ok(/<form\b[^>]*action="\/konto\/passwort-neu"/.test(form.text));
    // The form checks the new password like the registration does; the token stays.
    const short = await c.post('/konto/passwort-neu', [
      ['token', tokenOf(link)],
      ['passwort', 'zu kurz'],
      ['passwort2', 'zu kurz'],
    ]);
    assertHtmlPage(short, 422, 'short new password');
    assert.match(fieldError(short.text, 'passwort') ?? '', /mindestens 12 Zeichen/);
    assert.equal(inputByName(short.text, 'token')?.value, tokenOf(link), 'the token is kept in the form');

    const pw = newPassword();
    since = smtp.messages.length;
    const done = await c.post('/konto/passwort-neu', [
      ['token', tokenOf(link)],
      ['passwort', pw],
      ['passwort2', pw],
    ]);
    assert.equal(done.status, 303);
    assert.match(location(done), /^\/konto\/anmelden\?passwort=1/);
    assert.match(mainText((await c.fetch(location(done))).text), /Passwort wurde geändert/);

    assert.equal(await signedIn(acc.client), false, 'the session of the registration ended');
    assert.equal(await signedIn(other), false, 'the other session ended');
    const rows = await srv.query(`SELECT COUNT(*) FROM sessions WHERE user_id = ${acc.id}`);
    assert.equal(Number(rows[0][0]), 0, 'no session of the account is left');

    const again = await accountClient(srv).fetch(link);
    assertHtmlPage(again, 410, 'second use of the link');
    const c2 = accountClient(srv);
    await c2.ensureCsrf();
    const againPost = await c2.post('/konto/passwort-neu', [
      ['token', tokenOf(link)],
      ['passwort', newPassword()],
      ['passwort2', 'x'],
    ]);
    assert.equal(againPost.status, 410, 'second use of the link (POST)');

    const old = await login(accountClient(srv), acc.email, acc.password);
    assert.equal(old.status, 422, 'the old password no longer works');
    await loginOk(accountClient(srv), acc.email, pw);
    await waitForMail(smtp, acc.email, { subject: SUBJECT.passwordChanged, since });

    const actions = (await auditRows(srv, acc.id)).map((x) => x.action);
    for (const a of ['account.reset_requested', 'account.password_reset'])
      assert.ok(actions.includes(a), `audit has ${a}: ${actions}`);
  });

  testCleanExit(() => srv);
});

// account-security.test.mjs — "Sicherheit": changing the password ends the other
// sessions; a new e-mail address counts only once the link sent to it is
// opened; the second factor (TOTP) is enrolled from the key on the page, asked
// for at sign-in, refuses a code used before, and ten recovery codes each work
// once; "überall abmelden" ends every other session. Two cookie jars stand for
// two browsers. On both engines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import {
  SUBJECT,
  Totp,
  accountClient,
  accountSuite,
  auditRows,
  enrolTotp,
  fieldError,
  inputByName,
  linkPath,
  location,
  login,
  loginOk,
  logout,
  mainText,
  newPassword,
  recoveryCodesFromPage,
  registerAndConfirm,
  signedIn,
  tokenOf,
  totpKeyFromPage,
  uniqueEmail,
  waitForMail,
} from '../lib/account.mjs';

forEachEngine((engine) => {
  let srv;
  let smtp;
  accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });

  test('changing the password: mistakes per field; success ends the other sessions, keeps this one', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const a = acc.client;
    const b = accountClient(srv);
    await loginOk(b, acc.email, acc.password);
    await a.page('/konto/sicherheit');

    const bad = await a.post('/konto/sicherheit/passwort', [
      ['passwort', 'nicht das aktuelle'],
      ['neu', 'kurz'],
      ['neu2', 'kurz'],
    ]);
    assertHtmlPage(bad, 422, 'wrong current, short new');
    assert.match(fieldError(bad.text, 'passwort') ?? '', /aktuelle Passwort ist nicht richtig/);
    assert.match(fieldError(bad.text, 'neu') ?? '', /mindestens 12 Zeichen/);
    assert.ok(await signedIn(b), 'nothing changed: the other session lives');

    const pw = newPassword();
    const since = smtp.messages.length;
    const ok = await a.post('/konto/sicherheit/passwort', [
      ['passwort', acc.password],
      ['neu', pw],
      ['neu2', pw],
    ]);
    assert.equal(ok.status, 303);
    assert.equal(location(ok), '/konto/sicherheit?passwort=1');
    assert.match(mainText((await a.page(location(ok))).text), /Passwort wurde geändert/);
    assert.ok(await signedIn(a), 'this session stays');
    assert.equal(await signedIn(b), false, 'the other session ended');
    await waitForMail(smtp, acc.email, { subject: SUBJECT.passwordChanged, since });
    assert.equal((await login(accountClient(srv), acc.email, acc.password)).status, 422, 'the old password is dead');
    await loginOk(accountClient(srv), acc.email, pw);
    assert.ok((await auditRows(srv, acc.id)).some((x) => x.action === 'account.password_changed'));
  });

  test('a new e-mail address counts only after the link sent to it is opened; the link works once', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = acc.client;
    const neu = uniqueEmail('neue-adresse');
    await c.page('/konto/sicherheit');

    const wrong = await c.post('/konto/sicherheit/email', [
      ['email', neu],
      ['passwort', 'nicht das aktuelle'],
    ]);
    assertHtmlPage(wrong, 422, 'e-mail change with a wrong password');
    assert.equal(inputByName(wrong.text, 'email').value, neu, 'the new address is kept');

    const since = smtp.messages.length;
    const r = await c.post('/konto/sicherheit/email', [
      ['email', neu],
      ['passwort', acc.password],
    ]);
    assert.equal(r.status, 303);
    const mail = await waitForMail(smtp, neu, { subject: SUBJECT.emailNew, since });
    const link = linkPath(mail, '/konto/email-bestaetigen');
    await waitForMail(smtp, acc.email, { since, subject: /Änderung Ihrer E-Mail-Adresse/ });

    // Not yet: the old address still signs in, the new one does not.
    assert.equal((await login(accountClient(srv), neu, acc.password)).status, 422, 'the new address before confirming');
    await loginOk(accountClient(srv), acc.email, acc.password);

    const page = await c.page(link);
    assert.ok(/<form\b[^>]*action="\/konto\/email-bestaetigen"/.test(page.text), 'a button, not an action on GET');
    const done = await c.post('/konto/email-bestaetigen', [['token', tokenOf(link)]]);
    assert.equal(done.status, 303);
    const sec = await c.page(location(done));
    assert.ok(mainText(sec.text).includes(neu), 'the security page shows the new address');

    await loginOk(accountClient(srv), neu, acc.password);
    assert.equal((await login(accountClient(srv), acc.email, acc.password)).status, 422, 'the old address is gone');
    assert.equal((await accountClient(srv).fetch(link)).status, 410, 'the link works once');
    const actions = (await auditRows(srv, acc.id)).map((x) => x.action);
    for (const x of ['account.email_change_requested', 'account.email_changed']) assert.ok(actions.includes(x), `audit ${x}: ${actions}`);
  });

  test('an address that belongs to another account cannot be taken over by the link', async () => {
    const a = await registerAndConfirm(srv, smtp);
    const b = await registerAndConfirm(srv, smtp);
    const since = smtp.messages.length;
    await a.client.page('/konto/sicherheit');
    assert.equal((await a.client.post('/konto/sicherheit/email', [['email', b.email], ['passwort', a.password]])).status, 303);
    const link = linkPath(await waitForMail(smtp, b.email, { subject: SUBJECT.emailNew, since }), '/konto/email-bestaetigen');
    await a.client.page(link);
    const r = await a.client.post('/konto/email-bestaetigen', [['token', tokenOf(link)]]);
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    await loginOk(accountClient(srv), a.email, a.password);
    await loginOk(accountClient(srv), b.email, b.password);
  });

  test('two-factor sign-in: enrolment with the key on the page, code asked after the password, replay refused', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = acc.client;
    await c.page('/konto/sicherheit');
    const start = await c.post('/konto/sicherheit/2fa/start', []);
    assertHtmlPage(start, 200, 'enrolment page');
    assert.match(start.text, /<svg\b/, 'a QR code as inline SVG');
    const shown = /<code\b[^>]*class="totp-secret"[^>]*>([^<]+)<\/code>/.exec(start.text)[1];
    assert.match(shown, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, `the key in groups of four: ${shown}`);
    const totp = new Totp(totpKeyFromPage(start.text));

    const wrong = await c.post('/konto/sicherheit/2fa/bestaetigen', [['code', totp.codeAt(totp.lastStep + 100)]]);
    assertHtmlPage(wrong, 422, 'a wrong first code');
    assert.ok(fieldError(wrong.text, 'code'), 'a message at the code field');
    assert.equal(totpKeyFromPage(wrong.text), totp.key, 'the same key is shown again');

    const since = smtp.messages.length;
    const on = await c.post('/konto/sicherheit/2fa/bestaetigen', [['code', await totp.next()]]);
    assertHtmlPage(on, 200, 'recovery codes');
    const codes = recoveryCodesFromPage(on.text);
    assert.equal(codes.length, 10, `ten recovery codes: ${codes}`);
    assert.equal(new Set(codes).size, 10, 'all different');
    for (const x of codes) assert.match(x, /^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$/);
    assert.match(on.headers['cache-control'] ?? '', /no-store/, 'the codes are not cached');
    await waitForMail(smtp, acc.email, { since, subject: /zwei Schritten eingeschaltet/ });
    await logout(c);

    // Password right: no session yet, only the code step.
    const step1 = await login(c, acc.email, acc.password);
    assert.equal(step1.status, 303);
    assert.match(location(step1), /^\/konto\/anmelden\/code/);
    assert.equal(c.hasSession(), false, 'no session after the password alone');
    assert.equal((await c.fetch('/konto')).status, 303);
    const codePage = await c.page(location(step1));
    assert.equal(inputByName(codePage.text, 'code')?.autocomplete, 'one-time-code');
    const { code } = await totp.nextWithStep();
    const step2 = await c.post('/konto/anmelden/code', [['code', code], ['weiter', '/konto']]);
    assert.equal(step2.status, 303);
    assert.equal(location(step2), '/konto');
    assert.ok(await signedIn(c));
    await logout(c);

    // The same code again, in a new sign-in: refused.
    const d = accountClient(srv);
    const again = await login(d, acc.email, acc.password, { code });
    assertHtmlPage(again, 422, 'a code used before');
    assert.match(fieldError(again.text, 'code') ?? '', /nicht richtig oder schon benutzt/);
    assert.equal(d.hasSession(), false);
    // A recovery code from the enrolment page still gets in.
    assert.equal((await d.post('/konto/anmelden/code', [['code', codes[0]], ['weiter', '/konto']])).status, 303);
    assert.ok(await signedIn(d));

    // The code step cannot be reached without the password step.
    const e = accountClient(srv);
    const skip = await e.fetch('/konto/anmelden/code');
    assert.equal(skip.status, 303);
    assert.equal(location(skip), '/konto/anmelden');

    const factors = (await auditRows(srv, acc.id)).filter((x) => x.action === 'account.login').map((x) => x.detail);
    assert.ok(factors.some((f) => /totp/.test(f)), `a login with factor totp is audited: ${factors}`);
    assert.ok((await auditRows(srv, acc.id)).some((x) => x.action === 'account.2fa_enabled'));

    // Switching it off needs the password and a code.
    await d.page('/konto/sicherheit');
    const offBad = await d.post('/konto/sicherheit/2fa/deaktivieren', [['passwort', acc.password], ['code', '000000']]);
    assert.equal(offBad.status, 422);
    const off = await d.post('/konto/sicherheit/2fa/deaktivieren', [['passwort', acc.password], ['code', await totp.next()]]);
    assert.equal(off.status, 303);
    await logout(d);
    assert.equal(location(await loginOk(d, acc.email, acc.password)), '/konto', 'no code step any more');
  });

  test('a recovery code signs in once, never twice', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const { recoveryCodes } = await enrolTotp(acc.client);
    await logout(acc.client);
    const rc = recoveryCodes[3];
    const c = accountClient(srv);
    const first = await login(c, acc.email, acc.password, { code: rc.toLowerCase().replace('-', ' ') });
    assert.equal(first.status, 303, `a recovery code (typed in lower case with a space): ${mainText(first.text).slice(0, 200)}`);
    assert.ok(await signedIn(c));
    await logout(c);
    const second = await login(accountClient(srv), acc.email, acc.password, { code: rc });
    assertHtmlPage(second, 422, 'the same recovery code again');
    await loginOk(accountClient(srv), acc.email, acc.password, { code: recoveryCodes[4] });
    const factors = (await auditRows(srv, acc.id)).filter((x) => x.action === 'account.login').map((x) => x.detail);
    assert.ok(factors.some((f) => /recovery/.test(f)), `audited as a recovery-code login: ${factors}`);
  });

  test('"überall abmelden" ends every other session, not this one', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const a = acc.client;
    const b = accountClient(srv);
    const c = accountClient(srv);
    await loginOk(b, acc.email, acc.password);
    await loginOk(c, acc.email, acc.password);
    const sec = await a.page('/konto/sicherheit');
    assert.ok((sec.text.match(/<tr>/g) ?? []).length >= 4, 'the page lists the three sessions');
    assert.ok(sec.text.includes(b.ip) && sec.text.includes(c.ip), 'with their addresses');
    const r = await a.post('/konto/sicherheit/sitzungen/beenden', []);
    assert.equal(r.status, 303);
    assert.ok(await signedIn(a), 'this session stays');
    assert.equal(await signedIn(b), false, 'the second browser is signed out');
    assert.equal(await signedIn(c), false, 'the third browser is signed out');
    assert.ok((await auditRows(srv, acc.id)).some((x) => x.action === 'account.sessions_ended'));
  });

  testCleanExit(() => srv);
});

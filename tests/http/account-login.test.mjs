// account-login.test.mjs — signing in and out, and how a session ends: one
// message for an unknown address and a wrong password; repeated failures are
// answered with 429 and a waiting time that grows, and the tenth locks the
// account and tells its owner by exactly one e-mail (whose reset link still
// gets them in); the idle timeout (moved forward with /_test/session/age) signs
// out and the login page says why; a session can be extended. On both engines.

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
  logout,
  mailsTo,
  mainText,
  mainWithoutToken,
  newPassword,
  registerAndConfirm,
  signedIn,
  sqlWrite,
  uniqueEmail,
  waitForMail,
} from '../lib/account.mjs';

const WRONG = 'Falsches Passwort 123';

// The waiting time a 429 page states ("… Wartezeit in Sekunden: N").
function statedWait(html) {
  const m = /(?:Sekunden|seconds)\D{0,3}(\d+)/i.exec(html);
  return m ? Number(m[1]) : null;
}

forEachEngine((engine) => {
  let srv;
  let smtp;
  accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });

  test('sign-in sets an HttpOnly session cookie; sign-out ends the session on the server too', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    await logout(acc.client);
    const c = accountClient(srv);
    const r = await login(c, acc.email, acc.password);
    assert.equal(r.status, 303);
    assert.equal(location(r), '/konto');
    const cookie = (r.headers['set-cookie'] ?? []).find((s) => /^(__Host-)?sid=/.test(s));
    assert.ok(cookie, 'a session cookie');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=(Lax|Strict)/i);
    assert.match(cookie, /Path=\//);
    assert.ok(await signedIn(c));

    const stolen = c.cookieHeader();
    const out = await logout(c);
    assert.equal(out.status, 303);
    assert.match(location(out), /^\/konto\/anmelden/);
    const page = await c.fetch(location(out));
    assert.match(mainText(page.text), /abgemeldet/);
    assert.equal(await signedIn(c), false, 'signed out');
    const replay = await srv.get('/konto', { headers: { cookie: stolen } });
    assert.equal(replay.status, 303, 'the old session cookie is worthless after sign-out');

    const actions = (await auditRows(srv, acc.id)).map((a) => a.action);
    for (const a of ['account.login', 'account.logout']) assert.ok(actions.includes(a), `audit has ${a}: ${actions}`);
  });

  test('an unknown address and a wrong password get the same answer (status, message, page)', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = accountClient(srv);
    const unknown = uniqueEmail('niemand');
    const a = await login(c, acc.email, WRONG);
    const b = await login(c, unknown, WRONG);
    assertHtmlPage(a, 422, 'wrong password');
    assert.equal(b.status, a.status, 'same status');
    assert.equal(fieldError(a.text, 'login'), 'E-Mail-Adresse oder Passwort ist falsch.');
    assert.equal(fieldError(b.text, 'login'), fieldError(a.text, 'login'), 'same message');
    assert.equal(
      mainWithoutToken(b.text).replaceAll(unknown, 'X'),
      mainWithoutToken(a.text).replaceAll(acc.email, 'X'),
      'the same page apart from the address typed',
    );
    assert.equal(inputByName(a.text, 'login').value, acc.email, 'the address typed is kept');
    assert.equal(inputByName(a.text, 'passwort').value ?? '', '', 'the password is not');
    assert.equal(c.hasSession(), false);
    const failed = (await auditRows(srv, acc.id)).filter((x) => x.action === 'account.login_failed');
    assert.ok(failed.length >= 1, 'the failure is in the audit log');
    const anon = await srv.query(`SELECT COUNT(*) FROM audit_log WHERE action = 'account.login_failed' AND ip = '${c.ip}'`);
    assert.equal(Number(anon[0][0]), 2, 'both failures are audited, the unknown address too');
  });

  test('after signing in the visitor lands on the page they wanted, never on another site', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    await logout(acc.client);
    const c = accountClient(srv);
    const r = await c.fetch('/konto/sicherheit');
    assert.equal(r.status, 303);
    assert.equal(location(r), '/konto/anmelden?weiter=/konto/sicherheit');
    const page = await c.fetch(location(r));
    assert.equal(inputByName(page.text, 'weiter')?.value, '/konto/sicherheit');
    assert.equal(location(await loginOk(c, acc.email, acc.password, { next: '/konto/sicherheit' })), '/konto/sicherheit');
    await logout(c);
    for (const evil of ['//boese.example/', 'https://boese.example/', '/\\boese.example']) {
      const x = await loginOk(c, acc.email, acc.password, { next: evil });
      assert.equal(location(x), '/konto', `weiter=${evil}`);
      await logout(c);
    }
  });

  test('repeated failures: 429 with a growing wait, the tenth locks; the owner gets exactly one mail', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    await logout(acc.client);
    const attacker = accountClient(srv);
    const key = `account:${acc.email}`;
    // Instead of sitting out each delay (2 + 4 + 8 + … seconds), the test moves
    // the end of the current delay into the past; the lock itself is untouched.
    const skipDelay = () => sqlWrite(srv, `UPDATE login_throttle SET next_allowed_at = 0 WHERE key = '${key}'`);
    const since = smtp.messages.length;
    let failures = 0;
    const fail = async () => {
      const r = await login(attacker, acc.email, WRONG);
      assert.equal(r.status, 422, `failure ${failures + 1} is counted (status ${r.status})`);
      failures++;
    };
    // Three failures are free: each next try is answered at once.
    for (let i = 0; i < 4; i++) await fail();
    const waits = [];
    for (;;) {
      const next = await login(attacker, acc.email, WRONG);
      assertHtmlPage(next, 429, `the try right after failure ${failures}`);
      assert.match(mainText(next.text), /Zu viele Versuche/);
      const w = statedWait(next.text);
      assert.ok(w !== null && w >= 1, `a waiting time in seconds: ${mainText(next.text).slice(0, 300)}`);
      waits.push(w);
      if (failures >= 10) break;
      await skipDelay();
      await fail();
    }
    assert.ok(waits.length >= 2, `waits: ${waits}`);
    for (let j = 1; j < waits.length - 1; j++) assert.ok(waits[j] >= waits[j - 1], `the wait grows: ${waits}`);
    assert.ok(waits[waits.length - 1] >= 300, `the tenth failure locks for minutes, not seconds: ${waits}`);

    // Locked: even the right password is refused, without a hint that it was right.
    const right = await login(attacker, acc.email, acc.password);
    assert.equal(right.status, 429, 'the right password during the lock');
    assert.equal(attacker.hasSession(), false);
    for (let i = 0; i < 3; i++) assert.equal((await login(accountClient(srv), acc.email, WRONG)).status, 429);

    const mail = await waitForMail(smtp, acc.email, { subject: SUBJECT.locked, since });
    await sleep(1500);
    assert.equal(mailsTo(smtp, acc.email, { since, subject: SUBJECT.locked }).length, 1, 'exactly one lock mail');
    const locked = (await auditRows(srv, acc.id)).filter((x) => x.action === 'account.locked');
    assert.equal(locked.length, 1, 'one account.locked audit entry');

    // The lock is per account: another account signs in, from the attacker's address too.
    const other = await registerAndConfirm(srv, smtp);
    await logout(other.client);
    await loginOk(attacker, other.email, other.password);
    await logout(attacker);

    // The mail's link leads to a password reset, which lifts the lock.
    const owner = accountClient(srv);
    await owner.page(linkPath(mail, '/konto/passwort-vergessen'));
    const s2 = smtp.messages.length;
    await owner.post('/konto/passwort-vergessen', [['email', acc.email]]);
    const reset = await waitForMail(smtp, acc.email, { subject: SUBJECT.reset, since: s2 });
    const link = linkPath(reset, '/konto/passwort-neu');
    await owner.page(link);
    const pw = newPassword();
    const done = await owner.post('/konto/passwort-neu', [
      ['token', new URL(link, 'http://x').searchParams.get('token')],
      ['passwort', pw],
      ['passwort2', pw],
    ]);
    assert.equal(done.status, 303);
    await loginOk(owner, acc.email, pw);
  });

  test('an idle session ends after the timeout and the login page says why; 29 minutes are still fine', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = acc.client;
    await c.ageSession(29 * 60);
    assert.equal((await c.fetch('/konto')).status, 200, 'after 29 idle minutes still signed in');

    await c.ageSession(31 * 60);
    const r = await c.fetch('/konto');
    assert.equal(r.status, 303, 'after 31 idle minutes the page needs a sign-in');
    assert.match(location(r), /^\/konto\/anmelden/);
    assert.equal(c.hasSession(), false, 'the session cookie is removed');
    const rows = await srv.query(`SELECT COUNT(*) FROM sessions WHERE user_id = ${acc.id}`);
    assert.equal(Number(rows[0][0]), 0, 'the session is gone on the server');
    // What a browser does: follow the redirect.
    const page = await c.fetch(location(r));
    assertHtmlPage(page, 200, 'login page after the timeout');
    assert.match(
      mainText(page.text),
      /längerer Pause|aus Sicherheitsgründen abgemeldet|automatisch abgemeldet/,
      `GET ${location(r)} after an idle timeout should say the visitor was signed out for inactivity; it says: ${mainText(page.text).slice(0, 200)}`,
    );
  });

  test('a session is extended: JSON for the script, a redirect and a message for the form', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = acc.client;
    const page = await c.page('/konto/sitzung');
    assert.match(mainText(page.text), /Ohne Aktivität endet Ihre Sitzung um \d\d:\d\d/);
    assert.ok(/<form\b[^>]*action="\/konto\/sitzung"/.test(page.text), 'a form to extend');

    await c.ageSession(25 * 60);
    c.syncCsrf();
    const j = await c.fetch('/konto/sitzung', { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': c.csrf } });
    assert.equal(j.status, 200);
    assert.match(j.headers['content-type'] ?? '', /^application\/json/);
    const { expires_at: until } = JSON.parse(j.text);
    const now = Date.now() / 1000;
    assert.ok(Math.abs(until - (now + 30 * 60)) < 10, `expires_at ${until} is 30 minutes from now (${now})`);
    await c.ageSession(25 * 60);
    assert.equal((await c.fetch('/konto')).status, 200, '25 + 25 minutes, extended in between: still signed in');

    const f = await c.post('/konto/sitzung', [['weiter', '/konto/sitzung']]);
    assert.equal(f.status, 303);
    assert.equal(location(f), '/konto/sitzung?verlaengert=1');
    assert.match(mainText((await c.page(location(f))).text), /verlängert/);

    const anon = accountClient(srv);
    await anon.ensureCsrf();
    const refused = await anon.fetch('/konto/sitzung', { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': anon.syncCsrf() } });
    assert.notEqual(refused.status, 200, 'no session, nothing to extend');
  });

  testCleanExit(() => srv);
});

// account-privacy.test.mjs — "Meine Daten" and privacy self-service (GDPR Art.
// 15, 17, 20): the profile form keeps what was typed and says per field what is
// wrong; the JSON export holds the profile and nothing secret; deleting the
// account needs the password, ends the session, and frees the address for a
// new registration. On both engines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import {
  SUBJECT,
  accountClient,
  accountSuite,
  auditRows,
  enrolTotp,
  fieldError,
  inputByName,
  location,
  login,
  loginOk,
  mainText,
  registerAndConfirm,
  signedIn,
  userId,
  waitForMail,
} from '../lib/account.mjs';

const PROFILE = {
  given_name: 'Anna-Lena',
  family_name: 'Müller-Lüdenscheidt',
  birth_name: 'Schäfer',
  doctoral_degree: 'Dr.',
  birth_date: '1980-04-23',
  birth_place: 'Mainz',
  street: 'Große Bleiche',
  house_number: '46a',
  postcode: '55116',
  city: 'Mainz',
  phone: '06131 12-0',
};

forEachEngine((engine) => {
  let srv;
  let smtp;
  accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });

  test('"Meine Daten": mistakes come back with every value and a message per field; then it is saved', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = acc.client;
    await c.page('/konto');
    const bad = { ...PROFILE, birth_date: '1980-02-30', postcode: 'Mainz!', phone: 'ruf mich an' };
    const r = await c.post('/konto', Object.entries(bad));
    assertHtmlPage(r, 422, 'profile with mistakes');
    for (const [k, v] of Object.entries(bad)) assert.equal(inputByName(r.text, k)?.value, v, `${k} is kept`);
    for (const k of ['birth_date', 'postcode', 'phone']) assert.ok(fieldError(r.text, k), `a message at ${k}`);
    assert.equal(fieldError(r.text, 'given_name'), null, 'no message at a correct field');

    const ok = await c.post('/konto', Object.entries(PROFILE));
    assert.equal(ok.status, 303);
    const page = await c.page(location(ok));
    assert.match(mainText(page.text), /gespeichert/);
    for (const [k, v] of Object.entries(PROFILE)) assert.equal(inputByName(page.text, k)?.value, v, `${k} is shown`);
  });

  test('the export (JSON and readable page) holds the profile and the account, and nothing secret', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = acc.client;
    await c.page('/konto');
    assert.equal((await c.post('/konto', Object.entries(PROFILE))).status, 303);
    const { key } = await enrolTotp(c);

    const r = await c.fetch('/konto/daten/export.json');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.match(r.headers['content-disposition'] ?? '', /attachment/);
    const data = JSON.parse(r.text);
    assert.equal(data.account?.email, acc.email);
    for (const [k, v] of Object.entries(PROFILE)) assert.equal(data.profile?.[k], v, `profile.${k} in the export`);
    assert.ok(Array.isArray(data.sessions) && data.sessions.length >= 1, 'the sessions');
    assert.ok(Array.isArray(data.security_log) && data.security_log.some((e) => e.action === 'account.register'), 'the security log');
    assert.ok(!/argon2/i.test(r.text), 'no password hash in the export');
    assert.ok(!r.text.includes(key), 'no TOTP secret in the export');
    const hashes = await srv.query(`SELECT id_hash FROM sessions WHERE user_id = ${acc.id}`);
    for (const [h] of hashes) assert.ok(!r.text.includes(h), 'no session ids in the export');

    const page = await c.page('/konto/daten');
    const text = mainText(page.text);
    const missing = [acc.email, PROFILE.family_name, PROFILE.street, PROFILE.birth_date, 'account.register'].filter((v) => !text.includes(v));
    assert.deepEqual(missing, [], `GET /konto/daten (the readable export) lacks these values of the JSON export: ${missing.join(', ')}`);
    assert.ok(page.text.includes('href="/konto/daten/export.json"'), 'the page links to the download');
    assert.ok((await auditRows(srv, acc.id)).some((x) => x.action === 'account.data_exported'));
  });

  test('deleting the account: the wrong password is refused; then the account is gone and the address free', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const c = acc.client;
    await c.page('/konto');
    assert.equal((await c.post('/konto', Object.entries(PROFILE))).status, 303);
    const other = accountClient(srv);
    await loginOk(other, acc.email, acc.password);
    await c.page('/konto/daten');

    const wrong = await c.post('/konto/daten/loeschen', [['passwort', 'nicht mein Passwort'], ['bestaetigung', '1']]);
    assertHtmlPage(wrong, 422, 'deletion with a wrong password');
    assert.ok(fieldError(wrong.text, 'passwort'), 'a message at the password field');
    const noTick = await c.post('/konto/daten/loeschen', [['passwort', acc.password]]);
    assert.equal(noTick.status, 422, 'deletion without the confirmation box');
    assert.ok(await signedIn(c), 'still there');
    assert.equal(await userId(srv, acc.email), acc.id);

    const since = smtp.messages.length;
    const done = await c.post('/konto/daten/loeschen', [['passwort', acc.password], ['bestaetigung', '1']]);
    assertHtmlPage(done, 200, 'deletion');
    assert.match(mainText(done.text), /gelöscht/);
    assert.equal(await signedIn(c), false, 'this session ended');
    assert.equal(await signedIn(other), false, 'every session ended');
    await waitForMail(smtp, acc.email, { subject: SUBJECT.deleted, since });

    const row = await srv.query(`SELECT email, COALESCE(password_hash, ''), COALESCE(deleted_at, 0) FROM users WHERE id = ${acc.id}`);
    assert.equal(row[0]?.[0] ?? '', '', 'the address is removed from the kept record');
    assert.ok(Number(row[0]?.[2]) > 0, 'marked deleted');
    const prof = await srv.query(`SELECT COUNT(*) FROM profiles WHERE user_id = ${acc.id}`);
    assert.equal(Number(prof[0][0]), 0, 'the profile is deleted');

    const x = await login(accountClient(srv), acc.email, acc.password);
    assert.equal(x.status, 422, 'sign-in fails like for any unknown address');
    assert.equal(fieldError(x.text, 'login'), 'E-Mail-Adresse oder Passwort ist falsch.');

    const again = await registerAndConfirm(srv, smtp, { email: acc.email });
    assert.notEqual(again.id, acc.id, 'a new account with the same address');
    assert.ok(await signedIn(again.client));
    const exp = JSON.parse((await again.client.fetch('/konto/daten/export.json')).text);
    assert.equal(exp.profile.family_name, '', 'nothing of the old account comes back');
    assert.ok((await auditRows(srv, acc.id)).some((x) => x.action === 'account.deleted'));
  });

  testCleanExit(() => srv);
});

// account-register.test.mjs — a citizen makes an account: the form keeps what
// was typed (passwords aside) and says per field what is wrong, with a summary;
// the password policy (12 characters, not a common password, not the e-mail
// address) is checked from both sides; the confirmation link read from the mail
// works exactly once; an unconfirmed account cannot sign in and is told how to
// get a new link; an address that already has an account gets the same answer;
// a flood of registrations from one address is slowed down. On both engines,
// with a real SMTP server.

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
  commonLongPassword,
  confirmWith,
  errorSummary,
  fieldError,
  inputByName,
  linkPath,
  location,
  login,
  mailsTo,
  mainText,
  mainWithoutToken,
  newPassword,
  register,
  registerAndConfirm,
  signedIn,
  tokenOf,
  uniqueEmail,
  userId,
  waitForMail,
} from '../lib/account.mjs';

forEachEngine((engine) => {
  let srv;
  let smtp;
  accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });

  test('a form with several mistakes comes back with the values, a message per field and a summary', async () => {
    const c = accountClient(srv);
    const secret = 'Kurz-Geh1';
    const r = await register(c, { email: 'keine-adresse', password: secret, password2: 'etwas anderes', consent: false });
    assertHtmlPage(r, 422, 'registration with errors');
    assert.equal(inputByName(r.text, 'email')?.value, 'keine-adresse', 'the e-mail address typed is kept');
    assert.equal(inputByName(r.text, 'passwort')?.value ?? '', '', 'the password is not sent back');
    assert.equal(inputByName(r.text, 'passwort2')?.value ?? '', '', 'the repeated password is not sent back');
    assert.ok(!r.text.includes(secret), 'the password appears nowhere in the page');

    const perField = {
      email: fieldError(r.text, 'email'),
      passwort: fieldError(r.text, 'passwort'),
      datenschutz: fieldError(r.text, 'datenschutz'),
    };
    assert.match(perField.email ?? '', /gültige E-Mail-Adresse/, `message at the e-mail field: ${perField.email}`);
    assert.match(perField.passwort ?? '', /mindestens 12 Zeichen/, `message at the password field: ${perField.passwort}`);
    assert.match(perField.datenschutz ?? '', /Datenschutzerklärung/, `message at the consent box: ${perField.datenschutz}`);
    for (const name of ['email', 'passwort', 'datenschutz'])
      assert.equal(inputByName(r.text, name)['aria-invalid'], 'true', `${name} is marked aria-invalid`);

    const summary = errorSummary(r.text);
    assert.ok(/role="alert"/.test(r.text), 'the summary is announced (role=alert)');
    for (const name of ['email', 'passwort', 'datenschutz']) {
      const id = inputByName(r.text, name).id;
      const item = summary.find((s) => s.href === `#${id}`);
      assert.ok(item, `the summary links to #${id}: ${JSON.stringify(summary)}`);
      assert.equal(item.text, perField[name], `summary and field say the same for ${name}`);
    }
    assert.equal(await userId(srv, 'keine-adresse'), null, 'no account was made');
  });

  test('a repeated password that differs is reported at the repeat field; the address is kept', async () => {
    const c = accountClient(srv);
    const email = uniqueEmail('wiederholung');
    const r = await register(c, { email, password: newPassword(), password2: newPassword() });
    assertHtmlPage(r, 422, 'mismatch');
    assert.match(fieldError(r.text, 'passwort2') ?? '', /stimmen nicht überein/);
    assert.equal(fieldError(r.text, 'passwort'), null, 'the first password is fine');
    assert.equal(inputByName(r.text, 'email').value, email);
    assert.equal(inputByName(r.text, 'datenschutz').checked !== undefined, true, 'the consent box stays ticked');
  });

  test('password length: 11 characters are refused, 12 are accepted (characters, not bytes)', async () => {
    const c = accountClient(srv);
    for (const pw of ['Kurz-Pw-123', 'Grüße-Größe']) {
      assert.equal([...pw].length, 11);
      const r = await register(c, { email: uniqueEmail('kurz'), password: pw });
      assert.equal(r.status, 422, `${pw}: status`);
      assert.match(fieldError(r.text, 'passwort') ?? '', /mindestens 12 Zeichen/, `${pw}: message`);
    }
    const email = uniqueEmail('zwoelf');
    const twelve = 'Zwoelf-Ziff1';
    assert.equal([...twelve].length, 12);
    const ok = await register(c, { email, password: twelve });
    assertHtmlPage(ok, 200, '12 characters');
    assert.match(mainText(ok.text), /E-Mail geschickt/);
  });

  test('a common password of 12 or more characters is refused, whatever its case', async () => {
    const c = accountClient(srv);
    const common = commonLongPassword(12);
    for (const pw of [common, common.toUpperCase()]) {
      const r = await register(c, { email: uniqueEmail('bekannt'), password: pw });
      assert.equal(r.status, 422, `${pw}: status`);
      assert.match(fieldError(r.text, 'passwort') ?? '', /zu bekannt/, `${pw}: ${fieldError(r.text, 'passwort')}`);
    }
  });

  test('a password containing the local part of the e-mail address is refused', async () => {
    const c = accountClient(srv);
    const local = `margarethe${Date.now().toString(36)}`;
    const email = `${local}@example.org`;
    const r = await register(c, { email, password: `Ich bin ${local.toUpperCase()} und gut` });
    assert.equal(r.status, 422);
    assert.match(fieldError(r.text, 'passwort') ?? '', /E-Mail-Adresse/, fieldError(r.text, 'passwort'));
    assert.equal(inputByName(r.text, 'email').value, email);
  });

  test('the confirmation link from the mail shows a button, signs in once, and is dead the second time (410)', async () => {
    const c = accountClient(srv);
    const email = uniqueEmail('link');
    const password = newPassword();
    const since = smtp.messages.length;
    const r = await register(c, { email, password });
    assertHtmlPage(r, 200, 'registration');
    assert.ok(mainText(r.text).includes(email), 'the page names the address the mail went to');
    const mail = await waitForMail(smtp, email, { subject: SUBJECT.confirm, since });
    const link = linkPath(mail, '/konto/bestaetigen');
    assert.ok(tokenOf(link)?.length >= 32, `a long token in the link: ${link}`);

    // Opening the link (as a mail scanner would) changes nothing.
    const page = await c.fetch(link);
    assertHtmlPage(page, 200, 'confirmation page');
    assert.ok(/<form\b[^>]*action="\/konto\/bestaetigen"/.test(page.text), 'a button that POSTs');
    const before = await srv.query(`SELECT COALESCE(email_confirmed_at, 0) FROM users WHERE email = '${email}'`);
    assert.equal(before[0]?.[0], '0', 'GET did not confirm');

    const done = await c.post('/konto/bestaetigen', [['token', tokenOf(link)]]);
    assert.equal(done.status, 303);
    assert.match(location(done), /^\/konto(\?|$)/);
    const welcome = await c.fetch(location(done));
    assertHtmlPage(welcome, 200, 'after confirmation');
    assert.match(mainText(welcome.text), /Willkommen/);
    assert.ok(await signedIn(c), 'signed in after confirming');

    const again = await accountClient(srv).fetch(link);
    assertHtmlPage(again, 410, 'second use of the link (GET)');
    assert.match(mainText(again.text), /nicht mehr gültig/);
    const c2 = accountClient(srv);
    await c2.ensureCsrf();
    const againPost = await c2.post('/konto/bestaetigen', [['token', tokenOf(link)]]);
    assertHtmlPage(againPost, 410, 'second use of the link (POST)');
    assert.equal(c2.hasSession(), false, 'the dead link signs nobody in');

    const forged = await accountClient(srv).fetch('/konto/bestaetigen?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(forged.status, 410, 'a made-up token');

    const uid = await userId(srv, email);
    const actions = (await auditRows(srv, uid)).map((a) => a.action);
    assert.ok(actions.includes('account.register') && actions.includes('account.confirm'), `audit: ${actions}`);
    const reg = (await auditRows(srv, uid)).find((a) => a.action === 'account.register');
    assert.equal(reg.ip, c.ip, 'the audit entry records the address the request came from');
  });

  test('an unconfirmed account cannot sign in and is told how to get a new link, which then works', async () => {
    const c = accountClient(srv);
    const email = uniqueEmail('unbestaetigt');
    const password = newPassword();
    let since = smtp.messages.length;
    assert.equal((await register(c, { email, password })).status, 200);
    await waitForMail(smtp, email, { subject: SUBJECT.confirm, since });

    const r = await login(c, email, password);
    assertHtmlPage(r, 403, 'sign-in before confirming');
    assert.match(mainText(r.text), /bestätigen Sie zuerst|noch nicht aktiv/);
    assert.ok(r.text.includes('href="/konto/bestaetigen/neu"'), 'a link to request a new confirmation link');
    assert.equal(c.hasSession(), false, 'no session');

    await c.page('/konto/bestaetigen/neu');
    since = smtp.messages.length;
    const again = await c.post('/konto/bestaetigen/neu', [['email', email.toUpperCase()]]);
    assertHtmlPage(again, 200, 'new link requested');
    const mail = await waitForMail(smtp, email, { subject: SUBJECT.confirm, since });
    const done = await confirmWith(c, linkPath(mail, '/konto/bestaetigen'));
    assert.equal(done.status, 303);
    assert.ok(await signedIn(c));
  });

  test('registering an address that already has an account gives the same answer; the owner is told by mail', async () => {
    const owner = await registerAndConfirm(srv, smtp);
    const fresh = uniqueEmail('neu');
    const c = accountClient(srv);
    const a = await register(c, { email: fresh, password: newPassword() });
    const since = smtp.messages.length;
    const b = await register(c, { email: owner.email, password: newPassword() });
    assert.equal(b.status, a.status, 'same status');
    const norm = (html, email) => mainWithoutToken(html).replaceAll(email, 'ADRESSE');
    assert.equal(norm(b.text, owner.email), norm(a.text, fresh), 'same page');
    await waitForMail(smtp, owner.email, { subject: SUBJECT.exists, since });
    await sleep(300);
    assert.equal(mailsTo(smtp, owner.email, { since, subject: SUBJECT.confirm }).length, 0, 'no confirmation link for a taken address');
    assert.ok(await signedIn(owner.client), 'the owner stays signed in');
  });

  test('a flood of registrations from one address is slowed down (429); another address still registers', async () => {
    const owner = await registerAndConfirm(srv, smtp);
    const c = accountClient(srv);
    const statuses = [];
    // The address of an existing account: counted like any registration, but no hash to compute.
    for (let i = 0; i < 15 && !statuses.includes(429); i++) statuses.push((await register(c, { email: owner.email, password: newPassword() })).status);
    assert.ok(statuses.includes(429), `no 429 after ${statuses.length} registrations: ${statuses}`);
    assert.ok(statuses.indexOf(429) >= 3, `the first registrations go through: ${statuses}`);
    const last = await register(c, { email: uniqueEmail('flut'), password: newPassword() });
    assertHtmlPage(last, 429, 'registration while slowed down');
    assert.match(mainText(last.text), /später/);
    const other = accountClient(srv);
    assert.equal((await register(other, { email: uniqueEmail('andere'), password: newPassword() })).status, 200, 'another address is not affected');
  });

  testCleanExit(() => srv);
});

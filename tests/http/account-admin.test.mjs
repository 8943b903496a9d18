// account-admin.test.mjs — staff administration: `rathaus demo` makes the four
// units and demo accounts; `rathaus user add` makes a staff account that signs
// in with its role; an admin must enrol the second factor before any admin
// page; an admin creates a staff account whose invitation link (read from the
// mail) sets the password once; the identity check raises a citizen to
// "substantiell" and the audit log records who, when and the document type;
// blocking ends the sessions; and /verwaltung/protokoll shows every
// authentication event of a citizen's life. On both engines.


import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import { decodeEntities } from '../lib/http.mjs';
import {
  SUBJECT,
  accountClient,
  accountSuite,
  auditRows,
  createStaff,
  enrolTotp,
  roleGrants,
  unitId,
  fieldError,
  inputByName,
  linkPath,
  location,
  login,
  loginOk,
  logout,
  mainText,
  newPassword,
  registerAndConfirm,
  runCli,
  signedIn,
  tokenOf,
  uniqueEmail,
  userId,
  waitForMail,
} from '../lib/account.mjs';

forEachEngine((engine) => {
  let srv;
  let smtp;
  let admin; // {email, password, client, totp}
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  const grantsOf = (uid) => roleGrants(srv, uid);
  const idOf = async (table, col, value) => Number((await srv.query(`SELECT id FROM ${table} WHERE ${col} = '${value}'`))[0]?.[0]);

  // The text of the audit page's table cells, row by row.
  const auditTable = (html) =>
    [...html.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)]
      .map((m) => [...m[1].matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((c) => decodeEntities(c[1].replace(/<[^>]+>/g, '')).trim()))
      .filter((cells) => cells.length > 0);

  test('`rathaus demo` made the four units and the demo staff accounts', async () => {
    const units = (await srv.query('SELECT slug FROM units ORDER BY slug')).map((r) => r[0]);
    for (const slug of ['bauamt', 'buergeramt', 'hauptamt', 'stadtforschung']) assert.ok(units.includes(slug), `unit ${slug}: ${units}`);
    const staff = await srv.query('SELECT COUNT(*) FROM users WHERE is_staff = 1 AND deleted_at IS NULL');
    assert.ok(Number(staff[0][0]) >= 2, 'demo staff accounts');
    const admins = await srv.query(
      "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = 'admin'",
    );
    assert.ok(Number(admins[0][0]) >= 1, 'a demo admin');
  });

  test('`rathaus user add` makes a staff account that signs in with its role; weak passwords and taken addresses are refused', async () => {
    const email = uniqueEmail('cli');
    const password = newPassword();
    const args = ['user', 'add', '--email', email, '--name', 'Clara CLI', '--role', 'sachbearbeitung', '--unit', 'bauamt', '--password-stdin'];
    const r = await runCli(srv, args, { input: `${password}\n` });
    assert.equal(r.code, 0, `rathaus ${args.join(' ')}: ${r.out}`);
    const uid = await userId(srv, email);
    assert.ok(uid, 'the account exists');
    assert.deepEqual(await grantsOf(uid), ['sachbearbeitung@bauamt']);
    const c = accountClient(srv);
    await loginOk(c, email, password);
    assert.ok(await signedIn(c));
    const rows = await auditRows(srv, uid);
    assert.ok(rows.some((x) => x.actor === 'cli'), `the creation is audited with the actor "cli": ${JSON.stringify(rows)}`);

    const weak = await runCli(srv, ['user', 'add', '--email', uniqueEmail('cli'), '--name', 'Schwach', '--password-stdin'], { input: '123456\n' });
    assert.notEqual(weak.code, 0, 'a password under 12 characters');
    const common = await runCli(srv, ['user', 'add', '--email', uniqueEmail('cli'), '--name', 'Bekannt', '--password-stdin'], {
      input: '123456654321\n',
    });
    assert.notEqual(common.code, 0, 'a common password');
    const twice = await runCli(srv, ['user', 'add', '--email', email, '--name', 'Doppelt', '--password-stdin'], { input: `${newPassword()}\n` });
    assert.notEqual(twice.code, 0, 'an address that has an account');
    const unknownRole = await runCli(srv, ['user', 'add', '--email', uniqueEmail('cli'), '--name', 'X', '--role', 'gibt-es-nicht', '--password-stdin'], {
      input: `${newPassword()}\n`,
    });
    assert.notEqual(unknownRole.code, 0, 'an unknown role');
  });

  test('an admin is sent to enrol the second factor before any admin page, and cannot switch it off', async () => {
    const { email, password } = await createStaff(srv, { role: 'admin', name: 'Ada Admin' });
    const c = accountClient(srv);
    await loginOk(c, email, password);
    for (const p of ['/verwaltung/benutzer', '/verwaltung/protokoll', '/verwaltung/einheiten']) {
      const x = await c.fetch(p);
      assert.equal(x.status, 303, `${p} without a second factor`);
      assert.match(location(x), /^\/konto\/sicherheit\?pflicht=1/, `${p} → ${location(x)}`);
    }
    const sec = await c.page('/konto/sicherheit?pflicht=1');
    assert.match(mainText(sec.text), /zwei Schritten einrichten/);
    const { totp } = await enrolTotp(c);
    assertHtmlPage(await c.fetch('/verwaltung/benutzer'), 200, 'the user list after enrolment');
    await c.page('/konto/sicherheit');
    const off = await c.post('/konto/sicherheit/2fa/deaktivieren', [['passwort', password], ['code', await totp.next()]]);
    assert.equal(off.status, 403, 'an admin cannot switch the second factor off');
    admin = { email, password, client: c, totp, id: await userId(srv, email) };
  });

  test('an admin creates a staff account: mistakes per field; the invitation link sets the password once', async () => {
    assert.ok(admin, 'needs the admin of the previous test');
    const c = admin.client;
    await c.page('/verwaltung/benutzer/neu');
    const bad = await c.post('/verwaltung/benutzer/neu', [['email', 'kein-at-zeichen'], ['name', ''], ['einheit', ''], ['rolle', '']]);
    assertHtmlPage(bad, 422, 'new staff account with mistakes');
    assert.equal(inputByName(bad.text, 'email').value, 'kein-at-zeichen');
    assert.ok(fieldError(bad.text, 'email'), 'a message at the address');
    assert.ok(fieldError(bad.text, 'name'), 'a message at the name');

    const email = uniqueEmail('eingeladen');
    const unit = await unitId(srv, 'hauptamt');
    const role = await idOf('roles', 'name', 'sachbearbeitung');
    const since = smtp.messages.length;
    const ok = await c.post('/verwaltung/benutzer/neu', [['email', email], ['name', 'Ines Eingeladen'], ['einheit', String(unit)], ['rolle', String(role)]]);
    assert.equal(ok.status, 303, `created: ${ok.status} ${mainText(ok.text).slice(0, 300)}`);
    const uid = await userId(srv, email);
    assert.match(location(ok), new RegExp(`^/verwaltung/benutzer/${uid}\\b`));
    const page = await c.page(location(ok));
    assert.ok(mainText(page.text).includes(email));
    assert.deepEqual(await grantsOf(uid), ['sachbearbeitung@hauptamt']);

    const mail = await waitForMail(smtp, email, { since, subject: /Dienstkonto/ });
    const link = linkPath(mail, '/konto/einladung');
    const staff = accountClient(srv);
    const form = await staff.page(link);
    assert.ok(/<form\b[^>]*action="\/konto\/einladung"/.test(form.text));
    const pw = newPassword();
    const short = await staff.post('/konto/einladung', [['token', tokenOf(link)], ['passwort', 'kurz'], ['passwort2', 'kurz']]);
    assert.equal(short.status, 422, 'the password policy applies');
    const set = await staff.post('/konto/einladung', [['token', tokenOf(link)], ['passwort', pw], ['passwort2', pw]]);
    assert.equal(set.status, 303);
    await loginOk(staff, email, pw);
    assert.equal((await accountClient(srv).fetch(link)).status, 410, 'the invitation works once');
    assert.ok((await auditRows(srv, uid)).some((x) => x.action === 'admin.user_created' && x.actor === `user:${admin.id}`));
  });

  test('the identity check raises a citizen to "substantiell"; the log keeps who, when and the document type', async () => {
    assert.ok(admin, 'needs the admin');
    const citizen = await registerAndConfirm(srv, smtp);
    const c = admin.client;
    const found = await c.page(`/verwaltung/identitaet?email=${encodeURIComponent(citizen.email)}`);
    assert.ok(found.text.includes(`action="/verwaltung/identitaet/${citizen.id}"`), 'the found account with the raise form');
    const missing = await c.post(`/verwaltung/identitaet/${citizen.id}`, [['geprueft', '1']]);
    assertHtmlPage(missing, 422, 'no document chosen');
    const since = smtp.messages.length;
    const r = await c.post(`/verwaltung/identitaet/${citizen.id}`, [['dokument', 'personalausweis'], ['geprueft', '1'], ['nummer', 'L01X00T47']]);
    assert.equal(r.status, 303);
    const level = await srv.query(`SELECT trust_level FROM users WHERE id = ${citizen.id}`);
    assert.equal(level[0][0], '2', 'substantiell');
    const entry = (await auditRows(srv, citizen.id)).find((x) => x.action === 'admin.trust_raised');
    assert.ok(entry, 'audited');
    assert.equal(entry.actor, `user:${admin.id}`, 'who');
    assert.match(entry.detail, /personalausweis/, 'the document type');
    assert.ok(!entry.detail.includes('L01X00T47'), 'never the document number');
    await waitForMail(smtp, citizen.email, { since, subject: /Vertrauensniveau/ });
    const staffId = await userId(srv, admin.email);
    assert.equal((await c.post(`/verwaltung/identitaet/${staffId}`, [['dokument', 'reisepass'], ['geprueft', '1']])).status, 404, 'not for staff accounts');
  });

  test('blocking a staff account ends its sessions and refuses its sign-in; unblocking lets it in again', async () => {
    assert.ok(admin, 'needs the admin');
    const { email, password, id: uid } = await createStaff(srv, { role: 'sachbearbeitung', unit: 'bauamt', name: 'Gerd Gesperrt' });
    const staff = accountClient(srv);
    await loginOk(staff, email, password);
    const c = admin.client;
    await c.page(`/verwaltung/benutzer/${uid}`);
    assert.equal((await c.post(`/verwaltung/benutzer/${uid}/sperren`, [])).status, 303);
    assert.equal(await signedIn(staff), false, 'the session ended');
    const r = await login(accountClient(srv), email, password);
    assert.equal(r.status, 403);
    assert.match(mainText(r.text), /gesperrt/);
    assert.equal((await c.post(`/verwaltung/benutzer/${uid}/entsperren`, [])).status, 303);
    await loginOk(accountClient(srv), email, password);
  });

  test('/verwaltung/protokoll shows every authentication event of a citizen', async () => {
    assert.ok(admin, 'needs the admin');
    // One citizen goes through everything that is an authentication event.
    const acc = await registerAndConfirm(srv, smtp); // register, confirm
    const c = acc.client;
    await logout(c); // logout
    assert.equal((await login(c, acc.email, 'Ganz falsches Passwort')).status, 422); // login_failed
    await loginOk(c, acc.email, acc.password); // login
    const pw2 = newPassword();
    await c.page('/konto/sicherheit');
    assert.equal((await c.post('/konto/sicherheit/passwort', [['passwort', acc.password], ['neu', pw2], ['neu2', pw2]])).status, 303); // password_changed
    const neu = uniqueEmail('protokoll');
    let since = smtp.messages.length;
    assert.equal((await c.post('/konto/sicherheit/email', [['email', neu], ['passwort', pw2]])).status, 303); // email_change_requested
    const link = linkPath(await waitForMail(smtp, neu, { since, subject: SUBJECT.emailNew }), '/konto/email-bestaetigen');
    await c.page(link);
    assert.equal((await c.post('/konto/email-bestaetigen', [['token', tokenOf(link)]])).status, 303); // email_changed
    const { totp, recoveryCodes } = await enrolTotp(c); // 2fa_enabled
    await logout(c);
    await loginOk(c, neu, pw2, { totp }); // login (totp)
    await logout(c);
    await loginOk(c, neu, pw2, { code: recoveryCodes[0] }); // login (recovery code)
    await c.page('/konto/sicherheit');
    assert.equal((await c.post('/konto/sicherheit/sitzungen/beenden', [])).status, 303); // sessions_ended
    assert.equal((await c.post('/konto/sicherheit/2fa/deaktivieren', [['passwort', pw2], ['code', await totp.next()]])).status, 303); // 2fa_disabled
    await logout(c);
    since = smtp.messages.length;
    await c.page('/konto/passwort-vergessen');
    await c.post('/konto/passwort-vergessen', [['email', neu]]); // reset_requested
    const reset = linkPath(await waitForMail(smtp, neu, { since, subject: SUBJECT.reset }), '/konto/passwort-neu');
    await c.page(reset);
    const pw3 = newPassword();
    assert.equal((await c.post('/konto/passwort-neu', [['token', tokenOf(reset)], ['passwort', pw3], ['passwort2', pw3]])).status, 303); // password_reset
    await loginOk(c, neu, pw3);
    assert.equal((await c.fetch('/konto/daten/export.json')).status, 200); // data_exported
    await c.page('/konto/daten');
    assert.equal((await c.post('/konto/daten/loeschen', [['passwort', pw3], ['bestaetigung', '1']])).status, 200); // deleted

    const expected = [
      'account.register',
      'account.confirm',
      'account.login',
      'account.login_failed',
      'account.logout',
      'account.password_changed',
      'account.email_change_requested',
      'account.email_changed',
      'account.2fa_enabled',
      'account.sessions_ended',
      'account.2fa_disabled',
      'account.reset_requested',
      'account.password_reset',
      'account.data_exported',
      'account.deleted',
    ];
    const page = await admin.client.page(`/verwaltung/protokoll?aktion=account.&akteur=user:${acc.id}`);
    const rows = auditTable(page.text);
    const shown = new Set(rows.flatMap((cells) => cells.filter((x) => /^account\./.test(x))));
    const missing = expected.filter((a) => !shown.has(a));
    assert.deepEqual(missing, [], `/verwaltung/protokoll lacks: ${missing.join(', ')} (shown: ${[...shown].join(', ')})`);
    const logins = rows.filter((cells) => cells.includes('account.login')).map((cells) => cells.join(' '));
    for (const f of ['password', 'totp', 'recovery_code']) assert.ok(logins.some((l) => l.includes(f)), `a login by ${f}: ${logins.join(' | ')}`);
    assert.ok(rows.every((cells) => cells.includes(c.ip) || cells.some((x) => x === c.ip)), 'each entry names the address');

    // Failures for an address without an account are logged as anonymous.
    const stranger = accountClient(srv);
    await login(stranger, uniqueEmail('fremd'), 'Irgendein Passwort 1');
    const anon = auditTable((await admin.client.page('/verwaltung/protokoll?aktion=account.login_failed&akteur=anonymous')).text);
    assert.ok(anon.some((cells) => cells.includes(stranger.ip)), 'the failed sign-in of an unknown address');
  });

  testCleanExit(() => srv);
});

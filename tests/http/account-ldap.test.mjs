// account-ldap.test.mjs — staff sign in with their directory account (a real
// slapd from scripts/ldap-test.sh with tests/ldap/seed.ldif): by user name, the
// rathaus account is made on the first login with the directory's name and
// address, and its roles follow the directory groups (ldap_group_roles); a wrong
// password and an unknown user get the same refusal; names that are LDAP filter
// syntax neither fail nor match others; an ambiguous name never signs in. On
// both engines. Skipped, with the reason, when slapd or the script is missing.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testCleanExit } from '../lib/server.mjs';
import { PG_URL } from '../lib/pg.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import { accountClient, accountSuite, auditRows, roleGrants, unitId, fieldError, inputByName, location, login, mainText, signedIn } from '../lib/account.mjs';
import { PEOPLE_IN_SEED as P, ldapArgs, ldapUnavailable, startLdap } from '../lib/ldap.mjs';

const unavailable = ldapUnavailable();
let directory;
before(async () => {
  if (!unavailable) directory = await startLdap();
});
after(async () => {
  if (directory) await directory.stop();
});

for (const engine of ['sqlite', 'postgres']) {
  const skip = unavailable ?? (engine === 'postgres' && !PG_URL ? 'RATHAUS_TEST_PG_URL is not set' : null);
  if (skip) {
    describe(engine, () => test('directory (LDAP) sign-in', { skip }, () => {}));
    continue;
  }
  describe(engine, { timeout: 120000 }, () => {
    let srv;
    let smtp;
    // The directory is started by the file's own before(), so its URL is read late.
    accountSuite(engine, { demo: true, args: () => ldapArgs(directory.url), onStart: (s) => ({ srv, smtp } = s) });
    before(async () => {
      // The units the group mapping names come from `rathaus demo`.
      for (const slug of ['buergeramt', 'bauamt']) await unitId(srv, slug);
    });

    const grantsOf = (uid) => roleGrants(srv, uid);

    test('the login form asks for an e-mail address or a user name', async () => {
      const page = await accountClient(srv).page('/konto/anmelden');
      const input = inputByName(page.text, 'login');
      assert.equal(input.type, 'text', 'a user name is not an e-mail address: type=text');
      assert.match(mainText(page.text), /Benutzername/);
    });

    test('a directory user signs in by user name; the account takes name, address and roles from the directory', async () => {
      const c = accountClient(srv);
      const r = await login(c, P.kschmidt.login, P.kschmidt.password);
      assert.equal(r.status, 303, `sign-in: ${r.status} ${mainText(r.text).slice(0, 200)}`);
      assert.equal(location(r), '/konto');
      assert.ok(await signedIn(c));
      const rows = await srv.query(`SELECT id, is_staff, display_name FROM users WHERE email = '${P.kschmidt.email}' AND deleted_at IS NULL`);
      assert.equal(rows.length, 1, 'one account with the directory address');
      const [uid, staff, name] = rows[0];
      assert.equal(staff, '1', 'a staff account');
      assert.equal(name, P.kschmidt.name);
      assert.deepEqual(await grantsOf(uid), ['sachbearbeitung@bauamt'], 'the role of the mapped group, for its unit');
      const links = await srv.query(`SELECT subject FROM identity_links WHERE provider = 'ldap' AND user_id = ${uid}`);
      assert.equal(links[0]?.[0], `uid=kschmidt,ou=people,dc=rathaus,dc=test`);
      const logins = (await auditRows(srv, uid)).filter((a) => a.action === 'account.login');
      assert.equal(logins.length, 1, 'the sign-in is audited');

      // A second sign-in finds the same account.
      const again = accountClient(srv);
      assert.equal((await login(again, P.kschmidt.login, P.kschmidt.password)).status, 303);
      const count = await srv.query(`SELECT COUNT(*) FROM users WHERE email = '${P.kschmidt.email}'`);
      assert.equal(Number(count[0][0]), 1, 'no second account');
    });

    test('several groups give several roles; the user name is not case-sensitive in the directory', async () => {
      const c = accountClient(srv);
      const r = await login(c, 'MMueller', P.mmueller.password);
      assert.equal(r.status, 303, `${r.status} ${mainText(r.text).slice(0, 200)}`);
      const uid = (await srv.query(`SELECT id FROM users WHERE email = '${P.mmueller.email}'`))[0][0];
      assert.deepEqual(await grantsOf(uid), ['admin', 'sachbearbeitung@buergeramt']);
    });

    test('a wrong password and an unknown user name are refused alike, and audited', async () => {
      const c = accountClient(srv);
      const wrong = await login(c, P.kschmidt.login, 'Falsches-Passwort-1');
      assertHtmlPage(wrong, 422, 'wrong directory password');
      const unknown = await login(c, 'niemand', 'Falsches-Passwort-1');
      assert.equal(unknown.status, 422);
      assert.ok(fieldError(wrong.text, 'login'), 'a message at the field');
      assert.equal(fieldError(unknown.text, 'login'), fieldError(wrong.text, 'login'), 'the same message');
      assert.equal(c.hasSession(), false);
      const failed = await srv.query(`SELECT COUNT(*) FROM audit_log WHERE action = 'account.login_failed' AND ip = '${c.ip}'`);
      assert.equal(Number(failed[0][0]), 2);
    });

    test('filter syntax in a user name neither breaks nor widens the search; an ambiguous name never signs in', async () => {
      const c = accountClient(srv);
      assert.equal((await login(c, P.sonja.login, P.sonja.password)).status, 303, 'the user whose name is full of \\ ( ) *');
      for (const name of ['*', 'k*', 'kschmidt)(uid=*', '*)(|(uid=*']) {
        const r = await login(accountClient(srv), name, P.kschmidt.password);
        assert.equal(r.status, 422, `login "${name}" → ${r.status}`);
      }
      const d = await login(accountClient(srv), P.doppelt.login, P.doppelt.password);
      assert.equal(d.status, 422, 'a user name with two entries in the directory');
    });

    test('a user without e-mail in the directory signs in; a directory account has no local password', async () => {
      const c = accountClient(srv);
      assert.equal((await login(c, P.jneumann.login, P.jneumann.password)).status, 303);
      // The directory password does not work as a local password with the e-mail address.
      const r = await login(accountClient(srv), P.kschmidt.email, P.kschmidt.password);
      assert.equal(r.status, 422, 'e-mail address + directory password');
    });

    testCleanExit(() => srv);
  });
}

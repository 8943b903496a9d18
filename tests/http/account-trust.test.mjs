// account-trust.test.mjs — trust levels (Vertrauensniveau) as a step-up, not a refusal.
//
// A route that needs "substantiell" (the test route /_test/vertrauen declares
// ROUTE_TRUST_SUBSTANTIAL) sends a visitor to the login page, shows a confirmed
// citizen (basisregistriert) a page that names both levels and says how to reach
// the higher one, and opens once the account was raised — here through the
// identity check's effect on the database, which account-admin tests end to end.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine } from '../lib/server.mjs';
import { accountSuite, accountClient, registerAndConfirm, mainText, location, sqlWrite } from '../lib/account.mjs';

forEachEngine((engine) => {
  let srv;
  let smtp;
  accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });

  test('anonymous: sign in first', async () => {
    const res = await accountClient(srv).fetch('/_test/vertrauen');
    assert.equal(res.status, 303);
    assert.match(location(res), /^\/konto\/anmelden\?weiter=\/_test\/vertrauen/);
  });

  test('basisregistriert: a page that says which level is needed and how to reach it', async () => {
    const anna = await registerAndConfirm(srv, smtp, { tag: 'trust' });
    const res = await anna.client.fetch('/_test/vertrauen');
    assert.equal(res.status, 403);
    const text = mainText(res.text);
    assert.match(text, /höheres Vertrauensniveau/);
    assert.match(text, /basisregistriert/);
    assert.match(text, /substantiell/);
    assert.match(text, /Bürgeramt/, 'says where to go');
    assert.doesNotMatch(res.text, /vertraut/);

    await sqlWrite(srv, `UPDATE users SET trust_level = 2 WHERE id = ${anna.id}`);
    const ok = await anna.client.fetch('/_test/vertrauen');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'vertraut');
  });
});

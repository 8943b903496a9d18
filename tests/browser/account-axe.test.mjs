// account-axe.test.mjs — WCAG 2.1 A/AA (axe-core, as axe.test.mjs runs it) on
// every account page and every admin page, in German and in English (switched
// with the language form), including the error states: registration with
// mistakes, a failed sign-in, "Passwort vergessen" with an address that is not
// one, the profile and password forms with mistakes, a new staff account with
// mistakes, dead links (410), the two-factor pages. The lists of signed-in and
// admin pages come from GET /_test/routes, so new pages are checked without
// touching this file. No console errors or CSP refusals either. SQLite; a smoke
// pass on PostgreSQL.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describePg, testCleanExit } from '../lib/server.mjs';
import { watchPage, runAxe, formatViolations, switchLanguage, newContext } from '../lib/browser.mjs';
import {
  SUBJECT,
  accountClient,
  accountSuite,
  contextHeaders,
  createStaff,
  unitId,
  linkPath,
  loginOk,
  newPassword,
  register,
  registerAndConfirm,
  routeTable,
  shareSession,
  signInStaff,
  totpCode,
  uniqueEmail,
  waitForMail,
} from '../lib/account.mjs';

// A page checker bound to one browser page: visit(path) or check(label) after
// an interaction; every problem (status, language, console, axe) is collected.
function checker(page, base, lang) {
  const watch = watchPage(page);
  const problems = [];
  const visited = [];
  const check = async (label) => {
    await page.waitForTimeout(50); // late console messages
    watch.pause();
    // A request the browser itself cancels when the next page loads is no fault of the page.
    problems.push(...watch.errors.filter((e) => !/net::ERR_ABORTED$/.test(e)).map((e) => `${label}: ${e}`));
    watch.errors.length = 0;
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) problems.push(`${label}: <html lang="${htmlLang}">, expected ${lang}`);
    const v = await runAxe(page);
    if (v.length) problems.push(`axe on ${label}:\n${formatViolations(v)}`);
    visited.push(label);
    watch.resume();
  };
  const visit = async (path, { status = [200] } = {}) => {
    watch.errors.length = 0;
    watch.resume();
    const res = await page.goto(base + path, { waitUntil: 'load' });
    if (!status.includes(res.status())) {
      problems.push(`${path}: HTTP ${res.status()}, expected ${status.join(' or ')}`);
      return res;
    }
    if (!(res.headers()['content-type'] ?? '').startsWith('text/html')) return res;
    await check(path);
    return res;
  };
  // go(path) — to a page already checked, to use its form: no second axe run.
  const go = async (path) => {
    watch.pause();
    await page.goto(base + path, { waitUntil: 'load' });
  };
  // submit(formSelector, fields, expectStatus) — fills and sends a form like a person.
  const submit = async (form, fields, expect, label) => {
    watch.errors.length = 0;
    watch.resume();
    const f = page.locator(form).first();
    for (const [name, value] of Object.entries(fields)) {
      const input = f.locator(`[name="${name}"]`).first();
      if (value === true) await input.check();
      else if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      f.locator('button[type="submit"]').first().click(),
    ]);
    await page.waitForLoadState('load');
    if (resp.status() !== expect) problems.push(`${label}: HTTP ${resp.status()}, expected ${expect}`);
    await check(`${label} (HTTP ${resp.status()})`);
  };
  return { visit, go, check, submit, problems, visited, watch };
}

// Downloads, not pages.
const NON_HTML = /\.(json|csv|pdf|ics|xml|zip|txt)$/i;

// Fills :params of an admin route with the id of a record of the right kind.
function fillAdmin(pattern, ids) {
  if (!/:/.test(pattern)) return pattern;
  const kind = /\/benutzer\//.test(pattern) ? 'user' : /\/einheiten\//.test(pattern) ? 'unit' : /\/rollen\//.test(pattern) ? 'role' : null;
  if (!kind) return null;
  return pattern.replace(/:[A-Za-z_]+/g, String(ids[kind]));
}

describe('sqlite', { timeout: 300000 }, () => {
  let srv;
  let smtp;
  let browser;
  let routes;
  const s = {}; // accounts and links made in before()
  accountSuite('sqlite', { demo: true, browser: true, onStart: (started) => ({ srv, smtp, browser } = started) });
  before(async () => {
    routes = (await routeTable(srv)).filter((r) => !r.test);

    // Signed in with a browser's user agent: the session list shows it.
    const ua = await (async () => {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      const v = await p.evaluate(() => navigator.userAgent);
      await ctx.close();
      return v;
    })();
    s.citizen = await registerAndConfirm(srv, smtp, { client: accountClient(srv, { headers: { 'user-agent': ua } }) });
    // Links that are valid while the pages are looked at (a GET uses none of them up).
    let since = smtp.messages.length;
    const pending = uniqueEmail('ausstehend');
    await register(accountClient(srv), { email: pending, password: newPassword() });
    s.confirmLink = linkPath(await waitForMail(smtp, pending, { since, subject: SUBJECT.confirm }), '/konto/bestaetigen');
    since = smtp.messages.length;
    const r = accountClient(srv);
    await r.page('/konto/passwort-vergessen');
    await r.post('/konto/passwort-vergessen', [['email', s.citizen.email]]);
    s.resetLink = linkPath(await waitForMail(smtp, s.citizen.email, { since, subject: SUBJECT.reset }), '/konto/passwort-neu');
    since = smtp.messages.length;
    const other = uniqueEmail('neue-adresse');
    const e = accountClient(srv);
    await loginOk(e, s.citizen.email, s.citizen.password);
    await e.page('/konto/sicherheit');
    await e.post('/konto/sicherheit/email', [['email', other], ['passwort', s.citizen.password]]);
    s.emailLink = linkPath(await waitForMail(smtp, other, { since, subject: SUBJECT.emailNew }), '/konto/email-bestaetigen');

    const admin = await createStaff(srv, { role: 'admin', name: 'Axel Admin' });
    s.admin = await signInStaff(srv, admin, { enrol: true });
    s.staff = await createStaff(srv, { role: 'sachbearbeitung', unit: 'bauamt', name: 'Berta Bauamt' });
    s.ids = {
      user: s.staff.id,
      unit: await unitId(srv, 'bauamt'),
      role: Number((await srv.query("SELECT id FROM roles WHERE name = 'sachbearbeitung'"))[0][0]),
    };
    // An invitation link: an admin makes a staff account through the page.
    if (routes.some((x) => x.method === 'POST' && x.pattern === '/verwaltung/benutzer/neu')) {
      const invited = uniqueEmail('einladung');
      since = smtp.messages.length;
      await s.admin.client.page('/verwaltung/benutzer/neu');
      await s.admin.client.post('/verwaltung/benutzer/neu', [['email', invited], ['name', 'Inge Eingeladen'], ['einheit', String(s.ids.unit)], ['rolle', String(s.ids.role)]]);
      s.inviteLink = linkPath(await waitForMail(smtp, invited, { since, subject: /Dienstkonto/ }), '/konto/einladung');
    }
  });

  // A page in a fresh context, signed in as client (or anonymous), in lang.
  async function open(lang, client) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    if (client) await shareSession(ctx, client);
    const page = await ctx.newPage();
    if (lang === 'en') {
      await page.goto(srv.base + '/konto/anmelden');
      await switchLanguage(page, 'en');
    }
    return { ctx, page, c: checker(page, srv.base, lang) };
  }

  const report = (c) => `${c.problems.length} problem(s) on ${c.visited.length} pages:\n${c.problems.join('\n')}`;

  for (const lang of ['de', 'en']) {
    test(`public account pages and their error states (${lang})`, async () => {
      const { ctx, page, c } = await open(lang);
      for (const p of ['/konto/registrieren', '/konto/anmelden', '/konto/passwort-vergessen', '/konto/bestaetigen/neu']) await c.visit(p);
      // Links from mails: the pages with a button, and the same kind of link when dead.
      for (const link of [s.confirmLink, s.resetLink, s.emailLink, s.inviteLink].filter(Boolean)) await c.visit(link);
      for (const p of ['/konto/bestaetigen', '/konto/passwort-neu', '/konto/email-bestaetigen', '/konto/einladung'])
        if (routes.some((r) => r.method === 'GET' && r.pattern === p)) await c.visit(`${p}?token=abgelaufen`, { status: [410] });

      await c.go('/konto/registrieren');
      await c.submit('form[action="/konto/registrieren"]', { email: 'keine-adresse', passwort: 'kurz', passwort2: 'anders' }, 422, 'registration with mistakes');
      await c.go('/konto/anmelden');
      await c.submit('form[action="/konto/anmelden"]', { login: s.citizen.email, passwort: 'Falsches Passwort 1' }, 422, 'failed sign-in');
      await c.go('/konto/passwort-vergessen');
      await c.submit('form[action="/konto/passwort-vergessen"]', { email: 'erika.example.org' }, 422, '"Passwort vergessen" with an invalid address');
      await c.go('/konto/passwort-vergessen');
      await c.submit('form[action="/konto/passwort-vergessen"]', { email: uniqueEmail('wer') }, 200, '"Passwort vergessen" sent');
      await c.go(s.resetLink);
      await c.submit('form[action="/konto/passwort-neu"]', { passwort: 'kurz', passwort2: 'kurz' }, 422, 'new password too short');
      await ctx.close();
      assert.equal(c.problems.length, 0, report(c));
    });

    test(`signed-in account pages, their error states and the two-factor pages (${lang})`, async () => {
      const { ctx, page, c } = await open(lang, s.citizen.client);
      const pages = routes.filter(
        // The account's own pages; the other modules' signed-in pages (some need a
        // query, like /beteiligung/melden?art=…&id=…) have their own axe suites.
        (r) => r.method === 'GET' && r.permission === 'user' && !/:/.test(r.pattern) && r.pattern.startsWith('/konto') && !NON_HTML.test(r.pattern),
      );
      for (const r of pages) await c.visit(r.pattern);
      await c.go('/konto');
      await c.submit('form[action="/konto"]', { birth_date: '1980-02-30', postcode: 'Mainz!', phone: 'ruf an' }, 422, 'profile with mistakes');
      await c.go('/konto/sicherheit');
      await c.submit('form[action="/konto/sicherheit/passwort"]', { passwort: 'falsch', neu: 'kurz', neu2: 'kurz' }, 422, 'password change with mistakes');
      await c.go('/konto/daten');
      await c.submit('form[action="/konto/daten/loeschen"]', { passwort: 'nicht meins' }, 422, 'deletion with a wrong password');
      await ctx.close();

      // Two-factor enrolment and recovery codes, then the code step of the sign-in.
      const twofa = await registerAndConfirm(srv, smtp);
      const t = await open(lang, twofa.client);
      await t.c.go('/konto/sicherheit');
      await t.c.submit('form[action="/konto/sicherheit/2fa/start"]', {}, 200, 'two-factor enrolment');
      await t.c.submit('form[action="/konto/sicherheit/2fa/bestaetigen"]', { code: '000000' }, 422, 'two-factor enrolment with a wrong code');
      const key = (await t.page.locator('code.totp-secret').textContent()).replace(/\s+/g, '');
      await t.c.submit('form[action="/konto/sicherheit/2fa/bestaetigen"]', { code: totpCode(key) }, 200, 'recovery codes');
      await t.ctx.close();
      const l = await open(lang);
      await l.c.go('/konto/anmelden');
      await l.c.submit('form[action="/konto/anmelden"]', { login: twofa.email, passwort: twofa.password }, 303, 'sign-in: the code step');
      await l.c.submit('form[action="/konto/anmelden/code"]', { code: '000000' }, 422, 'sign-in: a wrong code');
      await l.ctx.close();
      const problems = [...c.problems, ...t.c.problems, ...l.c.problems];
      const visited = c.visited.length + t.c.visited.length + l.c.visited.length;
      assert.equal(problems.length, 0, `${problems.length} problem(s) on ${visited} pages:\n${problems.join('\n')}`);
    });

    test(`admin pages and their error states (${lang})`, async (t) => {
      // The account module's administration; other modules' staff pages (cases,
      // appointments, forms, participation) have their own axe suites with accounts
      // that hold their unit-scoped permissions.
      const admin = routes.filter(
        (r) => r.method === 'GET' && r.pattern.startsWith('/verwaltung') && !NON_HTML.test(r.pattern) &&
          (!r.permission || r.permission === 'user' || r.permission.startsWith('account.')),
      );
      if (!admin.length) return t.skip('no /verwaltung routes yet');
      const { ctx, c } = await open(lang, s.admin.client);
      const skipped = [];
      for (const r of admin) {
        const p = fillAdmin(r.pattern, s.ids);
        if (p === null) skipped.push(r.pattern);
        else await c.visit(p);
      }
      if (skipped.length) console.log(`admin pages with an id of unknown kind, not checked: ${skipped.join(', ')}`);
      await c.visit(`/verwaltung/identitaet?email=${encodeURIComponent(s.citizen.email)}`);
      await c.visit('/verwaltung/protokoll?aktion=account.login');
      if (admin.some((r) => r.pattern === '/verwaltung/benutzer/neu')) {
        await c.go('/verwaltung/benutzer/neu');
        await c.submit('form[action="/verwaltung/benutzer/neu"]', { email: 'keine-adresse', name: '' }, 422, 'new staff account with mistakes');
      }
      await c.visit('/verwaltung/protokoll?von=2026-13-45', { status: [422] });
      await ctx.close();
      assert.equal(c.problems.length, 0, report(c));
    });
  }

  testCleanExit(() => srv);
});

describePg('postgres smoke', { timeout: 120000 }, () => {
  let srv;
  let smtp;
  let browser;
  accountSuite('postgres', { browser: true, onStart: (s) => ({ srv, smtp, browser } = s) });

  test('login page, a failed sign-in and the signed-in account pages: no axe violations', async () => {
    const acc = await registerAndConfirm(srv, smtp);
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders() });
    const page = await ctx.newPage();
    const c = checker(page, srv.base, 'de');
    await c.visit('/konto/anmelden');
    await c.submit('form[action="/konto/anmelden"]', { login: acc.email, passwort: 'Falsches Passwort 1' }, 422, 'failed sign-in');
    await shareSession(ctx, acc.client);
    for (const p of ['/konto', '/konto/sicherheit', '/konto/daten']) await c.visit(p);
    await ctx.close();
    assert.equal(c.problems.length, 0, c.problems.join('\n'));
  });

  testCleanExit(() => srv);
});

// csrf.test.mjs — every state-changing request needs the CSRF token of its
// own visitor: the cookie is set on pages, every POST form carries the token,
// and a POST with a missing, wrong or foreign token is refused with a 403 page
// and changes nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { forms, urlencoded } from '../lib/http.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';

const PAGES = ['/', '/impressum', '/datenschutz', '/barrierefreiheit', '/leichte-sprache'];

forEachEngine((engine) => {
  let srv;
  before(async () => {
    srv = await startServer({ engine });
  });
  after(async () => {
    if (srv) await srv.stopAndCheck();
  });

  async function visitor() {
    const c = srv.client();
    await c.page('/');
    assert.ok(c.csrfCookieName(), `no csrf cookie after GET /; cookies: ${[...c.cookies.keys()].join(', ')}`);
    assert.ok(c.csrf, 'no _csrf token in the start page');
    return c;
  }

  const post = (c, fields, cookie) =>
    srv.get('/sprache', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookie !== undefined ? { cookie } : c ? { cookie: c.cookieHeader() } : {}),
      },
      body: urlencoded(fields),
    });

  test('the CSRF cookie is set with safe attributes', async () => {
    const res = await srv.get('/');
    const sc = (res.headers['set-cookie'] ?? []).find((s) => /^(__Host-)?csrf=/.test(s));
    assert.ok(sc, `no csrf cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
    const attrs = sc.split(';').slice(1).map((s) => s.trim().toLowerCase());
    assert.ok(attrs.some((a) => a === 'samesite=lax' || a === 'samesite=strict'), `SameSite missing: ${sc}`);
    assert.ok(attrs.includes('path=/'), `Path=/ missing: ${sc}`);
    assert.ok(!attrs.some((a) => a.startsWith('domain=')), `Domain set: ${sc}`);
    if (sc.startsWith('__Host-')) assert.ok(attrs.includes('secure'), `__Host- cookie without Secure is dropped by browsers: ${sc}`);
    const value = sc.split(';')[0].split('=')[1];
    assert.ok(value.length >= 22, `token too short to be unguessable: ${value}`);
  });

  test('two visitors get different tokens', async () => {
    const a = await visitor();
    const b = await visitor();
    assert.notEqual(a.csrf, b.csrf);
  });

  test('every POST form on every page carries a _csrf token', async () => {
    const c = await visitor();
    for (const p of PAGES) {
      const res = await c.page(p);
      for (const f of forms(res.text).filter((x) => x.method === 'post')) {
        const t = f.inputs.find((i) => i.name === '_csrf');
        assert.ok(t && t.type === 'hidden' && t.value, `form ${f.action} on ${p} has no hidden _csrf`);
      }
    }
  });

  test('the right token is accepted (303)', async () => {
    const c = await visitor();
    const res = await post(c, [['lang', 'en'], ['zurueck', '/'], ['_csrf', c.csrf]]);
    assert.equal(res.status, 303);
  });

  const refusals = [
    ['no cookie, no token', (c) => post(null, [['lang', 'en'], ['zurueck', '/']], '')],
    ['cookie, no token', (c) => post(c, [['lang', 'en'], ['zurueck', '/']])],
    ['cookie, empty token', (c) => post(c, [['lang', 'en'], ['zurueck', '/'], ['_csrf', '']])],
    ['token, no cookie', (c) => post(c, [['lang', 'en'], ['zurueck', '/'], ['_csrf', c.csrf]], '')],
    [
      'cookie, altered token',
      (c) => {
        const t = c.csrf;
        const last = t.at(-1) === 'A' ? 'B' : 'A';
        return post(c, [['lang', 'en'], ['zurueck', '/'], ['_csrf', t.slice(0, -1) + last]]);
      },
    ],
    [
      "another visitor's token",
      async (c) => {
        const other = await visitor();
        return post(c, [['lang', 'en'], ['zurueck', '/'], ['_csrf', other.csrf]]);
      },
    ],
  ];
  for (const [what, fn] of refusals) {
    test(`refused with 403 page: ${what}`, async () => {
      const c = await visitor();
      const res = await fn(c);
      assertHtmlPage(res, 403, what);
      const setsLang = (res.headers['set-cookie'] ?? []).some((s) => s.startsWith('lang='));
      assert.ok(!setsLang, 'a refused request changed the language cookie');
    });
  }

  test('a multipart POST without a token is refused (403)', async () => {
    const c = await visitor();
    await c.page('/barrierefreiheit');
    const res = await c.postMultipart('/barrierefreiheit/rueckmeldung', [['nachricht', 'Test'], ['seite', '/']], { csrf: false });
    assertHtmlPage(res, 403, 'feedback without token');
  });

  test('a JSON POST to a form route cannot skip the check', async () => {
    const c = await visitor();
    const res = await c.fetch('/sprache', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lang: 'en', zurueck: '/' }),
    });
    assert.ok([403, 415, 400].includes(res.status), `JSON POST /sprache → ${res.status}`);
    assert.ok(!(res.headers['set-cookie'] ?? []).some((s) => s.startsWith('lang=')));
  });

  testCleanExit(() => srv);
});

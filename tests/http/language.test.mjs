// language.test.mjs — the language switch: POST /sprache sets the lang cookie
// and sends the visitor back where they were; every page then comes in
// English with lang="en"; the way back to German works; the return path
// cannot send anyone to another site.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { htmlLang, findForm } from '../lib/http.mjs';
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

  async function switchTo(c, lang, back) {
    const res = await c.postForm('/sprache', [['lang', lang], ['zurueck', back]]);
    assert.equal(res.status, 303, `POST /sprache lang=${lang}: ${res.status}`);
    return res;
  }

  test('every page has the language form, sending lang and the current path', async () => {
    const c = srv.client();
    for (const p of PAGES) {
      const res = await c.page(p);
      const f = findForm(res.text, '/sprache');
      assert.ok(f, `${p}: no form posting to /sprache`);
      assert.equal(f.method, 'post');
      const back = f.inputs.find((i) => i.name === 'zurueck');
      assert.equal(back?.value, p, `${p}: zurueck is ${back?.value}`);
      assert.ok(
        f.inputs.some((i) => i.name === 'lang' && (i.value === 'en' || i.tag === 'select')),
        `${p}: the form offers no way to choose English`,
      );
    }
  });

  test('switching to English: cookie, 303 back, lang="en" on every page', async () => {
    const c = srv.client();
    await c.page('/impressum');
    const res = await switchTo(c, 'en', '/impressum');
    assert.equal(res.headers.location, '/impressum');
    const sc = (res.headers['set-cookie'] ?? []).find((s) => s.startsWith('lang='));
    assert.ok(sc, 'no lang cookie');
    assert.match(sc, /^lang=en;/);
    assert.match(sc, /;\s*path=\//i, `lang cookie without Path=/: ${sc}`);
    assert.match(sc, /;\s*samesite=(lax|strict)/i, `lang cookie without SameSite: ${sc}`);
    for (const p of PAGES) {
      const page = await c.page(p);
      assert.equal(htmlLang(page.text), 'en', `${p} in English`);
    }
  });

  test('on a form that came back with errors, the language switch returns to a page that exists', async () => {
    const c = srv.client();
    await c.page('/barrierefreiheit');
    const res = await c.postMultipart('/barrierefreiheit/rueckmeldung', [['nachricht', ''], ['kontakt', ''], ['seite', '/']]);
    assert.equal(res.status, 422);
    const back = findForm(res.text, '/sprache')?.inputs.find((i) => i.name === 'zurueck')?.value;
    assert.ok(back, 'no zurueck in the language form');
    const sw = await switchTo(c, 'en', back);
    const target = await c.fetch(sw.headers.location);
    assert.equal(target.status, 200, `after switching, GET ${sw.headers.location} → ${target.status}`);
  });

  test('English pages differ from German ones (they are translated)', async () => {
    const de = await srv.client().page('/');
    const c = srv.client();
    await c.page('/');
    await switchTo(c, 'en', '/');
    const en = await c.page('/');
    const title = (html) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
    const h1 = (html) => /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1];
    assert.ok(title(de.text) !== title(en.text) || h1(de.text) !== h1(en.text), 'title and h1 are the same in both languages');
  });

  test('error pages follow the language too', async () => {
    const c = srv.client();
    await c.page('/');
    await switchTo(c, 'en', '/');
    const res = await c.fetch('/gibt-es-nicht');
    assertHtmlPage(res, 404, 'English 404');
    assert.equal(htmlLang(res.text), 'en');
  });

  test('and back to German', async () => {
    const c = srv.client();
    await c.page('/');
    await switchTo(c, 'en', '/');
    assert.equal(htmlLang((await c.page('/')).text), 'en');
    await switchTo(c, 'de', '/datenschutz');
    assert.equal(htmlLang((await c.page('/datenschutz')).text), 'de');
  });

  test('a language taken from Accept-Language is announced with Vary (else German)', async () => {
    // The city's default is German; a visitor who chose nothing sees German
    // unless the server deliberately negotiates — then it must say so with Vary.
    const res = await srv.get('/', { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    const lang = htmlLang(res.text);
    if (lang === 'en') assert.match(res.headers.vary ?? '', /accept-language/i, 'negotiated language without Vary: Accept-Language');
    else assert.equal(lang, 'de');
  });

  for (const evil of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)', '\r\nSet-Cookie: x=1']) {
    test(`the return path cannot leave the site: ${JSON.stringify(evil)}`, async () => {
      const c = srv.client();
      await c.page('/');
      const res = await c.postForm('/sprache', [['lang', 'en'], ['zurueck', evil]]);
      assert.ok([303, 400].includes(res.status), `status ${res.status}`);
      if (res.status === 303) {
        const loc = res.headers.location ?? '';
        assert.ok(loc.startsWith('/') && !loc.startsWith('//') && !loc.startsWith('/\\'), `Location: ${loc}`);
      }
      assert.ok(!(res.headers['set-cookie'] ?? []).some((s) => s.startsWith('x=')), 'header injection');
    });
  }

  test('an unknown language is not stored', async () => {
    const c = srv.client();
    await c.page('/');
    const res = await c.postForm('/sprache', [['lang', 'fr'], ['zurueck', '/']]);
    assert.ok([303, 400, 422].includes(res.status), `status ${res.status}`);
    assert.ok(!(res.headers['set-cookie'] ?? []).some((s) => /^lang=fr\b/.test(s)), 'lang=fr was stored');
    if (c.cookies.has('lang')) assert.ok(['de', 'en'].includes(c.cookies.get('lang')));
  });

  test('a forged lang cookie falls back to German', async () => {
    const res = await srv.get('/', { headers: { cookie: 'lang=<script>' } });
    assert.equal(res.status, 200);
    assert.equal(htmlLang(res.text), 'de');
  });

  testCleanExit(() => srv);
});

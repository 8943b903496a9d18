// security-headers.test.mjs — Content-Security-Policy, nosniff, Referrer-Policy
// and X-Request-Id on every kind of response: pages, redirects, every error
// status, static files (200 and 304), JSON, metrics, the event stream.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { rawRequest, staticUrls } from '../lib/http.mjs';
import { openEvents } from '../lib/sse.mjs';
import { assertSecurityHeaders } from '../lib/checks.mjs';

forEachEngine((engine) => {
  let srv;
  before(async () => {
    srv = await startServer({ engine });
  });
  after(async () => {
    if (srv) await srv.stopAndCheck();
  });

  const raw = (head) => rawRequest(srv.port, head.replace(/\n/g, '\r\n').replace('HOST', `127.0.0.1:${srv.port}`));

  const cases = [
    ['200 page', async () => srv.get('/')],
    ['200 page /barrierefreiheit', async () => srv.get('/barrierefreiheit')],
    ['404 page', async () => srv.get('/nirgendwo')],
    ['405 page', async () => srv.get('/impressum', { method: 'DELETE' })],
    ['400 page', async () => srv.get('/?q=%C3%28')],
    ['414 page', async () => raw(`GET /?q=${'a'.repeat(5000)} HTTP/1.1\nHost: HOST\nConnection: close\n\n`)],
    ['431 page', async () => raw(`GET / HTTP/1.1\nHost: HOST\nX-Pad: ${'a'.repeat(17000)}\nConnection: close\n\n`)],
    [
      '403 page (no CSRF token)',
      async () =>
        srv.get('/sprache', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'lang=en&zurueck=/' }),
    ],
    [
      '413 page',
      async () => {
        const c = srv.client();
        await c.page('/');
        return c.postForm('/sprache', [['lang', 'en'], ['zurueck', '/'], ['x', 'y'.repeat(70000)]]);
      },
    ],
    [
      '303 redirect',
      async () => {
        const c = srv.client();
        await c.page('/');
        const r = await c.postForm('/sprache', [['lang', 'en'], ['zurueck', '/']]);
        assert.equal(r.status, 303);
        return r;
      },
    ],
    ['HEAD', async () => srv.get('/impressum', { method: 'HEAD' })],
    ['/healthz JSON', async () => srv.get('/healthz')],
    ['/metrics', async () => srv.get('/metrics')],
    ['API 404 JSON', async () => srv.get('/api/v1/nichts')],
    ['test route 200', async () => srv.get('/_test/slow?ms=1')],
    [
      'test route 202',
      async () =>
        srv.get('/_test/event', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ topic: 'hdr', data: {} }),
        }),
    ],
  ];

  for (const [what, fn] of cases) {
    test(`security headers: ${what}`, async () => {
      const res = await fn();
      assertSecurityHeaders(res, what);
    });
  }

  test('security headers: static files, 200 and 304', async () => {
    const urls = staticUrls((await srv.get('/')).text);
    assert.ok(urls.length > 0, 'the start page refers to at least one /static/ file');
    for (const u of urls) {
      const res = await srv.get(u);
      assert.equal(res.status, 200, `GET ${u}`);
      assertSecurityHeaders(res, `static ${u}`);
      const again = await srv.get(u, { headers: { 'if-none-match': res.headers.etag } });
      assert.equal(again.status, 304, `GET ${u} with If-None-Match`);
      assertSecurityHeaders(again, `static 304 ${u}`);
    }
  });

  test('security headers: unknown static file (404)', async () => {
    const res = await srv.get('/static/0123456789abcdef/nicht-da.css');
    assert.equal(res.status, 404);
    assertSecurityHeaders(res, 'static 404');
  });

  test('security headers: event stream', async () => {
    const s = await openEvents(srv.base, '/events?topics=hdr');
    try {
      assert.equal(s.status, 200);
      assertSecurityHeaders(s, 'GET /events');
    } finally {
      s.close();
    }
  });

  test('HTML pages cannot be framed and are not cached as shared', async () => {
    const res = await srv.get('/');
    const xfo = res.headers['x-frame-options'];
    if (xfo !== undefined) assert.equal(xfo.toUpperCase(), 'DENY');
    // A page carrying a per-visitor CSRF token must not be stored by shared caches.
    const cc = res.headers['cache-control'] ?? '';
    assert.ok(!/\bpublic\b/.test(cc), `Cache-Control of a page with a CSRF token: ${cc}`);
  });

  testCleanExit(() => srv);
});

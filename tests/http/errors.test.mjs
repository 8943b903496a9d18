// errors.test.mjs — unknown paths, wrong methods and HEAD: every error is a
// real page (or JSON under /api/v1/), 405 names the allowed methods, and HEAD
// answers like GET without a body.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { rawRequest } from '../lib/http.mjs';
import { assertHtmlPage, assertJsonError } from '../lib/checks.mjs';

const GET_ROUTES = ['/', '/impressum', '/datenschutz', '/barrierefreiheit', '/leichte-sprache', '/healthz', '/metrics'];

forEachEngine((engine) => {
  let srv;
  before(async () => {
    srv = await startServer({ engine });
  });
  after(async () => {
    if (srv) await srv.stopAndCheck();
  });

  const raw = (method, path, extra = '') =>
    rawRequest(srv.port, `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n${extra}Connection: close\r\n\r\n`, {
      untilClose: true,
    });

  test('unknown path → 404 page', async () => {
    const res = await srv.get('/gibt-es-nicht');
    assertHtmlPage(res, 404, 'GET /gibt-es-nicht');
    assert.ok(/404|nicht gefunden/i.test(res.text), 'the page says what happened');
  });

  test('unknown path below a known one → 404 page', async () => {
    assertHtmlPage(await srv.get('/impressum/extra'), 404, 'GET /impressum/extra');
  });

  test('unknown API path → 404 JSON', async () => {
    const res = await srv.get('/api/v1/gibt-es-nicht', { headers: { accept: 'application/json' } });
    assertJsonError(res, 404, 'GET /api/v1/gibt-es-nicht');
  });

  test('unknown API path without an Accept header is still JSON', async () => {
    assertJsonError(await srv.get('/api/v1/gibt-es-nicht'), 404, 'GET /api/v1/gibt-es-nicht');
  });

  for (const method of ['DELETE', 'PUT', 'PATCH']) {
    test(`${method} /impressum → 405 page with Allow`, async () => {
      const res = await srv.get('/impressum', { method });
      assertHtmlPage(res, 405, `${method} /impressum`);
      const allow = (res.headers.allow ?? '').split(',').map((s) => s.trim().toUpperCase());
      assert.ok(allow.includes('GET'), `Allow: ${res.headers.allow}`);
      assert.ok(allow.includes('HEAD'), `Allow: ${res.headers.allow}`);
      assert.ok(!allow.includes(method), `Allow lists ${method}: ${res.headers.allow}`);
    });
  }

  test('GET on a POST-only route → 405 with Allow: POST', async () => {
    const res = await srv.get('/sprache');
    assertHtmlPage(res, 405, 'GET /sprache');
    assert.match(res.headers.allow ?? '', /\bPOST\b/, `Allow: ${res.headers.allow}`);
  });

  test('an unknown method → 405 or 501, never 200', async () => {
    const res = await raw('BREW', '/impressum');
    assert.ok([405, 501].includes(res.status), `BREW /impressum → ${res.status}`);
  });

  for (const p of GET_ROUTES) {
    test(`HEAD ${p}: GET's status and headers, no body`, async () => {
      const get = await srv.get(p);
      const head = await raw('HEAD', p);
      assert.equal(head.status, get.status);
      assert.equal(head.headers['content-type'], get.headers['content-type']);
      assert.equal(head.rest.length, 0, `HEAD ${p} sent ${head.rest.length} body bytes: ${head.rest.toString().slice(0, 100)}`);
      if (head.headers['content-length'] !== undefined && p !== '/metrics')
        assert.equal(Number(head.headers['content-length']), get.body.length, 'Content-Length of HEAD = length of the GET body');
    });
  }

  test('HEAD on an unknown path → 404 without a body', async () => {
    const head = await raw('HEAD', '/gibt-es-nicht');
    assert.equal(head.status, 404);
    assert.equal(head.rest.length, 0);
  });

  testCleanExit(() => srv);
});

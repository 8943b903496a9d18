// limits.test.mjs — every size limit answers with its own status and a real
// page: headers (431), URL (414), body (413), and invalid UTF-8 (400). Each
// limit also has a request just below it that must still be served, so a
// limit set far too low fails as well.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { rawRequest, urlencoded } from '../lib/http.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';

forEachEngine((engine) => {
  let srv;
  before(async () => {
    srv = await startServer({ engine });
  });
  after(async () => {
    if (srv) await srv.stopAndCheck();
  });

  const get = (path, headerLines = []) =>
    rawRequest(
      srv.port,
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n${headerLines.map((l) => l + '\r\n').join('')}Connection: close\r\n\r\n`,
    );

  // A client with the CSRF cookie and token, so that POSTs reach the limits.
  async function formClient() {
    const c = srv.client();
    await c.page('/');
    assert.ok(c.csrf, 'the start page has a form with a _csrf token');
    return c;
  }

  test('headers of 12 KiB in total are served', async () => {
    const res = await get('/impressum', Array.from({ length: 12 }, (_, i) => `X-Pad-${i}: ${'a'.repeat(1000)}`));
    assert.equal(res.status, 200);
  });

  test('one header over 16 KiB → 431 page', async () => {
    const res = await get('/impressum', [`X-Pad: ${'a'.repeat(17 * 1024)}`]);
    assertHtmlPage(res, 431, 'one 17 KiB header');
  });

  test('many headers over 16 KiB together → 431 page', async () => {
    const res = await get('/impressum', Array.from({ length: 20 }, (_, i) => `X-Pad-${i}: ${'b'.repeat(1000)}`));
    assertHtmlPage(res, 431, '20 headers of 1000 bytes');
  });

  test('60 headers are served', async () => {
    const res = await get('/impressum', Array.from({ length: 60 }, (_, i) => `X-H${i}: ${i}`));
    assert.equal(res.status, 200);
  });

  test('more than 64 headers → 431 page', async () => {
    const res = await get('/impressum', Array.from({ length: 70 }, (_, i) => `X-H${i}: ${i}`));
    assertHtmlPage(res, 431, '70 headers');
  });

  test('a URL of 4000 bytes is served', async () => {
    const path = '/impressum?q=' + 'a'.repeat(4000 - '/impressum?q='.length);
    const res = await get(path);
    assert.equal(res.status, 200);
  });

  test('a URL over 4096 bytes → 414 page', async () => {
    const res = await get('/impressum?q=' + 'a'.repeat(5000));
    assertHtmlPage(res, 414, '5000-byte URL');
  });

  for (const [label, q] of [
    ['a truncated sequence', '%C3%28'],
    ['a lone continuation byte', '%80'],
    ['an overlong encoding', '%C0%AF'],
    ['an encoded surrogate', '%ED%A0%80'],
    ['0xFF', '%FF'],
  ]) {
    test(`invalid UTF-8 in the query (${label}) → 400 page`, async () => {
      assertHtmlPage(await srv.get(`/?q=${q}`), 400, `/?q=${q}`);
    });
  }

  test('valid UTF-8 in the query is served', async () => {
    assert.equal((await srv.get('/?q=%C3%BCber%20%F0%9F%8F%9B')).status, 200);
  });

  test('invalid UTF-8 in a form value → 400 page', async () => {
    const c = await formClient();
    const res = await c.fetch('/sprache', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: urlencoded([
        ['lang', { raw: '%C3%28' }],
        ['zurueck', '/'],
        ['_csrf', c.csrf],
      ]),
    });
    assertHtmlPage(res, 400, 'POST /sprache with lang=%C3%28');
  });

  test('a form body over 64 KiB → 413 page', async () => {
    const c = await formClient();
    const res = await c.postForm('/sprache', [
      ['lang', 'en'],
      ['zurueck', '/'],
      ['fuellung', 'x'.repeat(70 * 1024)],
    ]);
    assertHtmlPage(res, 413, 'POST /sprache with 70 KiB');
  });

  test('a chunked form body over 64 KiB → 413 page', async () => {
    const c = await formClient();
    const body = urlencoded([
      ['_csrf', c.csrf],
      ['lang', 'en'],
      ['zurueck', '/'],
      ['fuellung', 'x'.repeat(70 * 1024)],
    ]);
    const res = await c.fetch('/sprache', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
      body,
    });
    assertHtmlPage(res, 413, 'chunked POST /sprache with 70 KiB');
  });

  test('a form body of 60 KiB is not refused for its size', async () => {
    const c = await formClient();
    const res = await c.postForm('/sprache', [
      ['lang', 'en'],
      ['zurueck', '/'],
      ['fuellung', 'x'.repeat(60 * 1024)],
    ]);
    assert.notEqual(res.status, 413);
    assert.ok(res.status < 500, `status ${res.status}`);
  });

  test('the server still answers after all of this', async () => {
    assert.equal((await srv.get('/healthz')).status, 200);
  });

  testCleanExit(() => srv);
});

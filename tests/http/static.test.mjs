// static.test.mjs — content-hashed static files: cached for a year as
// immutable, revalidated by ETag (304), compressed with gzip only when the
// client accepts it, and never a way out of the static folder.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { rawRequest, staticUrls } from '../lib/http.mjs';

forEachEngine((engine) => {
  let srv;
  let urls = [];
  let css; // the largest stylesheet: big enough that gzip is worth it
  before(async () => {
    srv = await startServer({ engine });
    urls = staticUrls((await srv.get('/')).text);
    const sizes = [];
    for (const u of urls.filter((x) => /\.css(\?|$)/.test(x))) sizes.push([u, (await srv.get(u)).body.length]);
    sizes.sort((a, b) => b[1] - a[1]);
    css = sizes[0]?.[0];
  });
  after(async () => {
    if (srv) await srv.stopAndCheck();
  });

  const raw = (method, path, extra = '') =>
    rawRequest(srv.port, `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n${extra}Connection: close\r\n\r\n`, {
      untilClose: true,
    });

  test('the start page uses content-hashed static URLs, including a stylesheet', () => {
    assert.ok(urls.length > 0, 'no /static/ URL on the start page');
    for (const u of urls) assert.match(u, /^\/static\/[0-9A-Za-z_-]{8,}\/[^?#]+$/, `not /static/<hash>/<file>: ${u}`);
    assert.ok(css, `no stylesheet among ${urls.join(' ')}`);
  });

  test('static files: 200, immutable for a year, ETag, right Content-Type', async () => {
    for (const u of urls) {
      const res = await srv.get(u);
      assert.equal(res.status, 200, u);
      const cc = (res.headers['cache-control'] ?? '').split(',').map((s) => s.trim());
      for (const d of ['public', 'max-age=31536000', 'immutable']) assert.ok(cc.includes(d), `${u}: Cache-Control ${res.headers['cache-control']}`);
      assert.match(res.headers.etag ?? '', /^(W\/)?"[^"]+"$/, `${u}: ETag ${res.headers.etag}`);
      // No cookie: shared caches keep a response with Set-Cookie to themselves.
      assert.equal(res.headers['set-cookie'], undefined, `${u}: Set-Cookie ${res.headers['set-cookie']}`);
      const ct = res.headers['content-type'] ?? '';
      if (u.endsWith('.css')) assert.match(ct, /^text\/css\b/, `${u}: ${ct}`);
      if (u.endsWith('.js') || u.endsWith('.mjs')) assert.match(ct, /^(text|application)\/javascript\b/, `${u}: ${ct}`);
      if (u.endsWith('.svg')) assert.match(ct, /^image\/svg\+xml\b/, `${u}: ${ct}`);
      if (u.endsWith('.woff2')) assert.match(ct, /^font\/woff2\b/, `${u}: ${ct}`);
    }
  });

  test('If-None-Match with the ETag → 304 without a body', async () => {
    const first = await srv.get(css);
    const res = await raw('GET', css, `If-None-Match: ${first.headers.etag}\r\n`);
    assert.equal(res.status, 304);
    assert.equal(res.rest.length, 0, '304 with a body');
    assert.equal(res.headers.etag, first.headers.etag, '304 repeats the ETag');
  });

  test('If-None-Match with another ETag → 200 with the file', async () => {
    const first = await srv.get(css);
    const res = await srv.get(css, { headers: { 'if-none-match': '"etwas-anderes"' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, first.body);
  });

  test('If-None-Match with a list containing the ETag → 304', async () => {
    const first = await srv.get(css);
    const res = await srv.get(css, { headers: { 'if-none-match': `"alt", ${first.headers.etag}` } });
    assert.equal(res.status, 304);
  });

  test('gzip when the client accepts it, and the same bytes after gunzip', async () => {
    const plain = await srv.get(css);
    assert.equal(plain.headers['content-encoding'], undefined, 'no Content-Encoding without Accept-Encoding');
    const gz = await srv.get(css, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.body.length < plain.body.length, `gzip body (${gz.body.length}) not smaller than ${plain.body.length}`);
    assert.deepEqual(gunzipSync(gz.body), plain.body, 'gunzipped body = plain body');
    for (const r of [plain, gz]) assert.match(r.headers.vary ?? '', /accept-encoding/i, `Vary: ${r.headers.vary}`);
  });

  test('no gzip for Accept-Encoding: identity or gzip;q=0', async () => {
    for (const ae of ['identity', 'gzip;q=0', 'br']) {
      const res = await srv.get(css, { headers: { 'accept-encoding': ae } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], undefined, `Accept-Encoding: ${ae} gave ${res.headers['content-encoding']}`);
    }
  });

  test('gzip and plain responses do not share one strong ETag', async () => {
    // RFC 9110 §8.8.3: a strong validator changes with the representation.
    const plain = await srv.get(css);
    const gz = await srv.get(css, { headers: { 'accept-encoding': 'gzip' } });
    const same = plain.headers.etag === gz.headers.etag;
    assert.ok(!same || plain.headers.etag.startsWith('W/'), `both representations carry ETag ${plain.headers.etag}`);
    const res = await srv.get(css, { headers: { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag } });
    assert.equal(res.status, 304, 'the gzip ETag revalidates the gzip representation');
  });

  test('HEAD on a static file: headers, no body', async () => {
    const get = await srv.get(css);
    const head = await raw('HEAD', css);
    assert.equal(head.status, 200);
    assert.equal(head.headers.etag, get.headers.etag);
    assert.equal(head.rest.length, 0);
  });

  test('no path leads out of the static folder', async () => {
    const hash = css.split('/')[2];
    for (const p of [
      `/static/${hash}/../../Makefile`,
      `/static/${hash}/..%2f..%2fMakefile`,
      `/static/${hash}/%2e%2e/%2e%2e/Makefile`,
      `/static/${hash}/....//....//Makefile`,
      `/static/${hash}/../../../../../../etc/passwd`,
      `/static/${hash}/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
      `/static/${hash}/`,
      `/static/${hash}/%00.css`,
    ]) {
      const res = await raw('GET', p);
      assert.ok([400, 403, 404].includes(res.status), `${p} → ${res.status}`);
      assert.ok(!/root:|CFLAGS/.test(res.text), `${p} leaked a file`);
    }
  });

  testCleanExit(() => srv);
});

// pages.test.mjs — the foundation pages: each one is a complete German page,
// the start page links to all of them, and every request gets its own id and
// exactly one logfmt line in the server's log.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { links, htmlLang, waitFor } from '../lib/http.mjs';
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

  for (const p of PAGES) {
    test(`GET ${p} is a complete German page`, async () => {
      const res = await srv.get(p);
      assertHtmlPage(res, 200, `GET ${p}`);
      assert.equal(htmlLang(res.text), 'de');
      assert.equal((res.text.match(/<main\b/gi) ?? []).length, 1, 'exactly one <main>');
      assert.ok(/<main\b[^>]*\bid="inhalt"/.test(res.text), '<main id="inhalt"> (target of the skip link)');
      assert.ok(/<h1\b/i.test(res.text), 'a top-level heading');
    });
  }

  test('the start page links to every foundation page', async () => {
    const res = await srv.get('/');
    const hrefs = links(res.text).map((h) => new URL(h, srv.base).pathname);
    for (const p of PAGES.slice(1)) assert.ok(hrefs.includes(p), `start page has no link to ${p}; links: ${hrefs.join(' ')}`);
  });

  test('every response has its own X-Request-Id', async () => {
    const ids = new Set();
    for (let i = 0; i < 5; i++) ids.add((await srv.get('/impressum')).headers['x-request-id']);
    assert.equal(ids.size, 5, `ids: ${[...ids].join(', ')}`);
  });

  test('one logfmt line per request, carrying the request id and status', async () => {
    const res = await srv.get('/datenschutz?logprobe=1');
    const id = res.headers['x-request-id'];
    assert.ok(id);
    const lines = await waitFor(
      () => {
        const l = srv.stderr().split('\n').filter((x) => x.includes(id));
        return l.length ? l : null;
      },
      { timeout: 3000, what: `a log line with request id ${id}` },
    );
    assert.equal(lines.length, 1, `log lines for ${id}:\n${lines.join('\n')}`);
    const line = lines[0];
    // logfmt: key=value pairs, values bare or double-quoted.
    assert.match(line, /^(\s*[A-Za-z_][\w.]*=("([^"\\]|\\.)*"|\S*))+\s*$/, `not logfmt: ${line}`);
    assert.match(line, /(^|\s)status=200(\s|$)/, `no status=200 in: ${line}`);
    assert.match(line, /\/datenschutz/, `no path in: ${line}`);
  });

  testCleanExit(() => srv);
});

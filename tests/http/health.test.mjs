// health.test.mjs — /healthz for load balancers and operators: JSON that says
// the server and its database are fine, never cached.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';

forEachEngine((engine) => {
  let srv;
  before(async () => {
    srv = await startServer({ engine });
  });
  after(async () => {
    if (srv) await srv.stopAndCheck();
  });

  test('GET /healthz → 200 {"status":"ok","database":"ok"}', async () => {
    const res = await srv.get('/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json\b/);
    const j = JSON.parse(res.text);
    assert.equal(j.status, 'ok');
    assert.equal(j.database, 'ok');
  });

  test('/healthz is not cached', async () => {
    const res = await srv.get('/healthz');
    assert.match(res.headers['cache-control'] ?? '', /no-store|no-cache/, `Cache-Control: ${res.headers['cache-control']}`);
  });

  test('/healthz answers 50 times in a row quickly', async () => {
    const t0 = Date.now();
    const all = await Promise.all(Array.from({ length: 50 }, () => srv.get('/healthz')));
    for (const r of all) assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 < 10000, `50 health checks took ${Date.now() - t0} ms`);
  });

  testCleanExit(() => srv);
});

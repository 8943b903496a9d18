// db-outage.test.mjs — the database goes away and comes back (PostgreSQL only).
//
// With its own throwaway cluster, so that stopping it disturbs no other test:
// while the database is down /healthz answers 503, pages that need it show the
// friendly 503 page (German, with the request id), pages that do not (text
// pages, static files) still work, and nothing crashes; when the database is
// back, the same server answers 200 again without a restart.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, freePort, REPO } from '../lib/server.mjs';

const exec = promisify(execFile);
const script = path.join(REPO, 'scripts/pg-test.sh');
const enabled = !!process.env.RATHAUS_TEST_PG_URL;

async function pg(...args) {
  const { stdout } = await exec('bash', [script, ...args], { timeout: 120000 });
  return stdout.trim();
}

async function until(fn, ms, what) {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return;
    if (Date.now() - t0 > ms) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('database outage and recovery', { skip: enabled ? false : 'PostgreSQL not available (RATHAUS_TEST_PG_URL unset)' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rh-outage-'));
  rmSync(dir, { recursive: true, force: true }); // pg-test.sh makes it
  const port = await freePort();
  const url = await pg('start', dir, String(port));
  let srv;
  try {
    srv = await startServer({ engine: 'postgres', databaseUrl: url, name: 'outage' });
    assert.equal((await srv.get('/healthz')).status, 200);
    assert.equal((await srv.get('/')).status, 200);

    await pg('halt', dir);

    await t.test('/healthz says 503 while the database is down', async () => {
      await until(async () => (await srv.get('/healthz')).status === 503, 15000, '/healthz 503');
      const j = JSON.parse((await srv.get('/healthz')).text);
      assert.equal(j.status, 'unavailable');
      assert.equal(j.database, 'down');
    });

    await t.test('a page that needs the database shows the friendly 503 page', async () => {
      const res = await srv.get('/');
      assert.equal(res.status, 503);
      assert.match(res.headers['content-type'] ?? '', /text\/html/);
      assert.match(res.text, /Vorübergehend nicht verfügbar/);
      assert.match(res.text, /Ihre Eingaben gehen nicht verloren/);
      assert.ok(res.headers['x-request-id'], 'request id header');
    });

    await t.test('pages that need no database still work', async () => {
      assert.equal((await srv.get('/impressum')).status, 200);
      assert.equal((await srv.get('/barrierefreiheit')).status, 200);
    });

    await pg('start', dir, String(port));

    await t.test('the server recovers by itself when the database is back', async () => {
      await until(async () => (await srv.get('/healthz')).status === 200, 20000, '/healthz 200 again');
      await until(async () => (await srv.get('/')).status === 200, 20000, 'the start page again');
      // Threads that found the database down wait a quarter second before their
      // next attempt; after that every worker thread has reconnected, and a
      // burst of requests over all of them succeeds.
      await new Promise((r) => setTimeout(r, 1000));
      const all = await Promise.all(Array.from({ length: 40 }, () => srv.get('/')));
      const bad = all.find((r) => r.status !== 200);
      assert.equal(bad, undefined, bad && `${bad.status}: ${(bad.text.match(/<h1[^>]*>([^<]*)/) ?? [])[1]} ${bad.headers['x-request-id']}`);
    });

    await t.test('the server is alive and exits cleanly afterwards', async () => {
      await srv.stopAndCheck();
      srv = null;
    });
  } finally {
    if (srv) await srv.stop?.().catch(() => {});
    await pg('stop', dir).catch(() => {});
  }
});

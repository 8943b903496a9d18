// cluster.test.mjs — several nodes on one PostgreSQL (DESIGN §3): events
// published on one node reach subscribers on another (LISTEN/NOTIFY), event
// ids are shared so Last-Event-ID works across nodes, every job runs exactly
// once whichever node's worker takes it (SKIP LOCKED), and nodes starting at
// the same moment on a fresh database both come up (migrations serialised).
// PostgreSQL only: SQLite is one node by design.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, describePg, testCleanExit } from '../lib/server.mjs';
import { openEvents } from '../lib/sse.mjs';
import { sleep, waitFor } from '../lib/http.mjs';
import { createDatabase, dropDatabase, psql } from '../lib/pg.mjs';

const uniq = (p) => `${p}${randomBytes(3).toString('hex')}`;

describePg('postgres: two nodes, one database', { timeout: 120000 }, () => {
  let db;
  let a;
  let b;
  const streams = [];
  before(async () => {
    db = await createDatabase('rathaus_cluster');
    a = await startServer({ engine: 'postgres', databaseUrl: db.url, name: 'node-a', args: ['--node-name', 'node-a'] });
    b = await startServer({
      engine: 'postgres',
      databaseUrl: db.url,
      name: 'node-b',
      args: ['--node-name', 'node-b', '--job-threads', '2'],
    });
  });
  after(async () => {
    for (const s of streams) s.close();
    const errors = [];
    for (const n of [a, b]) {
      if (!n) continue;
      try {
        await n.stopAndCheck();
      } catch (e) {
        errors.push(e);
      }
    }
    if (db) await dropDatabase(db.name);
    if (errors.length) throw errors[0];
  });

  async function subscribe(node, topics, opts) {
    const s = await openEvents(node.base, `/events?topics=${topics.join(',')}`, opts);
    streams.push(s);
    assert.equal(s.status, 200);
    await sleep(300); // let the subscription register before publishing
    return s;
  }
  async function post(node, path, body) {
    const res = await node.client().postJSON(path, body);
    assert.equal(res.status, 202, `${node.name} POST ${path}: ${res.status} ${res.text}`);
    return res.text ? JSON.parse(res.text) : null;
  }

  test('an event published on node A reaches a subscriber on node B, and the other way round', async () => {
    const t = uniq('c');
    const onB = await subscribe(b, [t]);
    const onA = await subscribe(a, [t]);
    await post(a, '/_test/event', { topic: t, data: { from: 'a' } });
    const ev = await onB.waitFor((e) => e.event === t && e.json?.from === 'a');
    assert.ok(ev.id);
    await post(b, '/_test/event', { topic: t, data: { from: 'b' } });
    await onA.waitFor((e) => e.event === t && e.json?.from === 'b');
    await sleep(500);
    assert.equal(onB.events.filter((e) => e.json?.from === 'a').length, 1, 'delivered twice on B');
    assert.equal(onA.events.filter((e) => e.json?.from === 'b').length, 1, 'delivered twice on A');
  });

  test('jobs enqueued on node A run exactly once, and their events reach node B', async () => {
    const t = uniq('job');
    const onB = await subscribe(b, [t]);
    const ids = [];
    for (let n = 0; n < 10; n++) ids.push((await post(a, '/_test/job', { topic: t, data: { n } })).job);
    await waitFor(() => onB.events.filter((e) => e.event === t).length >= 10, { timeout: 20000, what: '10 job events on node B' });
    await sleep(1500); // a job run twice would show up now
    const ns = onB.events.filter((e) => e.event === t).map((e) => e.json.n).sort((x, y) => x - y);
    assert.deepEqual(ns, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'each job produced exactly one event');
    const rows = await psql(
      db.url,
      `SELECT id, attempts, (done_at IS NOT NULL)::int, failed, coalesce(locked_by, '') FROM jobs WHERE id IN (${ids.map(Number).join(',')}) ORDER BY id`,
    );
    const parsed = rows.split('\n').map((l) => l.split('|'));
    assert.equal(parsed.length, 10, `jobs rows: ${rows}`);
    for (const [id, attempts, done, failed] of parsed) {
      assert.equal(attempts, '1', `job ${id} attempts=${attempts}`);
      assert.equal(done, '1', `job ${id} not marked done`);
      assert.equal(failed, '0', `job ${id} failed`);
    }
  });

  test('Last-Event-ID works across nodes (ids are shared)', async () => {
    const t = uniq('l');
    const s1 = await subscribe(a, [t]);
    await post(a, '/_test/event', { topic: t, data: { n: 1 } });
    const first = await s1.waitFor((e) => e.event === t);
    s1.close();
    await post(a, '/_test/event', { topic: t, data: { n: 2 } });
    await post(b, '/_test/event', { topic: t, data: { n: 3 } });
    const s2 = await subscribe(b, [t], { lastEventId: first.id });
    await s2.waitFor(() => s2.events.length >= 2);
    await sleep(300);
    assert.deepEqual(
      s2.events.map((e) => e.json.n),
      [2, 3],
    );
  });

  testCleanExit(() => [a, b]);
});

describePg('postgres: two nodes starting at once on a fresh database', { timeout: 120000 }, () => {
  test('both apply or wait for the migrations and come up', async () => {
    const db = await createDatabase('rathaus_race');
    const started = await Promise.allSettled([
      startServer({ engine: 'postgres', databaseUrl: db.url, name: 'race-1', args: ['--node-name', 'race-1'] }),
      startServer({ engine: 'postgres', databaseUrl: db.url, name: 'race-2', args: ['--node-name', 'race-2'] }),
    ]);
    try {
      for (const r of started) assert.equal(r.status, 'fulfilled', r.reason?.message);
      for (const r of started) assert.equal((await r.value.get('/healthz')).status, 200);
    } finally {
      const errors = [];
      for (const r of started) if (r.status === 'fulfilled') await r.value.stopAndCheck().catch((e) => errors.push(e));
      await dropDatabase(db.name);
      if (errors.length) throw errors[0];
    }
  });
});

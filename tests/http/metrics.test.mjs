// metrics.test.mjs — /metrics in the Prometheus text format: well-formed,
// request counters that count exactly what happened, a latency histogram,
// the database and job gauges; route labels stay bounded (no raw paths).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';

// parse(text) → {samples: [{name, labels, value}], types: {name: type}}
function parse(text) {
  const samples = [];
  const types = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const t = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (t) {
      types[t[1]] = t[2];
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
      let lm;
      let consumed = 0;
      while ((lm = re.exec(m[3]))) {
        labels[lm[1]] = lm[2];
        consumed += lm[0].length;
      }
      assert.equal(consumed, m[3].length, `bad label set: ${m[3]}`);
    }
    const value = m[4] === '+Inf' ? Infinity : Number(m[4]);
    assert.ok(!Number.isNaN(value) || m[4] === 'NaN', `bad value in ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { samples, types };
}

forEachEngine((engine) => {
  let srv;
  before(async () => {
    srv = await startServer({ engine });
  });
  after(async () => {
    if (srv) await srv.stopAndCheck();
  });

  async function metrics() {
    const res = await srv.get('/metrics');
    assert.equal(res.status, 200);
    return { res, ...parse(res.text) };
  }

  // Sum of rathaus_http_requests_total over series matching pred(labels).
  const total = (m, pred) =>
    m.samples.filter((s) => s.name === 'rathaus_http_requests_total' && pred(s.labels)).reduce((a, s) => a + s.value, 0);

  test('text format with TYPE lines', async () => {
    const m = await metrics();
    assert.match(m.res.headers['content-type'] ?? '', /^text\/plain\b/);
    assert.equal(m.types.rathaus_http_requests_total, 'counter');
    assert.equal(m.types.rathaus_http_request_duration_seconds, 'histogram');
    assert.equal(m.types.rathaus_db_up, 'gauge');
  });

  test('the request counter counts exactly the requests made', async () => {
    await srv.get('/impressum');
    const isImpressum = (l) => /impressum/.test(l.route ?? '') && l.status === '200';
    const before0 = total(await metrics(), isImpressum);
    assert.ok(before0 >= 1, 'a GET /impressum made before is counted');
    for (let i = 0; i < 3; i++) assert.equal((await srv.get('/impressum')).status, 200);
    const after0 = total(await metrics(), isImpressum);
    assert.equal(after0 - before0, 3, `counter went from ${before0} to ${after0}`);
  });

  test('errors are counted by status, without raw paths as labels', async () => {
    const probe = 'nirgends-' + randomBytes(6).toString('hex');
    const is404 = (l) => l.status === '404';
    const b = total(await metrics(), is404);
    await srv.get(`/${probe}`);
    await srv.get(`/${probe}/tiefer`);
    const m = await metrics();
    assert.equal(total(m, is404) - b, 2, '404s counted');
    assert.ok(!m.res.text.includes(probe), 'an unknown path became a label: unbounded cardinality');
  });

  test('the latency histogram is consistent', async () => {
    const m = await metrics();
    const buckets = m.samples.filter((s) => s.name === 'rathaus_http_request_duration_seconds_bucket');
    assert.ok(buckets.length >= 5, 'at least 5 buckets');
    // Group by the labels other than le; within a group counts never decrease and +Inf = _count.
    const groups = new Map();
    for (const b of buckets) {
      const { le, ...rest } = b.labels;
      const key = JSON.stringify(rest);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push([le === '+Inf' ? Infinity : Number(le), b.value]);
    }
    for (const [key, list] of groups) {
      list.sort((a, b) => a[0] - b[0]);
      assert.equal(list.at(-1)[0], Infinity, `${key}: no le="+Inf" bucket`);
      for (let i = 1; i < list.length; i++) assert.ok(list[i][1] >= list[i - 1][1], `${key}: bucket counts decrease`);
      const labels = JSON.parse(key);
      const count = m.samples.find(
        (s) => s.name === 'rathaus_http_request_duration_seconds_count' && JSON.stringify(s.labels) === JSON.stringify(labels),
      );
      assert.ok(count, `${key}: no _count`);
      assert.equal(count.value, list.at(-1)[1], `${key}: _count ≠ +Inf bucket`);
      assert.ok(
        m.samples.some((s) => s.name === 'rathaus_http_request_duration_seconds_sum' && JSON.stringify(s.labels) === JSON.stringify(labels)),
        `${key}: no _sum`,
      );
    }
  });

  test('a slow request lands in a slow bucket', async () => {
    const slowCount = (m) =>
      m.samples
        .filter((s) => s.name === 'rathaus_http_request_duration_seconds_bucket')
        .reduce((a, s) => a + (s.labels.le === '+Inf' ? s.value : 0) - (Number(s.labels.le) === 0.25 ? s.value : 0), 0);
    const m0 = await metrics();
    const has025 = m0.samples.some((s) => s.name === 'rathaus_http_request_duration_seconds_bucket' && Number(s.labels.le) === 0.25);
    if (!has025) return; // bucket layout without 0.25: nothing to compare against
    const b = slowCount(m0);
    assert.equal((await srv.get('/_test/slow?ms=400')).status, 200);
    assert.equal(slowCount(await metrics()) - b, 1, 'one request slower than 0.25 s');
  });

  test('rathaus_db_up is 1 and job metrics exist', async () => {
    const m = await metrics();
    const up = m.samples.filter((s) => s.name === 'rathaus_db_up');
    assert.equal(up.length, 1);
    assert.equal(up[0].value, 1);
    assert.ok(m.samples.some((s) => s.name.startsWith('rathaus_jobs_')), 'no rathaus_jobs_* metric');
  });

  testCleanExit(() => srv);
});

// events.test.mjs — server-sent events on one node: topics filter what a
// client gets, Last-Event-ID replays what it missed, jobs publish events when a
// worker runs them, every subscriber gets every event of its topics.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { openEvents } from '../lib/sse.mjs';
import { sleep } from '../lib/http.mjs';

const uniq = (p) => `${p}${randomBytes(3).toString('hex')}`;

forEachEngine((engine) => {
  let srv;
  const open = [];
  before(async () => {
    srv = await startServer({ engine });
  });
  after(async () => {
    for (const s of open) s.close();
    if (srv) await srv.stopAndCheck();
  });

  async function subscribe(topics, opts) {
    const s = await openEvents(srv.base, `/events?topics=${topics.join(',')}`, opts);
    open.push(s);
    assert.equal(s.status, 200);
    await sleep(300); // let the subscription register before publishing
    return s;
  }
  async function publish(topic, data) {
    const res = await srv.client().postJSON('/_test/event', { topic, data });
    assert.equal(res.status, 202, `POST /_test/event: ${res.status} ${res.text}`);
  }

  test('the stream: 200 text/event-stream, not cached', async () => {
    const s = await subscribe([uniq('h')]);
    assert.match(s.headers['content-type'] ?? '', /^text\/event-stream\b/);
    assert.match(s.headers['cache-control'] ?? '', /no-cache|no-store/);
    s.close();
  });

  test('an event reaches a subscriber with id, topic and JSON data', async () => {
    const t = uniq('a');
    const s = await subscribe([t]);
    await publish(t, { n: 1, text: 'Grüße\nzweite Zeile' });
    const ev = await s.waitFor((e) => e.event === t);
    assert.ok(ev.id, 'event without id');
    assert.deepEqual(ev.json, { n: 1, text: 'Grüße\nzweite Zeile' });
    s.close();
  });

  test('a subscriber gets only its topics', async () => {
    const mine = uniq('m');
    const other = uniq('o');
    const s = await subscribe([mine]);
    await publish(other, { n: 1 });
    await publish(mine, { n: 2 });
    await s.waitFor((e) => e.event === mine);
    await sleep(300);
    assert.deepEqual(
      s.events.map((e) => e.event),
      [mine],
      'events of another topic were delivered',
    );
    s.close();
  });

  test('several topics in one stream, in publishing order', async () => {
    const a = uniq('x');
    const b = uniq('y');
    const s = await subscribe([a, b]);
    await publish(a, { i: 1 });
    await publish(b, { i: 2 });
    await publish(a, { i: 3 });
    await s.waitFor(() => s.events.length >= 3);
    assert.deepEqual(
      s.events.map((e) => [e.event, e.json.i]),
      [[a, 1], [b, 2], [a, 3]],
    );
    const ids = s.events.map((e) => e.id);
    assert.equal(new Set(ids).size, 3, `ids not unique: ${ids}`);
    s.close();
  });

  test('Last-Event-ID: a reconnecting client gets what it missed, and only that', async () => {
    const t = uniq('r');
    const s1 = await subscribe([t]);
    await publish(t, { n: 1 });
    const first = await s1.waitFor((e) => e.event === t);
    s1.close();
    await publish(t, { n: 2 });
    await publish(t, { n: 3 });
    const s2 = await subscribe([t], { lastEventId: first.id });
    await s2.waitFor(() => s2.events.length >= 2);
    await sleep(300);
    assert.deepEqual(
      s2.events.map((e) => e.json.n),
      [2, 3],
    );
    s2.close();
  });

  test('every subscriber gets the event', async () => {
    const t = uniq('f');
    const subs = [];
    for (let i = 0; i < 5; i++) subs.push(await subscribe([t]));
    await publish(t, { fan: 'out' });
    for (const s of subs) await s.waitFor((e) => e.event === t);
    for (const s of subs) s.close();
  });

  test('a job publishes its event when a worker runs it', async () => {
    const t = uniq('j');
    const s = await subscribe([t]);
    const res = await srv.client().postJSON('/_test/job', { topic: t, data: { von: 'job' } });
    assert.equal(res.status, 202);
    const j = JSON.parse(res.text);
    assert.ok(Number.isInteger(j.job) || (typeof j.job === 'string' && j.job), `answer ${res.text}`);
    const ev = await s.waitFor((e) => e.event === t, 15000);
    assert.equal(ev.json?.von, 'job', `job event data: ${ev.data}`);
    await sleep(1000);
    assert.equal(s.events.filter((e) => e.event === t).length, 1, 'the job ran more than once');
    s.close();
  });

  testCleanExit(() => srv);
});

// shutdown.test.mjs — SIGTERM is a graceful shutdown: the server stops
// accepting connections, finishes every request in flight, closes idle
// keep-alive connections, and exits with 0 — soon, not after a timeout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, forEachEngine, assertSanitizerClean } from '../lib/server.mjs';
import { request, sleep, within } from '../lib/http.mjs';

// connectOutcome(port) → 'refused' | 'reset' | 'closed' | 'answered <status>' | 'hung'
// What a new client experiences: it tries to connect and send a request.
function connectOutcome(port, timeoutMs = 4000) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (r) => {
      clearTimeout(t);
      s.destroy();
      resolve(r);
    };
    const t = setTimeout(() => done('hung'), timeoutMs);
    s.on('connect', () => s.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    s.on('data', (c) => {
      data += c;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) done(`answered ${m[1]}`);
    });
    s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' ? 'reset' : e.code));
    s.on('close', () => done('closed'));
  });
}

async function cleanup(srv) {
  if (!srv) return;
  await srv.stop();
  await srv.cleanup();
}

forEachEngine(
  (engine) => {
    test('20 requests in flight finish, new connections are refused, exit 0', async () => {
      const srv = await startServer({ engine });
      try {
        const started = Date.now();
        const inflight = Array.from({ length: 20 }, () =>
          request(srv.base, { path: '/_test/slow?ms=1500', timeout: 20000 }).then(
            (r) => ({ status: r.status, text: r.text, at: Date.now() }),
            (e) => ({ error: e.code ?? e.message, at: Date.now() }),
          ),
        );
        await sleep(200);
        const termAt = Date.now();
        srv.proc.kill('SIGTERM');
        await sleep(300);
        const during = await connectOutcome(srv.port);
        const results = await Promise.all(inflight);
        const exit = await within(srv.exited, 15000);
        const after = await connectOutcome(srv.port);

        const bad = results.filter((r) => r.status !== 200 || r.text !== 'slow done');
        assert.equal(bad.length, 0, `${bad.length} of 20 requests in flight did not finish: ${JSON.stringify(bad.slice(0, 5))}`);
        for (const r of results) assert.ok(r.at - started >= 1400, 'a slow request finished too early');
        assert.ok(!during.startsWith('answered 2'), `a new connection during shutdown was served: ${during}`);
        assert.ok(exit, `no exit within 15 s of SIGTERM; stderr:\n${srv.stderr().slice(-2000)}`);
        assertSanitizerClean(srv); // before the exit code: a sanitizer report changes it
        assert.equal(exit.code, 0, `exit ${exit.code ?? exit.signal}`);
        const took = exit.at - termAt;
        assert.ok(took < 8000, `exit took ${took} ms after SIGTERM (the slow requests needed ~1300 ms)`);
        assert.equal(after, 'refused', 'after the exit nothing listens');
        console.log(`${engine}: new connection during shutdown: ${during}; exit ${took} ms after SIGTERM`);
      } finally {
        await cleanup(srv);
      }
    });

    test('an idle keep-alive connection does not hold up the exit', async () => {
      const srv = await startServer({ engine });
      try {
        // One request on a connection that then stays open and idle.
        const sock = net.connect({ host: '127.0.0.1', port: srv.port });
        let got = '';
        await new Promise((resolve, reject) => {
          sock.on('connect', () => sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
          sock.on('data', (c) => {
            got += c;
            if (/\r\n\r\n[\s\S]*\}/.test(got)) resolve();
          });
          sock.on('error', reject);
        });
        sock.on('error', () => {});
        const termAt = Date.now();
        srv.proc.kill('SIGTERM');
        const exit = await within(srv.exited, 15000);
        sock.destroy();
        assert.ok(exit, 'no exit within 15 s');
        assertSanitizerClean(srv);
        assert.equal(exit.code, 0, `exit ${exit.code ?? exit.signal}`);
        assert.ok(exit.at - termAt < 3000, `exit took ${exit.at - termAt} ms with one idle connection`);
      } finally {
        await cleanup(srv);
      }
    });
  },
  { timeout: 90000 },
);

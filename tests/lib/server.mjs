// server.mjs — start and stop a real rathaus server for a test file.
//
// startServer({engine}) picks a free port, makes a fresh data directory under
// os.tmpdir() and, for PostgreSQL, a fresh database; runs `rathaus serve` with
// the test routes on; waits until /healthz answers; and keeps everything the
// server writes to stderr. stopAndCheck() sends SIGTERM, expects exit code 0,
// drops the database, and fails if the sanitizers (the debug build runs with
// ASan + UBSan + LSan) reported anything at any point of the server's life.
//
//   before(async () => { srv = await startServer({ engine: 'sqlite' }); });
//   after(() => srv?.stopAndCheck());      // if the last test did not run
//   … tests …
//   testCleanExit(() => srv);               // last: exit 0, sanitizers silent
//   const c = srv.client(); const page = await c.page('/');

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, request, sleep, within } from './http.mjs';
import { PG_URL, createDatabase, dropDatabase, psql } from './pg.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.resolve(REPO, process.env.RATHAUS_BIN || 'build/debug/rathaus');

// Servers still running when the test process ends are killed, so a failed
// test never leaves one behind.
const running = new Set();
process.on('exit', () => {
  for (const s of running) {
    try {
      s.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

let pgDiagnosed = false;
// engines() → ['sqlite', 'postgres'], without postgres when RATHAUS_TEST_PG_URL is unset.
export function engines() {
  if (PG_URL) return ['sqlite', 'postgres'];
  if (!pgDiagnosed) {
    pgDiagnosed = true;
    console.log('postgres: skipped, RATHAUS_TEST_PG_URL is not set');
  }
  return ['sqlite'];
}

// forEachEngine(fn, opts) — describe(engine, opts, () => fn(engine)) per engine.
// Without a PostgreSQL cluster the postgres suite holds one skipped test
// naming the reason, so the run's "skipped" count shows what was left out.
export function forEachEngine(fn, opts = {}) {
  for (const engine of ['sqlite', 'postgres']) {
    if (engine === 'postgres' && !PG_URL) {
      engines(); // prints the diagnostic
      describe(engine, () => test('all tests of this file on PostgreSQL', { skip: 'RATHAUS_TEST_PG_URL is not set' }, () => {}));
      continue;
    }
    describe(engine, { timeout: 120000, ...opts }, () => fn(engine));
  }
}

// describePg(name, opts, fn) — a PostgreSQL-only suite, skipped the same way.
export function describePg(name, opts, fn) {
  if (!PG_URL) {
    engines();
    describe(name, () => test('PostgreSQL only', { skip: 'RATHAUS_TEST_PG_URL is not set' }, () => {}));
    return;
  }
  describe(name, opts, fn);
}

// testCleanExit(() => srv | [srv, …]) — the last test of a suite: stops the
// server(s) with SIGTERM and fails on an exit code other than 0 or on any
// sanitizer report (LeakSanitizer speaks only at exit). A test rather than an
// after() hook, so that the failure is counted and named like any other.
export function testCleanExit(get) {
  test('the server exits cleanly on SIGTERM (exit 0, no sanitizer report)', async () => {
    const list = [].concat(get()).filter(Boolean);
    assert.ok(list.length > 0, 'no server was started');
    const errors = [];
    for (const s of list) await s.stopAndCheck().catch((e) => errors.push(e.message));
    assert.ok(errors.length === 0, errors.join('\n\n'));
  });
}

// /healthz over TLS with the test's self-signed certificate (servers started with --tls-cert).
function httpsHealth(port) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// What the sanitizers print when they find something, and what to call it.
const SANITIZER_PATTERNS = [
  [/ERROR: AddressSanitizer/, 'AddressSanitizer'],
  [/ERROR: LeakSanitizer|LeakSanitizer/, 'LeakSanitizer'],
  [/runtime error:/, 'UndefinedBehaviorSanitizer'],
  [/ERROR: UndefinedBehaviorSanitizer/, 'UndefinedBehaviorSanitizer'],
];

// sanitizerFindings(text) → {kind, excerpt} for the first report, or null.
export function sanitizerFindings(text) {
  for (const [re, kind] of SANITIZER_PATTERNS) {
    const m = re.exec(text);
    if (m) {
      const start = Math.max(0, text.lastIndexOf('\n', Math.max(0, m.index - 200)));
      return { kind, excerpt: text.slice(start, m.index + 4000) };
    }
  }
  return null;
}

// assertSanitizerClean(server) — throws with the report if ASan/UBSan/LSan spoke.
export function assertSanitizerClean(server) {
  const f = sanitizerFindings(server.stderr());
  if (f) throw new Error(`${f.kind} report in the stderr of ${server.name}:\n${f.excerpt}`);
}

function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

function sanitizerEnv() {
  return {
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:print_summary=1',
    UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1',
    // h2o's recycle bins cannot be emptied; tests/lsan.supp says why (same as tests/run-all.sh).
    LSAN_OPTIONS: process.env.LSAN_OPTIONS || `suppressions=${path.join(REPO, 'tests/lsan.supp')}:print_suppressions=0`,
  };
}

function run(args, env, timeoutMs) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, out });
    });
  });
}

// startServer(opts) → server
//   engine       'sqlite' | 'postgres'
//   databaseUrl  use this database (not created, not dropped) — for several nodes on one DB
//   smtpUrl      --smtp-url
//   args         more flags, e.g. ['--job-threads', '0']
//   env          more environment
//   demo         run `rathaus demo` on the fresh database first
//   name         shown in messages
export async function startServer(opts = {}) {
  const engine = opts.engine ?? 'sqlite';
  if (!existsSync(BIN)) throw new Error(`server binary ${BIN} does not exist (make build/debug/rathaus, or set RATHAUS_BIN)`);
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rathaus-test-'));
  let dbUrl = opts.databaseUrl;
  let dbName = null;
  if (!dbUrl) {
    if (engine === 'postgres') {
      const db = await createDatabase();
      dbUrl = db.url;
      dbName = db.name;
    } else {
      dbUrl = `sqlite:${path.join(dataDir, 'rathaus.db')}`;
    }
  }
  const cfg = ['--database-url', dbUrl, '--data-dir', dataDir];
  const env = { ...process.env, ...sanitizerEnv(), ...(opts.env ?? {}) };
  const name = `${opts.name ?? 'rathaus'}(${engine}, port ${port})`;
  const cleanupEarly = async () => {
    if (dbName) await dropDatabase(dbName).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };

  if (opts.demo) {
    const r = await run(['demo', ...cfg], env, 60000);
    const f = sanitizerFindings(r.out);
    if (r.code !== 0 || f) {
      await cleanupEarly();
      throw new Error(`rathaus demo failed (exit ${r.code ?? r.signal}):\n${f ? f.kind + ':\n' + f.excerpt : tail(r.out)}`);
    }
  }

  const args = ['serve', '--listen', `127.0.0.1:${port}`, ...cfg, '--test-routes', '1'];
  if (opts.smtpUrl) args.push('--smtp-url', opts.smtpUrl);
  args.push(...(opts.args ?? []));
  const proc = spawn(BIN, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (c) => (stderr += c));
  proc.stdout.on('data', (c) => (stdout += c));
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exitInfo = { code, signal, at: Date.now() };
      resolve(exitInfo);
    });
  });
  proc.on('error', (e) => {
    stderr += `\n[spawn error] ${e.message}\n`;
  });

  const base = `http://127.0.0.1:${port}`;
  const server = {
    name,
    engine,
    port,
    base,
    dbUrl,
    dbName,
    dataDir,
    proc,
    args,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    exitInfo: () => exitInfo,
    client: () => new Client(base),
    // query(sql) → rows as arrays of strings, straight from the database
    // (psql for PostgreSQL, the sqlite3 shell read-only for SQLite).
    async query(sql) {
      let out;
      if (engine === 'postgres' || dbUrl.startsWith('postgres')) out = await psql(dbUrl, sql);
      else
        out = await new Promise((resolve, reject) =>
          execFile('sqlite3', ['-readonly', dbUrl.replace(/^sqlite:/, ''), sql], { timeout: 15000 }, (e, so, se) =>
            e ? reject(new Error(`sqlite3 ${JSON.stringify(sql)}: ${se || e.message}`)) : resolve(so.trim()),
          ),
        );
      return out ? out.split('\n').map((l) => l.split('|')) : [];
    },
    get: (p, o = {}) => request(base, { ...o, path: p }),
    // Sends SIGTERM and waits for the exit; SIGKILL after timeoutMs. → {code, signal}
    async stop({ timeoutMs = 15000 } = {}) {
      if (!exitInfo) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => {
          stderr += `\n[test harness] no exit ${timeoutMs} ms after SIGTERM: SIGKILL\n`;
          proc.kill('SIGKILL');
        }, timeoutMs);
        // A ref'd timer keeps the event loop alive until the exit arrives.
        await within(exited, timeoutMs + 5000); // a ref'd timer: the loop stays alive until the exit
        clearTimeout(t);
        if (!exitInfo) throw new Error(`${name} did not exit even after SIGKILL`);
      }
      running.delete(server);
      return exitInfo;
    },
    // Drops the database this server created and removes its data directory.
    async cleanup() {
      if (dbName) await dropDatabase(dbName).catch((e) => console.log(`drop ${dbName}: ${e.message}`));
      rmSync(dataDir, { recursive: true, force: true });
    },
    // stop(), cleanup(), then fail on a non-zero exit or any sanitizer report.
    // For after() hooks.
    // Only the first call checks; later ones (the after() hook after
    // testCleanExit) return at once.
    async stopAndCheck({ expectCode = 0 } = {}) {
      if (server.checked) return;
      server.checked = true;
      const info = await server.stop();
      await server.cleanup();
      assertSanitizerClean(server);
      if (info.code !== expectCode)
        throw new Error(
          `${name} exited with ${info.code ?? 'signal ' + info.signal} (expected ${expectCode}); stderr tail:\n${tail(stderr)}`,
        );
    },
  };
  running.add(server);

  // Ready when /healthz answers 200 (migrations run before the server listens).
  const readyTimeout = opts.readyTimeout ?? 30000;
  const deadline = Date.now() + readyTimeout;
  for (;;) {
    if (exitInfo) {
      running.delete(server);
      await cleanupEarly();
      throw new Error(`${name} exited during start-up (${exitInfo.code ?? exitInfo.signal}); stderr:\n${tail(stderr)}`);
    }
    try {
      const r = opts.scheme === 'https' ? await httpsHealth(port) : await request(base, { path: '/healthz', timeout: 2000 });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await within(exited, 5000);
      running.delete(server);
      await cleanupEarly();
      throw new Error(`${name}: /healthz did not answer 200 within ${readyTimeout} ms; stderr:\n${tail(stderr)}`);
    }
    await sleep(100);
  }
  return server;
}

// tls.test.mjs — rathaus serving HTTPS itself (tls_cert/tls_key): HTTP/1.1 and
// HTTP/2 via ALPN, HSTS on every answer, cookies with the __Host- prefix and
// Secure, and a session cookie sent over plain HTTP is not what it reads there.
//
// The certificate is made for the test with openssl (self-signed for 127.0.0.1).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

let srv;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rh-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
  { stdio: 'ignore' });
  srv = await startServer({ name: 'tls', args: ['--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')],
    scheme: 'https' });
});

after(async () => {
  if (srv) await srv.stopAndCheck();
  rmSync(dir, { recursive: true, force: true });
});

function get1(pathname, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: srv.port, path: pathname, headers, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], agent: false }, (res) => {
      const alpn = res.socket?.alpnProtocol;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: body, alpn }));
    });
    req.on('error', reject);
  });
}

function get2(pathname) {
  return new Promise((resolve, reject) => {
    const client = http2.connect(`https://127.0.0.1:${srv.port}`, { rejectUnauthorized: false });
    client.on('error', reject);
    const req = client.request({ ':path': pathname });
    let headers;
    let body = '';
    req.setEncoding('utf8');
    req.on('response', (h) => (headers = h));
    req.on('data', (c) => (body += c));
    req.on('end', () => { client.close(); resolve({ status: headers[':status'], headers, text: body }); });
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS with HTTP/1.1: the start page, HSTS, __Host- cookies with Secure', async () => {
  const res = await get1('/');
  assert.equal(res.status, 200);
  assert.notEqual(res.alpn, 'h2'); // h2o offers only h2 by ALPN; HTTP/1.1 clients simply use it without
  assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d+/);
  const cookies = [].concat(res.headers['set-cookie'] ?? []);
  const csrf = cookies.find((c) => c.startsWith('__Host-csrf='));
  assert.ok(csrf, `__Host-csrf cookie in ${cookies.join(' | ')}`);
  assert.match(csrf, /; Secure/);
  assert.match(csrf, /; Path=\//);
  assert.doesNotMatch(csrf, /Domain=/i);
});

test('HTTPS with HTTP/2 (ALPN h2)', async () => {
  const res = await get2('/impressum');
  assert.equal(res.status, 200);
  assert.match(res.text, /<h1[^>]*>Impressum/);
  assert.match(String(res.headers['strict-transport-security'] ?? ''), /max-age/);
  assert.match(String(res.headers['content-security-policy'] ?? ''), /frame-ancestors 'none'/);
});

test('over TLS a cookie without the __Host- prefix is not taken as the session', async () => {
  // A sibling site could set "sid"; only "__Host-sid" counts on HTTPS. Unknown
  // sessions are ignored either way, so the page is the anonymous one.
  const res = await get1('/konto', { cookie: 'sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
  assert.equal(res.status, 303);
  assert.match(res.headers.location ?? '', /^\/konto\/anmelden/);
});

test('/healthz over HTTP/2', async () => {
  const res = await get2('/healthz');
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.text).status, 'ok');
});

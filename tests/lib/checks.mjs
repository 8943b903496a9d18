// checks.mjs — assertions several test files share: the security headers every
// response must carry, and what makes an answer "an HTML page".

import assert from 'node:assert/strict';

// Parses a Content-Security-Policy value into {directive: [sources]}.
export function parseCsp(value) {
  const out = {};
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = sources;
  }
  return out;
}

// assertSecurityHeaders(res, what) — the headers DESIGN §4 asks for on every
// response, errors and static files included.
export function assertSecurityHeaders(res, what) {
  const h = res.headers;
  const csp = h['content-security-policy'];
  assert.ok(csp, `${what}: no Content-Security-Policy header`);
  const d = parseCsp(csp);
  assert.deepEqual(d['default-src'], ["'self'"], `${what}: CSP default-src should be 'self': ${csp}`);
  assert.ok(d['frame-ancestors'] && d['frame-ancestors'].includes("'none'"), `${what}: CSP lacks frame-ancestors 'none': ${csp}`);
  const scriptSrc = d['script-src'] ?? d['default-src'];
  assert.ok(!scriptSrc.includes("'unsafe-inline'"), `${what}: CSP allows inline script: ${csp}`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(
    ['same-origin', 'strict-origin-when-cross-origin', 'no-referrer', 'strict-origin'].includes(h['referrer-policy']),
    `${what}: Referrer-Policy is ${h['referrer-policy']}`,
  );
  assert.ok(h['x-request-id'] && h['x-request-id'].length >= 8, `${what}: X-Request-Id missing or short: ${h['x-request-id']}`);
}

// assertHtmlPage(res, status, what) — a complete HTML document with a language
// and a title, served as UTF-8 HTML with the expected status.
export function assertHtmlPage(res, status, what) {
  assert.equal(res.status, status, `${what}: status ${res.status}, body: ${res.text.slice(0, 300)}`);
  const ct = res.headers['content-type'] ?? '';
  assert.match(ct, /^text\/html;\s*charset=utf-8$/i, `${what}: Content-Type is ${ct}`);
  assert.ok(/^\s*<!doctype html>/i.test(res.text), `${what}: not an HTML document: ${res.text.slice(0, 200)}`);
  assert.ok(/<html\b[^>]*\blang="(de|en)"/.test(res.text), `${what}: <html> without lang`);
  const title = /<title>([^<]*)<\/title>/i.exec(res.text);
  assert.ok(title && title[1].trim(), `${what}: no <title>`);
  assert.ok(/<main\b/i.test(res.text), `${what}: page without <main> landmark`);
}

// assertJsonError(res, status, what) — {"error":{"status":…,"message":"…"}}
export function assertJsonError(res, status, what) {
  assert.equal(res.status, status, `${what}: status ${res.status}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/, `${what}: Content-Type ${res.headers['content-type']}`);
  const j = JSON.parse(res.text);
  assert.equal(j?.error?.status, status, `${what}: error.status in ${res.text}`);
  assert.equal(typeof j.error.message, 'string', `${what}: error.message in ${res.text}`);
  assert.ok(j.error.message.length > 0, `${what}: empty error.message`);
}

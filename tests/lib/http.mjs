// http.mjs — HTTP helpers for the test suites: a client that keeps cookies and
// finds the CSRF token, a raw-socket request for limit tests, a multipart
// builder and small HTML readers.
//
// Everything goes through node:http or node:net, not fetch(): the tests need
// to see bodies exactly as sent (gzip is not undone), to send HEAD, and to
// send headers that fetch() would refuse or rewrite.

import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const DEFAULT_TIMEOUT_MS = 15000;

// request(base, {method, path, headers, body, timeout}) → {status, headers, body, text}
// One request on a fresh connection. body may be a string or a Buffer.
// Response headers keep node's lower-case names; set-cookie is an array.
export function request(base, opts = {}) {
  const url = new URL(opts.path ?? '/', base);
  const method = opts.method ?? 'GET';
  const headers = { ...(opts.headers ?? {}) };
  let body = opts.body;
  if (typeof body === 'string') body = Buffer.from(body, 'utf8');
  if (body && headers['content-length'] === undefined && !headers['transfer-encoding'])
    headers['content-length'] = String(body.length);
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers,
        agent: opts.agent ?? false,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const buf = Buffer.concat(chunks);
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: buf,
            text: buf.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`${method} ${url.pathname}${url.search}: no answer within ${timeout} ms`));
    }, timeout);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (body) req.end(body);
    else req.end();
  });
}

// rawRequest(port, bytes, {timeout, untilClose}) → {status, headers, body, text, raw, rest}
// Writes bytes as they are to 127.0.0.1:port and reads until the server
// closes the connection (send "Connection: close"). Used for requests node:http
// would not send: oversized header blocks, huge URLs, odd methods. With
// untilClose it reads until the server closes, so `rest` shows every byte that
// followed the header block (HEAD must have none).
// A reset after the answer arrived is not an error: a server may close a
// connection whose body it refused to read.
export function rawRequest(port, bytes, opts = {}) {
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const chunks = [];
    let settled = false;
    const sock = net.connect({ host: '127.0.0.1', port });
    const finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks);
      if (raw.length === 0) {
        reject(err ?? new Error('connection closed without an answer'));
        return;
      }
      try {
        resolve(parseRawResponse(raw));
      } catch (e) {
        reject(e);
      }
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeout} ms`)), timeout);
    sock.on('data', (c) => {
      chunks.push(c);
      // Stop as soon as one complete response is there (the server may keep
      // the connection open even though we asked it to close).
      if (!opts.untilClose && tryParseComplete(Buffer.concat(chunks))) finish();
    });
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (e) => finish(e));
    sock.write(bytes);
  });
}

function tryParseComplete(raw) {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = raw.subarray(0, end).toString('latin1');
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (m && raw.length >= end + 4 + Number(m[1])) return true;
  return null;
}

// Splits raw HTTP/1.1 response bytes (one response) into status, headers, body.
// Chunked bodies are decoded.
export function parseRawResponse(raw) {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`incomplete response: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const sm = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!sm) throw new Error(`bad status line: ${lines[0]}`);
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i < 0) continue;
    const k = l.slice(0, i).trim().toLowerCase();
    const v = l.slice(i + 1).trim();
    if (k === 'set-cookie') (headers[k] ??= []).push(v);
    else headers[k] = headers[k] !== undefined ? `${headers[k]}, ${v}` : v;
  }
  const rest = raw.subarray(end + 4); // everything after the header block, as received
  let body = rest;
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(sm[1]), headers, body, text: body.toString('utf8'), raw, rest };
}

function dechunk(buf) {
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(pos, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

// multipart([[name, value] | [name, {filename, contentType, data}]]) → {body, contentType}
export function multipart(fields) {
  const boundary = '----rathaus-test-' + randomBytes(12).toString('hex');
  const parts = [];
  for (const [name, value] of fields) {
    if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\n` +
            `Content-Type: ${value.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        Buffer.isBuffer(value.data) ? value.data : Buffer.from(value.data ?? ''),
        Buffer.from('\r\n'),
      );
    } else {
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
        Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8'),
        Buffer.from('\r\n'),
      );
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

// urlencoded([[name, value], …]) → string (values may be pre-encoded with {raw})
export function urlencoded(fields) {
  return fields
    .map(([k, v]) => `${encodeURIComponent(k)}=${typeof v === 'object' && v.raw !== undefined ? v.raw : encodeURIComponent(v)}`)
    .join('&');
}

// ---- HTML readers (good enough for the server's own, well-formed markup) ----

export function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// Attributes of one start tag: attrs('<input name="a" value="b">') → {name:'a', value:'b'}
export function attrs(tag) {
  const out = {};
  const re = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[^\s>]+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner))) {
    out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

// All <form>s: [{action, method, enctype, html, inputs: [{tag, name, type, value}]}]
export function forms(html) {
  const out = [];
  const re = /<form\b[^>]*>[\s\S]*?<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const block = m[0];
    const a = attrs(/^<form\b[^>]*>/i.exec(block)[0]);
    const inputs = [];
    const ire = /<(input|button|select|textarea)\b[^>]*>/gi;
    let im;
    while ((im = ire.exec(block))) {
      const ia = attrs(im[0]);
      let value = ia.value ?? '';
      if (im[1].toLowerCase() === 'textarea') {
        const close = block.indexOf('</textarea>', im.index);
        value = decodeEntities(block.slice(im.index + im[0].length, close)).replace(/^\n/, '');
      }
      inputs.push({ tag: im[1].toLowerCase(), name: ia.name, type: (ia.type ?? '').toLowerCase(), value, attrs: ia });
    }
    out.push({
      action: a.action ?? '',
      method: (a.method ?? 'get').toLowerCase(),
      enctype: a.enctype ?? '',
      html: block,
      inputs,
    });
  }
  return out;
}

export function findForm(html, action) {
  return forms(html).find((f) => f.action === action || f.action.split('?')[0] === action);
}

// The value of the hidden _csrf input in the first form that has one.
export function csrfToken(html) {
  for (const f of forms(html)) {
    const i = f.inputs.find((x) => x.name === '_csrf');
    if (i) return i.value;
  }
  return null;
}

// All href values of <a> elements.
export function links(html) {
  const out = [];
  const re = /<a\b[^>]*>/gi;
  let m;
  while ((m = re.exec(html))) {
    const a = attrs(m[0]);
    if (a.href !== undefined) out.push(a.href);
  }
  return out;
}

// The /static/… URLs a page refers to (stylesheets, scripts, icons, images).
export function staticUrls(html) {
  const out = new Set();
  for (const m of html.matchAll(/<(link|script|img)\b[^>]*>/gi)) {
    const a = attrs(m[0]);
    const u = a.href ?? a.src;
    if (u && u.startsWith('/static/')) out.add(u);
  }
  return [...out];
}

export function htmlLang(html) {
  const m = /<html\b[^>]*>/i.exec(html);
  return m ? attrs(m[0]).lang ?? null : null;
}

// ---- a client with a cookie jar ----

// Cookie jar semantics kept small: name → value, removed by Max-Age=0 or an
// Expires in the past. Domain/Path are ignored (one origin, everything under /).
export class Client {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
    this.csrf = null; // token from the last HTML page that had one
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  absorb(res) {
    for (const sc of res.headers['set-cookie'] ?? []) {
      const [pair, ...attrsList] = sc.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const lower = attrsList.map((s) => s.trim().toLowerCase());
      const maxAge = lower.find((s) => s.startsWith('max-age='));
      const expires = attrsList.map((s) => s.trim()).find((s) => /^expires=/i.test(s));
      const expired =
        (maxAge && Number(maxAge.slice(8)) <= 0) || (expires && Date.parse(expires.slice(8)) < Date.now());
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const ct = res.headers['content-type'] ?? '';
    if (ct.startsWith('text/html')) {
      const t = csrfToken(res.text);
      if (t) this.csrf = t;
    }
    return res;
  }

  // fetch(path, {method, headers, body}) → response; sends and keeps cookies.
  async fetch(path, opts = {}) {
    const headers = { ...(opts.headers ?? {}) };
    if (this.cookies.size && headers.cookie === undefined) headers.cookie = this.cookieHeader();
    const res = await request(this.base, { ...opts, path, headers });
    return this.absorb(res);
  }

  // page(path) → response whose body is an HTML page; fails if it is not 200 HTML.
  async page(path) {
    const res = await this.fetch(path);
    if (res.status !== 200 || !(res.headers['content-type'] ?? '').startsWith('text/html'))
      throw new Error(`GET ${path}: expected a 200 HTML page, got ${res.status} ${res.headers['content-type']}`);
    return res;
  }

  // The name of the CSRF cookie the server chose ("__Host-csrf" or "csrf").
  csrfCookieName() {
    for (const n of ['__Host-csrf', 'csrf']) if (this.cookies.has(n)) return n;
    return null;
  }

  // postForm(path, fields[, {csrf}]) — urlencoded POST; adds _csrf unless csrf:false.
  async postForm(path, fields, opts = {}) {
    const f = [...fields];
    if (opts.csrf !== false && !f.some(([k]) => k === '_csrf')) f.push(['_csrf', this.csrf ?? '']);
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.headers ?? {}) },
      body: urlencoded(f),
    });
  }

  // postMultipart(path, fields[, {csrf}]) — multipart POST; adds _csrf first unless csrf:false.
  async postMultipart(path, fields, opts = {}) {
    const f = [...fields];
    if (opts.csrf !== false && !f.some(([k]) => k === '_csrf')) f.unshift(['_csrf', this.csrf ?? '']);
    const mp = multipart(f);
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': mp.contentType, ...(opts.headers ?? {}) },
      body: mp.body,
      timeout: opts.timeout,
    });
  }

  // postJSON(path, value) — for the test routes and the API.
  async postJSON(path, value) {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(value),
    });
  }
}

// Wait until fn() returns a truthy value (polled), or throw after timeout ms.
export async function waitFor(fn, { timeout = 10000, interval = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// within(promise, ms) → the promise's value, or null after ms. The timer is
// cleared either way, so it never keeps a finished test process alive.
export async function within(promise, ms) {
  let t;
  try {
    return await Promise.race([promise, new Promise((r) => (t = setTimeout(() => r(null), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

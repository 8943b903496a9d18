// account.mjs — helpers for the Nutzerkonto tests (tests/http/account-*.test.mjs,
// tests/browser/account-*.test.mjs): accounts made the way a citizen makes them
// (register, read the link from the mail, confirm), sign-in with and without the
// second factor, TOTP codes (RFC 6238) from the key the enrolment page shows,
// links read out of the mails the real SMTP server received, staff accounts
// (the `rathaus user add` CLI), and small readers for account pages.
//
//   let srv;
//   let smtp;
//   accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) }); // before/after hooks
//   const anna = await registerAndConfirm(srv, smtp);       // signed in, anna.client
//   const res = await login(srv.client(), anna.email, anna.password);
//
// Every AccountClient sends its own X-Forwarded-For address (the servers of these
// tests run with --trust-proxy 1), so the per-address login and registration
// throttles of one test never slow down another test on the same server.

import { before, after } from 'node:test';
import { randomBytes, createHmac } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { Client, decodeEntities, waitFor, sleep } from './http.mjs';
import { BIN, REPO, startServer } from './server.mjs';
import { psql } from './pg.mjs';
import { startSmtp } from './smtp.mjs';

// Flags for startServer({args}) in every account suite: client addresses from
// X-Forwarded-For, so that each test client is its own address for the throttle.
export const ACCOUNT_ARGS = ['--trust-proxy', '1'];

// ---- the set-up of an account suite ---------------------------------------------

// accountSuite(engine, opts) — the set-up every account suite shares, to be
// called inside a describe() (or forEachEngine) callback. Registers
//   before(): a real SMTP server, then a rathaus server on engine that sends its
//             mail there and runs with ACCOUNT_ARGS (and, with browser: true, a
//             browser from tests/lib/browser.mjs);
//   after():  closes the browser, stops the server (checking its exit) and, in
//             any case, closes the SMTP server.
// Options:
//   demo      run `rathaus demo` on the fresh database first (units, staff)
//   args      more server flags after ACCOUNT_ARGS: an array, or a function
//             returning one (read when before() runs, e.g. for a URL that only
//             exists by then)
//   browser   also launch a browser
//   onStart   called with { srv, smtp, browser } once all are running, so that
//             the suite can keep them in its own variables:
//               accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });
// A suite's own before() hooks, registered after this call, run after it.
// Returns the same object onStart gets; its fields are set by before().
export function accountSuite(engine, { demo = false, args = [], browser = false, onStart } = {}) {
  const suite = { srv: undefined, smtp: undefined, browser: undefined };
  before(async () => {
    suite.smtp = await startSmtp();
    const more = typeof args === 'function' ? args() : args;
    suite.srv = await startServer({
      engine,
      smtpUrl: suite.smtp.url,
      args: [...ACCOUNT_ARGS, ...more],
      ...(demo ? { demo: true } : {}),
    });
    // Loaded only here, so that the HTTP suites do not load playwright.
    if (browser) suite.browser = await (await import('./browser.mjs')).launchBrowser();
    if (onStart) onStart(suite);
  });
  after(async () => {
    try {
      if (suite.browser) await suite.browser.close();
      if (suite.srv) await suite.srv.stopAndCheck();
    } finally {
      if (suite.smtp) await suite.smtp.close();
    }
  });
  return suite;
}

// ---- names, addresses, passwords ----------------------------------------------

let counter = 0;
// uniqueEmail('anna') → 'anna-<random>@example.org' (lower case, as the server stores it)
export function uniqueEmail(tag = 'buerger') {
  counter++;
  return `${tag}-${counter}${randomBytes(4).toString('hex')}@example.org`.toLowerCase();
}

// A password the policy accepts: long, not on the list, no e-mail local part.
export function newPassword() {
  return `Gruene Wiese am Rhein ${randomBytes(4).toString('hex')}`;
}

// A private address per client: 10.x.y.z.
export function randomIp() {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2] || 1}`;
}

// The first entry of data/common-passwords.txt with at least min characters:
// the server must refuse it although it is long enough.
export function commonLongPassword(min = 12) {
  const list = readFileSync(path.join(REPO, 'data/common-passwords.txt'), 'utf8').split(/\r?\n/);
  const pw = list.find((l) => [...l].length >= min && !/\s/.test(l));
  if (!pw) throw new Error(`data/common-passwords.txt has no entry of ${min} or more characters`);
  return pw;
}

// ---- a client with its own address ------------------------------------------------

export class AccountClient extends Client {
  constructor(base, { ip = randomIp(), headers = {} } = {}) {
    super(base);
    this.ip = ip;
    this.headers = headers; // sent with every request (e.g. accept-language)
  }

  async fetch(p, opts = {}) {
    const headers = { ...this.headers, ...(opts.headers ?? {}) };
    if (this.ip && headers['x-forwarded-for'] === undefined) headers['x-forwarded-for'] = this.ip;
    return super.fetch(p, { ...opts, headers });
  }

  // The CSRF token is the value of the csrf cookie (double submit). A sign-in
  // answers with a redirect and a new cookie, so a POST right after it must take
  // the token from the cookie, not from the last page.
  syncCsrf() {
    const name = this.csrfCookieName();
    if (name) this.csrf = this.cookies.get(name);
    return this.csrf;
  }

  // post(path, fields) — a form POST with the current CSRF token.
  async post(p, fields, opts = {}) {
    this.syncCsrf();
    return this.postForm(p, fields, opts);
  }

  // Makes sure there is a CSRF cookie (any page sets one).
  async ensureCsrf() {
    if (!this.syncCsrf()) await this.fetch('/konto/anmelden');
    return this.syncCsrf();
  }

  hasSession() {
    return this.cookies.has('sid') || this.cookies.has('__Host-sid');
  }

  // ageSession(seconds) — POST /_test/session/age: the session's last activity
  // moves that far into the past.
  async ageSession(seconds) {
    const r = await this.postJSON('/_test/session/age', { seconds });
    if (r.status !== 200) throw new Error(`POST /_test/session/age: ${r.status} ${r.text.slice(0, 200)}`);
    return r;
  }
}

export function accountClient(srv, opts) {
  return new AccountClient(srv.base, opts);
}

// ---- mail ----------------------------------------------------------------------

// The http(s) links of a received mail (its text is already decoded from
// quoted-printable by tests/lib/smtp.mjs; soft line breaks are undone there).
export function mailLinks(msg) {
  return [...msg.text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0].replace(/[.,;)]+$/, ''));
}

// linkPath(msg, '/konto/bestaetigen') → '/konto/bestaetigen?token=…' (path and
// query of the first link to that path; the host in mails is base_url, not ours).
export function linkPath(msg, pathname) {
  for (const l of mailLinks(msg)) {
    const u = new URL(l);
    if (u.pathname === pathname) return u.pathname + u.search;
  }
  throw new Error(`no link to ${pathname} in the mail "${msg.subject}" to ${msg.to}:\n${msg.text}`);
}

export function tokenOf(linkPathOrUrl) {
  return new URL(linkPathOrUrl, 'http://x').searchParams.get('token');
}

export function mailsTo(smtp, to, { since = 0, subject } = {}) {
  return smtp.messages
    .slice(since)
    .filter((m) => m.to.includes(to) && (!subject || subject.test(m.subject ?? '')));
}

// waitForMail(smtp, to, {subject: /…/, since}) → the first such message after index since.
export function waitForMail(smtp, to, { subject, since = 0, timeout = 15000 } = {}) {
  return waitFor(() => mailsTo(smtp, to, { since, subject })[0], {
    timeout,
    what: `a mail to ${to}${subject ? ` with subject ${subject}` : ''} (got: ${smtp.messages
      .slice(since)
      .map((m) => `${m.to} "${m.subject}"`)
      .join('; ')})`,
  });
}

export const SUBJECT = {
  confirm: /Bitte bestätigen Sie Ihre E-Mail-Adresse|Please confirm your e-mail address/i,
  exists: /Sie haben bereits ein Konto|already have an account/i,
  locked: /vorübergehend gesperrt|temporarily (locked|blocked)/i,
  reset: /Neues Passwort festlegen|new password/i,
  passwordChanged: /Ihr Passwort wurde geändert|password (was|has been) changed/i,
  emailNew: /Bitte bestätigen Sie Ihre neue E-Mail-Adresse|confirm your new e-mail/i,
  deleted: /Ihr Konto wurde gelöscht|account (was|has been) deleted/i,
};

// ---- HTML readers ------------------------------------------------------------------

// The text inside <main>, tags removed, entities decoded, white space collapsed.
export function mainText(html) {
  const m = /<main\b[^>]*>([\s\S]*?)<\/main>/i.exec(html);
  const inner = m ? m[1] : html;
  return decodeEntities(inner.replace(/<script\b[\s\S]*?<\/script>/gi, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

// The <main> markup with the per-visitor CSRF token taken out, to compare two answers.
export function mainWithoutToken(html) {
  const m = /<main\b[^>]*>([\s\S]*?)<\/main>/i.exec(html);
  return (m ? m[1] : html).replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""').replace(/data-csrf="[^"]*"/g, '');
}

// The error summary (role=alert list) as [{href, text}].
export function errorSummary(html) {
  const m = /<div\b[^>]*class="[^"]*form-errors[^"]*"[^>]*>([\s\S]*?)<\/div>\s*<\/div>/i.exec(html);
  if (!m) return [];
  return [...m[1].matchAll(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi)].map((x) => ({
    href: decodeEntities(x[1]),
    text: decodeEntities(x[2].replace(/<[^>]+>/g, '')).trim(),
  }));
}

// The input/checkbox element for a field name: {tag, attrs…}
export function inputByName(html, name) {
  const re = new RegExp(`<(input|textarea|select)\\b[^>]*\\bname="${name}"[^>]*>`, 'i');
  const m = re.exec(html);
  if (!m) return null;
  const a = {};
  for (const x of m[0].matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) a[x[1].toLowerCase()] = decodeEntities(x[2] ?? '');
  return a;
}

// The per-field message of a field: the text of #<id>-fehler.
export function fieldError(html, name) {
  const input = inputByName(html, name);
  if (!input?.id) return null;
  const re = new RegExp(`id="${input.id}-fehler"[^>]*>([\\s\\S]*?)</p>`, 'i');
  const m = re.exec(html);
  return m ? decodeEntities(m[1].replace(/<[^>]+>/g, '')).trim() : null;
}

export function location(res) {
  return res.headers.location ?? '';
}

// ---- TOTP (RFC 6238 on RFC 4226: HMAC-SHA1, 30 s steps, 6 digits) -----------------------

export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// hotp(key, counter) → 6-digit string
export function hotp(key, counter) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', key).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

export const TOTP_STEP = 30;

// totpCode(base32Key, unixSeconds = now) → the code of that moment
export function totpCode(base32Key, seconds = Date.now() / 1000) {
  return hotp(base32Decode(base32Key), Math.floor(seconds / TOTP_STEP));
}

// A TOTP app that never offers the same step twice. The server accepts the
// steps now-1 … now+1 and refuses any step at or before the last one used, so
// next() takes the earliest step after the last one that is still inside that
// window when the request arrives, and waits for the clock only when the window
// is used up.
export class Totp {
  constructor(key, lastStep = -1) {
    this.key = key.replace(/\s+/g, '');
    this.lastStep = lastStep;
  }

  codeAt(step) {
    return hotp(base32Decode(this.key), step);
  }

  // → {code, step}; marks the step used.
  async nextWithStep() {
    for (;;) {
      const t = Date.now() / 1000;
      const now = Math.floor(t / TOTP_STEP);
      const into = t - now * TOTP_STEP; // seconds into the current step
      // The previous step is safe only if the request arrives before the boundary.
      const earliest = into > TOTP_STEP - 4 ? now : now - 1;
      const step = Math.max(this.lastStep + 1, earliest);
      if (step <= now + 1) {
        this.lastStep = step;
        return { code: this.codeAt(step), step };
      }
      // step is now + 2 or later: wait until it is inside the window.
      await sleep(((step - 1) * TOTP_STEP - t) * 1000 + 300);
    }
  }

  async next() {
    return (await this.nextWithStep()).code;
  }
}

// ---- flows ------------------------------------------------------------------------------

// register(client, {email, password, password2, consent}) → the answer to the POST
export async function register(c, { email, password, password2 = password, consent = true }) {
  await c.page('/konto/registrieren');
  const fields = [
    ['email', email],
    ['passwort', password],
    ['passwort2', password2],
  ];
  if (consent) fields.push(['datenschutz', '1']);
  return c.post('/konto/registrieren', fields);
}

// confirmWith(client, linkPath) — opens the link (a page with a button) and
// presses the button. → the answer to the POST (303 to /konto?willkommen=1).
export async function confirmWith(c, link) {
  const page = await c.fetch(link);
  if (page.status !== 200) throw new Error(`GET ${link}: ${page.status}: ${mainText(page.text).slice(0, 300)}`);
  return c.post('/konto/bestaetigen', [['token', tokenOf(link)]]);
}

// registerAndConfirm(srv, smtp, {email, password, client}) → {client, email, password, id}
// The client is signed in afterwards (the confirmation signs in).
export async function registerAndConfirm(srv, smtp, opts = {}) {
  const email = opts.email ?? uniqueEmail(opts.tag);
  const password = opts.password ?? newPassword();
  const c = opts.client ?? accountClient(srv);
  const since = smtp.messages.length;
  const r = await register(c, { email, password });
  if (r.status !== 200) throw new Error(`registration of ${email}: ${r.status}: ${mainText(r.text).slice(0, 400)}`);
  const mail = await waitForMail(smtp, email, { subject: SUBJECT.confirm, since });
  const done = await confirmWith(c, linkPath(mail, '/konto/bestaetigen'));
  if (done.status !== 303) throw new Error(`confirmation of ${email}: ${done.status}: ${mainText(done.text).slice(0, 300)}`);
  const id = await userId(srv, email);
  return { client: c, email, password, id };
}

// userId(srv, email) → the live account's id (from the database)
export async function userId(srv, email) {
  const rows = await srv.query(`SELECT id FROM users WHERE email = '${email.replace(/'/g, "''")}' AND deleted_at IS NULL`);
  return rows.length ? Number(rows[0][0]) : null;
}

// login(client, login, password, {totp, next, code}) → the last answer: 303 to
// the target when it worked. With an enrolled second factor the code comes from
// totp (a Totp) or code (a fixed string, e.g. a recovery code).
export async function login(c, loginName, password, opts = {}) {
  await c.ensureCsrf();
  const fields = [
    ['login', loginName],
    ['passwort', password],
  ];
  if (opts.next) fields.push(['weiter', opts.next]);
  const r = await c.post('/konto/anmelden', fields);
  if (r.status === 303 && location(r).startsWith('/konto/anmelden/code')) {
    if (!opts.totp && !opts.code) return r;
    const page = await c.fetch(location(r));
    if (page.status !== 200) throw new Error(`GET ${location(r)}: ${page.status}`);
    const code = opts.code ?? (await opts.totp.next());
    const weiter = new URL(location(r), 'http://x').searchParams.get('weiter') ?? '/konto';
    return c.post('/konto/anmelden/code', [
      ['code', code],
      ['weiter', weiter],
    ]);
  }
  return r;
}

// loginOk(…) — login() that must end signed in.
export async function loginOk(c, loginName, password, opts = {}) {
  const r = await login(c, loginName, password, opts);
  if (r.status !== 303 || location(r).startsWith('/konto/anmelden'))
    throw new Error(`sign-in of ${loginName} failed: ${r.status} ${location(r)} ${mainText(r.text).slice(0, 300)}`);
  return r;
}

export async function logout(c) {
  return c.post('/konto/abmelden', []);
}

// Whether the client is signed in, as the server sees it: /konto answers 200.
export async function signedIn(c) {
  const r = await c.fetch('/konto');
  return r.status === 200;
}

// The key shown on the enrolment page (<code class="totp-secret">, spaces every 4).
export function totpKeyFromPage(html) {
  const m = /<code\b[^>]*class="[^"]*totp-secret[^"]*"[^>]*>([^<]+)<\/code>/i.exec(html);
  if (!m) throw new Error(`no <code class="totp-secret"> on the page: ${mainText(html).slice(0, 300)}`);
  return decodeEntities(m[1]).replace(/\s+/g, '');
}

export function recoveryCodesFromPage(html) {
  const m = /<ul\b[^>]*class="[^"]*recovery-codes[^"]*"[^>]*>([\s\S]*?)<\/ul>/i.exec(html);
  if (!m) return [];
  return [...m[1].matchAll(/<code>([^<]+)<\/code>/g)].map((x) => decodeEntities(x[1]).trim());
}

// enrolTotp(client) → {totp, recoveryCodes, page}: the second factor switched
// on through the pages, as a person with an authenticator app does it.
export async function enrolTotp(c) {
  await c.page('/konto/sicherheit');
  const start = await c.post('/konto/sicherheit/2fa/start', []);
  let html = start.text;
  if (start.status === 303) html = (await c.page(location(start))).text;
  else if (start.status !== 200) throw new Error(`POST /konto/sicherheit/2fa/start: ${start.status}`);
  const key = totpKeyFromPage(html);
  const totp = new Totp(key);
  const done = await c.post('/konto/sicherheit/2fa/bestaetigen', [['code', await totp.next()]]);
  if (done.status !== 200) throw new Error(`POST /konto/sicherheit/2fa/bestaetigen: ${done.status}: ${mainText(done.text).slice(0, 300)}`);
  const recoveryCodes = recoveryCodesFromPage(done.text);
  return { totp, key, recoveryCodes, page: done };
}

// ---- staff accounts --------------------------------------------------------------------

// runCli(srv, args, {input}) → {code, out}: `rathaus ARGS` on the server's database.
export function runCli(srv, args, { input = '', timeout = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    // The database through the environment, so that ARGS stay exactly as a person types them.
    const p = spawn(BIN, args, {
      cwd: REPO,
      env: { ...process.env, RATHAUS_DATABASE_URL: srv.dbUrl, RATHAUS_DATA_DIR: srv.dataDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeout);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
    p.stdin.end(input);
  });
}

// sqlWrite(srv, sql) — a change the test makes directly in the database, where
// waiting for real time would make a suite slow (see the callers).
export function sqlWrite(srv, sql) {
  if (srv.dbUrl.startsWith('postgres')) return psql(srv.dbUrl, sql);
  return new Promise((resolve, reject) =>
    execFile('sqlite3', ['-cmd', '.timeout 10000', srv.dbUrl.replace(/^sqlite:/, ''), sql], { timeout: 20000 }, (e, so, se) =>
      e ? reject(new Error(`sqlite3 ${JSON.stringify(sql)}: ${se || e.message}`)) : resolve(so.trim()),
    ),
  );
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

// unitId(srv, slug) → the id of an organisation unit (`rathaus demo` makes
// buergeramt, bauamt, hauptamt and stadtforschung: start the server with demo: true).
export async function unitId(srv, slug) {
  const rows = await srv.query(`SELECT id FROM units WHERE slug = ${q(slug)}`);
  if (!rows.length) throw new Error(`no unit ${slug} (start the server with demo: true, or \`rathaus unit add\`)`);
  return Number(rows[0][0]);
}

// createStaff(srv, {email, name, role, unit, password}) → {email, password, id}
// through `rathaus user add --email E --name N --role R [--unit SLUG] --password-stdin`,
// as an operator makes the first accounts.
export async function createStaff(srv, { email = uniqueEmail('staff'), name = 'Test Mitarbeiterin', role, unit, password = newPassword() }) {
  const args = ['user', 'add', '--email', email, '--name', name, '--role', role, '--password-stdin'];
  if (unit) args.splice(8, 0, '--unit', unit);
  const r = await runCli(srv, args, { input: password + '\n' });
  if (r.code !== 0) throw new Error(`rathaus ${args.join(' ')} failed (exit ${r.code}):\n${r.out}`);
  return { email, password, id: await userId(srv, email) };
}

// permissionsOf(srv, userId) → Set of permission strings the user holds (any unit).
export async function permissionsOf(srv, uid) {
  const rows = await srv.query(
    `SELECT DISTINCT rp.permission FROM user_roles ur JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.user_id = ${uid}`,
  );
  return new Set(rows.map((r) => r[0]));
}

// signInStaff(srv, staff, {enrol}) → {client, totp}: signs in; enrols the second
// factor through the pages when the account needs one (admins) or enrol is set,
// and signs in again with a code so the session is a two-factor one.
export async function signInStaff(srv, staff, { enrol = false } = {}) {
  const c = accountClient(srv);
  let totp = staff.totp ?? null;
  const r = await login(c, staff.email, staff.password, { totp });
  if (r.status !== 303 || location(r).startsWith('/konto/anmelden'))
    throw new Error(`sign-in of ${staff.email}: ${r.status} ${location(r)} ${mainText(r.text).slice(0, 300)}`);
  const needs = enrol || /pflicht|2fa/.test(location(r));
  if (!totp && needs) {
    const e = await enrolTotp(c);
    totp = e.totp;
    staff.totp = totp;
    staff.recoveryCodes = e.recoveryCodes;
    await logout(c);
    await loginOk(c, staff.email, staff.password, { totp });
  }
  return { client: c, totp };
}

// ---- raw probe for the route matrix ------------------------------------------------------

// probe(client, method, path, {body, headers}) → {status, headers, text}: like
// client.fetch, but an event stream is closed as soon as its headers arrive.
export function probe(c, method, p, { body, headers = {}, timeout = 15000 } = {}) {
  const url = new URL(p, c.base);
  const h = { ...c.headers, ...headers };
  if (c.ip) h['x-forwarded-for'] = c.ip;
  if (c.cookies.size) h.cookie = c.cookieHeader();
  let buf = body;
  if (typeof buf === 'string') buf = Buffer.from(buf);
  if (buf) h['content-length'] = String(buf.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: h, agent: false }, (res) => {
      const ct = res.headers['content-type'] ?? '';
      const chunks = [];
      const done = () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const out = { status: res.statusCode, headers: res.headers, text, body: Buffer.concat(chunks) };
        c.absorb(out);
        resolve(out);
      };
      if (ct.startsWith('text/event-stream')) {
        res.destroy();
        done();
        return;
      }
      res.on('data', (d) => chunks.push(d));
      res.on('end', done);
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${p}: no answer within ${timeout} ms`)), timeout);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(buf);
  });
}

// ---- audit log ----------------------------------------------------------------------------

// auditRows(srv, uid) → [{action, actor, ip, detail}] of the entries about user uid, oldest first.
export async function auditRows(srv, uid) {
  const rows = await srv.query(`SELECT action, actor, ip, detail FROM audit_log WHERE object = 'user:${uid}' ORDER BY id`);
  return rows.map(([action, actor, ip, ...rest]) => ({ action, actor, ip, detail: rest.join('|') }));
}

// The routes the server declares (GET /_test/routes).
export async function routeTable(srv) {
  const r = await srv.get('/_test/routes');
  if (r.status !== 200) throw new Error(`GET /_test/routes: ${r.status}`);
  return JSON.parse(r.text).routes;
}

// ---- browser ------------------------------------------------------------------------------

// shareSession(context, client) — gives a browser context the cookies of a
// client that signed in over HTTP (sid, csrf), so a browser test need not type
// a password for every page it looks at.
export async function shareSession(context, c) {
  await context.addCookies([...c.cookies].map(([name, value]) => ({ name, value, url: c.base })));
}

// A context's own client address, as for AccountClient (the servers trust X-Forwarded-For).
export function contextHeaders(ip = randomIp()) {
  return { 'x-forwarded-for': ip };
}

// The roles an account holds, as sorted 'role' or 'role@unit-slug' strings.
export async function roleGrants(srv, uid) {
  return (
    await srv.query(
      `SELECT r.name, COALESCE(u.slug, '') FROM user_roles ur JOIN roles r ON r.id = ur.role_id LEFT JOIN units u ON u.id = ur.unit_id WHERE ur.user_id = ${uid} ORDER BY r.name, u.slug`,
    )
  ).map(([role, unit]) => (unit ? `${role}@${unit}` : role));
}

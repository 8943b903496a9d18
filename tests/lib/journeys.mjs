// journeys.mjs — a person in a real browser for the end-to-end journeys of the
// Online-Dienste (tests/browser/services-journeys.test.mjs): one browser context
// per person (own cookies, own client address for the throttles), pages reached
// by clicking and typing, and on every page reached a check that collects what
// is wrong instead of stopping the journey: the HTTP status, <html lang>, one
// h1, console errors and CSP refusals, and axe-core (WCAG 2.1 A/AA).
//
//   const anna = await Person.open(browser, srv.base, 'Anna');
//   await anna.goto('/konto/registrieren');
//   await anna.fill('[name="email"]', email);
//   await anna.submit('form[action="/konto/registrieren"] button[type="submit"]');
//   …
//   assert.deepEqual(anna.problems, []);        // at the end of the journey
//
// Steps: journeySteps(t) gives step(name, fn): each step is a subtest named
// after what the person does, and once one fails the later ones are reported
// as skipped (they depend on it) instead of failing for the same reason.

import { readFile } from 'node:fs/promises';
import { contextHeaders, linkPath, SUBJECT, waitForMail } from './account.mjs';
import { formatViolations, newContext, runAxe, watchPage } from './browser.mjs';

// The date of today in Mainz (yyyy-mm-dd), as the server counts days.
export function todayInMainz(offsetDays = 0) {
  const t = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}

// journeySteps(t) → step(name, fn). A failing step fails the journey; the
// steps after it are skipped with the name of the step that broke.
export function journeySteps(t) {
  let broken = null;
  return async function step(name, fn) {
    if (broken) {
      await t.test(name, { skip: `needs the step "${broken}", which failed` }, () => {});
      return;
    }
    await t.test(name, async () => {
      try {
        await fn();
      } catch (e) {
        broken = name;
        throw e;
      }
    });
  };
}

export class Person {
  // Person.open(browser, base, name) — a fresh context (German, own address).
  static async open(browser, base, name, opts = {}) {
    const ctx = await newContext(browser, { extraHTTPHeaders: contextHeaders(), acceptDownloads: true, ...opts });
    const page = await ctx.newPage();
    return new Person(name, base, ctx, page);
  }

  constructor(name, base, ctx, page) {
    this.name = name;
    this.base = base;
    this.ctx = ctx;
    this.page = page;
    this.watch = watchPage(page);
    this.problems = []; // what the checks found, each with the page it was on
    this.checked = 0; // pages checked with axe
    this.seen = new Set(); // "address status" of the pages this person checked
  }

  path() {
    const u = new URL(this.page.url());
    return u.pathname + u.search;
  }

  // check(label) — the page as it is now: language, one h1, console, axe.
  async check(label = this.path(), key = label) {
    const where = `${this.name} on ${label}`;
    await this.page.waitForTimeout(30); // late console messages
    this.watch.pause();
    this.problems.push(...this.watch.errors.filter((e) => !/net::ERR_ABORTED$/.test(e)).map((e) => `${where}: ${e}`));
    this.watch.errors.length = 0;
    const lang = await this.page.evaluate(() => document.documentElement.lang);
    if (lang !== 'de') this.problems.push(`${where}: <html lang="${lang}">, expected de`);
    const h1 = await this.page.locator('h1').count();
    if (h1 !== 1) this.problems.push(`${where}: ${h1} h1 elements, expected 1`);
    const v = await runAxe(this.page);
    if (v.length) this.problems.push(`axe, ${where}:\n${formatViolations(v)}`);
    this.checked++;
    this.seen.add(key);
    this.watch.resume();
  }

  // goto(path, {status, check}) — types an address; → the response.
  async goto(p, { status = 200, check = true } = {}) {
    this.watch.errors.length = 0;
    this.watch.resume();
    const res = await this.page.goto(this.base + p, { waitUntil: 'load' });
    if (res.status() !== status) throw new Error(`${this.name}: GET ${p} answered ${res.status()}, expected ${status}: ${(await this.mainText()).slice(0, 400)}`);
    if (check) await this.checkIfNew(res.status());
    return res;
  }

  // navigate(action, {status, check}) — does what leads to a new page (a click
  // on a link or a button), waits for it, checks it; → the final response.
  async navigate(action, { status = 200, check = true, what = 'the click' } = {}) {
    this.watch.errors.length = 0;
    this.watch.resume();
    let res;
    try {
      [res] = await Promise.all([this.page.waitForNavigation({ waitUntil: 'load', timeout: 30000 }), action()]);
    } catch (e) {
      throw new Error(`${this.name}: ${what} on ${this.path()} led nowhere: ${e.message.split('\n')[0]}`);
    }
    if (!res) throw new Error(`${this.name}: ${what} led to no new page (still ${this.path()})`);
    if (res.status() !== status)
      throw new Error(`${this.name}: ${what} ended on ${this.path()} with ${res.status()}, expected ${status}: ${(await this.mainText()).slice(0, 600)}`);
    if (check) await this.checkIfNew(res.status());
    return res;
  }

  // checkIfNew(status) — check() unless this person checked this address
  // with this status before (the case page after each status change, the
  // start page on the way to an area). Console errors are looked at either way.
  async checkIfNew(status) {
    const key = `${this.path()} ${status}`;
    if (!this.seen.has(key)) return this.check(this.path(), key);
    await this.page.waitForTimeout(30);
    this.problems.push(...this.watch.errors.filter((e) => !/net::ERR_ABORTED$/.test(e)).map((e) => `${this.name} on ${this.path()}: ${e}`));
    this.watch.errors.length = 0;
  }

  // click(selector) — a link or a button that leads to a new page.
  click(selector, opts = {}) {
    const target = typeof selector === 'string' ? this.page.locator(selector).first() : selector;
    return this.navigate(() => target.click(), { what: `the click on ${selector}`, ...opts });
  }

  // link(text) — follows the first link in <main> whose visible text contains text.
  link(text, opts = {}) {
    return this.click(this.page.locator('main a').filter({ hasText: text }).first(), { what: `the link "${text}"`, ...opts });
  }

  // nav(href) — a link of the main navigation in the header; what the header
  // does not list (it shows fewer areas to visitors without an account) is
  // found among the areas on the start page, through the header's home link.
  async nav(href, opts = {}) {
    const inHeader = this.page.locator(`nav.site-nav a[href="${href}"]`);
    if ((await inHeader.count()) > 0) return this.click(inHeader.first(), opts);
    if (this.path() !== '/') await this.click('header a.site-header__home');
    return this.click(`main a[href="${href}"]`, opts);
  }

  async fill(selector, value) {
    await this.page.locator(selector).first().fill(value);
  }

  async mainText() {
    return (await this.page.locator('main').first().innerText().catch(() => '')).replace(/\s+/g, ' ');
  }

  // download(selector) → {body, filename, url, type}: a link marked `download` (the
  // iCalendar file) is clicked and the file the browser saves is read. A link
  // to a document the browser would show itself (a PDF served inline) is
  // fetched with the person's cookies, as the browser's PDF viewer fetches it.
  async download(selector) {
    const link = typeof selector === 'string' ? this.page.locator(selector).first() : selector;
    if ((await link.getAttribute('download')) === null) {
      const href = await link.getAttribute('href');
      const res = await this.ctx.request.get(new URL(href, this.page.url()).href);
      if (res.status() !== 200) throw new Error(`${this.name}: ${href} answered ${res.status()}`);
      return { body: await res.body(), filename: href.split('/').pop(), url: res.url(), type: res.headers()['content-type'] };
    }
    this.watch.pause(); // the aborted navigation of a download is no page error
    const [dl] = await Promise.all([this.page.waitForEvent('download', { timeout: 30000 }), link.click()]);
    const file = await dl.path();
    const failure = await dl.failure();
    this.watch.resume();
    if (failure) throw new Error(`${this.name}: download from ${dl.url()} failed: ${failure}`);
    return { body: await readFile(file), filename: dl.suggestedFilename(), url: dl.url() };
  }

  // fetch(path) — what the browser gets for an address with this person's
  // cookies, without showing it (for status codes of addresses not linked).
  async fetch(p, { method = 'GET', form } = {}) {
    const res = method === 'GET' ? await this.ctx.request.get(this.base + p, { maxRedirects: 0 }) : await this.ctx.request.post(this.base + p, { form, maxRedirects: 0 });
    return { status: res.status(), headers: res.headers(), body: await res.body() };
  }

  // csrf() — the token the page's forms carry.
  csrf() {
    return this.page.locator('input[name="_csrf"]').first().inputValue();
  }

  close() {
    return this.ctx.close();
  }
}

// registerInBrowser(person, smtp, {email, password}) — the registration page,
// the link from the confirmation mail, the confirm button: signed in after it.
export async function registerInBrowser(person, smtp, { email, password }) {
  await person.goto('/');
  await person.click('header a[href="/konto/registrieren"]');
  await person.fill('[name="email"]', email);
  await person.fill('[name="passwort"]', password);
  await person.fill('[name="passwort2"]', password);
  await person.page.locator('[name="datenschutz"]').check();
  const since = smtp.messages.length;
  await person.click('form[action="/konto/registrieren"] button[type="submit"]');
  const mail = await waitForMail(smtp, email, { since, subject: SUBJECT.confirm });
  await person.goto(linkPath(mail, '/konto/bestaetigen'));
  await person.click('form[action="/konto/bestaetigen"] button[type="submit"]');
  if (!/Willkommen/.test(await person.mainText())) throw new Error(`${person.name}: no welcome after the confirmation: ${await person.mainText()}`);
}

// signInInBrowser(person, email, password) — the sign-in page from the header link.
export async function signInInBrowser(person, email, password) {
  await person.goto('/');
  await person.click('header a[href="/konto/anmelden"]');
  await person.fill('[name="login"]', email);
  await person.fill('[name="passwort"]', password);
  await person.click('form[action="/konto/anmelden"] button[type="submit"]');
  if ((await person.page.locator('form[action="/konto/abmelden"]').count()) === 0) throw new Error(`${person.name}: not signed in after the sign-in form: ${await person.mainText()}`);
}

// The step form's "Weiter" on an application step; → the response.
export function weiter(person, opts = {}) {
  return person.click('form.apply-form button[name="_aktion"][value="weiter"]', opts);
}

// keyboard.test.mjs — the start page with the keyboard alone (WCAG 2.1.1,
// 2.4.1, 2.4.3, 2.4.7): the first Tab lands on a visible skip link, Enter on it
// moves to <main id="inhalt">, the next Tab is inside main, every link on the
// page can be reached with Tab, and focus is always visible.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testCleanExit } from '../lib/server.mjs';
import { launchBrowser, switchLanguage, newContext } from '../lib/browser.mjs';

// What has the focus now: tag, text, href, whether it sits inside main, and
// whether the focus is drawn (outline or box-shadow).
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const main = document.getElementById('inhalt');
    const cs = el ? getComputedStyle(el) : null;
    const r = el ? el.getBoundingClientRect() : null;
    return {
      tag: el?.tagName.toLowerCase(),
      id: el?.id,
      text: (el?.innerText ?? '').trim(),
      href: el?.getAttribute('href'),
      inMain: !!(main && el && main.contains(el) && el !== main),
      isMain: el === main,
      rect: r && { x: r.x, y: r.y, w: r.width, h: r.height },
      visibleFocus:
        !!cs && ((cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none')),
      key: el ? el.outerHTML.slice(0, 120) : '',
    };
  });

describe('keyboard on the start page', { timeout: 120000 }, () => {
  let srv;
  let browser;
  before(async () => {
    srv = await startServer({ engine: 'sqlite' });
    browser = await launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
    if (srv) await srv.stopAndCheck();
  });

  async function freshPage() {
    const ctx = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(srv.base + '/');
    return { ctx, page };
  }

  test('first Tab: the visible skip link "Zum Inhalt springen"', async () => {
    const { ctx, page } = await freshPage();
    await page.keyboard.press('Tab');
    const f = await focused(page);
    await ctx.close();
    assert.equal(f.tag, 'a', `focus on ${f.key}`);
    assert.equal(f.text, 'Zum Inhalt springen');
    assert.equal(f.href, '#inhalt');
    assert.ok(f.rect.w >= 20 && f.rect.h >= 10 && f.rect.y >= 0 && f.rect.y < 800, `skip link not visible when focused: ${JSON.stringify(f.rect)}`);
    assert.ok(f.visibleFocus, 'the focused skip link shows no focus indicator');
  });

  test('Enter on the skip link moves to main; the next Tab is inside main', async () => {
    const { ctx, page } = await freshPage();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#inhalt');
    const afterEnter = await focused(page);
    // The browser scrolls main to the top as far as the page's length allows;
    // either way main must now be in view.
    const mainTop = await page.evaluate(() => document.getElementById('inhalt').getBoundingClientRect().top);
    assert.ok(afterEnter.isMain || (mainTop >= -1 && mainTop < 400), `main is not in view after Enter (top ${mainTop})`);
    await page.keyboard.press('Tab');
    const next = await focused(page);
    await ctx.close();
    assert.ok(next.inMain, `after the skip link, Tab went to ${next.key}, outside main`);
  });

  test('Tab reaches every link on the page, each with a visible focus', async () => {
    const { ctx, page } = await freshPage();
    const visibleLinks = await page.$$eval('a[href]', (as) =>
      as.filter((a) => a.getClientRects().length > 0 && getComputedStyle(a).visibility !== 'hidden').map((a) => a.outerHTML.slice(0, 120)),
    );
    const inMain = await page.$$eval('#inhalt a[href]', (as) => as.length);
    assert.ok(inMain >= 1, 'main has no link to follow');
    const total = await page.$$eval('a[href], button, input, select, textarea, [tabindex]', (els) => els.length);
    const reached = new Set();
    const noFocusRing = [];
    for (let i = 0; i < total + 5; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (f.tag === 'a') {
        reached.add(f.key);
        if (!f.visibleFocus) noFocusRing.push(f.key);
      }
    }
    await ctx.close();
    const missing = visibleLinks.filter((k) => !reached.has(k));
    assert.deepEqual(missing, [], 'links that Tab never reached');
    assert.deepEqual(noFocusRing, [], 'links without a visible focus indicator');
  });

  test('in English the skip link is there and translated', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(srv.base + '/');
    await switchLanguage(page, 'en');
    await page.goto(srv.base + '/');
    await page.keyboard.press('Tab');
    const f = await focused(page);
    await ctx.close();
    assert.equal(f.href, '#inhalt');
    assert.ok(f.text && f.text !== 'Zum Inhalt springen', `English skip link text: ${f.text}`);
  });

  testCleanExit(() => srv);
});

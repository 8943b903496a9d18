// services-catalogue.test.mjs — the service catalogue ("Leistungen A–Z") as a
// citizen and a machine client see it, on SQLite and PostgreSQL with the demo
// data: the A–Z list in German dictionary order, every service, life-situation
// and Leichte-Sprache page, German search (plural, umlauts and their
// transliteration, declension) with the expected first hit and — across the two
// engines — identical result lists, the 200-character limit from both sides,
// nothing found, unknown addresses, the JSON API with its paging and its cap,
// and `rathaus services import`: refused files change nothing, a changed entry
// is found by its new words and no longer by its old ones, fee rules files.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, forEachEngine, testCleanExit, engines, BIN, REPO } from '../lib/server.mjs';
import { links, forms, decodeEntities } from '../lib/http.mjs';
import { assertHtmlPage, assertJsonError, assertSecurityHeaders } from '../lib/checks.mjs';
import { spawn } from 'node:child_process';
import { errorSummary, inputByName, mainText } from '../lib/account.mjs';

// The searches a citizen would type, with the service that must come first.
const SEARCHES = [
  { q: 'Reisepässe', first: 'reisepass' },
  { q: 'Reisepaesse', first: 'reisepass' },
  { q: 'ferienwohnungen', first: 'zweckentfremdung-genehmigung', alsoTop: ['zweckentfremdung-meldung'] },
  { q: 'Personalausweis', first: 'personalausweis' },
  { q: 'umzug', first: 'wohnsitz-anmelden' },
  { q: 'anmelden', first: 'wohnsitz-anmelden' },
  { q: 'Reisepass beantragen', first: 'reisepass' },
  { q: 'kfz-zulassung', first: 'fahrzeug-zulassen' },
];

// Result lists per engine, compared after both suites ran.
const resultsByEngine = {};

const enc = encodeURIComponent;

// `rathaus ARGS` on the server's database → {code, out}. No stdin: the importer
// reads nothing from it, and a process that ends at once must not break a write.
function runCli(srv, args, timeout = 60000) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, {
      cwd: REPO,
      env: { ...process.env, RATHAUS_DATABASE_URL: srv.dbUrl, RATHAUS_DATA_DIR: srv.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
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
  });
}

// The full result list of a search through the API: [[slug, score], …] over all pages.
async function apiSearch(srv, q) {
  const out = [];
  let next = `/api/v1/leistungen?q=${enc(q)}&limit=100`;
  for (let guard = 0; next && guard < 20; guard++) {
    const res = await srv.get(next);
    assert.equal(res.status, 200, `${next}: ${res.text.slice(0, 200)}`);
    const j = JSON.parse(res.text);
    for (const it of j.items) out.push([it.slug, it.score]);
    next = j.next;
  }
  return out;
}

// The slugs a result page links to, in page order (service links only).
function resultSlugs(html) {
  const m = /<ol class="kern-list catalogue-results"[\s\S]*?<\/ol>/.exec(html);
  if (!m) return [];
  return links(m[0])
    .filter((h) => /^\/leistungen\/[a-z0-9-]+$/.test(h))
    .map((h) => h.slice('/leistungen/'.length));
}

function h1(html) {
  const m = /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  return m ? decodeEntities(m[1].replace(/<[^>]+>/g, '').trim()) : null;
}

// German dictionary order as the catalogue promises it: ä = a, ö = o, ü = u, ß = ss, case ignored.
function dictKey(s) {
  return s
    .toLowerCase()
    .replace(/ä/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/ü/g, 'u')
    .replace(/ß/g, 'ss');
}

forEachEngine((engine) => {
  let srv;
  let catalogue; // every service of the demo catalogue, from the API
  before(async () => {
    srv = await startServer({ engine, demo: true });
    const res = await srv.get('/api/v1/leistungen?limit=100');
    catalogue = JSON.parse(res.text).items;
  });
  after(() => srv?.stopAndCheck());

  test('the demo catalogue holds at least 30 services, among them the ones other parts rely on', () => {
    assert.ok(catalogue.length >= 30, `only ${catalogue.length} services`);
    const slugs = catalogue.map((s) => s.slug);
    for (const s of ['reisepass', 'personalausweis', 'wohnsitz-anmelden', 'meldebescheinigung', 'zweckentfremdung-genehmigung', 'zweckentfremdung-meldung'])
      assert.ok(slugs.includes(s), `${s} missing`);
  });

  test('the services the other parts rely on have the agreed settings', async () => {
    const rows = await srv.query(
      "SELECT s.slug, u.slug, s.form_key, s.workflow, s.appointments, s.min_trust, s.maturity, s.four_eyes FROM services s JOIN units u ON u.id = s.unit_id WHERE s.slug IN ('reisepass', 'zweckentfremdung-genehmigung', 'zweckentfremdung-meldung', 'meldebescheinigung', 'personalausweis', 'wohnsitz-anmelden') ORDER BY s.slug",
    );
    const by = Object.fromEntries(rows.map((r) => [r[0], r.slice(1)]));
    assert.deepEqual(by['reisepass'], ['buergeramt', 'reisepass', 'reisepass', '1', '1', '2', '0']);
    assert.deepEqual(by['zweckentfremdung-genehmigung'].slice(0, 3), ['bauamt', 'zweckentfremdung-genehmigung', 'zweckentfremdung']);
    assert.equal(by['zweckentfremdung-genehmigung'][4], '1'); // min_trust
    assert.equal(by['zweckentfremdung-genehmigung'][6], '1'); // four_eyes
    assert.deepEqual(by['zweckentfremdung-meldung'].slice(0, 3), ['bauamt', 'zweckentfremdung-meldung', 'meldung']);
    assert.equal(by['zweckentfremdung-meldung'][4], '0'); // anonymous allowed
    assert.deepEqual(by['meldebescheinigung'].slice(0, 3), ['buergeramt', 'meldebescheinigung', 'standard']);
    assert.equal(by['meldebescheinigung'][4], '2'); // substantiell
    assert.equal(by['personalausweis'][1], ''); // no online form
    assert.equal(by['personalausweis'][3], '1'); // appointments
    assert.equal(by['wohnsitz-anmelden'][3], '1');
  });

  test('A–Z: a complete page with letters, life situations, search box, in German dictionary order', async () => {
    const res = await srv.get('/leistungen');
    assertHtmlPage(res, 200, 'GET /leistungen');
    assertSecurityHeaders(res, 'GET /leistungen');
    assert.equal(h1(res.text), 'Leistungen von A bis Z');
    const hrefs = links(res.text);
    const serviceLinks = hrefs.filter((h) => /^\/leistungen\/[a-z0-9-]+$/.test(h) && !h.startsWith('/leistungen/suche'));
    for (const s of catalogue) assert.ok(serviceLinks.includes(s.url), `A–Z lacks ${s.url}`);
    // The letter navigation points at headings that exist.
    const letterLinks = hrefs.filter((h) => h.startsWith('#buchstabe-'));
    assert.ok(letterLinks.length >= 10, `letter links: ${letterLinks}`);
    for (const l of letterLinks) assert.ok(res.text.includes(`id="${l.slice(1)}"`), `no target for ${l}`);
    assert.ok(hrefs.includes('/leistungen/lebenslagen/umzug'), 'life situation Umzug missing');
    const search = forms(res.text).find((f) => f.action === '/leistungen/suche');
    assert.ok(search && search.method === 'get', 'no GET search form');
    assert.ok(search.inputs.some((i) => i.name === 'q'), 'search form without q');
    // Dictionary order: "Führerschein …" comes before "Fundsache …" (ü sorts as u),
    // which a byte-wise database collation would get wrong.
    const names = catalogue.map((s) => s.name);
    const sorted = [...names].sort((a, b) => (dictKey(a) < dictKey(b) ? -1 : dictKey(a) > dictKey(b) ? 1 : 0));
    assert.deepEqual(names, sorted, 'API A–Z order');
    const pos = (slug) => res.text.indexOf(`href="/leistungen/${slug}"`);
    assert.ok(pos('fuehrerschein-umtauschen') < pos('fundsachen'), 'Führerschein must come before Fundsache');
    assert.ok(pos('abgeschlossenheitsbescheinigung') < pos('zweckentfremdung-meldung'));
  });

  test('every service page renders with its unit, and only services with a form offer "Online beantragen"', async () => {
    for (const item of catalogue) {
      const res = await srv.get(item.url);
      assertHtmlPage(res, 200, `GET ${item.url}`);
      assert.equal(h1(res.text), item.name, `${item.url}: h1`);
      const api = JSON.parse((await srv.get(`/api/v1/leistungen/${item.slug}`)).text).service;
      assert.ok(api.unit.name && res.text.includes(api.unit.address.replace(/&/g, '&amp;')), `${item.url}: unit address`);
      const apply = forms(res.text).find((f) => f.action === `/leistungen/${item.slug}/antrag`);
      if (api.online_application) {
        assert.ok(apply && apply.method === 'post', `${item.url}: no POST form to /antrag`);
        assert.ok(apply.inputs.some((i) => i.name === '_csrf' && i.value.length > 10), `${item.url}: form without CSRF token`);
      } else {
        assert.equal(apply, undefined, `${item.url}: form although there is no form_key`);
      }
      const hrefs = links(res.text);
      if (api.appointments) assert.ok(hrefs.includes(`/termine?leistung=${item.slug}`), `${item.url}: no appointment link`);
      else assert.ok(!hrefs.some((h) => h.startsWith('/termine?leistung=')), `${item.url}: appointment link without appointments`);
      if (api.external_url) assert.ok(hrefs.includes(api.external_url), `${item.url}: external link`);
      if (api.easy_language_url) {
        assert.ok(hrefs.includes(api.easy_language_url), `${item.url}: Leichte Sprache link`);
        const easy = await srv.get(api.easy_language_url);
        assertHtmlPage(easy, 200, `GET ${api.easy_language_url}`);
      } else {
        assertHtmlPage(await srv.get(`${item.url}/leichte-sprache`), 404, `${item.url}/leichte-sprache`);
      }
      for (const d of api.documents) assert.ok(decodeEntities(res.text).includes(d), `${item.url}: document "${d}" not shown`);
    }
  });

  test('the passport page shows documents, fees, processing time, legal basis, Reifegrad and contact', async () => {
    const res = await srv.get('/leistungen/reisepass');
    const text = decodeEntities(mainText(res.text));
    for (const s of ['Welche Unterlagen brauchen Sie?', '70 €', '37,50 €', '+32 €', '+22 €', '+15 €', 'Wie lange dauert es?', 'Passgesetz',
      'Reifegrad 2 von 7', 'Zuständige Stelle', '06131 12-0', 'Öffnungszeiten', 'Leistungen von A bis Z'])
      assert.ok(text.includes(s), `passport page lacks "${s}"`);
    assert.ok(links(res.text).includes('tel:06131120'), 'no tel: link');
    assert.ok(links(res.text).some((h) => h.startsWith('mailto:')), 'no mailto: link');
  });

  test('every life situation page renders and lists its services', async () => {
    const situations = links((await srv.get('/leistungen')).text).filter((h) => h.startsWith('/leistungen/lebenslagen/'));
    assert.ok(situations.length >= 10, `only ${situations.length} life situations`);
    for (const p of new Set(situations)) {
      const res = await srv.get(p);
      assertHtmlPage(res, 200, `GET ${p}`);
    }
    const umzug = await srv.get('/leistungen/lebenslagen/umzug');
    assert.equal(h1(umzug.text), 'Umzug');
    assert.ok(links(umzug.text).includes('/leistungen/wohnsitz-anmelden'));
    const redirect = await srv.get('/leistungen/lebenslagen');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, '/leistungen#lebenslagen');
  });

  test('German search: the expected first hit, the query kept in the box, page and API agree', async () => {
    const lists = {};
    for (const { q, first, alsoTop } of SEARCHES) {
      const res = await srv.get(`/leistungen/suche?q=${enc(q)}`);
      assertHtmlPage(res, 200, `search ${q}`);
      assert.equal(inputByName(res.text, 'q')?.value, q, `${q}: the query is not kept in the box`);
      const slugs = resultSlugs(res.text);
      assert.equal(slugs[0], first, `${q}: first hit ${slugs[0]}, expected ${first}; all: ${slugs.join(' ')}`);
      for (const s of alsoTop ?? []) assert.ok(slugs.slice(0, 1 + alsoTop.length).includes(s), `${q}: ${s} not among the first`);
      const api = await apiSearch(srv, q);
      assert.deepEqual(slugs, api.slice(0, slugs.length).map(([s]) => s), `${q}: page and API differ`);
      const count = /(\d+) Leistungen gefunden|Eine Leistung gefunden/.exec(mainText(res.text));
      assert.ok(count, `${q}: no result count`);
      assert.equal(count[1] ? Number(count[1]) : 1, api.length, `${q}: count`);
      // Scores never rise down the list.
      for (let i = 1; i < api.length; i++) assert.ok(api[i - 1][1] >= api[i][1], `${q}: order of scores`);
      lists[q] = api;
    }
    // Small pages give the same order as large ones, also where scores tie at a page border.
    for (const q of ['anmelden', 'Reisepass beantragen', 'Mainz']) {
      const small = [];
      for (let offset = 0; offset < 60; offset += 3) {
        const j = JSON.parse((await srv.get(`/api/v1/leistungen?q=${enc(q)}&limit=3&offset=${offset}`)).text);
        small.push(...j.items.map((i) => [i.slug, i.score]));
        if (!j.next) break;
      }
      const all = lists[q] ?? (await apiSearch(srv, q));
      assert.deepEqual(small, all.slice(0, small.length), `${q}: pages of 3 differ from one page`);
    }
    // Umlaut and transliteration give the very same list.
    assert.deepEqual(lists['Reisepaesse'], lists['Reisepässe']);
    resultsByEngine[engine] = lists;
  });

  test('a search with many results pages through them', async () => {
    const res = await srv.get(`/leistungen/suche?q=${enc('Personalausweis Reisepass Antrag Mainz Urkunde')}`);
    const api = await apiSearch(srv, 'Personalausweis Reisepass Antrag Mainz Urkunde');
    assert.ok(api.length > 20, `need more than one page, got ${api.length}`);
    const next = links(res.text).find((h) => h.includes('seite=2'));
    assert.ok(next, 'no link to page 2');
    const page2 = await srv.get(next);
    assertHtmlPage(page2, 200, 'page 2');
    assert.deepEqual(resultSlugs(page2.text), api.slice(20, 40).map(([s]) => s));
    assert.ok(links(page2.text).some((h) => h.includes('seite=1')), 'no link back to page 1');
    assertHtmlPage(await srv.get(`/leistungen/suche?q=Pass&seite=abc`), 400, 'seite=abc');
    assertHtmlPage(await srv.get(`/leistungen/suche?q=Pass&seite=0`), 400, 'seite=0');
  });

  test('nothing found: a helpful page, not an empty one', async () => {
    const res = await srv.get('/leistungen/suche?q=Xylophonunterricht');
    assertHtmlPage(res, 200, 'nothing found');
    const text = mainText(res.text);
    assert.match(text, /nichts gefunden/);
    assert.match(text, /Prüfen Sie die Schreibweise/);
    assert.ok(links(res.text).includes('/leistungen'), 'no way to the A–Z list');
    assert.ok(links(res.text).some((h) => h.startsWith('/leistungen/lebenslagen/')), 'no life situations offered');
    assert.equal(inputByName(res.text, 'q')?.value, 'Xylophonunterricht');
    // Only stop words or punctuation: searched, nothing found, no error.
    assertHtmlPage(await srv.get(`/leistungen/suche?q=${enc('der die das – ?')}`), 200, 'stop words only');
    // An empty query shows the search box only.
    const empty = await srv.get('/leistungen/suche?q=');
    assertHtmlPage(empty, 200, 'empty query');
    assert.doesNotMatch(mainText(empty.text), /nichts gefunden|Ergebnisse/);
  });

  test('the query may have 200 characters; 201 get a clear message and the text stays in the box', async () => {
    const ok = 'Reisepass '.repeat(20); // 200 characters
    assert.equal(ok.length, 200);
    const fine = await srv.get(`/leistungen/suche?q=${enc(ok)}`);
    assertHtmlPage(fine, 200, '200 characters');
    assert.equal(resultSlugs(fine.text)[0], 'reisepass');
    const long = 'ä'.repeat(201); // characters, not bytes, are counted
    const res = await srv.get(`/leistungen/suche?q=${enc(long)}`);
    assertHtmlPage(res, 422, '201 characters');
    const summary = errorSummary(res.text);
    assert.ok(summary.some((e) => /höchstens 200 Zeichen/.test(e.text ?? e.message ?? JSON.stringify(e))), `summary: ${JSON.stringify(summary)}`);
    assert.equal(inputByName(res.text, 'q')?.value, long, 'the long query is not kept');
    assert.match(res.text, /aria-invalid="true"/);
    const api = await srv.get(`/api/v1/leistungen?q=${enc(long)}`);
    assertJsonError(api, 422, 'API 201 characters');
    assert.match(JSON.parse(api.text).error.message, /200 Zeichen/);
    assert.equal((await srv.get(`/api/v1/leistungen?q=${enc('ä'.repeat(200))}`)).status, 200);
  });

  test('unknown addresses give 404 pages that help on', async () => {
    const res = await srv.get('/leistungen/gibt-es-nicht');
    assertHtmlPage(res, 404, 'unknown service');
    assert.ok(forms(res.text).some((f) => f.action === '/leistungen/suche'), '404 page without search');
    assert.ok(links(res.text).includes('/leistungen'));
    assertHtmlPage(await srv.get('/leistungen/lebenslagen/gibt-es-nicht'), 404, 'unknown life situation');
    assertHtmlPage(await srv.get('/leistungen/gibt-es-nicht/leichte-sprache'), 404, 'unknown easy language');
    assertJsonError(await srv.get('/api/v1/leistungen/gibt-es-nicht'), 404, 'API unknown service');
    // Slugs with characters outside [a-z0-9-] find nothing either, without an error.
    assertHtmlPage(await srv.get(`/leistungen/${enc("reisepass' OR 1=1")}`), 404, 'quote in slug');
  });

  test('JSON API: list shape, paging with next, the cap of 100, bad parameters', async () => {
    const res = await srv.get('/api/v1/leistungen?limit=5');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/json/);
    const page = JSON.parse(res.text);
    assert.deepEqual(Object.keys(page).sort(), ['items', 'limit', 'next', 'offset', 'query', 'total']);
    assert.equal(page.items.length, 5);
    assert.equal(page.total, catalogue.length);
    assert.equal(page.query, null);
    for (const it of page.items) {
      assert.equal(typeof it.slug, 'string');
      assert.equal(typeof it.name, 'string');
      assert.equal(typeof it.summary, 'string');
      assert.equal(it.url, `/leistungen/${it.slug}`);
      assert.equal(it.score, undefined, 'A–Z items carry no score');
    }
    // Following next until null gives the whole list once, in order.
    const all = [];
    let next = '/api/v1/leistungen?limit=7';
    while (next) {
      const j = JSON.parse((await srv.get(next)).text);
      all.push(...j.items.map((i) => i.slug));
      next = j.next;
    }
    assert.deepEqual(all, catalogue.map((s) => s.slug));
    const capped = JSON.parse((await srv.get('/api/v1/leistungen?limit=1000')).text);
    assert.equal(capped.limit, 100);
    assertJsonError(await srv.get('/api/v1/leistungen?limit=abc'), 400, 'limit=abc');
    assertJsonError(await srv.get('/api/v1/leistungen?limit=0'), 400, 'limit=0');
    assertJsonError(await srv.get('/api/v1/leistungen?offset=-1'), 400, 'offset=-1');
    assertJsonError(await srv.get('/api/v1/leistungen?offset=100001'), 400, 'offset too large');
    const beyond = JSON.parse((await srv.get('/api/v1/leistungen?offset=100000')).text);
    assert.deepEqual(beyond.items, []);
    assert.equal(beyond.next, null);
    const search = JSON.parse((await srv.get(`/api/v1/leistungen?q=${enc('Reisepässe')}&limit=2`)).text);
    assert.equal(search.query, 'Reisepässe');
    assert.ok(search.items[0].score > 0);
    assert.match(search.next, /^\/api\/v1\/leistungen\?limit=2&offset=2&q=Reisep%C3%A4sse$/);
  });

  test('JSON API: one service, the same view model as its page', async () => {
    const res = await srv.get('/api/v1/leistungen/reisepass');
    assert.equal(res.status, 200);
    const s = JSON.parse(res.text).service;
    for (const k of ['slug', 'name', 'leika_key', 'summary', 'description', 'description_html', 'easy_language', 'easy_language_html',
      'eligibility', 'eligibility_html', 'documents', 'fees', 'fees_html', 'processing_time', 'legal_basis', 'maturity', 'maturity_label',
      'ozg_compliant', 'min_trust', 'min_trust_label', 'published', 'updated_at', 'url', 'online_application', 'apply_url', 'external_url',
      'appointments', 'appointment_url', 'easy_language_url', 'unit', 'life_situations'])
      assert.ok(k in s, `service lacks ${k}`);
    assert.equal(s.apply_url, '/leistungen/reisepass/antrag');
    assert.equal(s.appointment_url, '/termine?leistung=reisepass');
    assert.equal(s.easy_language_url, '/leistungen/reisepass/leichte-sprache');
    assert.equal(s.maturity, 2);
    assert.equal(s.ozg_compliant, false);
    assert.ok(s.documents.length >= 2);
    assert.match(s.fees_html, /<strong>70 €<\/strong>/);
    assert.equal(s.unit.slug, 'buergeramt');
    assert.equal(s.unit.phone, '06131 12-0');
    assert.deepEqual(s.life_situations.map((l) => l.slug), ['reisen']);
    const page = await srv.get('/leistungen/reisepass');
    assert.equal(h1(page.text), s.name);
    assert.ok(decodeEntities(page.text).includes(s.maturity_label));
    // Labels follow the language.
    const en = JSON.parse((await srv.get('/api/v1/leistungen/reisepass', { headers: { 'accept-language': 'en' } })).text).service;
    assert.notEqual(en.maturity_label, s.maturity_label);
    assert.equal(en.name, s.name); // the catalogue's texts stay German
  });

  test('Markdown in the catalogue cannot smuggle in HTML', async () => {
    for (const item of catalogue.slice(0, 5)) {
      const s = JSON.parse((await srv.get(`/api/v1/leistungen/${item.slug}`)).text).service;
      assert.doesNotMatch(s.description_html, /<script|<iframe|javascript:/i);
    }
  });

  describe('rathaus services import', () => {
    let dir;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'rathaus-catalogue-'));
      mkdirSync(path.join(dir, 'fees'));
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    const service = (over = {}) => ({
      slug: 'test-sondernutzung',
      name: 'Sondernutzung von Gehwegen beantragen',
      summary: 'Tische und Stühle vor dem Café aufstellen.',
      description: 'Für Außengastronomie auf dem Gehweg brauchen Sie eine Erlaubnis.',
      unit: 'ordnungsamt',
      maturity: 1,
      life_situations: ['gewerbe'],
      synonyms: ['Freisitz', 'Terrasse'],
      ...over,
    });
    const write = (name, doc) => {
      const p = path.join(dir, name);
      writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
      return p;
    };
    const importFile = (p) => runCli(srv, ['services', 'import', p]);
    const count = async () => Number((await srv.query('SELECT COUNT(*) FROM services'))[0][0]);

    test('files with mistakes are refused with the entry named, and nothing changes', async () => {
      const before = await count();
      const bad = [
        [{ catalogue: 1, services: [service({ feess: 'x' })] }, /services\[0\] \(test-sondernutzung\): unknown field 'feess'/],
        [{ catalogue: 1, services: [service({ leika_key: '12345678901234' })] }, /leika_key.*14 digits starting with 99/],
        [{ catalogue: 1, services: [service({ maturity: 9 })] }, /maturity' must be a whole number from 0 to 7/],
        [{ catalogue: 1, services: [service({ slug: 'Test Slug' })] }, /is not a slug/],
        [{ catalogue: 1, services: [service({ slug: 'suche' })] }, /reserved/],
        [{ catalogue: 1, services: [service({ name: 'x'.repeat(201) })] }, /'name' is longer than 200 characters/],
        [{ catalogue: 1, services: [service(), service()] }, /appears twice/],
        [{ catalogue: 1, services: [service({ external_url: 'javascript:alert(1)' })] }, /external_url/],
        [{ catalogue: 1, services: [service({ fee_rules_file: '../secret.json' })] }, /fee_rules_file/],
        [{ catalogue: 2, services: [] }, /'catalogue' must be 1/],
        ['{"catalogue": 1, "services": [', /not valid JSON/],
        // Written only after the check: a second, valid service before it is not stored either.
        [{ catalogue: 1, services: [service({ slug: 'test-gueltig' }), service({ unit: 'gibt-es-nicht' })] }, /unit 'gibt-es-nicht' is neither in the file nor in the database/],
        [{ catalogue: 1, services: [service({ life_situations: ['gibt-es-nicht'] })] }, /life situation 'gibt-es-nicht'/],
      ];
      for (const [doc, want] of bad) {
        const r = await importFile(write('bad.json', doc));
        assert.notEqual(r.code, 0, `accepted: ${JSON.stringify(doc).slice(0, 120)}`);
        assert.match(r.out, want);
      }
      assert.equal(await count(), before, 'a refused file changed the catalogue');
    });

    test('a new service is found at once; changed words replace the old ones; a second import changes nothing', async () => {
      const p = write('one.json', { catalogue: 1, services: [service()] });
      let r = await importFile(p);
      assert.equal(r.code, 0, r.out);
      let found = await apiSearch(srv, 'Freisitze');
      assert.equal(found[0]?.[0], 'test-sondernutzung');
      assertHtmlPage(await srv.get('/leistungen/test-sondernutzung'), 200, 'new service page');
      const terms = Number((await srv.query("SELECT COUNT(*) FROM service_terms t JOIN services s ON s.id = t.service_id WHERE s.slug = 'test-sondernutzung'"))[0][0]);
      const total = await count();
      r = await importFile(p);
      assert.equal(r.code, 0, r.out);
      assert.equal(await count(), total, 'the same file twice made a second service');
      assert.equal(Number((await srv.query("SELECT COUNT(*) FROM service_terms t JOIN services s ON s.id = t.service_id WHERE s.slug = 'test-sondernutzung'"))[0][0]), terms);
      r = await importFile(write('two.json', { catalogue: 1, services: [service({ synonyms: ['Wintergarten'], summary: 'Neue Beschreibung.' })] }));
      assert.equal(r.code, 0, r.out);
      found = await apiSearch(srv, 'Freisitz');
      assert.ok(!found.some(([s]) => s === 'test-sondernutzung'), 'old synonym still finds the service');
      assert.equal((await apiSearch(srv, 'Wintergärten'))[0]?.[0], 'test-sondernutzung');
    });

    test('units are created or get their contact data; life situations are created', async () => {
      const r = await importFile(
        write('units.json', {
          catalogue: 1,
          units: [
            { slug: 'test-amt', name: 'Testamt', address: 'Teststraße 1, 55116 Mainz', phone: '06131 12-0', email: 'test@stadt.mainz.de', opening_hours: '- Montag: 8–12 Uhr' },
            { slug: 'buergeramt', name: 'Anderer Name', address: 'Neue Adresse 5, 55116 Mainz', phone: '06131 12-0', email: 'neu@stadt.mainz.de' },
          ],
          life_situations: [{ slug: 'test-lage', name: 'Testlage', description: 'Zum Testen.' }],
          services: [service({ slug: 'test-im-testamt', unit: 'test-amt', life_situations: ['test-lage'] })],
        }),
      );
      assert.equal(r.code, 0, r.out);
      const units = await srv.query("SELECT slug, name, address, email FROM units WHERE slug IN ('test-amt', 'buergeramt') ORDER BY slug");
      assert.deepEqual(units[0].slice(2), ['Neue Adresse 5, 55116 Mainz', 'neu@stadt.mainz.de']);
      assert.notEqual(units[0][1], 'Anderer Name', 'an existing unit keeps its name');
      assert.deepEqual(units[1], ['test-amt', 'Testamt', 'Teststraße 1, 55116 Mainz', 'test@stadt.mainz.de']);
      const situation = await srv.get('/leistungen/lebenslagen/test-lage');
      assertHtmlPage(situation, 200, 'new life situation');
      assert.ok(links(situation.text).includes('/leistungen/test-im-testamt'));
    });

    test('fee rules: a missing file stores an empty rule set, an existing one its JSON, a broken one is refused', async () => {
      let r = await importFile(write('fees-missing.json', { catalogue: 1, services: [service({ fee_rules_file: 'fees/fehlt.json' })] }));
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(await srv.query("SELECT LENGTH(fee_rules) FROM services WHERE slug = 'test-sondernutzung'"), [['0']]);
      writeFileSync(path.join(dir, 'fees', 'da.json'), '{ "base_cents": 2500,\n  "lines": [] }');
      r = await importFile(write('fees-there.json', { catalogue: 1, services: [service({ fee_rules_file: 'fees/da.json' })] }));
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(JSON.parse((await srv.query("SELECT fee_rules FROM services WHERE slug = 'test-sondernutzung'"))[0][0]), { base_cents: 2500, lines: [] });
      writeFileSync(path.join(dir, 'fees', 'kaputt.json'), '{ nein');
      r = await importFile(write('fees-broken.json', { catalogue: 1, services: [service({ fee_rules_file: 'fees/kaputt.json' })] }));
      assert.notEqual(r.code, 0);
      assert.match(r.out, /fees\/kaputt\.json' is not valid JSON/);
    });

    test('unpublished services are not shown to the public', async () => {
      const r = await importFile(write('hidden.json', { catalogue: 1, services: [service({ slug: 'test-verborgen', name: 'Verborgene Testleistung', published: false })] }));
      assert.equal(r.code, 0, r.out);
      assertHtmlPage(await srv.get('/leistungen/test-verborgen'), 404, 'unpublished page');
      assertJsonError(await srv.get('/api/v1/leistungen/test-verborgen'), 404, 'unpublished API');
      assert.ok(!links((await srv.get('/leistungen')).text).includes('/leistungen/test-verborgen'));
      assert.ok(!(await apiSearch(srv, 'Verborgene Testleistung')).some(([s]) => s === 'test-verborgen'));
    });
  });

  testCleanExit(() => srv);
});

test('SQLite and PostgreSQL return identical result lists', { skip: engines().length < 2 ? 'RATHAUS_TEST_PG_URL is not set' : false }, () => {
  assert.ok(resultsByEngine.sqlite && resultsByEngine.postgres, 'a suite did not record its results');
  for (const { q } of SEARCHES) assert.deepEqual(resultsByEngine.postgres[q], resultsByEngine.sqlite[q], `results for "${q}" differ`);
});

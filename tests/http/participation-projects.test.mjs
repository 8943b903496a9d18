// participation-projects.test.mjs — the Vorhabenliste as residents, staff and
// machine clients see it, on SQLite and PostgreSQL with the demo data:
//   the start page /beteiligung; the list with each filter, German search
//   ("Radwege" finds "Radweg"), sorting and paging, and — across the two
//   engines — identical result lists; an entry with every field and its change
//   log; staff create and edit entries (every changed field a change log row,
//   a later end a "Verzögerung", the explanation required), limits from both
//   sides with the input kept, a stale form refused; followers of a district
//   or an entry get the e-mail at a real SMTP server, daily followers exactly
//   one digest; editions keep their snapshot after later edits, as a page and
//   as a PDF; the CSV parses by RFC 4180 (quotes, commas, line breaks); the
//   JSON API; a citizen gets 403 on every staff route, staff of another unit 404.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { links, forms, decodeEntities, sleep } from '../lib/http.mjs';
import { assertHtmlPage, assertJsonError } from '../lib/checks.mjs';
import {
  accountSuite,
  registerAndConfirm,
  createStaff,
  signInStaff,
  accountClient,
  errorSummary,
  inputByName,
  fieldError,
  mainText,
  location,
  mailsTo,
  waitForMail,
} from '../lib/account.mjs';
import { PG_URL } from '../lib/pg.mjs';

const enc = encodeURIComponent;
const resultsByEngine = {};

// ---- helpers ----------------------------------------------------------------------------

function h1(html) {
  const m = /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  return m ? decodeEntities(m[1].replace(/<[^>]+>/g, '').trim()) : null;
}

// What a browser sends for a form: hidden, text and textarea values, ticked
// boxes and radios, the selected option of each select; then `over` replaces
// fields by name (an array value for checkboxes).
function browserFields(form, over = {}) {
  const out = [];
  for (const i of form.inputs) {
    if (!i.name || i.tag === 'button' || i.name in over) continue;
    if (i.type === 'checkbox' || i.type === 'radio') {
      if (i.attrs.checked !== undefined) out.push([i.name, i.value]);
    } else if (i.tag === 'select') {
      const m = new RegExp(`<select\\b[^>]*name="${i.name}"[\\s\\S]*?</select>`).exec(form.html);
      const sel = m && /<option value="([^"]*)" selected/.exec(m[0]);
      out.push([i.name, sel ? decodeEntities(sel[1]) : '']);
    } else {
      out.push([i.name, i.value]);
    }
  }
  for (const [k, v] of Object.entries(over)) for (const x of [].concat(v)) out.push([k, x]);
  return out;
}

// A complete new entry as the form takes it.
function newEntry(over = {}) {
  return {
    titel: 'Radweg am Winterhafen',
    kurzbeschreibung: 'Ein neuer Radweg entlang des Winterhafens.',
    beschreibung: 'Beispieldaten aus dem Test.\n\n- Abschnitt 1\n- Abschnitt 2',
    ziele: 'Sicher Rad fahren.',
    betroffene: 'Radfahrende',
    bezirke: ['mombach'],
    thema: 'mobilitaet',
    status: 'in_planung',
    beschluesse: '',
    beginn: '2027-01-01',
    ende: '2027-06-30',
    naechste_schritte: 'Ausschreibung.',
    kosten_euro: '1.000.000',
    kosten_text: 'rund eine Million Euro',
    aufgabe: 'freiwillig',
    beteiligung: 'ja',
    beteiligungsform: 'konsultation',
    begruendung: '',
    einheit: '',
    kontakt_name: 'Team Radverkehr',
    kontakt_email: 'radverkehr@mainz.example',
    kontakt_telefon: '06131 12-0',
    ...over,
  };
}

function toFields(entry) {
  const out = [];
  for (const [k, v] of Object.entries(entry)) for (const x of [].concat(v)) out.push([k, x]);
  return out;
}

async function unitId(srv, slug) {
  const rows = await srv.query(`SELECT id FROM units WHERE slug = '${slug}'`);
  return rows[0][0];
}

// Creates an entry through the staff form; → its id.
async function createEntry(srv, staff, over = {}) {
  await staff.page('/verwaltung/beteiligung/vorhaben/neu');
  const entry = newEntry(over);
  if (!entry.einheit) entry.einheit = await unitId(srv, 'bauamt');
  const res = await staff.post('/verwaltung/beteiligung/vorhaben/neu', toFields(entry));
  assert.equal(res.status, 303, `create: ${res.status} ${errorSummary(res.text).map((e) => e.text).join('; ')}`);
  const m = /^\/verwaltung\/beteiligung\/vorhaben\/(\d+)\?hinweis=angelegt$/.exec(location(res));
  assert.ok(m, `create redirected to ${location(res)}`);
  return Number(m[1]);
}

// Opens the edit form of id and sends it with `over` changed; → the answer.
async function editEntry(staff, id, over) {
  const page = await staff.page(`/verwaltung/beteiligung/vorhaben/${id}`);
  const form = forms(page.text).find((f) => f.action === `/verwaltung/beteiligung/vorhaben/${id}`);
  assert.ok(form, 'no edit form');
  return staff.post(`/verwaltung/beteiligung/vorhaben/${id}`, browserFields(form, over));
}

async function api(srv, path) {
  const res = await srv.get(path);
  assert.equal(res.status, 200, `${path}: ${res.status} ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text);
}

// Every item of an API list over all pages.
async function apiAll(srv, query) {
  const out = [];
  let next = `/api/v1/beteiligung/vorhaben?${query}${query ? '&' : ''}limit=100`;
  for (let guard = 0; next && guard < 50; guard++) {
    const j = await api(srv, next);
    out.push(...j.items);
    next = j.next;
  }
  return out;
}

// The number the list page says it found.
function foundCount(html) {
  const t = mainText(html);
  if (/Ein Vorhaben gefunden/.test(t)) return 1;
  const m = /(\d+) Vorhaben gefunden/.exec(t);
  return m ? Number(m[1]) : null;
}

// The entry links of a list page, in order.
function entryLinks(html) {
  const m = /<ul class="participation-results"[\s\S]*?<\/ul>/.exec(html);
  return links(m ? m[0] : '').filter((h) => /^\/beteiligung\/vorhaben\/\d+$/.test(h));
}

// RFC 4180: fields separated by commas, records by CRLF; quoted fields may hold
// commas, CRLF and "" for a quote. → array of records (arrays of strings).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
      continue;
    }
    if (c === '"') {
      assert.equal(field, '', `a quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      assert.notEqual(c, '\n', `a bare LF outside quotes at ${i}`);
      field += c;
      i++;
    }
  }
  assert.equal(quoted, false, 'an unterminated quoted field');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// The URLs whose results must be the same on both engines (demo data, before any edit).
const COMPARED = [
  '',
  'q=Radwege',
  'q=Schule',
  'q=Rheinufer',
  'q=Mainzelbahn%20Hechtsheim',
  'bezirk=weisenau',
  'thema=mobilitaet',
  'status=in_planung',
  'beteiligung=nein',
  'sortierung=titel',
  'sortierung=aenderung',
  'bezirk=hechtsheim&thema=mobilitaet',
];

forEachEngine((engine) => {
  let srv;
  let smtp;
  let staff; // a client signed in with the role "beteiligung" (everywhere)
  let citizen; // {client, email, id}
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  test('the start page explains participation and leads to the list, Anregungen and processes', async () => {
    const res = await srv.get('/beteiligung');
    assertHtmlPage(res, 200, 'GET /beteiligung');
    assert.equal(h1(res.text), 'Bürgerbeteiligung');
    const hrefs = links(res.text);
    for (const h of ['/beteiligung/vorhaben', '/beteiligung/anregungen', '/beteiligung/verfahren', '/beteiligung/folgen',
      '/beteiligung/vorhaben/ausgaben', '/beteiligung/vorhaben.csv', '/api/v1/beteiligung/vorhaben'])
      assert.ok(hrefs.includes(h), `no link to ${h}`);
    assert.match(mainText(res.text), /Leitlinien für Bürgerbeteiligung/);
    assert.match(mainText(res.text), /200 Unterstützerinnen und Unterstützer/);
    const home = await srv.get('/');
    assert.ok(links(home.text).includes('/beteiligung'), 'the start page does not list the module');
  });

  test('the demo list holds at least 12 Mainz entries, all marked as Beispieldaten, in every kind of district', async () => {
    const items = await apiAll(srv, '');
    assert.ok(items.length >= 12, `${items.length} entries`);
    for (const it of items) assert.match(it.description, /Beispieldaten/, `${it.title} is not marked`);
    const districts = new Set(items.flatMap((it) => it.districts.map((d) => d.slug)));
    assert.ok(districts.size >= 12, `only ${districts.size} districts used`);
    assert.ok(items.some((it) => it.citywide), 'no citywide entry');
    const editions = await srv.get('/beteiligung/vorhaben/ausgaben');
    assert.ok(links(editions.text).some((h) => /^\/beteiligung\/vorhaben\/ausgaben\/\d+$/.test(h)), 'no demo edition');
  });

  test('each filter narrows the list; the page, its count and the API agree', async () => {
    const all = await apiAll(srv, '');
    const page = await srv.get('/beteiligung/vorhaben');
    assertHtmlPage(page, 200, 'GET /beteiligung/vorhaben');
    assert.equal(foundCount(page.text), all.length);
    const checks = [
      ['bezirk=finthen', (it) => it.districts.some((d) => d.slug === 'finthen')],
      ['bezirk=gesamtstaedtisch', (it) => it.citywide],
      ['thema=mobilitaet', (it) => it.topic.slug === 'mobilitaet'],
      ['status=abgeschlossen', (it) => it.status === 'abgeschlossen'],
      ['beteiligung=ja', (it) => it.participation_planned],
      ['beteiligung=nein', (it) => !it.participation_planned],
      ['bezirk=weisenau&thema=bauen-wohnen', (it) => it.districts.some((d) => d.slug === 'weisenau') && it.topic.slug === 'bauen-wohnen'],
    ];
    for (const [query, pred] of checks) {
      const expected = all.filter(pred);
      assert.ok(expected.length > 0 && expected.length < all.length, `${query}: the demo data should make this filter narrow (${expected.length})`);
      const got = await apiAll(srv, query);
      assert.deepEqual(got.map((x) => x.id).sort(), expected.map((x) => x.id).sort(), `${query}: API`);
      const res = await srv.get(`/beteiligung/vorhaben?${query}`);
      assertHtmlPage(res, 200, query);
      assert.equal(foundCount(res.text), expected.length, `${query}: count on the page`);
      assert.deepEqual(entryLinks(res.text).sort(), expected.map((x) => x.url).sort(), `${query}: entries on the page`);
      // The choice stays selected in the filter form.
      const [name, value] = query.split('&')[0].split('=');
      assert.match(res.text, new RegExp(`name="${name}"[\\s\\S]*?<option value="${value}" selected`), `${query}: not kept in the form`);
    }
    // Filtering by a district offers following it.
    const finthen = await srv.get('/beteiligung/vorhaben?bezirk=finthen');
    assert.match(mainText(finthen.text), /Per E-Mail informiert bleiben: Finthen/);
    assert.ok(links(finthen.text).some((h) => h.startsWith('/konto/anmelden?weiter=')), 'no sign-in link to follow');
  });

  test('search with German stemming, ranking and the query kept; sorting; result lists recorded for the engine comparison', async () => {
    const radwege = await apiAll(srv, 'q=Radwege');
    assert.ok(radwege.some((it) => /Radroute/.test(it.title)), 'Radwege does not find the Radroute (its text says Radwege)');
    assert.ok(radwege.some((it) => /Straßenbahn/.test(it.title)), 'Radwege does not find the entry with "Radweg" in its text');
    const page = await srv.get('/beteiligung/vorhaben?q=Radwege');
    assert.equal(inputByName(page.text, 'q')?.value, 'Radwege');
    assert.equal(foundCount(page.text), radwege.length);
    assert.match(page.text, /<option value="relevanz" selected>/, 'best matches is not the order of a search');
    const none = await srv.get('/beteiligung/vorhaben?q=Xylophonunterricht');
    assert.equal(foundCount(none.text), 0);
    assert.match(mainText(none.text), /So finden Sie mehr/);
    // Orders.
    const byTitle = (await apiAll(srv, 'sortierung=titel')).map((x) => x.title);
    const key = (s) => s.toLowerCase().replace(/ä/g, 'a').replace(/ö/g, 'o').replace(/ü/g, 'u').replace(/ß/g, 'ss');
    assert.deepEqual(byTitle, [...byTitle].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
    const newest = await apiAll(srv, '');
    for (let i = 1; i < newest.length; i++) assert.ok(newest[i - 1].created_at >= newest[i].created_at, 'newest first');
    const changed = await apiAll(srv, 'sortierung=aenderung');
    for (let i = 1; i < changed.length; i++) assert.ok(changed[i - 1].updated_at >= changed[i].updated_at, 'last change first');
    // The lists both engines must agree on.
    resultsByEngine[engine] = {};
    for (const q of COMPARED) resultsByEngine[engine][q] = (await apiAll(srv, q)).map((x) => x.title);
  });

  test('bad filters, page numbers and a query over 200 characters are refused plainly; 200 characters pass', async () => {
    for (const q of ['bezirk=atlantis', 'thema=raumfahrt', 'status=verloren', 'beteiligung=vielleicht', 'sortierung=zufall', 'seite=0', 'seite=abc', 'seite=1001']) {
      const res = await srv.get(`/beteiligung/vorhaben?${q}`);
      assertHtmlPage(res, 400, q);
    }
    const long = await srv.get(`/beteiligung/vorhaben?q=${'a'.repeat(201)}`);
    assertHtmlPage(long, 422, 'long query');
    assert.equal(inputByName(long.text, 'q')?.value, 'a'.repeat(201), 'the long query is not kept');
    assert.match(errorSummary(long.text)[0]?.text ?? '', /höchstens 200 Zeichen/);
    const ok = await srv.get(`/beteiligung/vorhaben?q=${'a'.repeat(200)}`);
    assertHtmlPage(ok, 200, '200 characters');
    assertHtmlPage(await srv.get('/beteiligung/vorhaben/999999'), 404, 'unknown entry');
    assertHtmlPage(await srv.get('/beteiligung/vorhaben/abc'), 404, 'not an id');
    assertJsonError(await srv.get('/api/v1/beteiligung/vorhaben/999999'), 404, 'API unknown entry');
    assertJsonError(await srv.get('/api/v1/beteiligung/vorhaben?bezirk=atlantis'), 400, 'API bad filter');
  });

  test('an entry page shows every field and its change log as a timeline', async () => {
    const items = await apiAll(srv, 'q=Hechtsheim-West');
    const tram = items.find((it) => /Straßenbahn nach Hechtsheim-West/.test(it.title));
    assert.ok(tram, 'the demo tram entry is missing');
    const res = await srv.get(tram.url);
    assertHtmlPage(res, 200, tram.url);
    assert.equal(h1(res.text), tram.title);
    const text = mainText(res.text);
    for (const s of ['Das Wichtigste in Kürze', 'Ortsbezirke', 'Hechtsheim', 'Ebersheim', 'Mobilität und Verkehr', 'Stand', 'in Planung',
      'Beginn', 'Voraussichtliches Ende', '30.06.2030', 'Kosten', '53.500.000 €', 'Konsultation', 'freiwillige Aufgabe', 'Kontakt',
      'verkehrsplanung@mainz.example', 'Worum geht es?', 'Ziele', 'Bisherige Beschlüsse', 'Dauer und nächste Schritte', 'Wer ist betroffen?',
      'Änderungsverlauf', 'Verzögerung', 'Mehrkosten', 'Neuer Beschluss', '48.000.000 €', 'Die Baupreise sind gestiegen',
      'zusätzliche Gutachten zum Artenschutz', 'In die Vorhabenliste aufgenommen'])
      assert.ok(text.includes(s), `the entry page lacks "${s}"`);
    // Newest event first; the Markdown list of goals is a list.
    assert.ok(text.indexOf('Mehrkosten') < text.indexOf('Verzögerung'), 'timeline not newest first');
    assert.match(res.text, /<li>Hechtsheim-West ohne Umsteigen/);
    assert.ok(links(res.text).includes('/beteiligung/vorhaben?bezirk=hechtsheim'));
    const one = await api(srv, `/api/v1/beteiligung/vorhaben/${tram.id}`);
    assert.equal(one.project.changes.length, 5);
    assert.deepEqual(new Set(one.project.changes.map((c) => c.kind)), new Set(['mehrkosten', 'verzoegerung', 'beschluss', 'sonstiges']));
  });

  test('a citizen gets 403 on every staff route, and a visitor is sent to sign in', async () => {
    citizen = await registerAndConfirm(srv, smtp, { tag: 'buergerin' });
    const c = citizen.client;
    const gets = ['/verwaltung/beteiligung/vorhaben', '/verwaltung/beteiligung/vorhaben/neu', '/verwaltung/beteiligung/vorhaben/1'];
    for (const p of gets) assert.equal((await c.fetch(p)).status, 403, `GET ${p}`);
    const posts = ['/verwaltung/beteiligung/vorhaben/neu', '/verwaltung/beteiligung/vorhaben/1', '/verwaltung/beteiligung/vorhaben/ausgaben'];
    for (const p of posts) assert.equal((await c.post(p, toFields(newEntry()))).status, 403, `POST ${p}`);
    const visitor = accountClient(srv);
    for (const p of gets) {
      const r = await visitor.fetch(p);
      assert.equal(r.status, 303, `visitor GET ${p}`);
      assert.match(location(r), /^\/konto\/anmelden/);
    }
    const rows = await srv.query("SELECT COUNT(*) FROM project_editions");
    assert.equal(rows[0][0], '1', 'a refused POST must change nothing');
  });

  test('staff create an entry; a follower of its district gets an e-mail at once', async () => {
    const account = await createStaff(srv, { role: 'beteiligung', name: 'Koordinierungsstelle Test' });
    staff = (await signInStaff(srv, account)).client;
    // The citizen follows Mombach, one mail per news.
    const mombach = (await srv.query("SELECT id FROM participation_districts WHERE slug = 'mombach'"))[0][0];
    await citizen.client.page('/beteiligung/vorhaben?bezirk=mombach');
    const f = await citizen.client.post('/beteiligung/folgen', [['art', 'bezirk'], ['id', mombach], ['modus', 'einzeln'], ['zurueck', '/beteiligung/vorhaben?bezirk=mombach']]);
    assert.equal(f.status, 303);
    assert.equal(location(f), '/beteiligung/vorhaben?bezirk=mombach&hinweis=gefolgt');
    const back = await citizen.client.page(location(f));
    assert.match(mainText(back.text), /Sie folgen jetzt/);
    assert.match(mainText(back.text), /Sie folgen diesem Eintrag/);

    const since = smtp.messages.length;
    const id = await createEntry(srv, staff, { titel: 'Radweg an der Mombacher Straße' });
    const mail = await waitForMail(smtp, citizen.email, { subject: /Neues Vorhaben: Radweg an der Mombacher Straße/, since });
    assert.match(mail.text, /Mombach/);
    assert.match(mail.text, new RegExp(`/beteiligung/vorhaben/${id}`));
    assert.match(mail.text, /beteiligung\/folgen/, 'no way to change the follow in the mail');
    // "Radwege" finds the new "Radweg".
    const found = await apiAll(srv, 'q=Radwege');
    assert.ok(found.some((it) => it.id === id), 'Radwege does not find the new Radweg');
    const audit = await srv.query(`SELECT action FROM audit_log WHERE action = 'participation.project.create'`);
    assert.equal(audit.length, 1);
  });

  test('an edit writes one change log row per field with its kind, and the entry\'s followers get the e-mail', async () => {
    const id = await createEntry(srv, staff, { titel: 'Schulhof in Gonsenheim begrünen', bezirke: ['gonsenheim'], thema: 'bildung', ende: '2027-06-30', kosten_euro: '200.000' });
    await citizen.client.page(`/beteiligung/vorhaben/${id}`);
    const f = await citizen.client.post('/beteiligung/folgen', [['art', 'vorhaben'], ['id', String(id)], ['modus', 'einzeln'], ['zurueck', `/beteiligung/vorhaben/${id}`]]);
    assert.equal(f.status, 303);
    const since = smtp.messages.length;
    const res = await editEntry(staff, id, { ende: '2027-12-31', kosten_euro: '250.000', erlaeuterung: 'Die Ausschreibung musste wiederholt werden.' });
    assert.equal(res.status, 303, errorSummary(res.text).map((e) => e.text).join('; '));
    assert.equal(location(res), `/verwaltung/beteiligung/vorhaben/${id}?hinweis=gespeichert`);
    const rows = await srv.query(`SELECT field, kind, old_value, new_value, explanation FROM project_changes WHERE project_id = ${id} ORDER BY field`);
    assert.deepEqual(rows, [
      ['costs_cents', 'mehrkosten', '20000000', '25000000', 'Die Ausschreibung musste wiederholt werden.'],
      ['ends_on', 'verzoegerung', '2027-06-30', '2027-12-31', 'Die Ausschreibung musste wiederholt werden.'],
    ]);
    const mail = await waitForMail(smtp, citizen.email, { subject: /Vorhaben geändert: Schulhof in Gonsenheim begrünen/, since });
    assert.match(mail.text, /Verzögerung: Voraussichtliches Ende: 30\.06\.2027 → 31\.12\.2027/);
    assert.match(mail.text, /Mehrkosten: Kosten in Euro: 200\.000 € → 250\.000 €/);
    assert.match(mail.text, /Die Ausschreibung musste wiederholt werden/);
    await sleep(500);
    assert.equal(mailsTo(smtp, citizen.email, { since }).length, 1, 'one mail per person and news');
    const page = await srv.get(`/beteiligung/vorhaben/${id}`);
    assert.match(mainText(page.text), /Verzögerung/);
    assert.match(mainText(page.text), /30\.06\.2027 → geändert in 31\.12\.2027/);
    // Saving without a change changes nothing and says so.
    const same = await editEntry(staff, id, {});
    assert.equal(location(same), `/verwaltung/beteiligung/vorhaben/${id}?hinweis=unveraendert`);
    assert.equal((await srv.query(`SELECT COUNT(*) FROM project_changes WHERE project_id = ${id}`))[0][0], '2');
    const audit = await srv.query(`SELECT detail FROM audit_log WHERE action = 'participation.project.update' AND object = 'project:${id}'`);
    assert.equal(audit.length, 1);
    assert.match(audit[0].join('|'), /verzoegerung/);
  });

  test('limits and mistakes: the form comes back with a summary, per-field messages and everything typed', async () => {
    const id = await createEntry(srv, staff, { titel: 'Grenzfall' });
    // Over the limits.
    const title = 'T'.repeat(201);
    const text = 'ä'.repeat(20001);
    const res = await editEntry(staff, id, { titel: title, beschreibung: text, ende: '2027-02-30', kosten_euro: '12.50', kontakt_email: 'keine adresse', erlaeuterung: 'x' });
    assertHtmlPage(res, 422, 'over the limits');
    const summary = errorSummary(res.text).map((e) => e.href);
    for (const f of ['#feld-titel', '#feld-beschreibung', '#feld-ende', '#feld-kosten_euro', '#feld-kontakt_email']) assert.ok(summary.includes(f), `summary lacks ${f}: ${summary}`);
    assert.match(fieldError(res.text, 'titel'), /höchstens 200 Zeichen/);
    assert.match(fieldError(res.text, 'kosten_euro'), /1\.250\.000/);
    assert.equal(inputByName(res.text, 'titel').value, title, 'title not kept');
    assert.equal(inputByName(res.text, 'kosten_euro').value, '12.50');
    assert.equal(inputByName(res.text, 'kontakt_email').value, 'keine adresse');
    const form = forms(res.text).find((f) => f.action === `/verwaltung/beteiligung/vorhaben/${id}`);
    assert.equal(form.inputs.find((i) => i.name === 'beschreibung').value, text, 'description not kept');
    assert.equal(form.inputs.find((i) => i.name === 'erlaeuterung').value, 'x', 'explanation not kept');
    assert.ok(form.inputs.some((i) => i.name === 'bezirke' && i.value === 'mombach' && i.attrs.checked !== undefined), 'district not kept');
    // Just at the limits: accepted.
    const ok = await editEntry(staff, id, { titel: 'T'.repeat(200), beschreibung: 'ä'.repeat(20000), erlaeuterung: 'Text ergänzt.' });
    assert.equal(ok.status, 303, errorSummary(ok.text).map((e) => e.text).join('; '));
    // A change needs an explanation; participation needs a form or a reason; districts are either-or.
    const noWhy = await editEntry(staff, id, { status: 'in_umsetzung', erlaeuterung: '' });
    assertHtmlPage(noWhy, 422, 'no explanation');
    assert.match(fieldError(noWhy.text, 'erlaeuterung'), /erklären Sie kurz/);
    assert.match(noWhy.text, /<option value="in_umsetzung" selected>/, 'status not kept');
    const noReason = await editEntry(staff, id, { beteiligung: 'nein', begruendung: '', erlaeuterung: 'x' });
    assert.ok(errorSummary(noReason.text).some((e) => e.href === '#feld-begruendung'));
    const both = await editEntry(staff, id, { bezirke: ['gesamtstaedtisch', 'mombach'], erlaeuterung: 'x' });
    assert.ok(errorSummary(both.text).some((e) => e.href === '#feld-bezirke'));
    const empty = await staff.post('/verwaltung/beteiligung/vorhaben/neu', [['titel', '  ']]);
    assertHtmlPage(empty, 422, 'empty new entry');
    for (const f of ['#feld-titel', '#feld-kurzbeschreibung', '#feld-bezirke', '#feld-thema', '#feld-status', '#feld-beteiligung', '#feld-aufgabe', '#feld-einheit'])
      assert.ok(errorSummary(empty.text).some((e) => e.href === f), `empty form: no message for ${f}`);
  });

  test('a form opened before someone else saved is refused with the input kept (409)', async () => {
    const id = await createEntry(srv, staff, { titel: 'Zwei Bearbeitende' });
    const page = await staff.page(`/verwaltung/beteiligung/vorhaben/${id}`);
    const stale = forms(page.text).find((f) => f.action === `/verwaltung/beteiligung/vorhaben/${id}`);
    const first = await editEntry(staff, id, { status: 'in_umsetzung', erlaeuterung: 'Baubeginn.' });
    assert.equal(first.status, 303);
    const second = await staff.post(`/verwaltung/beteiligung/vorhaben/${id}`, browserFields(stale, { kurzbeschreibung: 'Meine Fassung', erlaeuterung: 'Meine Änderung' }));
    assertHtmlPage(second, 409, 'stale form');
    assert.match(mainText(second.text), /Jemand anderes hat dieses Vorhaben gespeichert/);
    const kept = forms(second.text).find((f) => f.action === `/verwaltung/beteiligung/vorhaben/${id}`);
    assert.equal(kept.inputs.find((i) => i.name === 'kurzbeschreibung').value, 'Meine Fassung');
    const j = await api(srv, `/api/v1/beteiligung/vorhaben/${id}`);
    assert.equal(j.project.status, 'in_umsetzung');
    assert.notEqual(j.project.summary, 'Meine Fassung');
  });

  test('a daily follower gets exactly one digest with every news, and a second run sends nothing', async () => {
    const daily = await registerAndConfirm(srv, smtp, { tag: 'taeglich' });
    const topic = (await srv.query("SELECT id FROM participation_topics WHERE slug = 'kultur-sport'"))[0][0];
    await daily.client.page('/beteiligung/folgen');
    const f = await daily.client.post('/beteiligung/folgen', [['art', 'thema'], ['id', topic], ['modus', 'taeglich']]);
    assert.equal(location(f), '/beteiligung/folgen?hinweis=gefolgt');
    const list = await daily.client.page('/beteiligung/folgen');
    assert.match(mainText(list.text), /Kultur, Sport und Freizeit/);
    assert.match(mainText(list.text), /Einmal am Tag eine Zusammenfassung/);
    const since = smtp.messages.length;
    const a = await createEntry(srv, staff, { titel: 'Bolzplatz in Finthen', bezirke: ['finthen'], thema: 'kultur-sport' });
    await createEntry(srv, staff, { titel: 'Stadtteilbibliothek in Drais', bezirke: ['drais'], thema: 'kultur-sport' });
    await editEntry(staff, a, { status: 'in_umsetzung', erlaeuterung: 'Der Bau beginnt.' });
    await sleep(700);
    assert.equal(mailsTo(smtp, daily.email, { since }).length, 0, 'a daily follower got a mail at once');
    const queued = await srv.query(`SELECT COUNT(*) FROM participation_digest_queue WHERE user_id = ${daily.id} AND sent_at IS NULL`);
    assert.equal(queued[0][0], '3');
    const runs = await srv.query('SELECT COUNT(*) FROM participation_digest_runs');
    assert.equal(runs[0][0], '1', 'the next morning\'s run is queued once');
    const r = await accountClient(srv).postJSON('/_test/beteiligung/tagesmail', {});
    assert.equal(r.status, 202);
    const digest = await waitForMail(smtp, daily.email, { subject: /tägliche Zusammenfassung: 3 Neuigkeiten/, since });
    for (const s of ['Bolzplatz in Finthen', 'Stadtteilbibliothek in Drais', 'Vorhaben geändert', 'Neuer Stand']) assert.ok(digest.text.includes(s), `digest lacks ${s}`);
    const again = await accountClient(srv).postJSON('/_test/beteiligung/tagesmail', {});
    assert.equal(again.status, 202);
    await sleep(1500);
    assert.equal(mailsTo(smtp, daily.email, { since }).length, 1, 'more than one digest');
    assert.equal((await srv.query(`SELECT COUNT(*) FROM participation_digest_queue WHERE user_id = ${daily.id} AND sent_at IS NULL`))[0][0], '0');
    // Unfollow: no more news.
    const u = await daily.client.post('/beteiligung/folgen/beenden', [['art', 'thema'], ['id', topic]]);
    assert.equal(location(u), '/beteiligung/folgen?hinweis=entfolgt');
    assert.match(mainText((await daily.client.page('/beteiligung/folgen')).text), /Sie folgen noch nichts/);
  });

  test('following: unknown targets, bad modes and foreign return paths are refused; a visitor must sign in', async () => {
    const c = citizen.client;
    await c.page('/beteiligung/folgen');
    assert.equal((await c.post('/beteiligung/folgen', [['art', 'bezirk'], ['id', '999999']])).status, 404);
    assert.equal((await c.post('/beteiligung/folgen', [['art', 'planet'], ['id', '1']])).status, 400);
    assert.equal((await c.post('/beteiligung/folgen', [['art', 'bezirk'], ['id', '1'], ['modus', 'stuendlich']])).status, 400);
    const evil = await c.post('/beteiligung/folgen', [['art', 'bezirk'], ['id', '1'], ['zurueck', '//evil.example/']]);
    assert.equal(location(evil), '/beteiligung/folgen?hinweis=gefolgt');
    const visitor = accountClient(srv);
    await visitor.ensureCsrf();
    const v = await visitor.post('/beteiligung/folgen', [['art', 'bezirk'], ['id', '1']]);
    assert.equal(v.status, 303);
    assert.match(location(v), /^\/konto\/anmelden/);
  });

  test('editions: published once per quarter, unchanged after later edits, printable and as a tagged PDF', async () => {
    const id = await createEntry(srv, staff, { titel: 'Titel vor der Ausgabe' });
    const list = await staff.page('/verwaltung/beteiligung/vorhaben');
    const form = forms(list.text).find((f) => f.action === '/verwaltung/beteiligung/vorhaben/ausgaben');
    assert.ok(form, 'no edition form for the coordination office');
    const res = await staff.post('/verwaltung/beteiligung/vorhaben/ausgaben', browserFields(form, { vorwort: 'Ausgabe aus dem Test' }));
    assert.equal(res.status, 303, mainText(res.text).slice(0, 300));
    const m = /^\/beteiligung\/vorhaben\/ausgaben\/(\d+)\?hinweis=ausgabe$/.exec(location(res));
    assert.ok(m, location(res));
    const url = `/beteiligung/vorhaben/ausgaben/${m[1]}`;
    const before = await srv.get(url);
    assertHtmlPage(before, 200, url);
    assert.ok(mainText(before.text).includes('Titel vor der Ausgabe'));
    // The print rules: the part's stylesheet, served as an immutable static file.
    const css = before.text.match(/href="(\/static\/[0-9a-f]{16}\/css\/participation\.css)"/);
    assert.ok(css, 'the edition links css/participation.css');
    const sheet = await srv.get(css[1]);
    assert.equal(sheet.status, 200);
    assert.match(sheet.text, /@media print/);
    // A later edit does not touch the edition.
    const edit = await editEntry(staff, id, { titel: 'Titel nach der Ausgabe', erlaeuterung: 'Umbenannt.' });
    assert.equal(edit.status, 303);
    const after = await srv.get(url);
    assert.ok(mainText(after.text).includes('Titel vor der Ausgabe'), 'the edition changed');
    assert.ok(!mainText(after.text).includes('Titel nach der Ausgabe'), 'the edition shows a later edit');
    assert.ok(mainText((await srv.get(`/beteiligung/vorhaben/${id}`)).text).includes('Titel nach der Ausgabe'));
    // The PDF, twice (made, then kept): the same bytes.
    const pdf = await srv.get(`${url}.pdf`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');
    const raw = pdf.body.toString('latin1');
    assert.ok(raw.includes('/StructTreeRoot') && raw.includes('/MarkInfo'), 'the PDF is not tagged');
    const pdf2 = await srv.get(`${url}.pdf`);
    assert.ok(pdf.body.equals(pdf2.body), 'the kept PDF differs');
    // The same quarter again: refused, with the form kept.
    const twice = await staff.post('/verwaltung/beteiligung/vorhaben/ausgaben', browserFields(form, { vorwort: 'noch einmal' }));
    assertHtmlPage(twice, 422, 'second edition of a quarter');
    assert.match(fieldError(twice.text, 'quartal'), /schon eine Ausgabe/);
    const bad = await staff.post('/verwaltung/beteiligung/vorhaben/ausgaben', [['quartal', '5'], ['jahr', '26'], ['vorwort', 'v'.repeat(2001)]]);
    assertHtmlPage(bad, 422, 'bad edition form');
    assert.equal(errorSummary(bad.text).length, 3);
    assert.equal(inputByName(bad.text, 'jahr').value, '26');
    const editions = await srv.get('/beteiligung/vorhaben/ausgaben');
    assert.ok(links(editions.text).includes(url) && links(editions.text).includes(`${url}.pdf`));
    assertHtmlPage(await srv.get('/beteiligung/vorhaben/ausgaben/999999'), 404, 'unknown edition');
    assertHtmlPage(await srv.get('/beteiligung/vorhaben/ausgaben/999999.pdf'), 404, 'unknown edition PDF');
    assert.equal((await srv.query("SELECT COUNT(*) FROM audit_log WHERE action = 'participation.edition.publish'"))[0][0], '1');
  });

  test('staff of one unit edit only their unit\'s entries and publish no editions', async () => {
    const account = await createStaff(srv, { role: 'beteiligung', unit: 'buergeramt', name: 'Bürgeramt Test' });
    const other = (await signInStaff(srv, account)).client;
    const bauamtEntry = await createEntry(srv, staff, { titel: 'Eintrag des Bauamts' });
    assertHtmlPage(await other.fetch(`/verwaltung/beteiligung/vorhaben/${bauamtEntry}`), 404, 'foreign unit edit page');
    const page = await other.page('/verwaltung/beteiligung/vorhaben/neu');
    const units = [...page.text.matchAll(/<option value="(\d+)"/g)].map((x) => x[1]);
    assert.deepEqual(units, [await unitId(srv, 'buergeramt')], 'the unit select offers other units');
    const post = await other.post(`/verwaltung/beteiligung/vorhaben/${bauamtEntry}`, toFields(newEntry({ einheit: await unitId(srv, 'buergeramt'), erlaeuterung: 'x' })));
    assert.equal(post.status, 404);
    const forged = await other.post('/verwaltung/beteiligung/vorhaben/neu', toFields(newEntry({ einheit: await unitId(srv, 'bauamt') })));
    assertHtmlPage(forged, 422, 'entry for a foreign unit');
    assert.ok(errorSummary(forged.text).some((e) => e.href === '#feld-einheit'));
    assert.equal((await other.post('/verwaltung/beteiligung/vorhaben/ausgaben', [['quartal', '1'], ['jahr', '2030']])).status, 403);
    const own = await createEntry(srv, other, { einheit: await unitId(srv, 'buergeramt'), titel: 'Eintrag des Bürgeramts' });
    assert.ok(own > 0);
  });

  test('paging: 20 entries per page with links that keep the filters', async () => {
    const total = (await apiAll(srv, '')).length;
    assert.ok(total > 20, `only ${total} entries`);
    const p1 = await srv.get('/beteiligung/vorhaben?sortierung=titel');
    assert.equal(entryLinks(p1.text).length, 20);
    assert.ok(links(p1.text).includes('/beteiligung/vorhaben?sortierung=titel&seite=2'), 'no next link that keeps the order');
    const p2 = await srv.get('/beteiligung/vorhaben?sortierung=titel&seite=2');
    assert.equal(entryLinks(p2.text).length, total - 20);
    const api1 = (await apiAll(srv, 'sortierung=titel')).map((x) => x.url);
    assert.deepEqual([...entryLinks(p1.text), ...entryLinks(p2.text)], api1);
    const past = await srv.get('/beteiligung/vorhaben?seite=50');
    assertHtmlPage(past, 200, 'past the end');
    assert.match(mainText(past.text), /Diese Seite der Ergebnisse gibt es nicht/);
  });

  test('the CSV is RFC 4180: a header, CRLF, quotes, commas and line breaks inside fields, every entry once', async () => {
    const tricky = await createEntry(srv, staff, {
      titel: 'Brücke "Am Rhein", Abschnitt 2',
      kurzbeschreibung: 'Erste Zeile\nZweite Zeile, mit Komma',
      kosten_text: 'rund 5 Mio. €; "gefördert"',
      kosten_euro: '5.000.000,50',
    });
    const res = await srv.get('/beteiligung/vorhaben.csv');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/csv; charset=utf-8/);
    assert.match(res.headers['content-disposition'], /attachment; filename="vorhabenliste\.csv"/);
    assert.notEqual(res.body[0], 0xef, 'a byte order mark');
    const rows = parseCsv(res.text);
    const header = rows[0];
    for (const col of ['id', 'url', 'title', 'summary', 'description', 'goals', 'districts', 'topic', 'decisions', 'starts_on', 'ends_on',
      'next_steps', 'costs_text', 'costs_cents', 'status', 'affected', 'participation_planned', 'participation_form', 'participation_reason',
      'obligation', 'contact_unit', 'contact_name', 'contact_email', 'contact_phone', 'created_on', 'updated_on'])
      assert.ok(header.includes(col), `no column ${col}`);
    for (const r of rows) assert.equal(r.length, header.length, `a row with ${r.length} fields`);
    const all = await apiAll(srv, '');
    assert.equal(rows.length - 1, all.length);
    const col = (name) => header.indexOf(name);
    const row = rows.find((r) => r[col('id')] === String(tricky));
    assert.equal(row[col('title')], 'Brücke "Am Rhein", Abschnitt 2');
    assert.equal(row[col('summary')], 'Erste Zeile\nZweite Zeile, mit Komma');
    assert.equal(row[col('costs_text')], 'rund 5 Mio. €; "gefördert"');
    assert.equal(row[col('costs_cents')], '500000050');
    assert.equal(row[col('districts')], 'Mombach');
    assert.match(row[col('created_on')], /^\d{4}-\d{2}-\d{2}$/);
    assert.match(row[col('url')], new RegExp(`/beteiligung/vorhaben/${tricky}$`));
    // The same filters as the list.
    const filtered = parseCsv((await srv.get('/beteiligung/vorhaben.csv?bezirk=finthen')).text);
    assert.equal(filtered.length - 1, (await apiAll(srv, 'bezirk=finthen')).length);
  });

  test('the JSON API: every field, paging with next, the cap of 100, the licence, one entry with its change log', async () => {
    const j = await api(srv, '/api/v1/beteiligung/vorhaben?limit=5');
    assert.equal(j.items.length, 5);
    assert.equal(j.limit, 5);
    assert.equal(j.offset, 0);
    assert.equal(j.next, '/api/v1/beteiligung/vorhaben?limit=5&offset=5');
    assert.equal(j.licence.name, 'Datenlizenz Deutschland – Zero – Version 2.0');
    assert.equal(j.licence.url, 'https://www.govdata.de/dl-de/zero-2-0');
    const it = j.items[0];
    for (const k of ['id', 'url', 'title', 'summary', 'description', 'goals', 'districts', 'citywide', 'topic', 'decisions', 'starts_on', 'ends_on',
      'next_steps', 'costs_text', 'costs_cents', 'status', 'status_label', 'affected', 'participation_planned', 'participation_form',
      'participation_reason', 'obligation', 'obligation_label', 'contact', 'created_at', 'updated_at'])
      assert.ok(k in it, `no field ${k}`);
    const big = await api(srv, '/api/v1/beteiligung/vorhaben?limit=100000');
    assert.equal(big.limit, 100);
    const filtered = await api(srv, '/api/v1/beteiligung/vorhaben?bezirk=mombach&limit=1');
    if (filtered.total > 1) assert.equal(filtered.next, '/api/v1/beteiligung/vorhaben?bezirk=mombach&limit=1&offset=1');
    assertJsonError(await srv.get('/api/v1/beteiligung/vorhaben?limit=0'), 400, 'limit 0');
    assertJsonError(await srv.get('/api/v1/beteiligung/vorhaben?offset=-1'), 400, 'negative offset');
    const one = await api(srv, `/api/v1/beteiligung/vorhaben/${it.id}`);
    assert.equal(one.project.id, it.id);
    assert.ok(Array.isArray(one.project.changes));
  });

  testCleanExit(() => srv);
});

describe('both engines', () => {
  test('the same filters and searches give the same lists on SQLite and PostgreSQL', { skip: PG_URL ? false : 'RATHAUS_TEST_PG_URL is not set' }, () => {
    assert.ok(resultsByEngine.sqlite && resultsByEngine.postgres, 'one of the engine suites did not record its lists');
    for (const q of COMPARED) assert.deepEqual(resultsByEngine.postgres[q], resultsByEngine.sqlite[q], `results for "${q}" differ`);
  });
});

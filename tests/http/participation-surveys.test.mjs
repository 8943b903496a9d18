// participation-surveys.test.mjs — surveys and events of participation processes
// as staff and residents use them, on SQLite and PostgreSQL:
//
//   staff create a survey with its questions (a row added without JavaScript,
//   mistakes keep the input, another unit gets 404); a resident answers once —
//   a second answer set is refused, also ten sent at the same moment; the
//   results page shows the numbers of the answers sent, as tables and as
//   well-formed SVG charts; both CSV files parse and match; the JSON API; the
//   moderation hides a free text with a public reason; staff create an event
//   with the accessibility of its place; residents register (confirmation
//   mail, iCalendar file), register twice in vain, cancel; ten residents at
//   once for the last place: one gets it; every limit from both sides, with the
//   input kept.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { decodeEntities, findForm } from '../lib/http.mjs';
import {
  accountSuite,
  createStaff,
  errorSummary,
  fieldError,
  inputByName,
  location,
  mainText,
  registerAndConfirm,
  signInStaff,
  unitId,
  waitForMail,
} from '../lib/account.mjs';

// A calendar day in Mainz (yyyy-mm-dd), days from today, as the server counts days.
const mainzDay = (offset = 0) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + offset * 86400000),
  );
const num = async (srv, sql) => Number((await srv.query(sql))[0][0]);
const idFrom = (loc, re) => Number(re.exec(loc)?.[1]);

// ---- small readers -----------------------------------------------------------------------

// The value of a textarea by name.
function textareaValue(html, name) {
  const m = new RegExp(`<textarea\\b[^>]*\\bname="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return m ? decodeEntities(m[1]).replace(/^\n/, '') : null;
}

// The questions of an answer form in order: [{name, type: radio|checkbox|text, options: [{value, label, checked}]}].
function questionsOf(html) {
  const out = [];
  const byName = new Map();
  const re = /<input class="kern-form-check__(radio|checkbox)" type="\w+" id="([^"]+)" name="(frage-\d+)" value="(\d+)"( checked)?>\s*<label class="kern-label" for="\2">([^<]*)<\/label>|<textarea\b[^>]*\bname="(frage-\d+)"/g;
  for (const m of html.matchAll(re)) {
    const name = m[3] ?? m[7];
    let q = byName.get(name);
    if (!q) {
      q = { name, type: m[7] ? 'text' : m[1], options: [] };
      byName.set(name, q);
      out.push(q);
    }
    if (!m[7]) q.options.push({ value: m[4], label: decodeEntities(m[6]), checked: !!m[5] });
  }
  return out;
}

// The tables of the results page per question: [{rows: [{label, count, percent}], mean}].
function resultTables(html) {
  const out = [];
  for (const sec of html.matchAll(/<section aria-labelledby="frage-\d+-titel"[\s\S]*?<\/section>/g)) {
    const rows = [...sec[0].matchAll(/<tr class="kern-table__row"><th scope="row"[^>]*>([^<]*)<\/th><td[^>]*>(\d+)<\/td><td[^>]*>([^<]*)<\/td><\/tr>/g)].map(
      (r) => ({ label: decodeEntities(r[1]), count: Number(r[2]), percent: decodeEntities(r[3]) }),
    );
    const mean = /class="survey-mean">([^<]*)</.exec(sec[0])?.[1] ?? null;
    const svg = /<svg\b[\s\S]*?<\/svg>/.exec(sec[0])?.[0] ?? null;
    out.push({ rows, mean, svg, html: sec[0] });
  }
  return out;
}

// Checks that markup is well-formed XML as far as an SVG uses it: every element
// closed in order, attributes quoted, no stray '<' or '&'. Returns the element names.
function assertWellFormedXml(xml) {
  const stack = [];
  const names = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m;
  let pos = 0;
  while (pos < xml.length) {
    re.lastIndex = pos;
    m = re.exec(xml);
    assert.ok(m, `not well-formed near: ${xml.slice(pos, pos + 60)}`);
    if (m[5] !== undefined) {
      assert.doesNotMatch(m[5], /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i, 'a bare & in text');
    } else if (m[1]) {
      assert.equal(stack.pop(), m[2], `</${m[2]}> closes the wrong element`);
    } else {
      names.push(m[2]);
      if (!m[4]) stack.push(m[2]);
    }
    pos = re.lastIndex;
  }
  assert.deepEqual(stack, [], 'elements left open');
  return names;
}

// RFC 4180: fields in double quotes may hold commas, quotes ("") and line breaks; records end in CRLF.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      assert.notEqual(c, '\n', 'a bare LF outside quotes: records must end in CRLF');
      field += c;
    }
  }
  assert.equal(quoted, false, 'an unterminated quoted field');
  assert.equal(field + row.join(''), '', 'the last record lacks its CRLF');
  return rows;
}

// German percentage as the page shows it: "33,3 %" (with a no-break space).
const percentDe = (count, base) => {
  const permille = base ? Math.floor((count * 2000 + base) / (base * 2)) : 0;
  return `${Math.floor(permille / 10)},${permille % 10}\u00a0%`;
};
const percentCsv = (count, base) => {
  const permille = base ? Math.floor((count * 2000 + base) / (base * 2)) : 0;
  return `${Math.floor(permille / 10)}.${permille % 10}`;
};

// ---- staff forms ------------------------------------------------------------------------------

async function createProcess(staff, unit, title) {
  await staff.page('/verwaltung/beteiligung/verfahren/neu');
  const r = await staff.post('/verwaltung/beteiligung/verfahren/neu', [
    ['titel', title],
    ['kurz', 'Wie soll der Platz aussehen? Sagen Sie es uns.'],
    ['beschreibung', 'Der Platz wird neu gestaltet.'],
    ['vorhaben', ''],
    ['einheit', String(unit)],
    ['status', 'veroeffentlicht'],
  ]);
  assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
  return idFrom(location(r), /verfahren\/(\d+)\?hinweis=angelegt/);
}

async function addPhase(staff, pid, components) {
  const fields = [
    ['art', 'consultation'],
    ['titel', 'Mitmachen'],
    ['beschreibung', ''],
    ['beginn', mainzDay(-1)],
    ['ende', mainzDay(30)],
  ];
  for (const c of components) fields.push([`komponente_${c}`, '1']);
  const r = await staff.post(`/verwaltung/beteiligung/verfahren/${pid}/phasen/neu`, fields);
  assert.equal(r.status, 303, mainText(r.text).slice(0, 300));
}

// The fields of a survey form: questions as [{text, kind, required, options: [..]}].
function surveyFields({ title = 'Neuer Marktplatz', from = mainzDay(0), to = mainzDay(10), live = false, status = 'veroeffentlicht', questions, rows }) {
  const n = rows ?? questions.length;
  const f = [
    ['titel', title],
    ['beschreibung', 'Sagen Sie uns, was Ihnen **wichtig** ist.'],
    ['phase', ''],
    ['beginn', from],
    ['ende', to],
    ['status', status],
    ['fragen', String(n)],
  ];
  if (live) f.push(['live', '1']);
  questions.forEach((q, i) => {
    f.push([`frage${i + 1}_text`, q.text]);
    f.push([`frage${i + 1}_art`, q.kind]);
    if (q.required) f.push([`frage${i + 1}_pflicht`, '1']);
    f.push([`frage${i + 1}_antworten`, (q.options ?? []).join('\r\n')]);
  });
  return f;
}

const QUESTIONS = [
  { text: 'Wie oft kommen Sie auf den Markt?', kind: 'einfach', required: true, options: ['Jede Woche', 'Jeden Monat', 'Selten'] },
  { text: 'Was kaufen Sie dort?', kind: 'mehrfach', options: ['Obst, Gemüse', 'Blumen', 'Käse'] },
  { text: 'Wie gefällt Ihnen der Markt?', kind: 'bewertung', required: true },
  { text: 'Was wünschen Sie sich?', kind: 'text' },
];

async function createSurvey(staff, pid, opts = {}) {
  await staff.page(`/beteiligung/verfahren/${pid}/umfragen/neu`);
  const r = await staff.post(`/beteiligung/verfahren/${pid}/umfragen/neu`, surveyFields({ questions: QUESTIONS, ...opts }));
  assert.equal(r.status, 303, mainText(r.text).slice(0, 600));
  return idFrom(location(r), /umfragen\/(\d+)\?hinweis=angelegt/);
}

// An answer given by index: single: option index; multiple: [indices]; rating 1..5; text.
function answerFields(qs, [single, multiple, rating, text]) {
  const f = [];
  if (single !== null) f.push([qs[0].name, qs[0].options[single].value]);
  for (const i of multiple) f.push([qs[1].name, qs[1].options[i].value]);
  if (rating !== null) f.push([qs[2].name, String(rating)]);
  f.push([qs[3].name, text]);
  return f;
}

function eventFields({ title = 'Marktgespräch', start = `${mainzDay(7)}T18:00`, end = `${mainzDay(7)}T20:30`, place = 'Rathaus, Ratssaal', address = 'Jockel-Fuchs-Platz 1, 55116 Mainz', capacity = '20', until = '', features = ['stufenlos', 'hoerschleife'], status = 'veroeffentlicht' } = {}) {
  const f = [
    ['titel', title],
    ['beschreibung', 'Wir sprechen über den **Markt**.'],
    ['beginn', start],
    ['ende', end],
    ['ort', place],
    ['adresse', address],
    ['hinweise', 'Eingang an der Rheinseite.'],
    ['plaetze', capacity],
    ['anmeldung_bis', until],
    ['phase', ''],
    ['status', status],
  ];
  for (const x of features) f.push([x, '1']);
  return f;
}

async function createEvent(staff, pid, opts) {
  await staff.page(`/beteiligung/verfahren/${pid}/veranstaltungen/neu`);
  const r = await staff.post(`/beteiligung/verfahren/${pid}/veranstaltungen/neu`, eventFields(opts));
  assert.equal(r.status, 303, mainText(r.text).slice(0, 600));
  return idFrom(location(r), /veranstaltungen\/(\d+)\?hinweis=angelegt/);
}

forEachEngine((engine) => {
  let srv;
  let smtp;
  let staff; // coordination office, unit bauamt
  let otherStaff; // the same role in another unit
  let pid; // a process with a running phase that has surveys and events on
  let sid; // the survey most tests use
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  before(async () => {
    const bauamt = await unitId(srv, 'bauamt');
    const a = await createStaff(srv, { role: 'beteiligung', unit: 'bauamt', name: 'Koordination Bauamt' });
    staff = (await signInStaff(srv, a)).client;
    const b = await createStaff(srv, { role: 'beteiligung', unit: 'buergeramt', name: 'Koordination Bürgeramt' });
    otherStaff = (await signInStaff(srv, b)).client;
    pid = await createProcess(staff, bauamt, 'Neuer Marktplatz');
    await addPhase(staff, pid, ['surveys', 'events']);
  });

  test('staff create a survey; a question row is added without JavaScript; mistakes keep the input', async () => {
    const base = `/beteiligung/verfahren/${pid}/umfragen`;
    const empty = await staff.page(`${base}/neu`);
    assert.ok(inputByName(empty.text, 'frage3_text'), 'three empty question rows');
    assert.equal(inputByName(empty.text, 'frage4_text'), null);

    // "Weitere Frage hinzufügen": the same form back with one more row, nothing lost.
    const typed = surveyFields({ questions: QUESTIONS.slice(0, 3), rows: 3 });
    typed.push(['aktion', 'frage']);
    const more = await staff.post(`${base}/neu`, typed);
    assert.equal(more.status, 200);
    assert.ok(inputByName(more.text, 'frage4_text'), 'a fourth row');
    assert.equal(inputByName(more.text, 'frage1_text').value, QUESTIONS[0].text);
    assert.equal(textareaValue(more.text, 'frage2_antworten'), 'Obst, Gemüse\r\nBlumen\r\nKäse', 'as typed');
    assert.equal(inputByName(more.text, 'frage1_pflicht').checked, '');
    assert.equal(await num(srv, `SELECT COUNT(*) FROM surveys WHERE process_id = ${pid}`), 0);

    // Mistakes: no title, a choice with one option, the last day before the first.
    const bad = surveyFields({
      title: '',
      from: mainzDay(5),
      to: mainzDay(1),
      questions: [{ text: 'Nur eine Möglichkeit?', kind: 'einfach', options: ['Ja'] }, ...QUESTIONS.slice(1)],
    });
    const r = await staff.post(`${base}/neu`, bad);
    assert.equal(r.status, 422);
    const summary = errorSummary(r.text).map((e) => e.href);
    assert.deepEqual(summary, ['#feld-titel', '#feld-ende', '#feld-frage1_antworten']);
    assert.equal(fieldError(r.text, 'frage1_antworten'), 'Bitte geben Sie mindestens 2 Antwortmöglichkeiten an, eine pro Zeile.');
    assert.equal(inputByName(r.text, 'frage1_text').value, 'Nur eine Möglichkeit?');
    assert.equal(textareaValue(r.text, 'frage2_antworten'), 'Obst, Gemüse\r\nBlumen\r\nKäse');
    assert.equal(inputByName(r.text, 'beginn').value, mainzDay(5));

    // No question at all.
    const none = await staff.post(`${base}/neu`, surveyFields({ questions: [{ text: '', kind: 'einfach' }] }));
    assert.equal(none.status, 422);
    assert.match(mainText(none.text), /Bitte stellen Sie mindestens eine Frage/);

    sid = await createSurvey(staff, pid);
    const page = await staff.page(`${base}/${sid}?hinweis=angelegt`);
    assert.match(mainText(page.text), /Die Umfrage ist angelegt/);
    assert.match(page.text, /<strong>wichtig<\/strong>/);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM survey_questions WHERE survey_id = ${sid}`), 4);
    assert.deepEqual(
      (await srv.query(`SELECT kind, required FROM survey_questions WHERE survey_id = ${sid} ORDER BY position`)).map((x) => x.join(':')),
      ['einfach:1', 'mehrfach:0', 'bewertung:1', 'text:0'],
    );
    assert.deepEqual(
      (await srv.query(`SELECT action FROM audit_log WHERE object = 'survey:${sid}'`)).map((x) => x[0]),
      ['participation.survey.create'],
    );
    assert.match(mainText((await srv.client().page(base)).text), /Neuer Marktplatz .*Läuft/);

    // Another unit's staff: the process's staff pages do not exist for them; residents may not.
    assert.equal((await otherStaff.fetch(`${base}/neu`)).status, 404);
    assert.equal((await otherStaff.fetch(`${base}/${sid}/bearbeiten`)).status, 404);
    const citizen = await registerAndConfirm(srv, smtp, { tag: 'neugier' });
    assert.equal((await citizen.client.fetch(`${base}/neu`)).status, 403);
  });

  test('a resident answers once: mistakes keep the answers, a second set is refused, also ten at once', async () => {
    const url = `/beteiligung/verfahren/${pid}/umfragen/${sid}`;
    // Nobody signed in: the page explains and links to the sign-in.
    const anon = await srv.client().page(url);
    assert.match(anon.text, new RegExp(`href="/konto/anmelden\\?weiter=${url.replace(/\//g, '\\/')}"`));
    const anna = await registerAndConfirm(srv, smtp, { tag: 'anna' });
    const page = await anna.client.page(url);
    const qs = questionsOf(page.text);
    assert.deepEqual(qs.map((q) => q.type), ['radio', 'checkbox', 'radio', 'text']);
    assert.deepEqual(qs[2].options.map((o) => o.value), ['1', '2', '3', '4', '5']);

    // The required questions left out, a free text too long: all said at once, everything kept.
    const long = 'x'.repeat(2001);
    const bad = await anna.client.post(url, answerFields(qs, [null, [0, 2], null, long]));
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.text).map((e) => e.href), [`#feld-${qs[0].name}`, `#feld-${qs[2].name}`, `#feld-${qs[3].name}`]);
    assert.match(errorSummary(bad.text)[0].text, /^Frage 1: Bitte beantworten Sie diese Frage/);
    const kept = questionsOf(bad.text);
    assert.deepEqual(kept[1].options.map((o) => o.checked), [true, false, true]);
    assert.equal(textareaValue(bad.text, qs[3].name), long);
    // An option of another question is not an answer.
    const foreign = await anna.client.post(url, [[qs[0].name, qs[1].options[0].value], [qs[2].name, '3']]);
    assert.equal(foreign.status, 422);
    assert.match(mainText(foreign.text), /Bitte wählen Sie eine der Antworten aus der Liste/);

    const ok = await anna.client.post(url, answerFields(qs, [0, [0, 1], 4, 'x'.repeat(2000)]));
    assert.equal(ok.status, 303, mainText(ok.text).slice(0, 300));
    assert.match(location(ok), /hinweis=danke$/);
    const after = await anna.client.page(location(ok));
    assert.match(mainText(after.text), /Vielen Dank! Ihre Antworten sind gespeichert\. .*Sie haben an dieser Umfrage schon teilgenommen/);
    assert.equal(findForm(after.text, url), undefined, 'no answer form any more');
    const again = await anna.client.post(url, answerFields(qs, [1, [], 2, '']));
    assert.equal(again.status, 409);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM survey_responses WHERE survey_id = ${sid} AND user_id = ${anna.id}`), 1);

    // Ten answer sets of one person at the same moment: one is stored.
    const ben = await registerAndConfirm(srv, smtp, { tag: 'ben' });
    await ben.client.page(url);
    ben.client.syncCsrf();
    const answers = await Promise.all(Array.from({ length: 10 }, () => ben.client.postForm(url, answerFields(qs, [1, [2], 2, 'Mehr Bänke']))));
    assert.equal(answers.filter((a) => a.status === 303).length, 1, answers.map((a) => a.status).join(','));
    assert.ok(answers.every((a) => a.status === 303 || a.status === 409), answers.map((a) => a.status).join(','));
    assert.equal(await num(srv, `SELECT COUNT(*) FROM survey_responses WHERE survey_id = ${sid} AND user_id = ${ben.id}`), 1);
    assert.equal(await num(srv, `SELECT response_count FROM surveys WHERE id = ${sid}`), 2);
    assert.equal(
      await num(srv, `SELECT COUNT(*) FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id WHERE r.user_id = ${ben.id}`),
      4,
    );

    // Not signed in: the POST goes to the sign-in page, nothing is stored.
    const c = srv.client();
    await c.page(url);
    const nobody = await c.postForm(url, answerFields(qs, [0, [], 3, '']));
    assert.equal(nobody.status, 303);
    assert.match(location(nobody), /^\/konto\/anmelden/);
  });

  test('results: the numbers of the answers sent, as tables and well-formed SVG; CSV and JSON match', async () => {
    const url = `/beteiligung/verfahren/${pid}/umfragen/${sid}`;
    const reader = await registerAndConfirm(srv, smtp, { tag: 'leser' });
    const qs = questionsOf((await reader.client.page(url)).text);
    // Two more residents; with the two of the last test: anna [0,[0,1],4,2000 x], ben [1,[2],2,'Mehr Bänke'].
    const sent = [
      [0, [0, 1], 4, 'x'.repeat(2000)],
      [1, [2], 2, 'Mehr Bänke'],
    ];
    const more = [
      [0, [0], 5, 'Ein Brunnen, "bitte", mit\nTrinkwasser'],
      [2, [], 4, ''],
    ];
    for (const [i, a] of more.entries()) {
      const r = await registerAndConfirm(srv, smtp, { tag: `teilnehmer${i}` });
      await r.client.page(url);
      const res = await r.client.post(url, answerFields(qs, a));
      assert.equal(res.status, 303, mainText(res.text).slice(0, 300));
      sent.push(a);
    }

    // Before the survey ends the public sees no results (it did not ask for live results); staff do.
    assert.equal((await srv.client().fetch(`${url}/ergebnisse`)).status, 403);
    assert.equal((await srv.get(`/api/v1${url}/ergebnisse`)).status, 403);
    assert.equal((await staff.fetch(`${url}/ergebnisse`)).status, 200);
    await staff.page(url);
    const closed = await staff.post(`${url}/schliessen`, []);
    assert.equal(closed.status, 303);
    assert.match(location(closed), /hinweis=geschlossen/);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM audit_log WHERE object = 'survey:${sid}' AND action = 'participation.survey.close'`), 1);

    // Expected figures from what was sent.
    const n = sent.length;
    const singleCounts = [0, 1, 2].map((k) => sent.filter((a) => a[0] === k).length);
    const multiBase = sent.filter((a) => a[1].length > 0).length;
    const multiCounts = [0, 1, 2].map((k) => sent.filter((a) => a[1].includes(k)).length);
    const ratingCounts = [1, 2, 3, 4, 5].map((v) => sent.filter((a) => a[2] === v).length);
    const sum = sent.reduce((s, a) => s + a[2], 0);
    const meanTenths = Math.floor((sum * 20 + n) / (n * 2));

    const page = await srv.client().page(`${url}/ergebnisse`);
    assert.match(page.text, new RegExp(`class="survey-respondents">${n}<`));
    const t = resultTables(page.text);
    assert.equal(t.length, 4);
    assert.deepEqual(t[0].rows, QUESTIONS[0].options.map((label, k) => ({ label, count: singleCounts[k], percent: percentDe(singleCounts[k], n) })));
    assert.deepEqual(t[1].rows, QUESTIONS[1].options.map((label, k) => ({ label, count: multiCounts[k], percent: percentDe(multiCounts[k], multiBase) })));
    assert.deepEqual(t[2].rows.map((r) => r.count), ratingCounts);
    assert.deepEqual(t[2].rows.map((r) => r.percent), ratingCounts.map((c) => percentDe(c, n)));
    assert.equal(t[2].mean, `${Math.floor(meanTenths / 10)},${meanTenths % 10}`);
    for (const k of [0, 1, 2]) {
      assert.ok(t[k].svg, `question ${k + 1} has a chart`);
      const names = assertWellFormedXml(t[k].svg);
      assert.equal(names.filter((x) => x === 'rect').length, t[k].rows.length, 'one bar per row');
      assert.match(t[k].svg, /role="img"/);
      assert.match(t[k].svg, /<title id="[^"]+">/);
    }
    assert.equal(t[3].svg, null, 'no chart for free text');
    assert.match(t[3].html, /Mehr Bänke/);
    assert.match(t[3].html, /Ein Brunnen, &quot;bitte&quot;, mit\nTrinkwasser/);

    // The aggregated CSV.
    const csv = await srv.get(`${url}/ergebnisse.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/);
    assert.match(csv.headers['content-disposition'], /attachment; filename="umfrage-\d+-ergebnisse\.csv"/);
    const rows = parseCsv(csv.text);
    assert.deepEqual(rows[0], ['frage_nr', 'frage', 'art', 'antwort', 'anzahl', 'anteil_prozent', 'mittelwert']);
    const row = (q, answer) => rows.find((r) => r[0] === String(q) && r[3] === answer);
    assert.deepEqual(row(1, ''), ['1', QUESTIONS[0].text, 'einfach', '', String(n), '', '']);
    QUESTIONS[0].options.forEach((o, k) => assert.deepEqual(row(1, o).slice(4, 6), [String(singleCounts[k]), percentCsv(singleCounts[k], n)]));
    QUESTIONS[1].options.forEach((o, k) => assert.deepEqual(row(2, o).slice(4, 6), [String(multiCounts[k]), percentCsv(multiCounts[k], multiBase)]));
    assert.equal(row(3, '')[6], `${Math.floor(meanTenths / 10)}.${meanTenths % 10}`);
    [1, 2, 3, 4, 5].forEach((v, k) => assert.equal(row(3, String(v))[4], String(ratingCounts[k])));
    assert.equal(row(4, '')[4], String(sent.filter((a) => a[3] !== '').length));
    assert.ok(rows.every((r) => r.length === 7), 'seven cells in every row');

    // The answers CSV: one row per answer set, one column per question, in the order they came.
    const answersCsv = await srv.get(`${url}/antworten.csv`);
    assert.equal(answersCsv.status, 200);
    const arows = parseCsv(answersCsv.text);
    assert.deepEqual(arows[0], ['antwort_nr', ...QUESTIONS.map((q) => q.text)]);
    assert.equal(arows.length, n + 1);
    sent.forEach((a, i) =>
      assert.deepEqual(arows[i + 1], [
        String(i + 1),
        QUESTIONS[0].options[a[0]],
        a[1].map((k) => QUESTIONS[1].options[k]).join('; '),
        String(a[2]),
        a[3],
      ]),
    );

    // The JSON API gives the same numbers.
    const api = await srv.get(`/api/v1${url}/ergebnisse`);
    assert.equal(api.status, 200);
    const j = JSON.parse(api.text);
    assert.equal(j.results.respondents, n);
    assert.deepEqual(j.results.questions[0].rows.map((r) => r.count), singleCounts);
    assert.equal(j.results.questions[2].mean_tenths, meanTenths);
    assert.equal(j.results.questions[0].chart, undefined, 'no SVG in the API');
    assert.equal(j.survey.state, 'closed');
    const list = JSON.parse((await srv.get(`/api/v1/beteiligung/verfahren/${pid}/umfragen`)).text);
    assert.deepEqual(list.surveys.map((s) => [s.id, s.responses, s.results_public]), [[sid, n, true]]);

    // Closed: nobody can answer any more.
    const late = await registerAndConfirm(srv, smtp, { tag: 'spaet' });
    const latePage = await late.client.page(url);
    assert.match(mainText(latePage.text), /Diese Umfrage ist beendet/);
    const lateAnswer = await late.client.post(url, answerFields(qs, [0, [], 3, '']));
    assert.equal(lateAnswer.status, 409);
  });

  test('the moderation hides a free text with a public reason, and shows it again', async () => {
    const url = `/beteiligung/verfahren/${pid}/umfragen/${sid}`;
    const m = await createStaff(srv, { role: 'moderation', name: 'Moderatorin' });
    const mod = (await signInStaff(srv, m)).client;
    const page = await mod.page(`${url}/ergebnisse`);
    const aid = Number(/id="antwort-(\d+)"(?:(?!id="antwort-)[\s\S])*?Mehr Bänke/.exec(page.text)?.[1]);
    assert.ok(aid > 0);
    const noReason = await mod.post(`${url}/antworten/${aid}/ausblenden`, [['grund', '  ']]);
    assert.equal(noReason.status, 422);
    assert.deepEqual(errorSummary(noReason.text).map((e) => e.href), [`#grund-${aid}`]);
    const tooLong = await mod.post(`${url}/antworten/${aid}/ausblenden`, [['grund', 'g'.repeat(501)]]);
    assert.equal(tooLong.status, 422);
    assert.match(tooLong.text, new RegExp(`id="grund-${aid}" name="grund" type="text" maxlength="500" value="${'g'.repeat(501)}"`));
    const hidden = await mod.post(`${url}/antworten/${aid}/ausblenden`, [['grund', 'Werbung für ein Geschäft']]);
    assert.equal(hidden.status, 303);
    const pub = await srv.client().page(`${url}/ergebnisse`);
    assert.match(mainText(pub.text), /Von der Moderation ausgeblendet: Werbung für ein Geschäft/);
    assert.doesNotMatch(pub.text, /Mehr Bänke/);
    assert.match((await srv.get(`${url}/antworten.csv`)).text, /"\[ausgeblendet\]"/);
    assert.match((await staff.fetch(`${url}/antworten.csv`)).text, /"Mehr Bänke"/, 'staff of the process still read it');
    const api = JSON.parse((await srv.get(`/api/v1${url}/ergebnisse`)).text);
    const t = api.results.questions[3].texts.find((x) => x.id === aid);
    assert.deepEqual([t.hidden, t.reason, t.answer], [true, 'Werbung für ein Geschäft', undefined]);
    // Residents cannot.
    const resident = await registerAndConfirm(srv, smtp, { tag: 'nicht-moderation' });
    await resident.client.page(url);
    assert.equal((await resident.client.post(`${url}/antworten/${aid}/einblenden`, [])).status, 403);
    const shown = await mod.post(`${url}/antworten/${aid}/einblenden`, []);
    assert.equal(shown.status, 303);
    assert.match((await srv.client().page(`${url}/ergebnisse`)).text, /Mehr Bänke/);
    assert.deepEqual(
      (await srv.query(`SELECT action FROM audit_log WHERE object = 'survey_answer:${aid}' ORDER BY id`)).map((x) => x[0]),
      ['participation.survey_answer.hide', 'participation.survey_answer.unhide'],
    );
  });

  test('a draft survey exists only for staff; a survey outside a surveys phase takes no answers', async () => {
    const draft = await createSurvey(staff, pid, { title: 'Noch geheim', status: 'entwurf' });
    const base = `/beteiligung/verfahren/${pid}/umfragen`;
    assert.equal((await srv.client().fetch(`${base}/${draft}`)).status, 404);
    assert.equal((await otherStaff.fetch(`${base}/${draft}`)).status, 404);
    assert.doesNotMatch(mainText((await srv.client().page(base)).text), /Noch geheim/);
    assert.match(mainText((await staff.page(base)).text), /Noch geheim .*Entwurf/);
    const api = JSON.parse((await srv.get(`/api/v1${base}`)).text);
    assert.ok(!api.surveys.some((s) => s.id === draft));

    // A process whose running phase has no surveys switched on.
    const bauamt = await unitId(srv, 'bauamt');
    const quiet = await createProcess(staff, bauamt, 'Nur Information');
    await addPhase(staff, quiet, ['comments']);
    const s2 = await createSurvey(staff, quiet, { title: 'Zu früh' });
    const resident = await registerAndConfirm(srv, smtp, { tag: 'frueh' });
    const page = await resident.client.page(`/beteiligung/verfahren/${quiet}/umfragen/${s2}`);
    assert.match(mainText(page.text), /In der jetzigen Phase des Verfahrens sind Umfragen nicht vorgesehen/);
    const r = await resident.client.post(`/beteiligung/verfahren/${quiet}/umfragen/${s2}`, []);
    assert.equal(r.status, 409);
  });

  test('limits: too long or out of range is refused with a message, what was typed stays', async () => {
    const base = `/beteiligung/verfahren/${pid}/umfragen`;
    await staff.page(`${base}/neu`);
    const title201 = 'T'.repeat(201);
    const bad = await staff.post(
      `${base}/neu`,
      surveyFields({
        title: title201,
        questions: [
          { text: 'F'.repeat(501), kind: 'text' },
          { text: 'Viele?', kind: 'einfach', options: Array.from({ length: 13 }, (_, i) => `Antwort ${i + 1}`) },
          { text: 'Lang?', kind: 'mehrfach', options: ['kurz', 'L'.repeat(201)] },
          { text: 'Doppelt?', kind: 'einfach', options: ['Ja', 'Ja'] },
        ],
      }),
    );
    assert.equal(bad.status, 422);
    assert.equal(inputByName(bad.text, 'titel').value, title201);
    assert.equal(fieldError(bad.text, 'titel'), 'Der Titel ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen.');
    assert.equal(fieldError(bad.text, 'frage1_text'), 'Die Frage ist zu lang. Bitte verwenden Sie höchstens 500 Zeichen.');
    assert.equal(fieldError(bad.text, 'frage2_antworten'), 'Zu viele Antwortmöglichkeiten. Bitte geben Sie höchstens 12 an.');
    assert.match(fieldError(bad.text, 'frage3_antworten'), /höchstens 200 Zeichen je Zeile/);
    assert.equal(fieldError(bad.text, 'frage4_antworten'), 'Jede Antwortmöglichkeit darf nur einmal vorkommen.');
    assert.equal(textareaValue(bad.text, 'frage3_antworten'), `kurz\r\n${'L'.repeat(201)}`);
    // Just within every limit: accepted.
    const fine = await staff.post(
      `${base}/neu`,
      surveyFields({
        title: 'T'.repeat(200),
        status: 'entwurf',
        questions: [
          { text: 'F'.repeat(500), kind: 'text' },
          { text: 'Viele?', kind: 'einfach', options: Array.from({ length: 12 }, (_, i) => `Antwort ${i + 1}`) },
          { text: 'Lang?', kind: 'mehrfach', options: ['kurz', 'L'.repeat(200)] },
        ],
      }),
    );
    assert.equal(fine.status, 303, mainText(fine.text).slice(0, 400));

    // An answer form of more than the body limit (1 MiB) is refused as a whole.
    const url = `/beteiligung/verfahren/${pid}/umfragen/${sid}`;
    const big = await staff.post(url, [['frage-1', 'y'.repeat(1024 * 1024 + 10)]]);
    assert.equal(big.status, 413);

    // Events.
    const ebase = `/beteiligung/verfahren/${pid}/veranstaltungen`;
    await staff.page(`${ebase}/neu`);
    const e1 = await staff.post(
      `${ebase}/neu`,
      eventFields({ place: 'P'.repeat(201), capacity: '10001', start: `${mainzDay(3)}T18:00`, end: `${mainzDay(3)}T17:00`, until: `${mainzDay(4)}T12:00` }),
    );
    assert.equal(e1.status, 422);
    assert.deepEqual(errorSummary(e1.text).map((e) => e.href), ['#feld-ende', '#feld-ort', '#feld-plaetze', '#feld-anmeldung_bis']);
    assert.equal(inputByName(e1.text, 'ort').value, 'P'.repeat(201));
    assert.equal(inputByName(e1.text, 'plaetze').value, '10001');
    assert.equal(inputByName(e1.text, 'stufenlos').checked, '', 'ticked boxes stay ticked');
    assert.equal(inputByName(e1.text, 'wc').checked, undefined);
    assert.equal(textareaValue(e1.text, 'hinweise'), 'Eingang an der Rheinseite.');
    const e2 = await staff.post(`${ebase}/neu`, eventFields({ place: 'P'.repeat(200), capacity: '10000', status: 'entwurf' }));
    assert.equal(e2.status, 303, mainText(e2.text).slice(0, 400));
    const e3 = await staff.post(`${ebase}/neu`, eventFields({ capacity: '0', start: 'morgen' }));
    assert.equal(e3.status, 422);
    assert.equal(fieldError(e3.text, 'beginn'), 'Bitte geben Sie Datum und Uhrzeit so ein: 2026-03-01T18:30.');
    assert.equal(fieldError(e3.text, 'plaetze'), 'Bitte geben Sie eine ganze Zahl von 1 bis 10.000 ein.');
  });

  test('an event: accessibility listed, registration with mail and calendar file, twice in vain, cancelled', async () => {
    const eid = await createEvent(staff, pid, { title: 'Marktgespräch, Teil 1' });
    const url = `/beteiligung/verfahren/${pid}/veranstaltungen/${eid}`;
    const pub = await srv.client().page(url);
    const text = mainText(pub.text);
    assert.match(text, /Marktgespräch, Teil 1/);
    assert.match(text, /Barrierefreiheit Stufenloser Zugang Induktionsschleife für Hörgeräte Eingang an der Rheinseite\./);
    assert.doesNotMatch(text, /Barrierefreies WC/);
    assert.match(text, /20 von 20 frei/);
    assert.match(pub.text, new RegExp(`href="${url}/kalender.ics"`));
    assert.match(mainText((await srv.client().page(`/beteiligung/verfahren/${pid}/veranstaltungen`)).text), /Kommende Veranstaltungen Marktgespräch, Teil 1/);

    const ics = await srv.get(`${url}/kalender.ics`);
    assert.equal(ics.status, 200);
    assert.match(ics.headers['content-type'], /^text\/calendar/);
    assert.match(ics.text, /^BEGIN:VCALENDAR\r\n/);
    assert.match(ics.text, /\r\nBEGIN:VEVENT\r\n/);
    assert.match(ics.text, /\r\nSUMMARY:Marktgespräch\\, Teil 1\r\n/);
    assert.match(ics.text, new RegExp(`\\r\\nUID:veranstaltung-${eid}@`));
    assert.match(ics.text, /\r\nLOCATION:Rathaus\\, Ratssaal\\, Jockel-Fuchs-Platz 1\\, 55116 Mainz\r\n/);
    // 18:00 in Mainz, written in UTC.
    const start = new Date(`${mainzDay(7)}T18:00:00Z`);
    const offsetHours = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(start)) - 18;
    const utc = new Date(start.getTime() - offsetHours * 3600000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    assert.match(ics.text, new RegExp(`\\r\\nDTSTART:${utc}\\r\\n`));

    const resident = await registerAndConfirm(srv, smtp, { tag: 'gast' });
    const page = await resident.client.page(url);
    assert.ok(findForm(page.text, `${url}/anmelden`), 'a registration form');
    const since = smtp.messages.length;
    const r = await resident.client.post(`${url}/anmelden`, []);
    assert.equal(r.status, 303);
    assert.match(location(r), /hinweis=angemeldet$/);
    const mail = await waitForMail(smtp, resident.email, { subject: /Anmeldung bestätigt: Marktgespräch, Teil 1/, since });
    assert.match(mail.text, /Stufenloser Zugang/);
    assert.match(mail.text, new RegExp(`${url}/kalender\\.ics`));
    const after = await resident.client.page(location(r));
    assert.match(mainText(after.text), /Sie sind angemeldet\. Wir haben Ihnen eine Bestätigung .*19 von 20 frei/);
    const twice = await resident.client.post(`${url}/anmelden`, []);
    assert.match(location(twice), /hinweis=schon-angemeldet$/);
    assert.equal(await num(srv, `SELECT registered_count FROM participation_events WHERE id = ${eid}`), 1);

    // Staff see who registered; another unit's staff do not.
    const list = await staff.page(`${url}/anmeldungen`);
    assert.match(mainText(list.text), new RegExp(`Angemeldet \\(1\\).*${resident.email.replace(/[.+]/g, '\\$&')}`));
    assert.equal((await otherStaff.fetch(`${url}/anmeldungen`)).status, 404);
    assert.equal((await resident.client.fetch(`${url}/anmeldungen`)).status, 403);

    const since2 = smtp.messages.length;
    const cancel = await resident.client.post(`${url}/abmelden`, []);
    assert.equal(cancel.status, 303);
    assert.match(location(cancel), /hinweis=abgemeldet$/);
    await waitForMail(smtp, resident.email, { subject: /Abmeldung bestätigt/, since: since2 });
    assert.equal(await num(srv, `SELECT registered_count FROM participation_events WHERE id = ${eid}`), 0);
    assert.equal((await resident.client.post(`${url}/abmelden`, [])).status, 409);
    assert.match(mainText((await staff.page(`${url}/anmeldungen`)).text), /Abgemeldet/);

    // The API lists the event with its accessibility and places.
    const api = JSON.parse((await srv.get(`/api/v1/beteiligung/verfahren/${pid}/veranstaltungen`)).text);
    const ev = api.events.find((e) => e.id === eid);
    assert.deepEqual(ev.accessibility, { step_free: true, accessible_toilet: false, hearing_loop: true, sign_language: false, note: 'Eingang an der Rheinseite.' });
    assert.deepEqual([ev.capacity, ev.registered, ev.places_left, ev.state], [20, 0, 20, 'open']);
  });

  test('capacity: ten residents at once for the last place — one gets it', async () => {
    const eid = await createEvent(staff, pid, { title: 'Kleine Runde', capacity: '2' });
    const url = `/beteiligung/verfahren/${pid}/veranstaltungen/${eid}`;
    const first = await registerAndConfirm(srv, smtp, { tag: 'erste' });
    await first.client.page(url);
    assert.equal((await first.client.post(`${url}/anmelden`, [])).status, 303);
    const people = [];
    for (let i = 0; i < 10; i++) {
      const p = await registerAndConfirm(srv, smtp, { tag: `rennen${i}` });
      await p.client.page(url);
      p.client.syncCsrf();
      people.push(p);
    }
    const answers = await Promise.all(people.map((p) => p.client.postForm(`${url}/anmelden`, [])));
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 409).length, 9, statuses.join(','));
    assert.equal(await num(srv, `SELECT registered_count FROM participation_events WHERE id = ${eid}`), 2);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM participation_event_registrations WHERE event_id = ${eid} AND status = 'angemeldet'`), 2);
    const full = await srv.client().page(url);
    assert.match(mainText(full.text), /Ausgebucht/);
    assert.match(mainText(full.text), /0 von 2 frei/);
    // The capacity cannot go below the places taken.
    await staff.page(`${url}/bearbeiten`);
    const smaller = await staff.post(`${url}/bearbeiten`, eventFields({ title: 'Kleine Runde', capacity: '1' }));
    assert.equal(smaller.status, 422);
    assert.match(fieldError(smaller.text, 'plaetze'), /Es sind schon mehr Personen angemeldet/);
    // Editing raises the calendar's SEQUENCE.
    const bigger = await staff.post(`${url}/bearbeiten`, eventFields({ title: 'Kleine Runde', capacity: '3' }));
    assert.equal(bigger.status, 303);
    assert.match((await srv.get(`${url}/kalender.ics`)).text, /\r\nSEQUENCE:1\r\n/);
  });

  testCleanExit(() => srv);
});

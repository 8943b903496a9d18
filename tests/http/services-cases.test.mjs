// services-cases.test.mjs — Vorgangsbearbeitung: the staff inbox and the case
// page under /verwaltung/vorgaenge (src/modules/services/cases*.c, workflow.c).
//
// What a caseworker would notice: the inbox shows the submitted cases of their
// own unit only (never a draft, never another unit's case: that one is a 404),
// newest first, 50 a page; following "Weitere Vorgänge" walks every case exactly
// once, also when several arrived in the same second and with a filter on; the
// filters (status, service, age, "mine", resubmission due) narrow it and count
// per status; a case page shows the answers under the form's labels, the files,
// the full history; a status change is recorded, a question reaches the citizen
// as a Postfach message with an e-mail that holds only a link, internal notes
// stay internal; a Zweckentfremdung decision needs a second person (never the
// proposer) and then yields a PDF notice in the Postfach; assignment, deadline,
// resubmission and payment at the counter are stored; bad input comes back with
// the error on top and the text kept; the statistics page counts and computes
// the median. Cases are made with SQL, since applying is another part's work.
// On SQLite and PostgreSQL, against a demo server with a real SMTP server.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { decodeEntities, sleep } from '../lib/http.mjs';
import {
  accountSuite,
  createStaff,
  errorSummary,
  fieldError,
  inputByName,
  location,
  loginOk,
  accountClient,
  mainText,
  signInStaff,
  sqlWrite,
  unitId,
  userId,
  waitForMail,
  mailLinks,
} from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const DAY = 86400;
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);

const DEFINITION = JSON.stringify({
  form_key: 'h5-cases',
  title: 'Testformular',
  steps: [
    {
      title: 'Zur Person',
      fields: [
        { name: 'given_name', type: 'text', label: 'Vorname' },
        { name: 'colour', type: 'select', label: 'Lieblingsfarbe', options: [{ value: 'rot', label: 'Rot wie Wein' }] },
      ],
    },
    {
      title: 'Die Wohnung',
      fields: [
        { name: 'flat', type: 'address', label: 'Anschrift der Wohnung' },
        { name: 'nights', type: 'number', label: 'Nächte pro Jahr' },
        { name: 'consent', type: 'checkbox', label: 'Ich stimme zu' },
        { name: 'plan', type: 'file', label: 'Grundriss', accept: ['pdf'] },
      ],
    },
  ],
});
const ANSWERS = JSON.stringify({
  given_name: 'Maria',
  colour: 'rot',
  flat: { street: 'Rheinstraße', house_number: '5', postcode: '55116', city: 'Mainz' },
  nights: '120',
  consent: true,
  stray: '<b>nicht fett</b>',
});

// [service slug, unit, workflow, four eyes]
const SERVICES = [
  ['h5-buerger', 'buergeramt', 'standard', 0],
  ['h5-paging', 'buergeramt', 'standard', 0],
  ['h5-stats', 'buergeramt', 'standard', 0],
  ['h5-bau', 'bauamt', 'standard', 0],
  ['h5-zweck', 'bauamt', 'zweckentfremdung', 1],
  ['h5-meldung', 'bauamt', 'meldung', 0],
];

forEachEngine((engine) => {
  let srv;
  let smtp;
  let office; // buergeramt@rathaus.test: sachbearbeitung in buergeramt
  let bauamt; // bauamt@rathaus.test: sachbearbeitung in bauamt
  let leitung; // leitung.bauamt@rathaus.test: sachgebietsleitung in bauamt (approves)
  let maria; // maria.muster@example.org, the citizen
  let mariaId;
  let officeId;
  let bauamtId;
  let leitungId;
  let formId;
  const service = {}; // slug → id
  let counter = 0;
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  before(async () => {
    const t = now();
    await sqlWrite(
      srv,
      `INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES ('h5-cases', 1, 'Testformular', ${q(DEFINITION)}, ${t})`,
    );
    formId = Number((await srv.query(`SELECT id FROM form_definitions WHERE form_key = 'h5-cases'`))[0][0]);
    for (const [slug, unit, workflow, fourEyes] of SERVICES) {
      const uid = await unitId(srv, unit);
      await sqlWrite(
        srv,
        `INSERT INTO services (slug, name, unit_id, workflow, four_eyes, created_at, updated_at) VALUES (${q(slug)}, ${q('Testleistung ' + slug)}, ${uid}, ${q(workflow)}, ${fourEyes}, ${t}, ${t})`,
      );
      service[slug] = Number((await srv.query(`SELECT id FROM services WHERE slug = ${q(slug)}`))[0][0]);
    }
    office = (await signInStaff(srv, { email: 'buergeramt@rathaus.test', password: DEMO_PASSWORD })).client;
    bauamt = (await signInStaff(srv, { email: 'bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
    leitung = (await signInStaff(srv, { email: 'leitung.bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
    maria = accountClient(srv);
    await loginOk(maria, 'maria.muster@example.org', DEMO_PASSWORD);
    mariaId = await userId(srv, 'maria.muster@example.org');
    officeId = await userId(srv, 'buergeramt@rathaus.test');
    bauamtId = await userId(srv, 'bauamt@rathaus.test');
    leitungId = await userId(srv, 'leitung.bauamt@rathaus.test');
  });

  // Rows of one INSERT for a case: what apply.c stores at submission.
  function row(slug, { status = 'eingegangen', submittedAt = now(), user = mariaId, fee = 0, data = ANSWERS, closedAt = null } = {}) {
    const reference = `H5-${engine}-${++counter}`;
    const unit = SERVICES.find((s) => s[0] === slug)[1];
    const submitted = status !== 'entwurf';
    return {
      reference,
      sql:
        `(${submitted ? q(reference) : 'NULL'}, ${service[slug]}, ${formId}, (SELECT id FROM units WHERE slug = ${q(unit)}), ${user ?? 'NULL'}, ` +
        `${q(status)}, ${q('Testfall ' + reference)}, ${q(data)}, ${fee}, ${submittedAt - 10}, ${submitted ? submittedAt : 'NULL'}, ${submittedAt}, ${closedAt ?? 'NULL'})`,
    };
  }
  const COLUMNS =
    'INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, summary, data, fee_cents, created_at, submitted_at, updated_at, closed_at) VALUES ';

  // cases(slug, [opts…]) → [{id, reference}] in the order given, one INSERT.
  async function cases(slug, list) {
    const rows = list.map((o) => row(slug, o));
    await sqlWrite(srv, COLUMNS + rows.map((r) => r.sql).join(', '));
    const ids = await srv.query(
      `SELECT id, summary FROM applications WHERE service_id = ${service[slug]} AND summary IN (${rows.map((r) => q('Testfall ' + r.reference)).join(', ')})`,
    );
    const bySummary = new Map(ids.map(([id, summary]) => [summary, Number(id)]));
    return rows.map((r) => ({ id: bySummary.get('Testfall ' + r.reference), reference: r.reference }));
  }
  const one = async (slug, opts = {}) => (await cases(slug, [opts]))[0];

  const casePath = (c) => `/verwaltung/vorgaenge/${c.id}`;
  const referencesOn = (html) => [...html.matchAll(/href="\/verwaltung\/vorgaenge\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
  const nextLink = (html) => {
    const m = /<a class="kern-link" href="([^"]+)" rel="next">/.exec(html);
    return m ? decodeEntities(m[1]) : null;
  };
  async function status(c) {
    return (await srv.query(`SELECT status, approval_status FROM applications WHERE id = ${c.id}`))[0];
  }
  async function events(c, kind) {
    return srv.query(
      `SELECT kind, from_value, to_value, internal, COALESCE(actor_id, 0) FROM application_events WHERE application_id = ${c.id}${kind ? ` AND kind = ${q(kind)}` : ''} ORDER BY id`,
    );
  }
  async function post(client, path, fields) {
    client.syncCsrf();
    return client.postForm(path, fields);
  }

  // Walks the inbox from first, following "Weitere Vorgänge"; → references of one service.
  async function walk(client, first) {
    const seen = [];
    let path = first;
    let pages = 0;
    while (path) {
      const r = await client.fetch(path);
      assert.equal(r.status, 200, `${path}: ${mainText(r.text).slice(0, 300)}`);
      seen.push(...referencesOn(r.text));
      path = nextLink(r.text);
      assert.ok(++pages < 20, 'the inbox pages never end');
    }
    return { seen, pages };
  }

  test('the inbox shows the unit’s submitted cases, newest first, without drafts or other units’ cases', async () => {
    const t = now();
    const [older, newer] = await cases('h5-buerger', [{ submittedAt: t - 3 * DAY }, { submittedAt: t - DAY }]);
    const draft = await one('h5-buerger', { status: 'entwurf' });
    const foreign = await one('h5-bau');
    const r = await office.fetch(`/verwaltung/vorgaenge?leistung=${service['h5-buerger']}`);
    assert.equal(r.status, 200);
    const refs = referencesOn(r.text);
    assert.ok(refs.indexOf(newer.reference) >= 0 && refs.indexOf(newer.reference) < refs.indexOf(older.reference), refs.join(' '));
    assert.ok(!r.text.includes(`/verwaltung/vorgaenge/${draft.id}"`), 'a draft is listed');
    const all = await office.fetch('/verwaltung/vorgaenge');
    assert.ok(!referencesOn(all.text).includes(foreign.reference), 'a Bauamt case is in the Bürgeramt inbox');
    assert.ok(!all.text.includes(`/verwaltung/vorgaenge/${foreign.id}"`));
    // The Bauamt sees its own case, not the Bürgeramt's.
    const bau = await bauamt.fetch(`/verwaltung/vorgaenge?leistung=${service['h5-bau']}`);
    assert.ok(referencesOn(bau.text).includes(foreign.reference));
    assert.ok(!referencesOn((await bauamt.fetch('/verwaltung/vorgaenge')).text).includes(newer.reference));
  });

  test('case work is no administrative page: a caseworker without a second factor gets the inbox', async () => {
    const c = accountClient(srv);
    const r = await loginOk(c, 'bauamt@rathaus.test', DEMO_PASSWORD, { next: '/verwaltung/vorgaenge' });
    assert.equal(location(r), '/verwaltung/vorgaenge');
    assert.equal((await c.fetch('/verwaltung/vorgaenge')).status, 200);
    assert.equal((await srv.query(`SELECT COUNT(*) FROM users WHERE id = ${bauamtId} AND totp_enabled_at IS NOT NULL`))[0][0], '0');
  });

  test('a case of another unit, a draft and a missing case are 404 for every case address', async () => {
    const foreign = await one('h5-bau');
    const draft = await one('h5-buerger', { status: 'entwurf' });
    for (const c of [foreign, draft, { id: 99999999 }]) {
      assert.equal((await office.fetch(casePath(c))).status, 404);
      assert.equal((await office.fetch(`${casePath(c)}/dateien/1`)).status, 404);
      for (const [action, fields] of [
        ['status', [['status', 'in_pruefung'], ['text', '']]],
        ['notiz', [['notiz', 'x']]],
        ['zuweisen', [['an', 'ich']]],
        ['termine', [['frist', ''], ['wiedervorlage', '']]],
        ['bezahlt', []],
      ])
        assert.equal((await post(office, `${casePath(c)}/${action}`, fields)).status, 404, `${action} on ${c.id}`);
    }
    assert.equal((await status(foreign))[0], 'eingegangen');
    // A citizen is no caseworker; nobody signed in goes to the login.
    assert.equal((await maria.fetch('/verwaltung/vorgaenge')).status, 403);
    assert.equal((await maria.fetch(casePath(foreign))).status, 403);
    const anon = await srv.client().fetch('/verwaltung/vorgaenge');
    assert.equal(anon.status, 303);
    assert.match(location(anon), /^\/konto\/anmelden/);
  });

  test('keyset paging walks every case exactly once, newest and oldest first, also with a status filter', async () => {
    const t = now() - 400 * DAY;
    // 130 cases, in runs of three with the same second (ties are broken by id),
    // every third one in review.
    const opts = [];
    for (let i = 0; i < 130; i++) opts.push({ submittedAt: t + Math.floor(i / 3) * 60, status: i % 3 === 0 ? 'in_pruefung' : 'eingegangen' });
    const made = await cases('h5-paging', opts);
    const rows = await srv.query(`SELECT reference, submitted_at, id, status FROM applications WHERE service_id = ${service['h5-paging']}`);
    const newest = [...rows].sort((a, b) => Number(b[1]) - Number(a[1]) || Number(b[2]) - Number(a[2])).map((r) => r[0]);
    const base = `/verwaltung/vorgaenge?leistung=${service['h5-paging']}`;

    const desc = await walk(office, base);
    assert.equal(desc.pages, 3);
    assert.deepEqual(desc.seen, newest);
    const asc = await walk(office, `${base}&sortierung=aelteste`);
    assert.deepEqual(asc.seen, [...newest].reverse());
    const review = await walk(office, `${base}&status=in_pruefung`);
    assert.deepEqual(
      review.seen,
      newest.filter((ref) => rows.find((r) => r[0] === ref)[3] === 'in_pruefung'),
    );
    assert.equal(review.seen.length, 44);
    assert.equal(made.length, 130);

    // A case arriving while someone pages shows neither twice nor pushes one out.
    const first = await office.fetch(base);
    const next = nextLink(first.text);
    await one('h5-paging', { submittedAt: now() });
    const rest = await walk(office, next);
    const firstPage = referencesOn(first.text);
    assert.equal(new Set([...firstPage, ...rest.seen]).size, 130);
    assert.deepEqual([...firstPage, ...rest.seen], newest);
  });

  test('a caseworker of two units sees both, with the unit shown and a unit filter; paging spans both', async () => {
    const staff = await createStaff(srv, { role: 'sachbearbeitung', unit: 'buergeramt', name: 'Zora Zweiamt' });
    const role = (await srv.query(`SELECT id FROM roles WHERE name = 'sachbearbeitung'`))[0][0];
    await sqlWrite(srv, `INSERT INTO user_roles (user_id, role_id, unit_id) VALUES (${staff.id}, ${role}, ${await unitId(srv, 'bauamt')})`);
    const c = (await signInStaff(srv, staff)).client;
    const t = now() - 300 * DAY;
    const a = await cases('h5-buerger', [{ submittedAt: t }, { submittedAt: t + 120 }, { submittedAt: t + 240 }]);
    const b = await cases('h5-bau', [{ submittedAt: t + 60 }, { submittedAt: t + 180 }]);
    // Older than 299 days, newest first: these five come first (only older
    // cases of other tests follow).
    const r = await c.fetch('/verwaltung/vorgaenge?aelter=299');
    assert.equal(r.status, 200);
    assert.ok(inputByName(r.text, 'einheit'), 'no unit filter');
    const text = mainText(r.text);
    assert.match(text, /Einheit/);
    // Both units' cases interleaved by time.
    const refs = referencesOn(r.text).filter((x) => [...a, ...b].some((y) => y.reference === x));
    assert.deepEqual(refs, [a[2], b[1], a[1], b[0], a[0]].map((x) => x.reference));
    assert.deepEqual(referencesOn(r.text).slice(0, 5), refs);
    // One unit chosen; a unit not one's own is refused.
    const only = referencesOn((await c.fetch(`/verwaltung/vorgaenge?aelter=299&einheit=${await unitId(srv, 'bauamt')}`)).text);
    assert.ok(b.every((x) => only.includes(x.reference)) && !a.some((x) => only.includes(x.reference)));
    assert.equal((await c.fetch(`/verwaltung/vorgaenge?einheit=${await unitId(srv, 'hauptamt')}`)).status, 422);
    // Paging over both units with a status filter and without: every case once.
    for (const status of ['', 'eingegangen']) {
      const all = (await srv.query(
        `SELECT a.reference FROM applications a JOIN units u ON u.id = a.unit_id WHERE u.slug IN ('buergeramt', 'bauamt') AND a.submitted_at IS NOT NULL${status ? ` AND a.status = '${status}'` : ''} ORDER BY a.submitted_at DESC, a.id DESC`,
      )).map((x) => x[0]);
      const walked = await walk(c, status ? `/verwaltung/vorgaenge?status=${status}` : '/verwaltung/vorgaenge');
      assert.deepEqual(walked.seen, all);
    }
    // Both units' cases open for this caseworker.
    assert.equal((await c.fetch(casePath(b[0]))).status, 200);
    assert.equal((await c.fetch(casePath(a[0]))).status, 200);
  });

  test('a cursor that no page makes is refused with 400', async () => {
    for (const bad of ['abc', '12', '12.', '.5', '1.2.3', '-1.5', '99999999999999999999.1'])
      assert.equal((await office.fetch(`/verwaltung/vorgaenge?nach=${encodeURIComponent(bad)}`)).status, 400, bad);
  });

  test('filters: status chips with counts, age, assigned to me, resubmission due', async () => {
    const t = now();
    const [fresh, old, review] = await cases('h5-stats', [
      { submittedAt: t - DAY },
      { submittedAt: t - 20 * DAY },
      { submittedAt: t - 2 * DAY, status: 'in_pruefung' },
    ]);
    const base = `/verwaltung/vorgaenge?leistung=${service['h5-stats']}`;
    // Age: older than 10 days.
    const aged = referencesOn((await office.fetch(`${base}&aelter=10`)).text);
    assert.ok(aged.includes(old.reference) && !aged.includes(fresh.reference), aged.join(' '));
    // Status.
    const byStatus = referencesOn((await office.fetch(`${base}&status=in_pruefung`)).text);
    assert.deepEqual(byStatus, [review.reference]);
    // Chips count the open cases per status within the unit. The counts are
    // kept up to two seconds; cases made by SQL (as here) show after that.
    await sleep(2100);
    const inReviewNow = async () =>
      Number((await srv.query(
        `SELECT COUNT(*) FROM applications a JOIN units u ON u.id = a.unit_id WHERE u.slug = 'buergeramt' AND a.status = 'in_pruefung'`,
      ))[0][0]);
    const inReview = await inReviewNow();
    assert.match(mainText((await office.fetch('/verwaltung/vorgaenge')).text), new RegExp(`In Prüfung ${inReview}\\b`));
    // A status change made through the pages shows at once.
    const moved = await one('h5-stats', { submittedAt: t - 3 * DAY });
    await sleep(2100);
    assert.match(mainText((await office.fetch('/verwaltung/vorgaenge')).text), new RegExp(`In Prüfung ${inReview}\\b`));
    assert.equal((await post(office, `${casePath(moved)}/status`, [['status', 'in_pruefung'], ['text', '']])).status, 303);
    assert.equal(await inReviewNow(), inReview + 1);
    assert.match(mainText((await office.fetch('/verwaltung/vorgaenge')).text), new RegExp(`In Prüfung ${inReview + 1}\\b`));
    // Closed statuses are chips without a count.
    const chips = (await office.fetch('/verwaltung/vorgaenge')).text;
    for (const [key, label] of [['abgeschlossen', 'Abgeschlossen'], ['abgelehnt', 'Abgelehnt'], ['zurueckgezogen', 'Zurückgezogen']])
      assert.match(chips, new RegExp(`href="/verwaltung/vorgaenge\\?status=${key}">${label}</a>`));
    // Mine: assign one to me.
    assert.equal((await post(office, `${casePath(fresh)}/zuweisen`, [['an', 'ich']])).status, 303);
    const mine = referencesOn((await office.fetch(`${base}&mir=1`)).text);
    assert.deepEqual(mine, [fresh.reference]);
    // Resubmission due: one set for yesterday, one for next year.
    const yesterday = new Date((t - DAY) * 1000).toISOString().slice(0, 10);
    const nextYear = new Date((t + 365 * DAY) * 1000).toISOString().slice(0, 10);
    assert.equal((await post(office, `${casePath(old)}/termine`, [['frist', ''], ['wiedervorlage', yesterday]])).status, 303);
    assert.equal((await post(office, `${casePath(review)}/termine`, [['frist', ''], ['wiedervorlage', nextYear]])).status, 303);
    const due = referencesOn((await office.fetch(`${base}&wiedervorlage=1`)).text);
    assert.deepEqual(due, [old.reference]);
  });

  test('a bad filter comes back with the message on top and at the field, the value kept', async () => {
    for (const bad of ['0', 'viele', '3651']) {
      const r = await office.fetch(`/verwaltung/vorgaenge?aelter=${bad}&status=in_pruefung`);
      assert.equal(r.status, 422, bad);
      assert.equal(errorSummary(r.text)[0]?.href, '#feld-aelter');
      assert.match(fieldError(r.text, 'aelter'), /ganze Zahl von 1 bis 3650/);
      assert.equal(inputByName(r.text, 'aelter').value, bad);
    }
    assert.equal((await office.fetch('/verwaltung/vorgaenge?aelter=3650')).status, 200);
    const r = await office.fetch('/verwaltung/vorgaenge?status=erfunden');
    assert.equal(r.status, 422);
    assert.equal(errorSummary(r.text)[0]?.href, '#feld-status');
    const unit = await office.fetch(`/verwaltung/vorgaenge?einheit=${await unitId(srv, 'bauamt')}`);
    assert.equal(unit.status, 422, 'a unit outside one’s own is refused');
  });

  test('the case page shows the answers under the form’s labels, the files and the history', async () => {
    const c = await one('h5-buerger', { fee: 3750 });
    const pdf = '255044462d312e340a25454f460a'; // "%PDF-1.4\n%EOF\n"
    const blob = engine === 'postgres' ? `decode('${pdf}', 'hex')` : `X'${pdf}'`;
    await sqlWrite(
      srv,
      `INSERT INTO application_files (application_id, field, filename, content_type, size, data, uploaded_by, created_at) VALUES (${c.id}, 'plan', 'Grundriss "neu".pdf', 'application/pdf', 14, ${blob}, ${mariaId}, ${now()})`,
    );
    const r = await office.fetch(casePath(c));
    assert.equal(r.status, 200);
    const text = mainText(r.text);
    for (const s of ['Zur Person', 'Vorname Maria', 'Lieblingsfarbe Rot wie Wein', 'Die Wohnung', 'Anschrift der Wohnung Rheinstraße 5, 55116 Mainz', 'Nächte pro Jahr 120', 'Ich stimme zu Ja', 'Weitere Angaben', 'Grundriss', '37,50 €', 'Noch nicht bezahlt'])
      assert.ok(text.includes(s), `missing "${s}" in: ${text.slice(0, 2000)}`);
    assert.ok(r.text.includes('&lt;b&gt;nicht fett&lt;/b&gt;'), 'an answer is not escaped');
    assert.equal((r.text.match(/<h1\b/g) ?? []).length, 1);
    // The file downloads, as an attachment.
    const fileId = Number((await srv.query(`SELECT id FROM application_files WHERE application_id = ${c.id}`))[0][0]);
    const d = await office.fetch(`${casePath(c)}/dateien/${fileId}`);
    assert.equal(d.status, 200);
    assert.match(d.headers['content-type'], /application\/pdf/);
    assert.match(d.headers['content-disposition'], /^attachment; filename="Grundriss _neu_.pdf"; filename\*=UTF-8''Grundriss%20%22neu%22.pdf$/);
    assert.ok(d.text.startsWith('%PDF-1.4'));
    // Another case's number with this file id is no way in.
    const other = await one('h5-buerger');
    assert.equal((await office.fetch(`${casePath(other)}/dateien/${fileId}`)).status, 404);
    assert.equal((await bauamt.fetch(`${casePath(c)}/dateien/${fileId}`)).status, 404);
  });

  test('a status change is recorded; an internal note stays internal', async () => {
    const c = await one('h5-buerger');
    const r = await post(office, `${casePath(c)}/status`, [['status', 'in_pruefung'], ['text', '']]);
    assert.equal(r.status, 303);
    assert.equal(location(r), `${casePath(c)}?erledigt=status`);
    assert.equal((await status(c))[0], 'in_pruefung');
    assert.deepEqual((await events(c, 'status')).map((e) => e.slice(0, 4)), [['status', 'eingegangen', 'in_pruefung', '0']]);
    const page = await office.fetch(location(r));
    assert.match(mainText(page.text), /Der Status wurde geändert/);
    assert.match(mainText(page.text), /Status: Eingegangen → In Prüfung/);
    // A move the workflow does not have.
    const bad = await post(office, `${casePath(c)}/status`, [['status', 'abgeschlossen'], ['text', 'x']]);
    assert.equal(bad.status, 409);
    assert.equal((await status(c))[0], 'in_pruefung');

    const note = 'Rückruf beim Vermieter: erst nächste Woche erreichbar.';
    assert.equal((await post(office, `${casePath(c)}/notiz`, [['notiz', note]])).status, 303);
    assert.deepEqual((await events(c, 'note')).map((e) => e[3]), ['1']);
    const staffPage = await office.fetch(casePath(c));
    assert.ok(mainText(staffPage.text).includes(note));
    // The citizen's thread does not show it.
    const thread = await maria.fetch(`/postfach/${c.id}`);
    assert.equal(thread.status, 200);
    assert.ok(!thread.text.includes('Rückruf beim Vermieter'));
    // An empty and a too long note come back with the text kept.
    const empty = await post(office, `${casePath(c)}/notiz`, [['notiz', '   ']]);
    assert.equal(empty.status, 422);
    assert.equal(errorSummary(empty.text)[0]?.href, '#feld-notiz');
    const long = 'ü'.repeat(5001);
    const tooLong = await post(office, `${casePath(c)}/notiz`, [['notiz', long]]);
    assert.equal(tooLong.status, 422);
    assert.match(fieldError(tooLong.text, 'notiz'), /höchstens 5000 Zeichen/);
    assert.ok(tooLong.text.includes(long));
    assert.equal((await post(office, `${casePath(c)}/notiz`, [['notiz', 'ü'.repeat(5000)]])).status, 303);
    // Characters, not bytes: 5000 four-byte characters fit the form's body limit too.
    assert.equal((await post(office, `${casePath(c)}/notiz`, [['notiz', '🏠'.repeat(5000)]])).status, 303);
    assert.equal((await post(office, `${casePath(c)}/notiz`, [['notiz', '🏠'.repeat(5001)]])).status, 422);
  });

  test('a question reaches the citizen as a Postfach message; the e-mail holds only a link', async () => {
    const c = await one('h5-buerger', { status: 'in_pruefung' });
    const since = smtp.messages.length;
    const question = 'Bitte schicken Sie uns den Mietvertrag als PDF.';
    const r = await post(office, `${casePath(c)}/status`, [['status', 'rueckfrage'], ['text', question]]);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 500));
    const msgs = await srv.query(`SELECT from_office, subject FROM messages WHERE application_id = ${c.id}`);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0][0], '1');
    assert.match(msgs[0][1], /Rückfrage/);
    const mail = await waitForMail(smtp, 'maria.muster@example.org', { since });
    assert.ok(!mail.text.includes('Mietvertrag'), 'the e-mail carries the case text');
    assert.ok(mailLinks(mail).some((l) => new URL(l).pathname === `/postfach/${c.id}`), mail.text);
    const thread = await maria.fetch(`/postfach/${c.id}`);
    assert.ok(mainText(thread.text).includes(question));
  });

  test('a decision or refusal needs its text; the text typed is kept on every error', async () => {
    const c = await one('h5-buerger', { status: 'in_pruefung' });
    const r = await post(office, `${casePath(c)}/status`, [['status', 'abgelehnt'], ['text', ' ']]);
    assert.equal(r.status, 422);
    assert.equal(errorSummary(r.text)[0]?.href, '#feld-text');
    const long = `${'Begründung '.repeat(500)}`;
    const r2 = await post(office, `${casePath(c)}/status`, [['status', 'abgelehnt'], ['text', long]]);
    assert.equal(r2.status, 422);
    assert.ok(r2.text.includes(long.trim().slice(0, 200)));
    assert.equal((await status(c))[0], 'in_pruefung');
  });

  test('the notice can be previewed before deciding, with the text typed', async () => {
    const c = await one('h5-buerger', { status: 'in_pruefung' });
    const r = await post(office, `${casePath(c)}/status`, [['vorschau', 'abgelehnt'], ['text', 'Die Unterlagen fehlen *trotz* Rückfrage.']]);
    assert.equal(r.status, 200);
    const text = mainText(r.text);
    assert.match(text, /Vorschau des Bescheids: Abgelehnt/);
    assert.ok(text.includes(c.reference));
    assert.ok(r.text.includes('Die Unterlagen fehlen <em>trotz</em> Rückfrage.'));
    assert.match(text, /Guten Tag Maria Muster/);
    assert.ok(!text.includes('{{'));
    assert.equal(inputByName(r.text, 'text') !== null, true);
    assert.ok(r.text.includes('Die Unterlagen fehlen *trotz* Rückfrage.</textarea>'));
    assert.equal((await status(c))[0], 'in_pruefung', 'a preview changed the case');
  });

  test('four eyes: a proposal waits for a second person; the proposer can never approve it', async () => {
    const c = await one('h5-zweck', { status: 'in_pruefung' });
    const decision = 'Genehmigt für 150 Nächte im Jahr gegen Ausgleichszahlung.';
    const p = await post(bauamt, `${casePath(c)}/status`, [['status', 'entschieden'], ['text', decision]]);
    assert.equal(p.status, 303, mainText(p.text).slice(0, 500));
    assert.equal(location(p), `${casePath(c)}?erledigt=vorgeschlagen`);
    assert.deepEqual(await status(c), ['in_pruefung', 'offen']);
    // The caseworker has no right to approve; the route refuses.
    assert.equal((await post(bauamt, `${casePath(c)}/freigabe`, [])).status, 403);
    // Another status change waits for the approval.
    assert.equal((await post(bauamt, `${casePath(c)}/status`, [['status', 'rueckfrage'], ['text', 'Frage']])).status, 409);
    // Without the right to approve anywhere, the route itself refuses (403,
    // before any case is looked at); reading it is a 404 for another unit.
    assert.equal((await post(office, `${casePath(c)}/freigabe`, [])).status, 403);
    assert.equal((await office.fetch(casePath(c))).status, 404);
    // The head of the unit approves.
    const page = await leitung.fetch(casePath(c));
    assert.match(mainText(page.text), /schlägt diese Entscheidung vor: Genehmigt/);
    const a = await post(leitung, `${casePath(c)}/freigabe`, []);
    assert.equal(a.status, 303, mainText(a.text).slice(0, 500));
    assert.deepEqual(await status(c), ['entschieden', 'freigegeben']);
    const approvals = await events(c, 'approval');
    assert.deepEqual(approvals.map((e) => [e[1], e[2], Number(e[4])]), [['vorgeschlagen', 'entschieden', bauamtId]]);
    const moves = await events(c, 'status');
    assert.deepEqual(moves.map((e) => [e[1], e[2], Number(e[4])]), [['in_pruefung', 'entschieden', leitungId]]);
    // The notice: a PDF stored with the case and attached to a Postfach message.
    const files = await srv.query(
      `SELECT f.content_type, f.size, m.from_office FROM application_files f JOIN messages m ON m.file_id = f.id WHERE f.application_id = ${c.id} AND f.field = 'bescheid'`,
    );
    assert.equal(files.length, 1);
    assert.equal(files[0][0], 'application/pdf');
    assert.ok(Number(files[0][1]) > 500);
    const fileId = Number((await srv.query(`SELECT id FROM application_files WHERE application_id = ${c.id} AND field = 'bescheid'`))[0][0]);
    const pdf = await leitung.fetch(`${casePath(c)}/dateien/${fileId}`);
    assert.ok(pdf.text.startsWith('%PDF-'));
  });

  test('four eyes: the proposer cannot approve their own proposal; a return needs a reason', async () => {
    const c = await one('h5-zweck', { status: 'in_pruefung' });
    assert.equal((await post(leitung, `${casePath(c)}/status`, [['status', 'abgelehnt'], ['text', 'Kein Ersatzwohnraum.']])).status, 303);
    assert.deepEqual(await status(c), ['in_pruefung', 'offen']);
    const self = await post(leitung, `${casePath(c)}/freigabe`, []);
    assert.equal(self.status, 403);
    assert.match(mainText(self.text), /eigenen Vorschlag nicht freigeben/);
    assert.deepEqual(await status(c), ['in_pruefung', 'offen']);
    // Nobody else in the demo may approve in the Bauamt, so the proposal goes
    // back: first without a reason (refused), then with one.
    const selfReturn = await post(leitung, `${casePath(c)}/zurueckgeben`, [['grund', 'x']]);
    assert.equal(selfReturn.status, 403);
    await sqlWrite(srv, `UPDATE applications SET approval_requested_by = ${bauamtId} WHERE id = ${c.id}`);
    const noReason = await post(leitung, `${casePath(c)}/zurueckgeben`, [['grund', '']]);
    assert.equal(noReason.status, 422);
    assert.equal(errorSummary(noReason.text)[0]?.href, '#feld-grund');
    const back = await post(leitung, `${casePath(c)}/zurueckgeben`, [['grund', 'Bitte Ersatzwohnraum noch einmal prüfen.']]);
    assert.equal(back.status, 303);
    assert.deepEqual(await status(c), ['in_pruefung', '']);
    assert.deepEqual((await events(c, 'approval')).map((e) => [e[1], e[3]]), [['vorgeschlagen', '1'], ['zurueckgegeben', '1']]);
    assert.equal((await post(leitung, `${casePath(c)}/freigabe`, [])).status, 409);
  });

  test('assignment to oneself or a colleague of the unit, nobody else', async () => {
    const c = await one('h5-bau');
    assert.equal((await post(bauamt, `${casePath(c)}/zuweisen`, [['an', String(leitungId)]])).status, 303);
    assert.equal((await srv.query(`SELECT assigned_to FROM applications WHERE id = ${c.id}`))[0][0], String(leitungId));
    const stranger = await post(bauamt, `${casePath(c)}/zuweisen`, [['an', String(officeId)]]);
    assert.equal(stranger.status, 422);
    assert.equal(errorSummary(stranger.text)[0]?.href, '#feld-an');
    assert.equal((await post(bauamt, `${casePath(c)}/zuweisen`, [['an', '']])).status, 303);
    assert.equal((await srv.query(`SELECT COALESCE(assigned_to, 0) FROM applications WHERE id = ${c.id}`))[0][0], '0');
    assert.deepEqual((await events(c, 'assign')).map((e) => e[3]), ['1', '1']);
  });

  test('deadline and resubmission: dates checked, stored and shown', async () => {
    const c = await one('h5-buerger');
    const bad = await post(office, `${casePath(c)}/termine`, [['frist', '2026-02-30'], ['wiedervorlage', 'morgen']]);
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.text).map((e) => e.href), ['#feld-frist', '#feld-wiedervorlage']);
    assert.equal(inputByName(bad.text, 'frist').value, '2026-02-30');
    assert.equal((await post(office, `${casePath(c)}/termine`, [['frist', '2031-03-15'], ['wiedervorlage', '01.02.2031']])).status, 303);
    const page = mainText((await office.fetch(casePath(c))).text);
    assert.match(page, /Frist 15\.03\.2031/);
    assert.match(page, /Wiedervorlage 01\.02\.2031/);
    assert.equal((await events(c, 'deadline')).length, 1);
    assert.equal((await events(c, 'resubmit')).length, 1);
  });

  test('a fee paid at the counter is recorded once', async () => {
    const c = await one('h5-buerger', { fee: 7000 });
    assert.equal((await post(office, `${casePath(c)}/bezahlt`, [])).status, 303);
    const [paid, method] = (await srv.query(`SELECT COALESCE(paid_at, 0), payment_method FROM applications WHERE id = ${c.id}`))[0];
    assert.ok(Number(paid) > 0);
    assert.equal(method, 'vor_ort');
    assert.equal((await post(office, `${casePath(c)}/bezahlt`, [])).status, 409);
    const free = await one('h5-buerger', { fee: 0 });
    assert.equal((await post(office, `${casePath(free)}/bezahlt`, [])).status, 409);
  });

  test('an anonymous report is closed with no message to anyone; a closed case offers no more moves', async () => {
    const c = await one('h5-meldung', { status: 'in_pruefung', user: null });
    const r = await post(bauamt, `${casePath(c)}/status`, [['status', 'abgeschlossen'], ['text', 'Wir haben die Wohnung besichtigt.']]);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
    assert.equal((await status(c))[0], 'abgeschlossen');
    assert.equal((await srv.query(`SELECT COUNT(*) FROM messages WHERE application_id = ${c.id}`))[0][0], '0');
    const page = await bauamt.fetch(casePath(c));
    assert.ok(!page.text.includes(`action="${casePath(c)}/status"`));
    assert.match(mainText(page.text), /anonym/);
  });

  test('statistics: received per week, open by status, the median per service, for one’s own unit', async () => {
    const t = now();
    await cases('h5-stats', [
      { status: 'abgeschlossen', submittedAt: t - 10 * DAY, closedAt: t - 9 * DAY },
      { status: 'abgeschlossen', submittedAt: t - 10 * DAY, closedAt: t - 7 * DAY },
      { status: 'abgelehnt', submittedAt: t - 10 * DAY, closedAt: t - 6 * DAY },
      { status: 'abgeschlossen', submittedAt: t - 10 * DAY, closedAt: t - 2 * DAY },
      { status: 'zurueckgezogen', submittedAt: t - 10 * DAY, closedAt: t - 9 * DAY },
    ]);
    const r = await office.fetch('/verwaltung/vorgaenge/statistik');
    assert.equal(r.status, 200);
    const text = mainText(r.text);
    assert.equal((r.text.match(/<th scope="row" class="kern-table__cell">KW \d\d<\/th>/g) ?? []).length, 12);
    // Durations 1, 3, 4 and 8 days (the withdrawn one does not count): median 3.5.
    assert.match(text, /Testleistung h5-stats 4 3,5/);
    assert.ok(!text.includes('Testleistung h5-bau'), 'another unit’s service is in the statistics');
    const open = Number((await srv.query(
      `SELECT COUNT(*) FROM applications a JOIN units u ON u.id = a.unit_id WHERE u.slug = 'buergeramt' AND a.status = 'eingegangen'`,
    ))[0][0]);
    assert.match(text, new RegExp(`Eingegangen ${open}\\b`));
    assert.equal((await office.fetch(`/verwaltung/vorgaenge/statistik?einheit=${await unitId(srv, 'bauamt')}`)).status, 404);
    // In English the figures use a decimal point.
    const en = await office.fetch('/verwaltung/vorgaenge/statistik', { headers: { 'accept-language': 'en' } });
    assert.match(mainText(en.text), /3\.5/);
    // Each figure is also drawn: a bar chart per section (view/svgchart.h).
    assert.equal((r.text.match(/<svg\b/g) ?? []).length, 3, 'not three charts');
  });

  testCleanExit(() => srv);
});

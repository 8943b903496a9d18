// services-zweck.test.mjs — Zweckentfremdung (src/modules/services/zweck*.c):
// registration numbers for granted holiday-flat permits and the nights ledger.
//
// What a person would notice: when the Bauamt grants a permit (a caseworker
// proposes, the Sachgebietsleitung approves: four eyes), the flat gets a number
// like MZ-ZE-2026-0042 with the permitted nights from the application, and the
// owner finds it in the Postfach and on /zweckentfremdung. In the ledger the
// nights of a stay over New Year count in both years; a stay that shares a night
// with another is refused, one that takes a year past the permit is recorded
// but flagged with an alert, and the Bauamt sees it in the case's history; a
// stay recorded by mistake can be taken back for 14 days. Nobody but the owner
// and the Bauamt sees a ledger (404). The staff list puts flats over their limit
// first. The public check says "valid" or "not valid" and nothing else. An
// anonymous report lands in the Bauamt's inbox.
//
// The permit applications are made with SQL in the state 'in_pruefung' (the
// form engine is another part's work); the decision goes through the real case
// routes, so zweck_status_changed runs as in production. On SQLite and
// PostgreSQL, against a demo server with a real SMTP server.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import {
  accountClient,
  accountSuite,
  errorSummary,
  fieldError,
  inputByName,
  location,
  mainText,
  registerAndConfirm,
  signInStaff,
  sqlWrite,
  unitId,
} from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);

// Calendar days as the server counts them: days since 1970-01-01, the date in Mainz.
const dayOf = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86400000);
const isoOf = (day) => new Date(day * 86400000).toISOString().slice(0, 10);
const germanOf = (day) => isoOf(day).split('-').reverse().join('.');
const todayIso = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const today = () => dayOf(todayIso());
const thisYear = () => Number(todayIso().slice(0, 4));

const NUMBER = /^MZ-ZE-\d{4}-\d{4,}$/;

forEachEngine((engine) => {
  let srv;
  let smtp;
  let owner; // the citizen who holds the permits
  let other; // another citizen
  let bauamt; // bauamt@rathaus.test: sachbearbeitung in bauamt
  let leitung; // leitung.bauamt@rathaus.test: may approve (four eyes)
  let buergeramt; // buergeramt@rathaus.test: another unit
  let refCounter = 0;
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  before(async () => {
    const t = now();
    const bauamtId = await unitId(srv, 'bauamt');
    // The catalogue's entries, as its import makes them; kept when it already did.
    await sqlWrite(
      srv,
      `INSERT INTO services (slug, name, unit_id, form_key, workflow, four_eyes, min_trust, created_at, updated_at) VALUES` +
        ` ('zweckentfremdung-genehmigung', 'Genehmigung für eine Ferienwohnung', ${bauamtId}, 'zweckentfremdung-genehmigung', 'zweckentfremdung', 1, 1, ${t}, ${t}),` +
        ` ('zweckentfremdung-meldung', 'Zweckentfremdung melden', ${bauamtId}, 'zweckentfremdung-meldung', 'meldung', 0, 0, ${t}, ${t})` +
        ` ON CONFLICT (slug) DO NOTHING`,
    );
    owner = await registerAndConfirm(srv, smtp, { tag: 'vermieterin' });
    other = await registerAndConfirm(srv, smtp, { tag: 'nachbar' });
    bauamt = (await signInStaff(srv, { email: 'bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
    leitung = (await signInStaff(srv, { email: 'leitung.bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
    buergeramt = (await signInStaff(srv, { email: 'buergeramt@rathaus.test', password: DEMO_PASSWORD })).client;
  });

  // A permit application of userId in 'in_pruefung', answers as the form stores them.
  async function permitApplication(userId, { nights = '120', street = 'Rheinstraße', from = todayIso(), until = isoOf(today() + 3 * 365) } = {}) {
    const reference = `MZ-ZTEST-${engine}-${++refCounter}`;
    const answers = {
      wohnung_adresse: { street, house_number: String(refCounter), postcode: '55116', city: 'Mainz' },
      wohnung_lage: '2. Obergeschoss links',
      wohnflaeche: '54,5',
      zimmer: '2',
      antragsteller_vorname: 'Vera',
      antragsteller_nachname: 'Vermieterin',
      rolle: 'eigentum',
      naechte_pro_jahr: nights,
      zeitraum_von: from,
      zeitraum_bis: until,
      ausgleich: 'ausgleichszahlung',
      zahlung_bereit: true,
      wahrheit: true,
    };
    const t = now();
    await sqlWrite(
      srv,
      `INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, data, summary, created_at, submitted_at, updated_at)` +
        ` SELECT ${q(reference)}, s.id, (SELECT MAX(f.id) FROM form_definitions f WHERE f.form_key = 'zweckentfremdung-genehmigung'),` +
        ` s.unit_id, ${userId}, 'in_pruefung', ${q(JSON.stringify(answers))}, ${q('Ferienwohnung ' + reference)}, ${t}, ${t}, ${t}` +
        ` FROM services s WHERE s.slug = 'zweckentfremdung-genehmigung'`,
    );
    const rows = await srv.query(`SELECT id FROM applications WHERE reference = ${q(reference)}`);
    assert.equal(rows.length, 1, 'the permit application was made (is the form zweckentfremdung-genehmigung loaded?)');
    return { id: Number(rows[0][0]), reference, answers };
  }

  // The decision as the Bauamt takes it: proposal, then approval by a second person.
  async function grant(app) {
    const proposal = await bauamt.post(`/verwaltung/vorgaenge/${app.id}/status`, [
      ['status', 'entschieden'],
      ['text', 'Genehmigt gegen Ausgleichszahlung.'],
    ]);
    assert.equal(proposal.status, 303, `proposal: ${proposal.status} ${mainText(proposal.text).slice(0, 300)}`);
    const approval = await leitung.post(`/verwaltung/vorgaenge/${app.id}/freigabe`, []);
    assert.equal(approval.status, 303, `approval: ${approval.status} ${mainText(approval.text).slice(0, 300)}`);
    const status = await srv.query(`SELECT status FROM applications WHERE id = ${app.id}`);
    assert.equal(status[0][0], 'entschieden');
  }

  async function registration(appId) {
    const rows = await srv.query(
      `SELECT number, address, nights_per_year, valid_from, valid_until, COALESCE(user_id, 0), unit_id FROM zweck_registrations WHERE application_id = ${appId}`,
    );
    if (!rows.length) return null;
    const [number, address, nights, from, until, userId, unit] = rows[0];
    return { number, address, nights: Number(nights), from: Number(from), until: Number(until), userId: Number(userId), unit: Number(unit) };
  }

  // A granted permit of the owner whose validity began on validFrom (a day number).
  async function permit(opts = {}, validFrom = null) {
    const app = await permitApplication(opts.userId ?? owner.id, opts);
    await grant(app);
    const reg = await registration(app.id);
    assert.ok(reg, 'the granted permit has a registration');
    // As if the permit had been granted earlier: stays in the past are allowed from then on.
    if (validFrom !== null) await sqlWrite(srv, `UPDATE zweck_registrations SET valid_from = ${validFrom} WHERE application_id = ${app.id}`);
    return { ...app, number: reg.number };
  }

  const ledger = (n) => `/zweckentfremdung/${n}`;
  const addStay = (client, n, arrival, departure, guests = '2', year) =>
    client.post(`/zweckentfremdung/${n}/aufenthalte${year ? `?jahr=${year}` : ''}`, [
      ['anreise', isoOf(arrival)],
      ['abreise', isoOf(departure)],
      ['gaeste', guests],
    ]);
  async function stays(number) {
    const rows = await srv.query(
      `SELECT s.id, s.arrival, s.departure, s.guests, s.exceeded, COALESCE(s.deleted_at, 0) FROM zweck_stays s JOIN zweck_registrations r ON r.id = s.registration_id WHERE r.number = ${q(number)} ORDER BY s.id`,
    );
    return rows.map(([id, a, d, g, e, del]) => ({ id: Number(id), arrival: Number(a), departure: Number(d), guests: Number(g), exceeded: Number(e), deleted: Number(del) }));
  }
  async function notes(appId) {
    const rows = await srv.query(`SELECT kind, internal, REPLACE(text, '\n', ' ') FROM application_events WHERE application_id = ${appId} ORDER BY id`);
    return rows.map(([kind, internal, ...text]) => ({ kind, internal: Number(internal), text: text.join('|') }));
  }

  test('a granted permit gets a registration number with the nights and period of the application', async () => {
    const from = isoOf(today() + 10);
    const until = isoOf(today() + 2 * 365);
    const app = await permitApplication(owner.id, { nights: '150', street: 'Große Bleiche', from, until });
    assert.equal(await registration(app.id), null, 'no number before the decision');
    // A proposal alone (four eyes) decides nothing.
    const proposal = await bauamt.post(`/verwaltung/vorgaenge/${app.id}/status`, [
      ['status', 'entschieden'],
      ['text', 'Genehmigt gegen Ausgleichszahlung.'],
    ]);
    assert.equal(proposal.status, 303);
    assert.equal(await registration(app.id), null, 'no number while the decision waits for approval');
    const approval = await leitung.post(`/verwaltung/vorgaenge/${app.id}/freigabe`, []);
    assert.equal(approval.status, 303, mainText(approval.text).slice(0, 300));

    const reg = await registration(app.id);
    assert.ok(reg, 'registration made');
    assert.match(reg.number, NUMBER);
    assert.equal(reg.number.slice(6, 10), todayIso().slice(0, 4), 'the number carries the year of the decision');
    assert.equal(reg.nights, 150);
    assert.equal(reg.from, dayOf(from));
    assert.equal(reg.until, dayOf(until));
    assert.equal(reg.userId, owner.id);
    assert.equal(reg.unit, await unitId(srv, 'bauamt'));
    assert.match(reg.address, /^Große Bleiche \d+, 55116 Mainz \(2\. Obergeschoss links\)$/);

    // The owner is told in the Postfach, and the history shows the number.
    const msgs = await srv.query(`SELECT from_office, REPLACE(body, '\n', ' ') FROM messages WHERE application_id = ${app.id}`);
    const told = msgs.filter(([, body]) => body.includes(reg.number));
    assert.equal(told.length, 1, `one Postfach message names ${reg.number}: ${JSON.stringify(msgs)}`);
    assert.equal(told[0][0], '1', 'from the office');
    assert.ok(told[0][1].includes(`/zweckentfremdung/${reg.number}`), 'with the link to the ledger');
    const events = await notes(app.id);
    assert.ok(events.some((e) => e.internal === 0 && e.text.includes(reg.number)), 'the citizen sees the number in the history');

    // Numbers count up and never repeat; closing the case keeps the one it has.
    const second = await permit();
    assert.notEqual(second.number, reg.number);
    assert.equal(Number(second.number.slice(11)), Number(reg.number.slice(11)) + 1);
    const close = await bauamt.post(`/verwaltung/vorgaenge/${app.id}/status`, [['status', 'abgeschlossen'], ['text', '']]);
    assert.equal(close.status, 303, mainText(close.text).slice(0, 300));
    const count = await srv.query(`SELECT COUNT(*), MIN(number) FROM zweck_registrations WHERE application_id = ${app.id}`);
    assert.deepEqual(count[0], ['1', reg.number]);
  });

  test('a refused permit gets no number', async () => {
    const app = await permitApplication(owner.id);
    const proposal = await bauamt.post(`/verwaltung/vorgaenge/${app.id}/status`, [
      ['status', 'abgelehnt'],
      ['text', 'Kein Ausgleich angeboten.'],
    ]);
    assert.equal(proposal.status, 303);
    const approval = await leitung.post(`/verwaltung/vorgaenge/${app.id}/freigabe`, []);
    assert.equal(approval.status, 303);
    assert.equal((await srv.query(`SELECT status FROM applications WHERE id = ${app.id}`))[0][0], 'abgelehnt');
    assert.equal(await registration(app.id), null);
  });

  test('/zweckentfremdung explains the rules and lists only the signed-in owner’s flats', async () => {
    const p = await permit({ street: 'Augustinerstraße' });
    const anon = await accountClient(srv).fetch('/zweckentfremdung');
    assert.equal(anon.status, 200);
    const text = mainText(anon.text);
    assert.match(text, /84 Nächte/);
    assert.match(text, /Ersatzwohnraum/);
    assert.match(text, /50\.000 Euro/);
    assert.ok(anon.text.includes('href="/leistungen/zweckentfremdung-genehmigung"'));
    assert.ok(anon.text.includes('href="/leistungen/zweckentfremdung-meldung"'));
    assert.ok(anon.text.includes('href="/zweckentfremdung/pruefen"'));
    assert.ok(!text.includes(p.number), 'nobody signed in: no registrations');

    const mine = await owner.client.fetch('/zweckentfremdung');
    assert.equal(mine.status, 200);
    assert.ok(mine.text.includes(`href="/zweckentfremdung/${p.number}"`), 'the owner sees the number with a link to the ledger');
    assert.match(mainText(mine.text), /Augustinerstraße/);
    const theirs = await other.client.fetch('/zweckentfremdung');
    assert.ok(!theirs.text.includes(p.number), 'another citizen does not');
    assert.match(mainText(theirs.text), /noch keine Ferienwohnung registriert/);
    // The Bauamt finds its list from here; citizens do not see the link.
    assert.ok((await bauamt.fetch('/zweckentfremdung')).text.includes('href="/verwaltung/zweckentfremdung"'));
    assert.ok(!mine.text.includes('href="/verwaltung/zweckentfremdung"'));
  });

  test('the ledger counts the nights of a stay over New Year in both years', async () => {
    const y = thisYear();
    const p = await permit({}, dayOf(`${y - 1}-01-01`));
    const arrival = dayOf(`${y - 1}-12-29`);
    const departure = dayOf(`${y}-01-03`);
    const r = await addStay(owner.client, p.number, arrival, departure, '3');
    assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
    assert.equal(location(r), `/zweckentfremdung/${p.number}?jahr=${y - 1}&eingetragen=1`);
    const page = await owner.client.fetch(location(r));
    assert.equal(page.status, 200);
    assert.match(mainText(page.text), /Der Aufenthalt ist eingetragen/);

    const api = await owner.client.fetch(`/api/v1/zweckentfremdung/${p.number}`);
    assert.equal(api.status, 200);
    const json = JSON.parse(api.text);
    const year = (n) => json.years.find((x) => x.year === n);
    assert.equal(year(y - 1).nights, 3, '29, 30 and 31 December');
    assert.equal(year(y).nights, 2, '1 and 2 January');
    assert.equal(year(y).remaining, 118);
    assert.equal(json.permitted, 120);
    assert.deepEqual(
      json.stays.map((s) => [s.arrival, s.departure, s.nights, s.guests, s.exceeded]),
      [[isoOf(arrival), isoOf(departure), 5, 3, false]],
    );

    // The page of each year lists the stay with its nights in that year.
    const old = await owner.client.fetch(`${ledger(p.number)}?jahr=${y - 1}`);
    assert.match(mainText(old.text), new RegExp(`${germanOf(arrival)} ${germanOf(departure)} 3 von 5 3`));
    const cur = await owner.client.fetch(`${ledger(p.number)}?jahr=${y}`);
    assert.match(mainText(cur.text), new RegExp(`${germanOf(arrival)} ${germanOf(departure)} 2 von 5 3`));
  });

  test('a stay that shares a night with another is refused; changing guests on one day is fine', async () => {
    const y = thisYear();
    const p = await permit({}, dayOf(`${y - 1}-01-01`));
    const a = dayOf(`${y - 1}-07-01`);
    assert.equal((await addStay(owner.client, p.number, a, a + 7)).status, 303);
    const overlap = await addStay(owner.client, p.number, a + 6, a + 10, '4', y - 1);
    assert.equal(overlap.status, 422);
    const summary = errorSummary(overlap.text);
    assert.equal(summary.length, 1);
    assert.equal(summary[0].href, '#feld-anreise');
    assert.match(fieldError(overlap.text, 'anreise'), new RegExp(`überschneidet.*${germanOf(a)} – ${germanOf(a + 7)}`));
    // What was typed comes back.
    assert.equal(inputByName(overlap.text, 'anreise').value, isoOf(a + 6));
    assert.equal(inputByName(overlap.text, 'abreise').value, isoOf(a + 10));
    assert.equal(inputByName(overlap.text, 'gaeste').value, '4');
    // Around it, inside it, the same: all refused.
    for (const [x, z] of [[a - 2, a + 1], [a + 2, a + 3], [a, a + 7]])
      assert.equal((await addStay(owner.client, p.number, x, z)).status, 422, `${isoOf(x)}–${isoOf(z)}`);
    // Leaving in the morning, the next guests arriving the same day.
    assert.equal((await addStay(owner.client, p.number, a + 7, a + 9)).status, 303);
    assert.equal((await addStay(owner.client, p.number, a - 3, a)).status, 303);
    assert.equal((await stays(p.number)).length, 3);
  });

  test('dates and guests are checked, with the values kept and a summary on top', async () => {
    const p = await permit();
    const t = today();
    const cases = [
      [{ anreise: isoOf(t + 5), abreise: isoOf(t + 5), gaeste: '2' }, 'abreise', /Abreise muss nach der Anreise/],
      [{ anreise: isoOf(t + 5), abreise: isoOf(t + 2), gaeste: '2' }, 'abreise', /Abreise muss nach der Anreise/],
      [{ anreise: isoOf(t + 300), abreise: isoOf(t + 366), gaeste: '2' }, 'abreise', /höchstens ein Jahr im Voraus/],
      [{ anreise: isoOf(t - 3), abreise: isoOf(t + 1), gaeste: '2' }, 'anreise', /vor dem Beginn Ihrer Genehmigung/],
      [{ anreise: '2026-02-30', abreise: isoOf(t + 1), gaeste: '2' }, 'anreise', /als Datum an/],
      [{ anreise: '', abreise: isoOf(t + 1), gaeste: '2' }, 'anreise', /Tag der Anreise/],
      [{ anreise: isoOf(t + 1), abreise: isoOf(t + 2), gaeste: '0' }, 'gaeste', /von 1 bis 50/],
      [{ anreise: isoOf(t + 1), abreise: isoOf(t + 2), gaeste: '51' }, 'gaeste', /von 1 bis 50/],
      [{ anreise: isoOf(t + 1), abreise: isoOf(t + 2), gaeste: 'zwei' }, 'gaeste', /von 1 bis 50/],
    ];
    for (const [fields, field, message] of cases) {
      const r = await owner.client.post(`/zweckentfremdung/${p.number}/aufenthalte`, Object.entries(fields));
      assert.equal(r.status, 422, JSON.stringify(fields));
      assert.deepEqual(errorSummary(r.text).map((e) => e.href), [`#feld-${field}`], JSON.stringify(fields));
      assert.match(fieldError(r.text, field), message, JSON.stringify(fields));
      for (const [name, value] of Object.entries(fields)) assert.equal(inputByName(r.text, name).value, value, `${name} kept`);
    }
    // Exactly a year ahead and 50 guests pass; German dates are understood as well.
    assert.equal((await addStay(owner.client, p.number, t + 360, t + 365, '50')).status, 303);
    const german = await owner.client.post(`/zweckentfremdung/${p.number}/aufenthalte`, [
      ['anreise', germanOf(t + 1)],
      ['abreise', germanOf(t + 4)],
      ['gaeste', '1'],
    ]);
    assert.equal(german.status, 303, mainText(german.text).slice(0, 300));
    assert.deepEqual(
      (await stays(p.number)).map((s) => [s.arrival, s.departure, s.guests]),
      [[t + 360, t + 365, 50], [t + 1, t + 4, 1]],
    );
  });

  test('a year past the permitted nights is recorded, flagged, shown as an alert and told to the Bauamt', async () => {
    const y = thisYear() - 1;
    const p = await permit({ nights: '90', street: 'Kaiserstraße' }, dayOf(`${y}-01-01`));
    const first = dayOf(`${y}-02-01`);
    assert.equal((await addStay(owner.client, p.number, first, first + 80, '2')).status, 303); // 80 nights
    let page = await owner.client.fetch(`${ledger(p.number)}?jahr=${y}`);
    assert.ok(!/role="alert"/.test(page.text), 'no alert at 80 of 90 nights');
    assert.match(mainText(page.text), new RegExp(`Noch frei im Jahr ${y}: 10 Nächte`));

    assert.ok(!(await bauamt.fetch('/verwaltung/vorgaenge?wiedervorlage=1')).text.includes(p.reference), 'not due yet');

    const second = dayOf(`${y}-06-01`);
    const r = await addStay(owner.client, p.number, second, second + 15, '4'); // 95 of 90
    assert.equal(r.status, 303, 'the stay is recorded all the same: the ledger records facts');
    page = await owner.client.fetch(location(r));
    const alert = /<div class="kern-alert kern-alert--danger[^"]*" role="alert">([\s\S]*?)<\/div>\s*<\/div>/.exec(page.text);
    assert.ok(alert, 'an alert (role=alert) on the ledger');
    const alertText = mainText(`<main>${alert[1]}</main>`);
    assert.match(alertText, new RegExp(`Zu viele Nächte im Jahr ${y}`));
    assert.match(alertText, /Eingetragene Nächte: 95\. Erlaubte Nächte: 90\. Das sind zu viele Nächte: 5\./);
    const list = await stays(p.number);
    assert.deepEqual(list.map((s) => s.exceeded), [0, 1], 'only the stay that went past the limit is flagged');
    assert.match(mainText(page.text), /über den erlaubten Nächten/);

    // The Bauamt: a staff-only entry in the case history, visible on the case page.
    const events = (await notes(p.id)).filter((e) => /Erlaubte Nächte überschritten/.test(e.text));
    assert.equal(events.length, 1);
    assert.equal(events[0].internal, 1);
    assert.match(events[0].text, new RegExp(`${p.number}.*${y}: 95 von 90 erlaubten Nächten`));
    // …and in the inbox: the case is due for Wiedervorlage.
    const due = await bauamt.fetch('/verwaltung/vorgaenge?wiedervorlage=1');
    assert.equal(due.status, 200);
    assert.ok(due.text.includes(p.reference), 'the permit’s case is listed as due in the Bauamt’s inbox');
    const casePage = await bauamt.fetch(`/verwaltung/vorgaenge/${p.id}`);
    assert.equal(casePage.status, 200);
    assert.match(mainText(casePage.text), /Erlaubte Nächte überschritten/);
    const ownerView = await owner.client.fetch(`/antraege/${p.id}`);
    assert.ok(!mainText(ownerView.text).includes('Erlaubte Nächte überschritten (Ferienwohnung'), 'the internal note stays internal');

    // The next stay in the same year is flagged too; the JSON says so.
    assert.equal((await addStay(owner.client, p.number, second + 20, second + 21)).status, 303);
    const json = JSON.parse((await owner.client.fetch(`/api/v1/zweckentfremdung/${p.number}`)).text);
    const yr = json.years.find((x) => x.year === y);
    assert.deepEqual([yr.nights, yr.permitted, yr.remaining, yr.exceeded, yr.over], [96, 90, 0, true, 6]);
    assert.deepEqual(json.stays.map((s) => s.exceeded), [false, true, true]);
  });

  test('a stay recorded by mistake can be taken back for 14 days, and the case history says so', async () => {
    const p = await permit();
    const t = today();
    assert.equal((await addStay(owner.client, p.number, t + 20, t + 22)).status, 303);
    assert.equal((await addStay(owner.client, p.number, t + 30, t + 33)).status, 303);
    const [recent, old] = await stays(p.number);
    await sqlWrite(srv, `UPDATE zweck_stays SET created_at = ${now() - 15 * 86400} WHERE id = ${old.id}`);

    const page = await owner.client.fetch(ledger(p.number));
    assert.ok(page.text.includes(`action="/zweckentfremdung/${p.number}/aufenthalte/${recent.id}/loeschen"`), 'a delete button for the recent stay');
    assert.ok(!page.text.includes(`/aufenthalte/${old.id}/loeschen"`), 'none for the old one');

    const late = await owner.client.post(`/zweckentfremdung/${p.number}/aufenthalte/${old.id}/loeschen`, []);
    assert.equal(late.status, 409);
    assert.match(mainText(late.text), /nicht mehr löschen/);
    const done = await owner.client.post(`/zweckentfremdung/${p.number}/aufenthalte/${recent.id}/loeschen`, []);
    assert.equal(done.status, 303);
    assert.match(location(done), /geloescht=1/);
    const after = await stays(p.number);
    assert.ok(after.find((s) => s.id === recent.id).deleted > 0, 'marked deleted, kept as a record');
    assert.equal(after.find((s) => s.id === old.id).deleted, 0);
    const json = JSON.parse((await owner.client.fetch(`/api/v1/zweckentfremdung/${p.number}`)).text);
    assert.deepEqual(json.stays.map((s) => s.id), [old.id], 'a deleted stay no longer counts');
    assert.ok((await notes(p.id)).some((e) => e.internal === 1 && /Aufenthalt gelöscht/.test(e.text) && e.text.includes(germanOf(t + 20))));
    // Twice, or a stay of another registration: 404.
    assert.equal((await owner.client.post(`/zweckentfremdung/${p.number}/aufenthalte/${recent.id}/loeschen`, [])).status, 404);
    const q2 = await permit();
    assert.equal((await owner.client.post(`/zweckentfremdung/${q2.number}/aufenthalte/${old.id}/loeschen`, [])).status, 404);
  });

  test('only the owner and the Bauamt see a ledger; only the owner changes it', async () => {
    const p = await permit();
    const t = today();
    assert.equal((await addStay(owner.client, p.number, t + 40, t + 42)).status, 303);
    const [stay] = await stays(p.number);
    for (const [who, client] of [
      ['another citizen', other.client],
      ['Bürgeramt staff', buergeramt],
    ]) {
      for (const path of [ledger(p.number), `/api/v1/zweckentfremdung/${p.number}`]) {
        const r = await client.fetch(path, { headers: { accept: path.startsWith('/api') ? 'application/json' : 'text/html' } });
        assert.equal(r.status, 404, `${who}: GET ${path}`);
        assert.ok(!r.text.includes('Obergeschoss'), `${who}: nothing of the flat`);
      }
      assert.equal((await addStay(client, p.number, t + 50, t + 52)).status, 404, `${who}: add`);
      assert.equal((await client.post(`/zweckentfremdung/${p.number}/aufenthalte/${stay.id}/loeschen`, [])).status, 404, `${who}: delete`);
    }
    // A number that does not exist looks the same as one of somebody else.
    assert.equal((await other.client.fetch('/zweckentfremdung/MZ-ZE-2099-9999')).status, 404);
    assert.equal((await other.client.fetch('/zweckentfremdung/keine-nummer')).status, 404);
    // Nobody signed in: to the login page.
    const anon = await accountClient(srv).fetch(ledger(p.number));
    assert.equal(anon.status, 303);
    assert.match(location(anon), /^\/konto\/anmelden/);

    // The Bauamt reads it (with a link to the case), without the form.
    const staff = await bauamt.fetch(ledger(p.number));
    assert.equal(staff.status, 200);
    assert.ok(staff.text.includes(`href="/verwaltung/vorgaenge/${p.id}"`));
    assert.equal(inputByName(staff.text, 'anreise'), null);
    assert.ok(!staff.text.includes('/loeschen"'));
    assert.equal((await addStay(bauamt, p.number, t + 50, t + 52)).status, 403);
    assert.equal((await bauamt.post(`/zweckentfremdung/${p.number}/aufenthalte/${stay.id}/loeschen`, [])).status, 403);
    assert.equal((await stays(p.number)).filter((s) => !s.deleted).length, 1);
  });

  test('the staff list shows the unit’s flats with their nights, those over the limit first', async () => {
    const y = thisYear() - 1;
    const under = await permit({ nights: '100', street: 'Aaa-Gasse' }, dayOf(`${y}-01-01`));
    const over = await permit({ nights: '85', street: 'Zzz-Gasse' }, dayOf(`${y}-01-01`));
    assert.equal((await addStay(owner.client, under.number, dayOf(`${y}-03-01`), dayOf(`${y}-03-11`))).status, 303);
    assert.equal((await addStay(owner.client, over.number, dayOf(`${y}-04-01`), dayOf(`${y}-07-01`))).status, 303); // 91 nights

    const r = await bauamt.fetch(`/verwaltung/zweckentfremdung?jahr=${y}`);
    assert.equal(r.status, 200);
    const rows = [...r.text.matchAll(/<tr class="kern-table__row">\s*<td[^>]*><a class="kern-link" href="\/zweckentfremdung\/([^"]+)">[\s\S]*?<\/tr>/g)].map((m) => ({
      number: m[1],
      text: mainText(`<main>${m[0]}</main>`),
    }));
    const overIndex = rows.findIndex((x) => x.number === over.number);
    const underIndex = rows.findIndex((x) => x.number === under.number);
    assert.ok(overIndex >= 0 && underIndex >= 0, `both flats listed: ${rows.map((x) => x.number).join(', ')}`);
    assert.ok(overIndex < underIndex, 'the flat over its limit comes first');
    const overRows = rows.slice(0, overIndex + 1);
    assert.ok(overRows.every((x) => /überschritten/.test(x.text)), 'every flat before it is over its limit too');
    assert.match(rows[overIndex].text, /Zzz-Gasse.* 91 85 überschritten um 6/);
    assert.match(rows[underIndex].text, /Aaa-Gasse.* 10 100 im Rahmen/);
    assert.ok(r.text.includes(`href="/verwaltung/vorgaenge/${over.id}"`), 'with a link to the case');

    // Another unit's caseworker sees none of them; a citizen may not look at all.
    const other1 = await buergeramt.fetch(`/verwaltung/zweckentfremdung?jahr=${y}`);
    assert.equal(other1.status, 200);
    assert.ok(!other1.text.includes(over.number) && !other1.text.includes(under.number));
    assert.equal((await owner.client.fetch('/verwaltung/zweckentfremdung')).status, 403);
    assert.equal((await bauamt.fetch('/verwaltung/zweckentfremdung?jahr=zwei')).status, 400);
    assert.equal((await bauamt.fetch('/verwaltung/zweckentfremdung?seite=0')).status, 400);
  });

  test('the public check says valid or not valid, and nothing about the flat', async () => {
    const p = await permit({ street: 'Geheimweg' });
    const anon = accountClient(srv);
    let r = await anon.fetch(`/zweckentfremdung/pruefen?nummer=${encodeURIComponent(p.number)}`);
    assert.equal(r.status, 200);
    assert.match(mainText(r.text), /Die Registriernummer ist gültig/);
    assert.ok(!r.text.includes('Geheimweg'), 'no address');
    assert.ok(!r.text.includes('Vermieterin'), 'no owner');
    // Typed with blanks and in lower case.
    r = await anon.fetch(`/zweckentfremdung/pruefen?nummer=${encodeURIComponent(`  ${p.number.toLowerCase()} `)}`);
    assert.match(mainText(r.text), /Die Registriernummer ist gültig/);
    r = await anon.fetch('/zweckentfremdung/pruefen?nummer=MZ-ZE-2099-9999');
    assert.match(mainText(r.text), /Die Registriernummer ist nicht gültig/);
    r = await anon.fetch('/zweckentfremdung/pruefen?nummer=Hausnummer%2012');
    assert.equal(r.status, 200);
    assert.deepEqual(errorSummary(r.text).map((e) => e.href), ['#feld-nummer']);
    assert.match(fieldError(r.text, 'nummer'), /MZ-ZE-2026-0042/);
    assert.equal(inputByName(r.text, 'nummer').value, 'Hausnummer 12');
    r = await anon.fetch(`/zweckentfremdung/pruefen?nummer=${'x'.repeat(201)}`);
    assert.match(fieldError(r.text, 'nummer'), /zu lang/);

    let api = await anon.fetch(`/api/v1/zweckentfremdung/pruefen?nummer=${encodeURIComponent(p.number)}`);
    assert.equal(api.status, 200);
    assert.deepEqual(JSON.parse(api.text), { number: p.number, valid: true });
    api = await anon.fetch('/api/v1/zweckentfremdung/pruefen?nummer=MZ-ZE-2099-9999');
    assert.deepEqual(JSON.parse(api.text), { number: 'MZ-ZE-2099-9999', valid: false });
    assert.equal((await anon.fetch('/api/v1/zweckentfremdung/pruefen')).status, 400);

    // A permit that ended yesterday, or starts tomorrow, is not valid today.
    await sqlWrite(srv, `UPDATE zweck_registrations SET valid_until = ${today() - 1} WHERE number = ${q(p.number)}`);
    api = await anon.fetch(`/api/v1/zweckentfremdung/pruefen?nummer=${encodeURIComponent(p.number)}`);
    assert.equal(JSON.parse(api.text).valid, false);
    await sqlWrite(srv, `UPDATE zweck_registrations SET valid_from = ${today() + 1}, valid_until = ${today() + 400} WHERE number = ${q(p.number)}`);
    api = await anon.fetch(`/api/v1/zweckentfremdung/pruefen?nummer=${encodeURIComponent(p.number)}`);
    assert.equal(JSON.parse(api.text).valid, false);
  });

  test('“my data”: the export holds the registrations and stays; deleting the account keeps them for the Bauamt', async () => {
    const leaving = await registerAndConfirm(srv, smtp, { tag: 'wegzug' });
    const p = await permit({ userId: leaving.id, street: 'Bahnhofstraße' });
    const t = today();
    assert.equal((await addStay(leaving.client, p.number, t + 2, t + 5, '3')).status, 303);
    const r = await leaving.client.fetch('/konto/daten/export.json');
    assert.equal(r.status, 200);
    const mine = JSON.parse(r.text).modules?.zweckentfremdung;
    assert.ok(mine, 'the export has a zweckentfremdung section (services_init must call zweck_init)');
    assert.equal(mine.registrations.length, 1);
    const [reg] = mine.registrations;
    assert.equal(reg.number, p.number);
    assert.match(reg.address, /^Bahnhofstraße/);
    assert.equal(reg.nights_per_year, 120);
    assert.deepEqual(reg.stays.map((s) => [s.arrival, s.departure, s.guests]), [[isoOf(t + 2), isoOf(t + 5), 3]]);

    await leaving.client.fetch('/konto/daten');
    const del = await leaving.client.post('/konto/daten/loeschen', [
      ['passwort', leaving.password],
      ['bestaetigung', '1'],
    ]);
    assert.equal(del.status, 200, mainText(del.text).slice(0, 300));
    assert.match(mainText(del.text), /Registrierungen von Ferienwohnungen/);
    const [row] = await srv.query(`SELECT COALESCE(user_id, 0), (SELECT COUNT(*) FROM zweck_stays s WHERE s.registration_id = r.id) FROM zweck_registrations r WHERE number = ${q(p.number)}`);
    assert.deepEqual(row, ['0', '1'], 'kept without the link to the account, with its ledger');
    assert.match(mainText((await bauamt.fetch(ledger(p.number))).text), /Bahnhofstraße/, 'the Bauamt still reads the ledger');
  });

  // One step of the form engine: what the page shows, sent back with the answers.
  async function step(client, path, fields) {
    const r = await client.post(path, [...fields, ['_aktion', 'weiter']]);
    assert.equal(r.status, 303, `${path}: ${r.status} ${mainText(r.text).slice(0, 400)}`);
    return location(r);
  }

  test('a permit applied for through the form: show_if, the 84-night floor, uploads; granted, its answers make the registration', async () => {
    const c = owner.client;
    const begun = await c.post('/leistungen/zweckentfremdung-genehmigung/antrag', []);
    assert.equal(begun.status, 303, mainText(begun.text).slice(0, 300));
    let next = location(begun);
    const appId = Number(/^\/antraege\/(\d+)\/schritt\/1$/.exec(next)?.[1]);
    assert.ok(appId > 0, next);
    next = await step(c, next, [
      ['wohnung_adresse.street', 'Holzstraße'],
      ['wohnung_adresse.house_number', '3a'],
      ['wohnung_adresse.postcode', '55116'],
      ['wohnung_adresse.city', 'Mainz'],
      ['wohnung_lage', 'Dachgeschoss'],
      ['wohnflaeche', '48,5'],
      ['zimmer', '2'],
    ]);
    // About the applicant: acting for somebody else asks for the owner.
    const me = [
      ['antragsteller_vorname', 'Vera'],
      ['antragsteller_nachname', 'Vermieterin'],
      ['antragsteller_anschrift.street', 'Am Rhein'],
      ['antragsteller_anschrift.house_number', '1'],
      ['antragsteller_anschrift.postcode', '55116'],
      ['antragsteller_anschrift.city', 'Mainz'],
      ['antragsteller_email', owner.email],
    ];
    const forOther = await c.post(next, [...me, ['rolle', 'vertretung'], ['_aktion', 'weiter']]);
    assert.notEqual(forOther.status, 303, 'acting for the owner: the owner’s name and address are asked for');
    assert.ok(inputByName(forOther.text, 'eigentuemer_name'), 'the owner’s name field is shown');
    next = await step(c, next, [...me, ['rolle', 'eigentum']]);
    // Up to 84 nights need no permit: the form says so and wants more.
    const from = isoOf(today() + 7);
    const until = isoOf(today() + 2 * 365);
    const few = await c.post(next, [['naechte_pro_jahr', '84'], ['zeitraum_von', from], ['zeitraum_bis', until], ['_aktion', 'weiter']]);
    assert.equal(few.status, 422);
    assert.ok(fieldError(few.text, 'naechte_pro_jahr'), 'an error at the nights');
    assert.match(mainText(few.text), /Bis 84 Nächte brauchen Sie keine Genehmigung/);
    next = await step(c, next, [['naechte_pro_jahr', '140'], ['zeitraum_von', from], ['zeitraum_bis', until]]);
    // Compensation: a payment skips the replacement-housing step and asks for consent.
    next = await step(c, next, [['ausgleich', 'ausgleichszahlung']]);
    assert.equal(next, `/antraege/${appId}/schritt/6`, 'the step on replacement housing is skipped');
    next = await step(c, next, [['zahlung_bereit', '1']]);
    // Documents, checked by their content.
    const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
    c.syncCsrf();
    const docs = await c.postMultipart(next, [
      ['nachweis_eigentum', { filename: 'grundbuch.pdf', contentType: 'application/pdf', data: PDF }],
      ['grundriss', { filename: 'grundriss.pdf', contentType: 'application/pdf', data: PDF }],
      ['_aktion', 'weiter'],
    ]);
    assert.equal(docs.status, 303, mainText(docs.text).slice(0, 400));
    next = location(docs);
    const noOath = await c.post(next, [['_aktion', 'weiter']]);
    assert.equal(noOath.status, 422, 'the declaration must be ticked');
    assert.match(mainText(noOath.text), /5\.000 Euro/);
    next = await step(c, next, [['wahrheit', '1']]);
    assert.equal(next, `/antraege/${appId}/pruefen`);
    const sent = await c.post(`/antraege/${appId}/absenden`, []);
    assert.equal(sent.status, 303, mainText(sent.text).slice(0, 300));
    const files = await srv.query(`SELECT field, content_type FROM application_files WHERE application_id = ${appId} ORDER BY field`);
    assert.deepEqual(files.filter(([f]) => f !== 'quittung'), [['grundriss', 'application/pdf'], ['nachweis_eigentum', 'application/pdf']]);

    assert.equal((await bauamt.post(`/verwaltung/vorgaenge/${appId}/status`, [['status', 'in_pruefung'], ['text', '']])).status, 303);
    await grant({ id: appId });
    const reg = await registration(appId);
    assert.ok(reg);
    assert.equal(reg.nights, 140);
    assert.equal(reg.address, 'Holzstraße 3a, 55116 Mainz (Dachgeschoss)');
    assert.equal(reg.from, dayOf(from));
    assert.equal(reg.until, dayOf(until));
  });

  test('an anonymous report goes through the form and lands in the Bauamt’s inbox', async () => {
    const anon = accountClient(srv);
    const start = await anon.fetch('/leistungen/zweckentfremdung-meldung/antrag');
    assert.equal(start.status, 200, 'no account needed');
    assert.match(mainText(start.text), /anonym/i);
    const begun = await anon.post('/leistungen/zweckentfremdung-meldung/antrag', []);
    assert.equal(begun.status, 303, mainText(begun.text).slice(0, 300));
    let next = location(begun);
    const appId = Number(/^\/antraege\/(\d+)\/schritt\/1$/.exec(next)?.[1]);
    assert.ok(appId > 0, `the first step: ${next}`);
    next = await step(anon, next, [
      ['wohnung_adresse.street', 'Leibnizstraße'],
      ['wohnung_adresse.house_number', '44'],
      ['wohnung_adresse.postcode', '55118'],
      ['wohnung_adresse.city', 'Mainz'],
      ['wohnung_lage', '1. Obergeschoss rechts'],
    ]);
    assert.equal(next, `/antraege/${appId}/schritt/2`);
    // The observation is required: the step comes back with the answer kept.
    const missing = await anon.post(next, [['beschreibung', 'Jedes Wochenende neue Gäste mit Rollkoffern.'], ['_aktion', 'weiter']]);
    assert.equal(missing.status, 422);
    assert.match(mainText(missing.text), /Jedes Wochenende neue Gäste mit Rollkoffern\./);
    next = await step(anon, next, [
      ['beobachtung', 'feriengaeste'],
      ['beschreibung', 'Jedes Wochenende neue Gäste mit Rollkoffern.'],
      ['inserat_link', 'https://ferien.example/wohnung/123'],
    ]);
    assert.equal(next, `/antraege/${appId}/schritt/3`);
    const contact = await anon.fetch(next);
    assert.match(mainText(contact.text), /freiwillig/);
    next = await step(anon, next, []); // no contact details: stays anonymous
    assert.equal(next, `/antraege/${appId}/pruefen`);
    const review = await anon.fetch(next);
    assert.equal(review.status, 200);
    assert.match(mainText(review.text), /Leibnizstraße/);
    const sent = await anon.post(`/antraege/${appId}/absenden`, []);
    assert.equal(sent.status, 303, mainText(sent.text).slice(0, 300));

    const [row] = await srv.query(
      `SELECT a.status, COALESCE(a.user_id, 0), u.slug, s.slug, COALESCE(a.reference, '') FROM applications a JOIN units u ON u.id = a.unit_id JOIN services s ON s.id = a.service_id WHERE a.id = ${appId}`,
    );
    const [status, userId, unit, service, reference] = row;
    assert.equal(status, 'eingegangen');
    assert.equal(userId, '0', 'anonymous: no account linked');
    assert.equal(unit, 'bauamt');
    assert.equal(service, 'zweckentfremdung-meldung');
    assert.match(reference, /^MZ-\d{4}-\d{6}$/);
    const data = JSON.parse((await srv.query(`SELECT data FROM applications WHERE id = ${appId}`))[0].join('|'));
    assert.deepEqual(data.beobachtung, ['feriengaeste']);
    assert.equal(data.wohnung_adresse.street, 'Leibnizstraße');
    assert.equal(await registration(appId), null, 'a report is no permit');

    // The Bauamt finds it in its inbox and can open it; the Bürgeramt cannot.
    const inbox = await bauamt.fetch('/verwaltung/vorgaenge');
    assert.equal(inbox.status, 200);
    assert.ok(inbox.text.includes(reference), 'in the Bauamt’s inbox');
    assert.equal((await bauamt.fetch(`/verwaltung/vorgaenge/${appId}`)).status, 200);
    assert.ok(!(await buergeramt.fetch('/verwaltung/vorgaenge')).text.includes(reference));
    assert.equal((await buergeramt.fetch(`/verwaltung/vorgaenge/${appId}`)).status, 404);
  });

  testCleanExit(() => srv);
});

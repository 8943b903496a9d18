// services-appointments.test.mjs — appointments, fees paid "vor Ort", on both engines.
//
// A Bürgeramt caseworker (buergeramt@rathaus.test from `rathaus demo`) publishes
// a series of slots and sees them in the overview; wrong input comes back with
// an error summary and the values kept; a citizen sees the free times as radio
// buttons, books, gets the confirmation mail, cannot book a second time for the
// same service, and a full time is refused; ten parallel requests for the last
// place give exactly one booking; the .ics file describes the booking and, after
// the citizen cancels, the cancellation; the day list shows who booked, for
// which service and application, cancelled ones marked; cancelling a slot mails
// its bookers; nobody sees or touches another person's booking or another
// unit's slots. The payment step: the citizen chooses "Zahlung vor Ort", only
// the owner and only while unpaid; a caseworker of the unit marks it paid, a
// citizen or another unit cannot.
//
// The tests make their own services (SQL) so that they do not depend on the
// catalogue's slugs; the demo gives the units and the staff accounts.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import {
  accountClient,
  accountSuite,
  errorSummary,
  inputByName,
  location,
  loginOk,
  mainText,
  registerAndConfirm,
  sqlWrite,
  unitId,
  userId,
  waitForMail,
} from '../lib/account.mjs';
import { forms } from '../lib/http.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';

// The calendar day in Europe/Berlin (the server's zone), days from today: 'yyyy-mm-dd'.
function berlinDay(daysAhead) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date(Date.now() + daysAhead * 86400000));
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

forEachEngine((engine) => {
  let srv;
  let smtp;
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  let unit; // buergeramt
  let bauamt;
  let staff; // client of buergeramt@rathaus.test
  const svc = {}; // slug → id
  const DAY = berlinDay(10);
  const seriesFields = (over = {}) => {
    const f = {
      einheit: String(unit),
      leistung: String(svc['termin-test-a']),
      von: DAY,
      bis: DAY,
      beginn: '19:00',
      ende: '20:00',
      dauer: '30',
      schalter: 'Schalter 7, Schalter 8',
      kapazitaet: '1',
      ...over,
    };
    const list = Object.entries(f).filter(([k]) => k !== 'wochentage');
    for (const d of over.wochentage ?? ['0', '1', '2', '3', '4', '5', '6']) list.push(['wochentage', d]);
    return list;
  };
  const slotsOf = async (counter) =>
    (await srv.query(`SELECT id, starts_at, capacity, booked, COALESCE(cancelled_at, 0) FROM appointment_slots WHERE counter = ${q(counter)} ORDER BY starts_at, id`)).map(
      ([id, starts, capacity, booked, cancelled]) => ({ id: Number(id), starts: Number(starts), capacity: Number(capacity), booked: Number(booked), cancelled: Number(cancelled) }),
    );
  const citizen = (tag) => registerAndConfirm(srv, smtp, { tag });
  const book = (c, slug, starts, extra = []) =>
    c.post('/termine/buchen', [['leistung', slug], ['termin', String(starts)], ['tag', DAY], ...extra]);

  before(async () => {
    unit = await unitId(srv, 'buergeramt');
    bauamt = await unitId(srv, 'bauamt');
    await sqlWrite(
      srv,
      `INSERT INTO services (slug, name, unit_id, appointments, workflow, created_at, updated_at) VALUES
       ('termin-test-a', 'Testleistung A', ${unit}, 1, 'standard', 0, 0),
       ('termin-test-b', 'Testleistung B', ${unit}, 1, 'standard', 0, 0),
       ('termin-test-ohne', 'Ohne Termin', ${unit}, 0, 'standard', 0, 0)`,
    );
    for (const [id, slug] of await srv.query("SELECT id, slug FROM services WHERE slug LIKE 'termin-test-%'")) svc[slug] = Number(id);
    await sqlWrite(srv, "INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES ('termin-test', 1, 'Test', '{}', 0)");
    staff = accountClient(srv);
    await loginOk(staff, 'buergeramt@rathaus.test', DEMO_PASSWORD);
  });

  // An application of user uid for service slug, submitted, with a fee.
  let refCounter = 0;
  async function application(uid, slug, { fee = 7000, unitId: u = unit } = {}) {
    refCounter++;
    const ref = `MZ-2026-${String(900000 + refCounter + (engine === 'postgres' ? 50000 : 0)).padStart(6, '0')}`;
    const lines = JSON.stringify([{ label: 'Reisepass (ab 24 Jahre, 10 Jahre gültig)', cents: fee }]);
    await sqlWrite(
      srv,
      `INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, data, fee_cents, fee_lines, created_at, submitted_at, updated_at)
       VALUES (${q(ref)}, ${svc[slug]}, (SELECT id FROM form_definitions WHERE form_key = 'termin-test'), ${u}, ${uid}, 'eingegangen', '{}', ${fee}, ${q(lines)}, 1, 1, 1)`,
    );
    const id = Number((await srv.query(`SELECT id FROM applications WHERE reference = ${q(ref)}`))[0][0]);
    return { id, ref };
  }

  test('a caseworker publishes a series of slots and sees them in the overview', async () => {
    const page = await staff.page('/verwaltung/termine');
    assert.ok(forms(page.text).some((f) => f.action === '/verwaltung/termine' && f.method === 'post'), 'the publishing form');
    const r = await staff.post('/verwaltung/termine', seriesFields());
    assert.equal(r.status, 303, mainText(r.text).slice(0, 500));
    assert.match(location(r), new RegExp(`^/verwaltung/termine\\?einheit=${unit}&angelegt=4$`));
    const slots = [...(await slotsOf('Schalter 7')), ...(await slotsOf('Schalter 8'))];
    assert.equal(slots.length, 4, 'two times × two counters');
    assert.deepEqual([...new Set(slots.map((s) => s.starts))].length, 2);
    const overview = await staff.page(location(r));
    assert.match(mainText(overview.text), /Die Zeitfenster sind veröffentlicht/);
    assert.ok(overview.text.includes(`/verwaltung/termine/tag?datum=${DAY}&amp;einheit=${unit}`), 'the day links to its list');
    // The same series again makes nothing new.
    const again = await staff.post('/verwaltung/termine', seriesFields());
    assert.equal(again.status, 303);
    assert.match(location(again), /angelegt=0$/);
  });

  test('wrong series input comes back with a summary, per-field errors and the values kept', async () => {
    const r = await staff.post(
      '/verwaltung/termine',
      seriesFields({ von: DAY, bis: berlinDay(5), dauer: '3', schalter: 'A,,B', kapazitaet: '51', beginn: '25:00', wochentage: [] }),
    );
    assert.equal(r.status, 422);
    const summary = errorSummary(r.text).map((e) => e.text).join(' | ');
    for (const want of [/letzte Tag muss nach dem ersten/, /Dauer von 5 bis 240/, /leere Namen/, /Zahl von 1 bis 50/, /Uhrzeit so an: 08:00/, /mindestens einen Wochentag/])
      assert.match(summary, want);
    assert.equal(inputByName(r.text, 'schalter').value, 'A,,B', 'what was typed stays');
    assert.equal(inputByName(r.text, 'dauer').value, '3');
    // Limits: 92 days is the longest series; more than 2000 slots at once is refused.
    const long = await staff.post('/verwaltung/termine', seriesFields({ von: berlinDay(1), bis: berlinDay(94) }));
    assert.equal(long.status, 422);
    assert.match(errorSummary(long.text).map((e) => e.text).join(' '), /höchstens 92 Tage/);
    const many = await staff.post(
      '/verwaltung/termine',
      seriesFields({ von: berlinDay(1), bis: berlinDay(90), beginn: '00:00', ende: '23:55', dauer: '5', schalter: 'X1, X2' }),
    );
    assert.equal(many.status, 422);
    assert.match(errorSummary(many.text).map((e) => e.text).join(' '), /mehr als 2000/);
    assert.equal((await srv.query("SELECT count(*) FROM appointment_slots WHERE counter IN ('X1', 'X2', 'A', 'B')"))[0][0], '0');
    // Counters: at most 10, each at most 40 characters (umlauts count as one).
    const eleven = Array.from({ length: 11 }, (_, i) => `S${i}`).join(', ');
    const tooMany = await staff.post('/verwaltung/termine', seriesFields({ schalter: eleven }));
    assert.equal(tooMany.status, 422);
    assert.match(errorSummary(tooMany.text).map((e) => e.text).join(' '), /höchstens 10 Schalter/);
    const tooLong = await staff.post('/verwaltung/termine', seriesFields({ schalter: 'Ü'.repeat(41) }));
    assert.equal(tooLong.status, 422);
    assert.match(errorSummary(tooLong.text).map((e) => e.text).join(' '), /höchstens 40 Zeichen/);
    const longest = await staff.post('/verwaltung/termine', seriesFields({ schalter: 'Ü'.repeat(40), beginn: '22:00', ende: '22:30' }));
    assert.equal(longest.status, 303, 'a 40-character name is fine');
    // A service of another unit is refused.
    await sqlWrite(srv, `INSERT INTO services (slug, name, unit_id, appointments, workflow, created_at, updated_at) VALUES ('termin-test-bau', 'Bau', ${bauamt}, 1, 'standard', 0, 0)`);
    const bauSvc = Number((await srv.query("SELECT id FROM services WHERE slug = 'termin-test-bau'"))[0][0]);
    const other = await staff.post('/verwaltung/termine', seriesFields({ leistung: String(bauSvc), schalter: 'Schalter 99' }));
    assert.equal(other.status, 422);
    assert.match(errorSummary(other.text).map((e) => e.text).join(' '), /Leistung dieser Einheit/);
  });

  test('the booking page shows the free times as radio buttons; without sign-in a link to sign in', async () => {
    const slots = await slotsOf('Schalter 7');
    const anon = accountClient(srv);
    const open = await anon.page(`/termine/buchen?leistung=termin-test-a&tag=${DAY}`);
    assert.ok(!forms(open.text).some((f) => f.action === '/termine/buchen'), 'no booking form for a visitor');
    assert.match(open.text, /href="\/konto\/anmelden\?weiter=\/termine\/buchen%3Fleistung%3Dtermin-test-a"/);
    assert.match(mainText(open.text), /19:00 Uhr \(2 frei\)/);
    const anna = await citizen('anna');
    const page = await anna.client.page(`/termine/buchen?leistung=termin-test-a&tag=${DAY}`);
    const form = forms(page.text).find((f) => f.action === '/termine/buchen');
    assert.ok(form, 'the booking form');
    const radios = form.inputs.filter((i) => i.type === 'radio' && i.name === 'termin').map((i) => Number(i.value));
    for (const s of slots) assert.ok(radios.includes(s.starts), `time ${s.starts} offered`);
    assert.equal((await anon.fetch('/termine/buchen?leistung=termin-test-ohne')).status, 404, 'a service without appointments');
    assert.equal((await anon.fetch('/termine/buchen?leistung=gibt-es-nicht')).status, 404);
    // Booking needs a sign-in.
    await anon.ensureCsrf();
    const r = await anon.post('/termine/buchen', [['leistung', 'termin-test-a'], ['termin', String(slots[0].starts)]]);
    assert.equal(r.status, 303);
    assert.match(location(r), /^\/konto\/anmelden/);
  });

  let booked; // {client, email, id, bookingId, starts}
  test('booking: confirmation page and mail; one booking per service; a full time is refused', async () => {
    const [first] = await slotsOf('Schalter 7');
    const ben = await citizen('ben');
    const since = smtp.messages.length;
    const r = await book(ben.client, 'termin-test-a', first.starts);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
    const m = /^\/termine\/(\d+)\?gebucht=1$/.exec(location(r));
    assert.ok(m, location(r));
    const page = await ben.client.page(location(r));
    assert.match(mainText(page.text), /Ihr Termin ist gebucht/);
    assert.match(mainText(page.text), /Testleistung A/);
    assert.match(mainText(page.text), /19:00–19:30 Uhr/);
    const mail = await waitForMail(smtp, ben.email, { subject: /Ihr Termin am .* um 19:00 Uhr/, since });
    assert.match(mail.text, /Testleistung A/);
    assert.match(mail.text, new RegExp(`/termine/${m[1]}`));
    booked = { ...ben, bookingId: Number(m[1]), starts: first.starts };

    // A second booking for the same service, even at another time, is refused.
    const second = await book(ben.client, 'termin-test-a', first.starts + 1800);
    assert.equal(second.status, 409);
    assert.match(mainText(second.text), /schon einen Termin/);
    // The other counter still has the 19:00 place; then 19:00 is full.
    const cara = await citizen('cara');
    assert.equal((await book(cara.client, 'termin-test-a', first.starts)).status, 303);
    const dora = await citizen('dora');
    const full = await book(dora.client, 'termin-test-a', first.starts);
    assert.equal(full.status, 409);
    assert.match(errorSummary(full.text).map((e) => e.text).join(' '), /schon vergeben/);
    const at19 = (await srv.query(`SELECT sum(booked), sum(capacity) FROM appointment_slots WHERE starts_at = ${first.starts} AND counter IN ('Schalter 7', 'Schalter 8')`))[0];
    assert.deepEqual(at19, ['2', '2']);
    // /termine lists the booking.
    const mine = await ben.client.page('/termine');
    assert.match(mainText(mine.text), /Testleistung A/);
    assert.ok(mine.text.includes(`/termine/${booked.bookingId}`));
    // A time that is no number, or in the past, is an input error.
    const bad = await book(dora.client, 'termin-test-a', 'morgen');
    assert.equal(bad.status, 422);
  });

  test('ten parallel requests for the last place: exactly one gets it', async () => {
    const r = await staff.post('/verwaltung/termine', seriesFields({ leistung: String(svc['termin-test-b']), beginn: '20:00', ende: '20:30', schalter: 'Schalter 9' }));
    assert.equal(r.status, 303);
    const [slot] = await slotsOf('Schalter 9');
    assert.equal(slot.capacity, 1);
    const people = await Promise.all(Array.from({ length: 10 }, (_, i) => citizen(`race${i}`)));
    const answers = await Promise.all(people.map((p) => book(p.client, 'termin-test-b', slot.starts)));
    const statuses = answers.map((a) => a.status).sort();
    assert.equal(statuses.filter((s) => s === 303).length, 1, `statuses: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 409).length, 9, `statuses: ${statuses}`);
    const [after] = await slotsOf('Schalter 9');
    assert.equal(after.booked, 1);
    assert.equal((await srv.query(`SELECT count(*) FROM appointment_bookings WHERE slot_id = ${slot.id} AND status = 'gebucht'`))[0][0], '1');
    // One person sending the same booking twice at once also gets one booking.
    await sqlWrite(srv, `UPDATE appointment_slots SET capacity = 5 WHERE id = ${slot.id}`);
    const eve = people.find((p, i) => answers[i].status !== 303);
    const twice = await Promise.all([book(eve.client, 'termin-test-b', slot.starts), book(eve.client, 'termin-test-b', slot.starts)]);
    assert.deepEqual(twice.map((a) => a.status).sort(), [303, 409]);
    assert.equal((await srv.query(`SELECT count(*) FROM appointment_bookings WHERE user_id = ${eve.id ?? (await userId(srv, eve.email))} AND status = 'gebucht'`))[0][0], '1');
    assert.equal((await slotsOf('Schalter 9'))[0].booked, 2);
  });

  test('an appointment whose time has passed does not block the next one', async () => {
    const lena = await citizen('lena');
    const later = (await slotsOf('Schalter 7'))[1];
    const r = await book(lena.client, 'termin-test-a', later.starts);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 300));
    const id = /\/termine\/(\d+)/.exec(location(r))[1];
    const slot = (await srv.query(`SELECT slot_id FROM appointment_bookings WHERE id = ${id}`))[0][0];
    // Her appointment took place (moved into the past here instead of waiting).
    const past = Math.floor(Date.now() / 1000) - 7200;
    await sqlWrite(srv, `UPDATE appointment_slots SET starts_at = ${past}, ends_at = ${past + 1800} WHERE id = ${slot}`);
    const again = await book(lena.client, 'termin-test-a', later.starts);
    assert.equal(again.status, 303, mainText(again.text).slice(0, 300));
    assert.equal((await srv.query(`SELECT status FROM appointment_bookings WHERE id = ${id}`))[0][0], 'vorbei');
    const old = await lena.client.page(`/termine/${id}`);
    assert.match(mainText(old.text), /Vorbei/);
    assert.ok(!old.text.includes(`/termine/${id}/absagen`), 'a past appointment cannot be cancelled');
  });

  test('the calendar file describes the booking; after cancelling, the cancellation', async () => {
    const ics = await booked.client.fetch(`/termine/${booked.bookingId}/termin.ics`);
    assert.equal(ics.status, 200, ics.text.slice(0, 300));
    assert.match(ics.headers['content-type'], /^text\/calendar/);
    assert.match(ics.headers['content-disposition'], /attachment; filename="termin.ics"/);
    const start = new Date(booked.starts * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    assert.match(ics.text, /BEGIN:VCALENDAR\r\n/);
    assert.match(ics.text, /BEGIN:VEVENT/);
    assert.match(ics.text, new RegExp(`DTSTART:${start}`));
    assert.match(ics.text, /SUMMARY:Termin: Testleistung A/);
    assert.match(ics.text, new RegExp(`UID:termin-${booked.bookingId}@`));
    assert.doesNotMatch(ics.text, /STATUS:CANCELLED/);

    const since = smtp.messages.length;
    const slotBefore = (await srv.query(`SELECT booked FROM appointment_slots WHERE id = (SELECT slot_id FROM appointment_bookings WHERE id = ${booked.bookingId})`))[0][0];
    const r = await booked.client.post(`/termine/${booked.bookingId}/absagen`, []);
    assert.equal(r.status, 303);
    assert.equal(location(r), `/termine/${booked.bookingId}?abgesagt=1`);
    const slotAfter = (await srv.query(`SELECT booked FROM appointment_slots WHERE id = (SELECT slot_id FROM appointment_bookings WHERE id = ${booked.bookingId})`))[0][0];
    assert.equal(Number(slotAfter), Number(slotBefore) - 1, 'the place is free again');
    await waitForMail(smtp, booked.email, { subject: /ist abgesagt/, since });
    const cancelled = await booked.client.fetch(`/termine/${booked.bookingId}/termin.ics`);
    assert.equal(cancelled.status, 200);
    assert.match(cancelled.text, /STATUS:CANCELLED/);
    assert.match(cancelled.text, /METHOD:CANCEL/);
    assert.match(cancelled.text, /SEQUENCE:1/);
    // A second cancel changes nothing and frees no second place.
    const twice = await booked.client.post(`/termine/${booked.bookingId}/absagen`, []);
    assert.equal(twice.status, 409);
    const slotAgain = (await srv.query(`SELECT booked FROM appointment_slots WHERE id = (SELECT slot_id FROM appointment_bookings WHERE id = ${booked.bookingId})`))[0][0];
    assert.equal(slotAgain, slotAfter);
  });

  test('nobody sees or cancels another person’s booking', async () => {
    const other = await citizen('fremd');
    for (const p of [`/termine/${booked.bookingId}`, `/termine/${booked.bookingId}/termin.ics`])
      assert.equal((await other.client.fetch(p)).status, 404, p);
    await other.client.ensureCsrf();
    assert.equal((await other.client.post(`/termine/${booked.bookingId}/absagen`, [])).status, 404);
    assert.equal((await other.client.fetch('/termine/999999999')).status, 404);
  });

  test('a booking linked to the citizen’s own application; someone else’s application is refused', async () => {
    const gina = await citizen('gina');
    const app = await application(gina.id, 'termin-test-b');
    const [slot] = await slotsOf('Schalter 9');
    const page = await gina.client.page(`/termine/buchen?leistung=termin-test-b&tag=${DAY}&antrag=${app.id}`);
    const form = forms(page.text).find((f) => f.action === '/termine/buchen');
    assert.equal(form.inputs.find((i) => i.name === 'antrag')?.value, String(app.id));
    const r = await book(gina.client, 'termin-test-b', slot.starts, [['antrag', String(app.id)]]);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 300));
    const id = /\/termine\/(\d+)/.exec(location(r))[1];
    assert.equal((await srv.query(`SELECT application_id FROM appointment_bookings WHERE id = ${id}`))[0][0], String(app.id));
    assert.equal((await srv.query(`SELECT count(*) FROM application_events WHERE application_id = ${app.id} AND kind = 'appointment'`))[0][0], '1');
    const detail = await gina.client.page(`/termine/${id}`);
    assert.match(mainText(detail.text), new RegExp(app.ref));
    assert.ok(detail.text.includes(`/antraege/${app.id}/bezahlen`), 'the unpaid fee is offered');
    // The link in a message, opened signed out, asks to sign in and comes back.
    const out = await accountClient(srv).fetch(`/termine/buchen?leistung=termin-test-b&antrag=${app.id}`);
    assert.equal(out.status, 302);
    assert.equal(location(out), `/konto/anmelden?weiter=${encodeURIComponent(`/termine/buchen?leistung=termin-test-b&antrag=${app.id}`).replaceAll('%2F', '/')}`);
    // Someone else's application, or one of another service, cannot be linked.
    const hans = await citizen('hans');
    assert.equal((await hans.client.fetch(`/termine/buchen?leistung=termin-test-b&antrag=${app.id}`)).status, 404);
    const own = await application(hans.id, 'termin-test-a');
    assert.equal((await hans.client.fetch(`/termine/buchen?leistung=termin-test-b&antrag=${own.id}`)).status, 404);
  });

  test('the day list shows who booked for what, cancelled ones marked; cancelling a slot mails its bookers', async () => {
    const day = await staff.page(`/verwaltung/termine/tag?datum=${DAY}&einheit=${unit}`);
    const text = mainText(day.text);
    assert.match(text, /Testleistung A/);
    assert.ok(text.includes(booked.email) || text.includes('ben'), 'the person who booked');
    assert.match(text, /abgesagt/, 'the cancelled booking is marked');
    assert.match(day.text, /href="\/verwaltung\/vorgaenge\/\d+"/, 'a linked application links to its case');
    // Cancel the 20:00 slot, with a reason: every booker is told.
    const [slot] = await slotsOf('Schalter 9');
    const bookers = (await srv.query(`SELECT u.email FROM appointment_bookings b JOIN users u ON u.id = b.user_id WHERE b.slot_id = ${slot.id} AND b.status = 'gebucht'`)).map((r) => r[0]);
    assert.ok(bookers.length >= 2);
    const since = smtp.messages.length;
    const tooLong = await staff.post(`/verwaltung/termine/${slot.id}/absagen`, [['grund', 'x'.repeat(501)]]);
    assert.equal(tooLong.status, 422);
    assert.equal((await slotsOf('Schalter 9'))[0].cancelled, 0);
    const r = await staff.post(`/verwaltung/termine/${slot.id}/absagen`, [['grund', 'Krankheit im Team']]);
    assert.equal(r.status, 303);
    for (const email of bookers) {
      const mail = await waitForMail(smtp, email, { subject: /ist abgesagt/, since });
      assert.match(mail.text, /Grund: Krankheit im Team/);
    }
    const after = await slotsOf('Schalter 9');
    assert.ok(after[0].cancelled > 0);
    assert.equal(after[0].booked, 0);
    assert.equal((await srv.query(`SELECT count(*) FROM appointment_bookings WHERE slot_id = ${slot.id} AND status = 'abgesagt_amt'`))[0][0], String(bookers.length));
    const list = await staff.page(location(r));
    assert.match(mainText(list.text), /Das Zeitfenster ist abgesagt/);
    assert.match(mainText(list.text), /vom Amt abgesagt/);
    // The cancelled slot is no longer offered.
    const page = await booked.client.page(`/termine/buchen?leistung=termin-test-b&tag=${DAY}`);
    assert.ok(!page.text.includes(`value="${slot.starts}"`));
  });

  test('another unit’s caseworker and citizens cannot manage this unit’s slots', async () => {
    const bau = accountClient(srv);
    await loginOk(bau, 'bauamt@rathaus.test', DEMO_PASSWORD);
    assert.equal((await bau.fetch(`/verwaltung/termine/tag?datum=${DAY}&einheit=${unit}`)).status, 404);
    assert.equal((await bau.fetch(`/verwaltung/termine?einheit=${unit}`)).status, 404);
    const [slot] = await slotsOf('Schalter 8');
    assert.equal((await bau.post(`/verwaltung/termine/${slot.id}/absagen`, [])).status, 404);
    assert.equal((await bau.post('/verwaltung/termine', seriesFields({ schalter: 'Fremd' }))).status, 404);
    assert.equal((await srv.query("SELECT count(*) FROM appointment_slots WHERE counter = 'Fremd'"))[0][0], '0');
    const someone = await citizen('ida');
    assert.equal((await someone.client.fetch('/verwaltung/termine')).status, 403);
    assert.equal((await someone.client.post(`/verwaltung/termine/${slot.id}/absagen`, [])).status, 403);
    assert.equal((await slotsOf('Schalter 8'))[0].cancelled, 0);
  });

  test('payment: the owner chooses "Zahlung vor Ort"; staff of the unit mark it paid, nobody else', async () => {
    const jan = await citizen('jan');
    const app = await application(jan.id, 'termin-test-a');
    const page = await jan.client.page(`/antraege/${app.id}/bezahlen`);
    assert.match(mainText(page.text), /70,00 €/);
    assert.match(mainText(page.text), /Reisepass \(ab 24 Jahre, 10 Jahre gültig\)/);
    const form = forms(page.text).find((f) => f.action === `/antraege/${app.id}/bezahlen`);
    assert.ok(form.inputs.some((i) => i.type === 'radio' && i.value === 'vor_ort'));
    // Only the owner.
    const kim = await citizen('kim');
    assert.equal((await kim.client.fetch(`/antraege/${app.id}/bezahlen`)).status, 404);
    await kim.client.ensureCsrf();
    assert.equal((await kim.client.post(`/antraege/${app.id}/bezahlen`, [['zahlart', 'vor_ort']])).status, 404);
    // An unknown method is an input error.
    const bad = await jan.client.post(`/antraege/${app.id}/bezahlen`, [['zahlart', 'bitcoin']]);
    assert.equal(bad.status, 422);
    assert.match(errorSummary(bad.text).map((e) => e.text).join(' '), /wie Sie bezahlen/);
    const r = await jan.client.post(`/antraege/${app.id}/bezahlen`, [['zahlart', 'vor_ort']]);
    assert.equal(r.status, 303);
    assert.equal(location(r), `/antraege/${app.id}/bezahlen?gewaehlt=1`);
    const chosen = await jan.client.page(location(r));
    assert.match(mainText(chosen.text), /Zahlung vor Ort/);
    assert.match(mainText(chosen.text), new RegExp(`Verwendungszweck: ${app.ref}-1`));
    assert.deepEqual((await srv.query(`SELECT provider, status, amount_cents, reference FROM payments WHERE application_id = ${app.id}`))[0], ['vor_ort', 'offen', '7000', `${app.ref}-1`]);
    // Choosing again keeps the one open payment.
    assert.equal((await jan.client.post(`/antraege/${app.id}/bezahlen`, [['zahlart', 'vor_ort']])).status, 303);
    assert.equal((await srv.query(`SELECT count(*) FROM payments WHERE application_id = ${app.id}`))[0][0], '1');

    // A citizen cannot mark it paid; nor can another unit.
    assert.equal((await jan.client.post(`/verwaltung/vorgaenge/${app.id}/bezahlt`, [])).status, 403);
    const bau = accountClient(srv);
    await loginOk(bau, 'bauamt@rathaus.test', DEMO_PASSWORD);
    assert.equal((await bau.post(`/verwaltung/vorgaenge/${app.id}/bezahlt`, [])).status, 404);
    assert.equal((await srv.query(`SELECT COALESCE(paid_at, 0) FROM applications WHERE id = ${app.id}`))[0][0], '0');
    // The Bürgeramt can.
    const staffId = await userId(srv, 'buergeramt@rathaus.test');
    const paid = await staff.post(`/verwaltung/vorgaenge/${app.id}/bezahlt`, []);
    assert.ok(paid.status === 303 || paid.status === 200, `status ${paid.status}`);
    const [paidAt, method] = (await srv.query(`SELECT COALESCE(paid_at, 0), payment_method FROM applications WHERE id = ${app.id}`))[0];
    assert.ok(Number(paidAt) > 0, 'applications.paid_at is set');
    assert.equal(method, 'vor_ort');
    assert.deepEqual((await srv.query(`SELECT status, marked_by FROM payments WHERE application_id = ${app.id} ORDER BY id DESC LIMIT 1`))[0], ['bezahlt', String(staffId)]);
    assert.ok(Number((await srv.query(`SELECT count(*) FROM application_events WHERE application_id = ${app.id} AND kind = 'payment'`))[0][0]) >= 1);
    // Paid: nothing more to choose.
    const done = await jan.client.page(`/antraege/${app.id}/bezahlen`);
    assert.match(mainText(done.text), /Die Gebühr ist bezahlt/);
    assert.equal((await jan.client.post(`/antraege/${app.id}/bezahlen`, [['zahlart', 'vor_ort']])).status, 409);
    // No fee: nothing to pay.
    const free = await application(jan.id, 'termin-test-b', { fee: 0 });
    assert.match(mainText((await jan.client.page(`/antraege/${free.id}/bezahlen`)).text), /keine Gebühr/);
    assert.equal((await jan.client.post(`/antraege/${free.id}/bezahlen`, [['zahlart', 'vor_ort']])).status, 409);
  });

  test('GET /termine lists the services with appointments and, signed in, one’s own', async () => {
    const anon = accountClient(srv);
    const page = await anon.page('/termine');
    assert.match(mainText(page.text), /Testleistung A/);
    assert.doesNotMatch(mainText(page.text), /Ohne Termin/);
    assert.ok(page.text.includes('/termine/buchen?leistung=termin-test-a'));
    // The catalogue's "Termin vereinbaren" link (/termine?leistung=…) leads to the booking page.
    const link = await anon.fetch('/termine?leistung=termin-test-a');
    assert.equal(link.status, 302);
    assert.equal(location(link), '/termine/buchen?leistung=termin-test-a');
    assert.equal((await anon.fetch('/termine?leistung=termin-test-ohne')).status, 200, 'an unknown one: the overview');
  });

  test('the privacy export holds one’s bookings; deleting the account frees the places', async () => {
    const olga = await citizen('olga');
    assert.equal((await staff.post('/verwaltung/termine', seriesFields({ beginn: '21:00', ende: '21:30', schalter: 'Schalter 11', kapazitaet: '3' }))).status, 303);
    const [later] = await slotsOf('Schalter 11');
    const placesAt = async () => (await slotsOf('Schalter 11'))[0].booked;
    const before = await placesAt();
    assert.equal((await book(olga.client, 'termin-test-a', later.starts)).status, 303);
    assert.equal(await placesAt(), before + 1);
    const exp = await olga.client.fetch('/konto/daten/export.json');
    assert.equal(exp.status, 200);
    assert.ok(exp.text.includes('Testleistung A'), `the export names the booked service: ${exp.text.slice(0, 500)}`);
    const r = await olga.client.post('/konto/daten/loeschen', [['passwort', olga.password], ['bestaetigung', '1']]);
    assert.ok([200, 303].includes(r.status), `deletion: ${r.status} ${mainText(r.text).slice(0, 300)}`);
    assert.equal((await srv.query(`SELECT count(*) FROM appointment_bookings WHERE user_id = ${olga.id}`))[0][0], '0');
    assert.equal(await placesAt(), before, 'her place is free again');
  });

  testCleanExit(() => srv);
});

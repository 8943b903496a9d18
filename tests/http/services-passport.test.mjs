// services-passport.test.mjs — the Reisepass specifics, on both engines.
//
// The status lookup without login answers the status and its date for the
// right application number and date of birth, the same message for an unknown
// number and a wrong date of birth, input errors with the values kept, and no
// more than ten lookups per address in 15 minutes. When a caseworker marks a
// passport case "abholbereit", the citizen gets a Postfach message with the
// opening hours and an e-mail; when it is collected, the new passport's expiry
// is stored (10 years, 6 under 24). The daily reminder job mails once at 4
// months before expiry and once at 1 month, reading old passports from the
// applications' answers, and never for an application still on its way.

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
  mailsTo,
  mainText,
  registerAndConfirm,
  sqlWrite,
  unitId,
  waitForMail,
} from '../lib/account.mjs';
import { sleep, waitFor } from '../lib/http.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const HOURS = 'Montag bis Freitag 8 bis 12 Uhr (Testzeiten)';

function berlinDay(daysAhead = 0) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date(Date.now() + daysAhead * 86400000));
}
// 'yyyy-mm-dd' + years, minus one day (the last day a passport issued today is valid).
function validUntil(years) {
  const [y, m, d] = berlinDay(0).split('-').map(Number);
  return new Date(Date.UTC(y + years, m - 1, d - 1)).toISOString().slice(0, 10);
}
const german = (iso) => iso.split('-').reverse().join('.');
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

forEachEngine((engine) => {
  let srv;
  let smtp;
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });
  let unit;
  let staff;
  let seq = 0;

  // A submitted passport application of uid (or anonymous) with status and answers.
  async function passportApp(uid, { status = 'in_herstellung', birth = '1990-04-01', data = {} } = {}) {
    seq++;
    const ref = `MZ-2026-${String(800000 + seq + (engine === 'postgres' ? 50000 : 0)).padStart(6, '0')}`;
    const answers = JSON.stringify({ birth_date: birth, ...data });
    const now = Math.floor(Date.now() / 1000);
    await sqlWrite(
      srv,
      `INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, data, birth_date, created_at, submitted_at, updated_at)
       VALUES (${q(ref)}, (SELECT id FROM services WHERE slug = 'reisepass-test'), (SELECT id FROM form_definitions WHERE form_key = 'reisepass-test'),
               ${unit}, ${uid ?? 'NULL'}, ${q(status)}, ${q(answers)}, ${q(birth)}, ${now}, ${now}, ${now})`,
    );
    const id = Number((await srv.query(`SELECT id FROM applications WHERE reference = ${q(ref)}`))[0][0]);
    return { id, ref };
  }

  const lookup = (c, number, birth) => c.post('/status', [['antragsnummer', number], ['geburtsdatum', birth]]);
  const alertText = (html) => (/<div class="kern-alert[^"]*"[^>]*>([\s\S]*?)<\/div>\s*<\/div>/.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

  // Runs the reminder job once (as the daily schedule would) and waits until it is done.
  let jobRun = 0;
  async function runReminders() {
    jobRun++;
    const payload = JSON.stringify({ test: jobRun });
    await sqlWrite(srv, `INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ('passport.remind', ${q(payload)}, 0, 0)`);
    await waitFor(async () => {
      const rows = await srv.query(`SELECT COALESCE(done_at, 0), COALESCE(last_error, '') FROM jobs WHERE payload = ${q(payload)}`);
      if (rows[0]?.[1]) throw new Error(`passport.remind failed: ${rows[0][1]}`);
      return rows.length && Number(rows[0][0]) > 0;
    }, { timeout: 20000, what: 'the reminder job to finish' });
    // Give the mail job time to deliver what the run queued.
    await waitFor(async () => (await srv.query("SELECT count(*) FROM jobs WHERE kind = 'mail.send' AND done_at IS NULL"))[0][0] === '0', {
      timeout: 20000,
      what: 'queued mail to be sent',
    });
  }

  before(async () => {
    unit = await unitId(srv, 'buergeramt');
    await sqlWrite(
      srv,
      `INSERT INTO services (slug, name, unit_id, appointments, workflow, created_at, updated_at) VALUES ('reisepass-test', 'Reisepass (Test)', ${unit}, 1, 'reisepass', 0, 0);
       INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES ('reisepass-test', 1, 'Test', '{}', 0);
       UPDATE units SET opening_hours = ${q(HOURS)} WHERE id = ${unit};`,
    );
    staff = accountClient(srv);
    await loginOk(staff, 'buergeramt@rathaus.test', DEMO_PASSWORD);
  });

  test('the status lookup answers status and date for the right number and date of birth, nothing personal', async () => {
    const ulla = await registerAndConfirm(srv, smtp, { tag: 'ulla' });
    const app = await passportApp(ulla.id);
    const c = accountClient(srv);
    const page = await c.page('/status');
    assert.ok(inputByName(page.text, 'antragsnummer') && inputByName(page.text, 'geburtsdatum'));
    const r = await lookup(c, app.ref.toLowerCase() + ' ', '1990-04-01');
    assert.equal(r.status, 200);
    const text = mainText(r.text);
    assert.match(text, new RegExp(`${app.ref}: Pass wird hergestellt`));
    assert.match(text, new RegExp(`Stand seit ${german(berlinDay(0))}`));
    assert.doesNotMatch(text, new RegExp(ulla.email.replace(/[.+]/g, '\\$&')));
    // The German way of writing the date works too.
    assert.match(mainText((await lookup(c, app.ref, '01.04.1990')).text), /Pass wird hergestellt/);
  });

  test('unknown number and wrong date of birth get the same answer', async () => {
    const app = await passportApp(null, { status: 'eingegangen', birth: '1985-12-24' });
    const c = accountClient(srv);
    await c.ensureCsrf();
    const wrongBirth = await lookup(c, app.ref, '1985-12-25');
    const unknown = await lookup(c, 'MZ-2026-799999', '1985-12-24');
    assert.equal(wrongBirth.status, 200);
    assert.equal(unknown.status, wrongBirth.status);
    assert.match(alertText(wrongBirth.text), /keinen Antrag mit dieser Nummer und diesem Geburtsdatum/);
    assert.equal(alertText(unknown.text), alertText(wrongBirth.text));
    assert.doesNotMatch(mainText(wrongBirth.text), /Eingegangen/);
    // Without the typed values the two pages are the same.
    const strip = (h) => mainText(h).replace(app.ref, '').replace('MZ-2026-799999', '').replace(/1985-12-2\d/g, '');
    assert.equal(strip(wrongBirth.text), strip(unknown.text));
  });

  test('wrong input: error summary, values kept', async () => {
    const c = accountClient(srv);
    await c.ensureCsrf();
    const r = await lookup(c, 'XY-12', '31.02.2000');
    assert.equal(r.status, 422);
    const summary = errorSummary(r.text).map((e) => e.text).join(' | ');
    assert.match(summary, /Antragsnummer so an: MZ-2026-000123/);
    assert.match(summary, /kein gültiges Datum/);
    assert.equal(inputByName(r.text, 'antragsnummer').value, 'XY-12');
    const empty = await lookup(c, '', '');
    assert.equal(empty.status, 422);
    assert.equal(errorSummary(empty.text).length, 2);
  });

  test('at most ten lookups per address in 15 minutes; another address is not affected', async () => {
    const c = accountClient(srv);
    await c.ensureCsrf();
    for (let i = 0; i < 10; i++) assert.equal((await lookup(c, `MZ-2026-7${String(i).padStart(5, '0')}`, '1970-01-01')).status, 200, `lookup ${i + 1}`);
    const refused = await lookup(c, 'MZ-2026-700010', '1970-01-01');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0 && Number(refused.headers['retry-after']) <= 900);
    assert.match(mainText(refused.text), /zu oft/);
    // Even the right data is refused now: the limit is per address, not per guess.
    const other = accountClient(srv);
    await other.ensureCsrf();
    assert.equal((await lookup(other, 'MZ-2026-700011', '1970-01-01')).status, 200);
  });

  let ready; // {citizen, app}
  test('"abholbereit": a Postfach message with the opening hours, and an e-mail', async () => {
    const vera = await registerAndConfirm(srv, smtp, { tag: 'vera' });
    const app = await passportApp(vera.id);
    const since = smtp.messages.length;
    const r = await staff.post(`/verwaltung/vorgaenge/${app.id}/status`, [['status', 'abholbereit'], ['text', '']]);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
    assert.equal((await srv.query(`SELECT status FROM applications WHERE id = ${app.id}`))[0][0], 'abholbereit');
    // (Counted in SQL: the message body has line breaks, which the query reader splits on.)
    const ready1 = `FROM messages WHERE application_id = ${app.id} AND from_office = 1 AND subject = 'Ihr Reisepass liegt zur Abholung bereit'`;
    assert.equal((await srv.query(`SELECT count(*) ${ready1}`))[0][0], '1', 'one ready message');
    assert.equal((await srv.query(`SELECT count(*) ${ready1} AND body LIKE ${q('%' + HOURS + '%')}`))[0][0], '1', 'with the opening hours');
    assert.equal((await srv.query(`SELECT count(*) ${ready1} AND body LIKE ${q('%/termine/buchen?leistung=reisepass-test&antrag=' + app.id + '%')}`))[0][0], '1', 'with the booking link');
    const mail = await waitForMail(smtp, vera.email, { since });
    assert.ok(mail.text.includes(app.ref), mail.text);
    ready = { citizen: vera, app };
  });

  test('collected: the new passport’s expiry is stored (10 years; 6 under 24)', async () => {
    const r = await staff.post(`/verwaltung/vorgaenge/${ready.app.id}/status`, [['status', 'abgeschlossen'], ['text', '']]);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
    assert.deepEqual((await srv.query(`SELECT source, expires_on FROM passport_expiries WHERE application_id = ${ready.app.id}`))[0], ['ausgabe', validUntil(10)]);
    const young = await registerAndConfirm(srv, smtp, { tag: 'jung' });
    const app = await passportApp(young.id, { status: 'abholbereit', birth: berlinDay(-20 * 365) });
    assert.equal((await staff.post(`/verwaltung/vorgaenge/${app.id}/status`, [['status', 'abgeschlossen'], ['text', '']])).status, 303);
    assert.deepEqual((await srv.query(`SELECT source, expires_on FROM passport_expiries WHERE application_id = ${app.id}`))[0], ['ausgabe', validUntil(6)]);
  });

  test('reminders: once at 4 months, once at 1 month, never twice, not while a new passport is on its way', async () => {
    const wim = await registerAndConfirm(srv, smtp, { tag: 'wim' });
    const waiting = await registerAndConfirm(srv, smtp, { tag: 'wartend' });
    // Wim withdrew his application; his old passport expires in about 3 months.
    const app = await passportApp(wim.id, { status: 'zurueckgezogen', data: { old_passport_expires: berlinDay(90) } });
    // This one's new passport is being made: no reminder for the old one.
    await passportApp(waiting.id, { status: 'in_herstellung', data: { old_passport_expires: berlinDay(20) } });
    const since = smtp.messages.length;
    await runReminders();
    const first = await waitForMail(smtp, wim.email, { subject: /Ihr Reisepass läuft am .* ab/, since });
    assert.match(first.subject, new RegExp(german(berlinDay(90))));
    assert.match(first.text, /\/termine\/buchen\?leistung=reisepass-test/);
    const [row] = await srv.query(`SELECT source, expires_on, COALESCE(reminded_4m_at, 0), COALESCE(reminded_1m_at, 0) FROM passport_expiries WHERE application_id = ${app.id}`);
    assert.equal(row[0], 'antrag');
    assert.equal(row[1], berlinDay(90));
    assert.ok(Number(row[2]) > 0);
    assert.equal(row[3], '0');

    // The next day's run sends nothing new.
    const count = () => mailsTo(smtp, wim.email, { subject: /Ihr Reisepass läuft/ }).length;
    await runReminders();
    await sleep(300);
    assert.equal(count(), 1);
    // A month before: the second reminder, once.
    await sqlWrite(srv, `UPDATE passport_expiries SET expires_on = ${q(berlinDay(25))} WHERE application_id = ${app.id}`);
    const since2 = smtp.messages.length;
    await runReminders();
    await waitForMail(smtp, wim.email, { subject: /Ihr Reisepass läuft/, since: since2 });
    await runReminders();
    await sleep(300);
    assert.equal(count(), 2);
    assert.equal(mailsTo(smtp, waiting.email, { subject: /Ihr Reisepass läuft/ }).length, 0, 'no reminder while the new passport is made');
    // An expired passport is not reminded of.
    const xaver = await registerAndConfirm(srv, smtp, { tag: 'xaver' });
    await passportApp(xaver.id, { status: 'abgelehnt', data: { old_passport_expires: berlinDay(-3) } });
    await runReminders();
    await sleep(300);
    assert.equal(mailsTo(smtp, xaver.email, { subject: /Ihr Reisepass läuft/ }).length, 0);
    // The daily chain goes on: one run is waiting for tomorrow.
    const pending = await srv.query(`SELECT count(*) FROM jobs WHERE kind = 'passport.remind' AND done_at IS NULL AND run_at > ${Math.floor(Date.now() / 1000)}`);
    assert.equal(pending[0][0], '1');
  });

  test('the status page is public and the lookup needs no sign-in', async () => {
    const r = await srv.get('/status');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.equal(location(r), '');
  });

  testCleanExit(() => srv);
});

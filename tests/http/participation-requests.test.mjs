// participation-requests.test.mjs — Anregungen (src/modules/participation/requests*.c):
// residents of Mainz request participation, the coordination office checks,
// 200 supports in 8 weeks, the council's steps, the public history.
//
// What a person would notice: a resident aged 14 or over submits an Anregung
// (the name from "Meine Daten" is shown and published), the office gets a mail,
// admits it or refuses it with a public reason; published, it collects supports
// from residents of Mainz — one each, also when the same person clicks twice at
// once — and the 200th support of 200 real accounts moves it to "Quorum
// erreicht" and mails the office exactly once; the office takes it through
// "Beschlussvorlage in Vorbereitung", "im Stadtrat" and the decision, and all of
// it is in the public history and the JSON API. A 13-year-old cannot submit, an
// address outside Mainz cannot support, nobody supports after the 8 weeks, and
// the job that ends a period stores "nicht erreicht".
//
// Residents are made quickly: one account registers the real way; the others
// are inserted with SQL in one transaction (confirmed, with a profile and that
// account's password hash) and sign in through the real login. Every support
// goes through the real HTTP route. On SQLite and PostgreSQL, with a real SMTP
// server.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import {
  accountClient,
  accountSuite,
  createStaff,
  errorSummary,
  fieldError,
  inputByName,
  location,
  loginOk,
  mainText,
  mailsTo,
  registerAndConfirm,
  signInStaff,
  sqlWrite,
  waitForMail,
} from '../lib/account.mjs';
import { waitFor, sleep } from '../lib/http.mjs';

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);

// Today in Mainz as [y, m, d], and a date relative to it as yyyy-mm-dd.
function todayParts() {
  const s = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return s.split('-').map(Number);
}
function dateFromToday(years, days) {
  const [y, m, d] = todayParts();
  const day = m === 2 && d === 29 && (y + years) % 4 !== 0 ? 28 : d; // no 29 February that year
  return new Date(Date.UTC(y + years, m - 1, day + days)).toISOString().slice(0, 10);
}
const FOURTEEN_TODAY = () => dateFromToday(-14, 0);
const ONE_DAY_SHORT_OF_FOURTEEN = () => dateFromToday(-14, 1); // 13 years and 364 (or 365) days

const SUBJECT_NEW = /Neue Anregung eingegangen/;
const SUBJECT_QUORUM = /Anregung hat das Quorum erreicht/;

// Runs fn over items with at most n at a time.
async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

forEachEngine((engine) => {
  let srv;
  let smtp;
  let office; // a signed-in client of the coordination office (role beteiligung)
  let officeStaff;
  let passwordHash; // argon2id hash of PASSWORD, taken from a registered account
  let PASSWORD;
  let batch = 0;
  accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });

  before(async () => {
    const model = await registerAndConfirm(srv, smtp, { tag: 'vorlage' });
    PASSWORD = model.password;
    passwordHash = (await srv.query(`SELECT password_hash FROM users WHERE id = ${model.id}`))[0][0];
    assert.match(passwordHash, /^\$argon2id\$/);
    officeStaff = await createStaff(srv, { role: 'beteiligung', name: 'Kora Koordination' });
    office = (await signInStaff(srv, officeStaff)).client;
  });

  // residents(n, {postcode, city, birth, trust, signIn}) → [{email, id, client}]:
  // n confirmed accounts with a profile, inserted in one transaction, each signed
  // in through the real login (at most 4 at once: argon2id is memory-hard).
  async function residents(n, { postcode = '55116', city = 'Mainz', birth = '1985-03-14', trust = 1, signIn = true, given = 'Rhea', family = 'Resident' } = {}) {
    const tag = `bewohner-${engine}-${++batch}-${Date.now()}`;
    const t = now();
    const emails = Array.from({ length: n }, (_, i) => `${tag}-${i}@example.org`);
    const users = emails
      .map((e) => `(${q(e)}, ${q(passwordHash)}, ${t}, 0, ${trust}, ${q(`${given} ${family}`)}, ${t}, ${t})`)
      .join(', ');
    await sqlWrite(
      srv,
      `BEGIN; INSERT INTO users (email, password_hash, email_confirmed_at, is_staff, trust_level, display_name, created_at, updated_at) VALUES ${users};` +
        ` INSERT INTO profiles (user_id, given_name, family_name, birth_date, street, house_number, postcode, city, updated_at)` +
        ` SELECT id, ${q(given)}, ${q(family)}, ${q(birth)}, 'Schillerstraße', '4', ${q(postcode)}, ${q(city)}, ${t} FROM users WHERE email LIKE ${q(tag + '-%')}; COMMIT;`,
    );
    const rows = await srv.query(`SELECT email, id FROM users WHERE email LIKE ${q(tag + '-%')} ORDER BY id`);
    assert.equal(rows.length, n);
    const ids = new Map(rows.map(([e, id]) => [e, Number(id)]));
    return pool(emails, 4, async (email) => {
      const client = accountClient(srv);
      if (signIn) await loginOk(client, email, PASSWORD);
      return { email, id: ids.get(email), client };
    });
  }

  async function resident(opts) {
    return (await residents(1, opts))[0];
  }

  // submit(client, fields) → the answer to POST /beteiligung/anregungen/neu
  async function submit(c, { project = '', topic = 'Spielplätze in der Neustadt', title = 'Mehr Spielplätze in der Neustadt', text = 'In der Neustadt gibt es zu wenige Spielplätze für die vielen Familien.', form = 'konsultation', consent = true } = {}) {
    await c.page('/beteiligung/anregungen/neu');
    const fields = [
      ['vorhaben', project],
      ['thema', topic],
      ['titel', title],
      ['begruendung', text],
      ['form', form],
    ];
    if (consent) fields.push(['veroeffentlichen', '1']);
    return c.post('/beteiligung/anregungen/neu', fields);
  }

  async function submitted(c, opts) {
    const r = await submit(c, opts);
    assert.equal(r.status, 303, `submit: ${r.status} ${mainText(r.text).slice(0, 400)}`);
    const m = /^\/beteiligung\/anregungen\/(\d+)\?eingereicht=1$/.exec(location(r));
    assert.ok(m, location(r));
    return Number(m[1]);
  }

  // step(id, action, fields) → the office's POST answer
  async function step(id, action, fields = []) {
    await office.page(`/verwaltung/beteiligung/anregungen/${id}`);
    return office.post(`/verwaltung/beteiligung/anregungen/${id}`, [['aktion', action], ...fields]);
  }

  async function admitted(c, opts) {
    const id = await submitted(c, opts);
    const r = await step(id, 'annehmen');
    assert.equal(r.status, 303, `admit: ${r.status} ${mainText(r.text).slice(0, 300)}`);
    return id;
  }

  async function requestRow(id) {
    const [row] = await srv.query(`SELECT status, support_count, COALESCE(collect_ends_at, 0), quorum FROM participation_requests WHERE id = ${id}`);
    return { status: row[0], supports: Number(row[1]), endsAt: Number(row[2]), quorum: Number(row[3]) };
  }

  async function supportRows(id) {
    return Number((await srv.query(`SELECT COUNT(*) FROM participation_request_supports WHERE request_id = ${id}`))[0][0]);
  }

  async function support(c, id) {
    await c.page(`/beteiligung/anregungen/${id}`);
    return c.post(`/beteiligung/anregungen/${id}/unterstuetzen`, []);
  }

  test('a resident submits an Anregung: the name to be published is shown, the office gets a mail, only author and office see it before the check', async () => {
    const author = await resident({ given: 'Amelie', family: 'Autorin' });
    const form = await author.client.page('/beteiligung/anregungen/neu');
    assert.ok(mainText(form.text).includes('Ihr Name wird veröffentlicht: Amelie Autorin'), mainText(form.text).slice(0, 500));
    for (const name of ['vorhaben', 'thema', 'titel', 'begruendung', 'form', 'veroeffentlichen'])
      assert.ok(inputByName(form.text, name), `field ${name}`);
    const since = smtp.messages.length;
    const id = await submitted(author.client, { title: 'Ein Bolzplatz für Mombach' });
    const mail = await waitForMail(smtp, officeStaff.email, { subject: SUBJECT_NEW, since });
    assert.ok(mail.text.includes('Ein Bolzplatz für Mombach'));
    assert.ok(mail.text.includes(`/verwaltung/beteiligung/anregungen/${id}`));

    const own = await author.client.fetch(`/beteiligung/anregungen/${id}?eingereicht=1`);
    assert.equal(own.status, 200);
    assert.ok(mainText(own.text).includes('Ihre Anregung ist eingegangen'));
    assert.ok(mainText(own.text).includes('Wird geprüft'));
    assert.equal((await srv.client().fetch(`/beteiligung/anregungen/${id}`)).status, 404, 'anonymous');
    const other = await resident();
    assert.equal((await other.client.fetch(`/beteiligung/anregungen/${id}`)).status, 404, 'another resident');
    assert.equal((await srv.get(`/api/v1/beteiligung/anregungen/${id}`)).status, 404, 'the API');
    const list = await srv.client().page('/beteiligung/anregungen');
    assert.ok(!list.text.includes('Ein Bolzplatz für Mombach'), 'not in the public list yet');
    const mine = await author.client.page('/beteiligung/anregungen');
    assert.ok(mine.text.includes('Ein Bolzplatz für Mombach'), 'the author finds it under "in Prüfung"');

    const queue = await office.page('/verwaltung/beteiligung/anregungen');
    assert.ok(queue.text.includes(`/verwaltung/beteiligung/anregungen/${id}`));
    const audit = await srv.query(`SELECT action, actor FROM audit_log WHERE object = 'participation_request:${id}'`);
    assert.deepEqual(audit, [['participation.request_submitted', `user:${author.id}`]]);
  });

  test('a form with mistakes comes back with a summary, a message per field and everything typed', async () => {
    const author = await resident();
    const r = await submit(author.client, { topic: '', title: 'Unser Titel bleibt', text: 'zu kurz', form: '', consent: false });
    assert.equal(r.status, 422);
    const ids = errorSummary(r.text).map((e) => e.href);
    assert.deepEqual(ids.sort(), ['#feld-begruendung', '#feld-form', '#feld-thema', '#feld-veroeffentlichen'].sort());
    assert.equal(inputByName(r.text, 'titel').value, 'Unser Titel bleibt');
    assert.ok(r.text.includes('>zu kurz</textarea>'), 'the text is kept');
    assert.match(fieldError(r.text, 'begruendung'), /mindestens 20 Zeichen/);
    assert.match(fieldError(r.text, 'veroeffentlichen'), /Einverständnis/);
    // Limits from both sides: 200 characters of title pass, 201 do not; 10,000 of text pass, 10,001 do not.
    const long = await submit(author.client, { title: 'ä'.repeat(201), text: 'x'.repeat(10001) });
    assert.equal(long.status, 422);
    assert.match(fieldError(long.text, 'titel'), /höchstens 200 Zeichen/);
    assert.match(fieldError(long.text, 'begruendung'), /10\.000 Zeichen/);
    assert.equal(inputByName(long.text, 'titel').value, 'ä'.repeat(201));
    const lines = await submit(author.client, { title: 'Zwei\nZeilen' });
    assert.match(fieldError(lines.text, 'titel'), /in eine Zeile/);
    const fake = await submit(author.client, { project: '999999' });
    assert.match(fieldError(fake.text, 'vorhaben'), /gibt es nicht/);
    const before = Number((await srv.query(`SELECT COUNT(*) FROM participation_requests WHERE author_id = ${author.id}`))[0][0]);
    assert.equal(before, 0, 'nothing stored');
    const ok = await submit(author.client, { title: 'ä'.repeat(200), text: 'ü'.repeat(10000) });
    assert.equal(ok.status, 303, mainText(ok.text).slice(0, 300));
  });

  test('a 13-year-old (one day short of 14) cannot submit; at 14 it works', async () => {
    const young = await resident({ birth: ONE_DAY_SHORT_OF_FOURTEEN() });
    const page = await young.client.fetch('/beteiligung/anregungen/neu');
    assert.equal(page.status, 200, 'the page answers, with the reason instead of the form');
    assert.match(mainText(page.text), /ab 14 Jahren/);
    assert.ok(!inputByName(page.text, 'titel'), 'no form');
    const r = await young.client.post('/beteiligung/anregungen/neu', [
      ['thema', 'Skatepark'],
      ['titel', 'Ein Skatepark'],
      ['begruendung', 'Wir brauchen einen Skatepark in der Oberstadt, wirklich.'],
      ['form', 'kooperation'],
      ['veroeffentlichen', '1'],
    ]);
    assert.equal(r.status, 403);
    assert.match(mainText(r.text), /ab 14 Jahren/);
    assert.equal(Number((await srv.query(`SELECT COUNT(*) FROM participation_requests WHERE author_id = ${young.id}`))[0][0]), 0);
    const fourteen = await resident({ birth: FOURTEEN_TODAY() });
    assert.equal((await fourteen.client.fetch('/beteiligung/anregungen/neu')).status, 200);
    await submitted(fourteen.client, { title: 'Ein Skatepark' });
  });

  test('without a name, without a birth date or outside Mainz there is no form, but the reason and the way to "Meine Daten"', async () => {
    const cases = [
      [{ given: '', family: '' }, /Vornamen und Familiennamen/],
      [{ birth: '' }, /Geburtsdatum ein/],
      [{ postcode: '65183', city: 'Wiesbaden' }, /nicht in Mainz/],
      [{ postcode: '55252', city: 'Mainz-Kastel' }, /nicht in Mainz/],
    ];
    for (const [opts, message] of cases) {
      const who = await resident(opts);
      const r = await who.client.fetch('/beteiligung/anregungen/neu');
      assert.equal(r.status, 200, JSON.stringify(opts));
      assert.ok(!inputByName(r.text, 'titel'), 'no form');
      assert.match(mainText(r.text), message);
      assert.ok(r.text.includes('href="/konto"'));
    }
    const anonymous = await srv.client().fetch('/beteiligung/anregungen/neu');
    assert.equal(anonymous.status, 303);
    assert.match(location(anonymous), /^\/konto\/anmelden/);
  });

  test('the office refuses with a reason: a refusal without its text comes back with the choice kept; the refusal and its reason are public', async () => {
    const author = await resident({ given: 'Rolf', family: 'Refus' });
    const id = await submitted(author.client, { title: 'Tempo 30 auf der Autobahn' });
    const incomplete = await step(id, 'ablehnen', [['grund', 'zustaendigkeit'], ['text', '']]);
    assert.equal(incomplete.status, 422);
    assert.deepEqual(errorSummary(incomplete.text).map((e) => e.href), ['#feld-ablehnen-text']);
    assert.match(incomplete.text, /<option value="zustaendigkeit" selected>/);
    const since = smtp.messages.length;
    const r = await step(id, 'ablehnen', [['grund', 'zustaendigkeit'], ['text', 'Autobahnen sind Sache des Bundes.']]);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 300));
    const page = await srv.client().page(`/beteiligung/anregungen/${id}`);
    const text = mainText(page.text);
    assert.ok(text.includes('Nicht zugelassen'));
    assert.ok(text.includes('Außerhalb der Zuständigkeit der Stadt'));
    assert.ok(text.includes('Autobahnen sind Sache des Bundes.'));
    assert.ok(text.includes('Rolf Refus'));
    assert.ok(!page.text.includes('/unterstuetzen'), 'no support button');
    const mail = await waitForMail(smtp, author.email, { subject: /nicht zugelassen/, since });
    assert.ok(mail.text.includes(`/beteiligung/anregungen/${id}`));
    const api = JSON.parse((await srv.get(`/api/v1/beteiligung/anregungen/${id}`)).text).request;
    assert.equal(api.status, 'abgelehnt');
    assert.equal(api.refusal.reason, 'zustaendigkeit');
    assert.equal(api.refusal.text, 'Autobahnen sind Sache des Bundes.');
    const listed = await srv.client().page('/beteiligung/anregungen?status=abgelehnt');
    assert.ok(listed.text.includes(`/beteiligung/anregungen/${id}`));
    // A step that no longer fits the status is refused and changes nothing.
    const again = await step(id, 'annehmen');
    assert.equal(again.status, 409);
    assert.equal((await requestRow(id)).status, 'abgelehnt');
    const audit = await srv.query(`SELECT action, actor FROM audit_log WHERE object = 'participation_request:${id}' ORDER BY id`);
    assert.deepEqual(audit.map((a) => a[0]), ['participation.request_submitted', 'participation.request_step']);
    assert.equal(audit[1][1], `user:${officeStaff.id}`);
  });

  test('200 supports from 200 real accounts: the 200th reaches the quorum, the office is mailed once, and the council steps make a public history', { timeout: 600000 }, async () => {
    const author = await resident({ given: 'Quirin', family: 'Quorum' });
    const since = smtp.messages.length;
    const id = await admitted(author.client, { title: 'Mehr Bänke am Rheinufer', form: 'kooperation' });
    const admittedRow = await requestRow(id);
    assert.equal(admittedRow.status, 'sammlung');
    const weeks8 = 56 * 86400;
    assert.ok(Math.abs(admittedRow.endsAt - (now() + weeks8)) < 120, `the period ends 8 weeks after admission (${admittedRow.endsAt})`);
    const page = await srv.client().page(`/beteiligung/anregungen/${id}`);
    assert.ok(mainText(page.text).includes('Quirin Quorum'));
    assert.ok(mainText(page.text).includes('Verbleibende Tage 56'), mainText(page.text));
    assert.ok(page.text.includes('href="/konto/anmelden?weiter=/beteiligung/anregungen/'), 'anonymous: sign in to support');
    await waitForMail(smtp, author.email, { subject: /veröffentlicht/, since });

    const people = await residents(200);
    // A fifth of them at substantiell: "davon bestätigt".
    await sqlWrite(srv, `UPDATE users SET trust_level = 2 WHERE id IN (${people.slice(0, 40).map((p) => p.id).join(', ')})`);
    const answers = await pool(people, 8, async (p) => (await support(p.client, id)).status);
    assert.deepEqual([...new Set(answers)], [303], `every support counted: ${answers.filter((s) => s !== 303).length} refused`);
    const row = await requestRow(id);
    assert.equal(row.supports, 200);
    assert.equal(await supportRows(id), 200);
    assert.equal(row.status, 'erfolgreich');

    const late = await resident();
    const r = await support(late.client, id);
    assert.equal(r.status, 409);
    assert.match(mainText(r.text), /sammelt keine Unterstützung mehr/);
    assert.equal((await requestRow(id)).supports, 200);

    const mail = await waitForMail(smtp, officeStaff.email, { subject: SUBJECT_QUORUM, since });
    assert.ok(mail.text.includes('Mehr Bänke am Rheinufer'));
    assert.ok(mail.text.includes(`/verwaltung/beteiligung/anregungen/${id}`));
    await sleep(1500); // a second mail would have been queued in the same transaction
    assert.equal(mailsTo(smtp, officeStaff.email, { since, subject: SUBJECT_QUORUM }).length, 1, 'exactly one quorum mail');
    const history = await srv.query(`SELECT status FROM participation_request_history WHERE request_id = ${id} ORDER BY id`);
    assert.deepEqual(history.map((h) => h[0]), ['eingereicht', 'sammlung', 'erfolgreich']);

    const queue = await office.page('/verwaltung/beteiligung/anregungen');
    const quorumSection = queue.text.slice(queue.text.indexOf('id="abschnitt-erfolgreich"'), queue.text.indexOf('id="abschnitt-vorlage"'));
    assert.ok(quorumSection.includes(`/verwaltung/beteiligung/anregungen/${id}`), 'in the queue under "Quorum erreicht"');
    const shown = mainText((await srv.client().page(`/beteiligung/anregungen/${id}`)).text);
    assert.ok(shown.includes('200 von 200 Unterstützungen'));
    assert.ok(shown.includes('davon bestätigt: 40'));

    // Someone follows the Anregung (the follow box on its page) and hears of the next step.
    const follower = await resident();
    const box = await follower.client.page(`/beteiligung/anregungen/${id}`);
    assert.ok(box.text.includes('action="/beteiligung/folgen"'), 'the follow box');
    const followed = await follower.client.post('/beteiligung/folgen', [['art', 'anregung'], ['id', String(id)], ['modus', 'einzeln'], ['zurueck', `/beteiligung/anregungen/${id}`]]);
    assert.equal(followed.status, 303, mainText(followed.text).slice(0, 300));
    // An Anregung that does not exist (or is not yet public) cannot be followed.
    const unknown = await follower.client.post('/beteiligung/folgen', [['art', 'anregung'], ['id', '999999'], ['modus', 'einzeln']]);
    assert.equal(unknown.status, 404);

    // The council steps; "im Stadtrat" needs its text.
    assert.equal((await step(id, 'vorlage', [['text', 'Das Grünamt bereitet die Vorlage vor.']])).status, 303);
    const news = await waitForMail(smtp, follower.email, { subject: /Beschlussvorlage in Vorbereitung/, since });
    assert.ok(news.text.includes('Mehr Bänke am Rheinufer'));
    assert.ok(news.text.includes(`/beteiligung/anregungen/${id}`));
    const missing = await step(id, 'stadtrat', [['text', ' ']]);
    assert.equal(missing.status, 422);
    assert.deepEqual(errorSummary(missing.text).map((e) => e.href), ['#feld-stadtrat-text']);
    assert.equal((await step(id, 'stadtrat', [['text', 'Sitzung des Stadtrats am 3. März, TOP 7.']])).status, 303);
    const noDecision = await step(id, 'entscheidung', [['entscheidung', 'vielleicht'], ['text', 'Beschluss']]);
    assert.equal(noDecision.status, 422);
    assert.deepEqual(errorSummary(noDecision.text).map((e) => e.href), ['#feld-entscheidung-entscheidung']);
    assert.equal(
      (await step(id, 'entscheidung', [['entscheidung', 'angenommen'], ['text', 'Der Stadtrat beschließt neue Bänke und zwölf Bäume.']])).status,
      303,
    );
    assert.equal((await requestRow(id)).status, 'entschieden');

    const pub = mainText((await srv.client().page(`/beteiligung/anregungen/${id}`)).text);
    for (const s of ['Eingereicht', 'Zur Sammlung freigegeben', 'Quorum erreicht', 'Beschlussvorlage in Vorbereitung', 'Das Grünamt bereitet die Vorlage vor.', 'Dem Stadtrat vorgelegt', 'Sitzung des Stadtrats am 3. März, TOP 7.', 'Der Stadtrat hat entschieden', 'Angenommen', 'Der Stadtrat beschließt neue Bänke und zwölf Bäume.', 'Koordinierungsstelle Bürgerbeteiligung'])
      assert.ok(pub.includes(s), `the public page shows "${s}"`);
    const api = JSON.parse((await srv.get(`/api/v1/beteiligung/anregungen/${id}`)).text).request;
    assert.equal(api.status, 'entschieden');
    assert.equal(api.supports, 200);
    assert.equal(api.confirmed_supports, 40);
    assert.equal(api.decision.key, 'angenommen');
    assert.deepEqual(api.history.map((h) => h.status), ['eingereicht', 'sammlung', 'erfolgreich', 'vorlage', 'stadtrat', 'entschieden']);
    assert.deepEqual(api.history.map((h) => h.actor), ['author', 'office', 'platform', 'office', 'office', 'office']);
    assert.ok(!JSON.stringify(api).includes(author.email), 'no e-mail address in public data');
    await waitForMail(smtp, author.email, { subject: /entschieden/, since });
    const decided = await srv.client().page('/beteiligung/anregungen?status=entschieden');
    assert.ok(decided.text.includes(`/beteiligung/anregungen/${id}`));
  });

  test('one support per person: a second one is refused, also six sent at the same moment; ten people at once all count', async () => {
    const author = await resident();
    const id = await admitted(author.client, { title: 'Trinkbrunnen in der Altstadt' });
    const anna = await resident();
    assert.equal((await support(anna.client, id)).status, 303);
    const twice = await support(anna.client, id);
    assert.equal(twice.status, 409);
    assert.match(mainText(twice.text), /bereits/);
    assert.equal((await requestRow(id)).supports, 1);

    const bert = await resident();
    await bert.client.page(`/beteiligung/anregungen/${id}`);
    bert.client.syncCsrf();
    const statuses = await Promise.all(Array.from({ length: 6 }, () => bert.client.postForm(`/beteiligung/anregungen/${id}/unterstuetzen`, [])));
    assert.deepEqual(statuses.map((s) => s.status).sort(), [303, 409, 409, 409, 409, 409]);
    assert.equal((await requestRow(id)).supports, 2);
    assert.equal(await supportRows(id), 2);

    const crowd = await residents(10);
    for (const p of crowd) {
      await p.client.page(`/beteiligung/anregungen/${id}`);
      p.client.syncCsrf();
    }
    const all = await Promise.all(crowd.map((p) => p.client.postForm(`/beteiligung/anregungen/${id}/unterstuetzen`, [])));
    assert.deepEqual([...new Set(all.map((s) => s.status))], [303]);
    assert.equal((await requestRow(id)).supports, 12);
    assert.equal(await supportRows(id), 12);

    // Withdrawing while collecting; then it can be given again.
    await anna.client.page(`/beteiligung/anregungen/${id}`);
    const back = await anna.client.post(`/beteiligung/anregungen/${id}/zurueckziehen`, []);
    assert.equal(back.status, 303);
    assert.equal((await requestRow(id)).supports, 11);
    const backAgain = await anna.client.post(`/beteiligung/anregungen/${id}/zurueckziehen`, []);
    assert.equal(backAgain.status, 409);
    assert.equal((await requestRow(id)).supports, 11);
    const after = await anna.client.page(`/beteiligung/anregungen/${id}?zurueckgezogen=1`);
    assert.ok(after.text.includes(`action="/beteiligung/anregungen/${id}/unterstuetzen"`));
    assert.equal((await support(anna.client, id)).status, 303);
    assert.equal((await requestRow(id)).supports, 12);
  });

  test('only residents of Mainz aged 14 or over support', async () => {
    const author = await resident();
    const id = await admitted(author.client, { title: 'Wasserspielplatz am Volkspark' });
    const away = await resident({ postcode: '65183', city: 'Wiesbaden' });
    const page = await away.client.page(`/beteiligung/anregungen/${id}`);
    assert.ok(!page.text.includes(`action="/beteiligung/anregungen/${id}/unterstuetzen"`), 'no button');
    assert.match(mainText(page.text), /nicht in Mainz/);
    const r = await away.client.post(`/beteiligung/anregungen/${id}/unterstuetzen`, []);
    assert.equal(r.status, 403);
    assert.match(mainText(r.text), /nicht in Mainz/);
    const young = await resident({ birth: ONE_DAY_SHORT_OF_FOURTEEN() });
    const y = await support(young.client, id);
    assert.equal(y.status, 403);
    assert.match(mainText(y.text), /ab 14 Jahren/);
    assert.equal((await requestRow(id)).supports, 0);
    const anonymous = srv.client();
    await anonymous.page(`/beteiligung/anregungen/${id}`);
    const anon = await anonymous.postForm(`/beteiligung/anregungen/${id}/unterstuetzen`, []);
    assert.equal(anon.status, 303);
    assert.match(location(anon), /^\/konto\/anmelden/);
  });

  test('after the 8 weeks nobody supports; the deadline job stores "nicht erreicht" and tells the author', async () => {
    const author = await resident();
    const since = smtp.messages.length;
    const id = await admitted(author.client, { title: 'Öffentliche Toiletten am Bahnhof' });
    const early = await resident();
    assert.equal((await support(early.client, id)).status, 303);
    // The period is over (instead of waiting 8 weeks); the job stays scheduled for its old time.
    await sqlWrite(srv, `UPDATE participation_requests SET collect_ends_at = ${now() - 5} WHERE id = ${id}`);
    const latecomer = await resident();
    const r = await support(latecomer.client, id);
    assert.equal(r.status, 409);
    assert.match(mainText(r.text), /sammelt keine Unterstützung mehr/);
    const withdraw = await early.client.post(`/beteiligung/anregungen/${id}/zurueckziehen`, []);
    assert.equal(withdraw.status, 409);
    assert.equal((await requestRow(id)).supports, 1);
    // Before the job runs, the pages already call it "not reached".
    assert.match(mainText((await srv.client().page(`/beteiligung/anregungen/${id}`)).text), /Quorum nicht erreicht/);
    assert.ok((await srv.client().page('/beteiligung/anregungen?status=nicht_erreicht')).text.includes(`/beteiligung/anregungen/${id}`));
    assert.ok(!(await srv.client().page('/beteiligung/anregungen?status=sammlung')).text.includes(`/beteiligung/anregungen/${id}`));
    // The job, due now.
    const jobs = await srv.query(`SELECT COUNT(*) FROM jobs WHERE kind = 'participation.request_deadline' AND payload LIKE '%"id":${id}}%' AND done_at IS NULL`);
    assert.equal(Number(jobs[0][0]), 1, 'admitting queued the deadline job');
    await sqlWrite(srv, `UPDATE jobs SET run_at = 0 WHERE kind = 'participation.request_deadline' AND payload LIKE '%"id":${id}}%'`);
    await waitFor(async () => (await requestRow(id)).status === 'nicht_erreicht', { timeout: 15000, what: 'the deadline job' });
    await waitForMail(smtp, author.email, { subject: /Sammlung ist beendet/, since });
    const history = await srv.query(`SELECT status, actor_kind FROM participation_request_history WHERE request_id = ${id} ORDER BY id`);
    assert.deepEqual(history.at(-1), ['nicht_erreicht', 'platform']);
  });

  test('the office pages are the office\'s: a resident gets 403, anonymous visitors are sent to sign in', async () => {
    const someone = await resident();
    assert.equal((await someone.client.fetch('/verwaltung/beteiligung/anregungen')).status, 403);
    const author = await resident();
    const id = await submitted(author.client, { title: 'Nur fürs Amt' });
    assert.equal((await someone.client.fetch(`/verwaltung/beteiligung/anregungen/${id}`)).status, 403);
    await someone.client.page('/beteiligung/anregungen');
    assert.equal((await someone.client.post(`/verwaltung/beteiligung/anregungen/${id}`, [['aktion', 'annehmen']])).status, 403);
    assert.equal((await requestRow(id)).status, 'eingereicht');
    const anon = await srv.client().fetch('/verwaltung/beteiligung/anregungen');
    assert.equal(anon.status, 303);
    assert.equal((await office.fetch('/verwaltung/beteiligung/anregungen/999999')).status, 404);
  });

  test('the list filters and orders; the API pages and refuses values it does not know', async () => {
    const list = await srv.client().page('/beteiligung/anregungen?status=sammlung&sortierung=ende');
    assert.ok(inputByName(list.text, 'status'));
    assert.equal((await srv.get('/beteiligung/anregungen?status=quatsch')).status, 400);
    assert.equal((await srv.get('/beteiligung/anregungen?sortierung=quatsch')).status, 400);
    assert.equal((await srv.get('/beteiligung/anregungen?seite=0')).status, 400);
    assert.equal((await srv.get('/beteiligung/anregungen?seite=1001')).status, 400);
    assert.equal((await srv.get('/beteiligung/anregungen?seite=1000')).status, 200);
    const api = await srv.get('/api/v1/beteiligung/anregungen?sortierung=unterstuetzung');
    assert.equal(api.status, 200);
    const body = JSON.parse(api.text);
    assert.ok(body.items.length > 0 && body.items.length <= 20);
    assert.equal(body.per_page, 20);
    for (let i = 1; i < body.items.length; i++) assert.ok(body.items[i - 1].supports >= body.items[i].supports, 'most supported first');
    for (const item of body.items) {
      assert.notEqual(item.status, 'eingereicht');
      for (const k of ['id', 'title', 'author_name', 'status', 'status_label', 'supports', 'confirmed_supports', 'quorum', 'days_left', 'href'])
        assert.ok(k in item, `item has ${k}`);
    }
    const bad = await srv.get('/api/v1/beteiligung/anregungen?status=quatsch');
    assert.equal(bad.status, 400);
    assert.match(bad.headers['content-type'], /json/);
    assert.equal((await srv.get('/api/v1/beteiligung/anregungen/abc')).status, 404);
  });

  test('"Meine Daten": the export lists Anregungen and supports; deleting the account removes the name and the supports of running collections', async () => {
    const author = await resident({ given: 'Doris', family: 'Datenschutz' });
    const id = await admitted(author.client, { title: 'Sitzbänke am Fischtor' });
    const fan = await resident();
    assert.equal((await support(fan.client, id)).status, 303);
    const other = await resident();
    assert.equal((await support(other.client, id)).status, 303);
    const exported = JSON.parse((await fan.client.fetch('/konto/daten/export.json')).text);
    assert.deepEqual(exported.modules.anregungen.supports.map((x) => x.request_id), [id]);
    const own = JSON.parse((await author.client.fetch('/konto/daten/export.json')).text);
    assert.deepEqual(own.modules.anregungen.requests.map((x) => x.title), ['Sitzbänke am Fischtor']);

    for (const who of [fan, author]) {
      await who.client.page('/konto/daten');
      const gone = await who.client.post('/konto/daten/loeschen', [['passwort', PASSWORD], ['bestaetigung', '1']]);
      assert.ok([200, 303].includes(gone.status), `deletion: ${gone.status} ${mainText(gone.text).slice(0, 300)}`);
    }
    assert.equal((await requestRow(id)).supports, 1, 'the support of the running collection is counted down');
    assert.equal(await supportRows(id), 1);
    const page = mainText((await srv.client().page(`/beteiligung/anregungen/${id}`)).text);
    assert.ok(!page.includes('Doris Datenschutz'), 'the name is gone');
    assert.ok(page.includes('Name auf Wunsch entfernt'));
    assert.ok(page.includes('Sitzbänke am Fischtor'), 'the Anregung stays public');
  });

  testCleanExit(() => srv);
});

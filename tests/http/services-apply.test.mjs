// services-apply.test.mjs — the citizen's way through an online form
// (docs/forms.md): start with pre-filled values, one step per page with
// "Schritt k von n", validation that keeps what was typed, uploads (accepted,
// too large, wrong type), the review page, submission with a reference number,
// the receipt page and PDF and the confirmation mail, "Meine Anträge" with drafts
// to resume, a session that ends in the middle, other people's applications, the
// trust level a service needs, the anonymous report, and the JSON API.
// On SQLite and PostgreSQL.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { forEachEngine, testCleanExit, REPO } from '../lib/server.mjs';
import {
  accountSuite,
  accountClient,
  registerAndConfirm,
  loginOk,
  mainText,
  location,
  sqlWrite,
  errorSummary,
  inputByName,
  fieldError,
  waitForMail,
} from '../lib/account.mjs';
import {
  ensureService,
  startApplication,
  fillStep,
  completeSteps,
  submitApplication,
  stepFields,
  REISEPASS_ANSWERS,
  MELDEBESCHEINIGUNG_ANSWERS,
  ZWECK_MELDUNG_ANSWERS,
  SAMPLE_PDF,
  SAMPLE_PNG,
} from '../lib/services.mjs';

const MELDUNG_FORM = path.join(REPO, 'data/services/forms/zweckentfremdung-meldung.json');

// The step number of the step titled title, read from the start page's list.
async function stepOf(client, id, title) {
  for (let n = 1; n <= 12; n++) {
    const r = await client.fetch(`/antraege/${id}/schritt/${n}`);
    if (r.status === 200 && mainText(r.text).includes(title)) return n;
  }
  throw new Error(`no step "${title}" in application ${id}`);
}

async function setProfile(c) {
  await c.page('/konto');
  return c.post('/konto', [
    ['given_name', 'Maria'],
    ['family_name', 'Muster'],
    ['birth_name', ''],
    ['doctoral_degree', 'Dr.'],
    ['birth_date', '1985-04-23'],
    ['birth_place', 'Mainz'],
    ['street', 'Rheinstraße'],
    ['house_number', '12'],
    ['postcode', '55116'],
    ['city', 'Mainz'],
    ['phone', '06131 12-0'],
  ]);
}

async function draftData(srv, id) {
  const rows = await srv.query(`SELECT data FROM applications WHERE id = ${id}`);
  return JSON.parse(rows[0][0]);
}

forEachEngine((engine) => {
  let srv;
  let smtp;
  let anna; // basisregistriert, with a profile
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  before(async () => {
    await ensureService(srv, { slug: 'reisepass', formKey: 'reisepass', name: 'Reisepass', minTrust: 1, workflow: 'reisepass' });
    await ensureService(srv, { slug: 'meldebescheinigung', formKey: 'meldebescheinigung', name: 'Meldebescheinigung', minTrust: 2 });
    anna = await registerAndConfirm(srv, smtp, { tag: 'antrag' });
    const saved = await setProfile(anna.client);
    assert.equal(saved.status, 303, 'profile saved');
  });

  test('rathaus demo stores the forms as version 1 of their keys', async () => {
    const rows = await srv.query(`SELECT form_key, version FROM form_definitions ORDER BY form_key, version`);
    const keys = rows.map((r) => `${r[0]}@${r[1]}`);
    assert.ok(keys.includes('reisepass@1'), keys.join(', '));
    assert.ok(keys.includes('meldebescheinigung@1'), keys.join(', '));
  });

  test('without an account the start page asks to sign in and the login comes back to it', async () => {
    const c = accountClient(srv);
    const page = await c.fetch('/leistungen/reisepass/antrag');
    assert.equal(page.status, 200);
    assert.match(mainText(page.text), /Dafür brauchen Sie ein Konto/);
    assert.ok(page.text.includes('/konto/anmelden?weiter=/leistungen/reisepass/antrag'));
    c.syncCsrf();
    const r = await c.postForm('/leistungen/reisepass/antrag', []);
    assert.equal(r.status, 303);
    assert.match(location(r), /^\/konto\/anmelden\?weiter=\/leistungen\/reisepass\/antrag/);
    const login = await c.fetch(location(r));
    assert.equal(login.status, 200);
    assert.ok(login.text.includes('value="/leistungen/reisepass/antrag"'), 'the login form carries the way back');
    assert.equal((await c.fetch('/leistungen/gibt-es-nicht/antrag')).status, 404);
  });

  test('a draft starts pre-filled from Meine Daten, on step 1 of the steps shown', async () => {
    const { id, location: first } = await startApplication(anna.client, 'reisepass');
    assert.equal(first, `/antraege/${id}/schritt/1`);
    const data = await draftData(srv, id);
    assert.equal(data.given_name, 'Maria');
    assert.equal(data.doctoral_degree, 'Dr.');
    assert.equal(data.birth_date, '1985-04-23');
    assert.deepEqual(data.address, { street: 'Rheinstraße', house_number: '12', postcode: '55116', city: 'Mainz' });
    assert.equal(data.email, anna.email);
    const rows = await srv.query(`SELECT status, COALESCE(reference, '') FROM applications WHERE id = ${id}`);
    assert.deepEqual(rows[0], ['entwurf', '']);
    const page = await anna.client.fetch(first);
    assert.equal(page.status, 200);
    // 8 steps, the custody step hidden for an adult.
    assert.match(mainText(page.text), /Schritt 1 von 7/);
    assert.match(page.text, /<progress id="fortschritt" max="7" value="1">/);
    const step2 = await anna.client.fetch(`/antraege/${id}/schritt/2`);
    assert.match(mainText(step2.text), /Schritt 2 von 7/);
    assert.equal(inputByName(step2.text, 'given_name').value, 'Maria');
    assert.equal(inputByName(step2.text, 'given_name').autocomplete, 'given-name');
    assert.match(step2.text, /<fieldset class="kern-fieldset" id="feld-sex"/, 'radio group in a fieldset');
    assert.match(step2.text, /<legend class="kern-label">Geschlecht<\/legend>/);
    assert.match(step2.text, /Hilfe zu dieser Angabe/, 'help text behind a details element');
    assert.equal((await anna.client.fetch(`/antraege/${id}/schritt/9`)).status, 404);
    assert.equal((await anna.client.fetch(`/antraege/${id}/schritt/0`)).status, 404);
  });

  test('a step with errors is saved as typed, shows a summary linking to the fields and a message at each', async () => {
    const c = anna.client;
    const { id } = await startApplication(c, 'reisepass');
    const p = `/antraege/${id}/schritt/2`;
    const res = await fillStep(c, p, { given_name: '', height: 'groß', birth_place: 'Wiesbaden', eye_colour: 'gruen', sex: 'm' });
    assert.equal(res.status, 422);
    const summary = errorSummary(res.text);
    const hrefs = summary.map((s) => s.href);
    assert.ok(hrefs.includes('#feld-given_name'), JSON.stringify(summary));
    assert.ok(hrefs.includes('#feld-height'), JSON.stringify(summary));
    assert.ok(hrefs.includes('#feld-nationality-deutsch'), 'a radio group links to its first choice');
    assert.match(fieldError(res.text, 'height'), /Zahl/);
    assert.match(res.text, /<title>Fehler: /, 'the window title says it first');
    assert.equal(inputByName(res.text, 'height').value, 'groß', 'the wrong value is still there');
    assert.equal(inputByName(res.text, 'birth_place').value, 'Wiesbaden');
    assert.match(res.text, /id="feld-sex-m" name="sex" value="m" checked/);
    const data = await draftData(srv, id);
    assert.equal(data.height, 'groß', 'saved although invalid');
    assert.equal(data.birth_place, 'Wiesbaden');
    assert.equal(data.given_name, undefined, 'an emptied field is empty in the draft too');
    // Fixed: on to step 3.
    const ok = await fillStep(c, p, { given_name: 'Maria', height: '168', nationality: 'deutsch' });
    assert.equal(ok.status, 303);
    assert.equal(location(ok), `/antraege/${id}/schritt/3`);
  });

  test('an answer that shows a new question brings the page back with a note; a minor gets the custody step', async () => {
    const c = anna.client;
    const { id } = await startApplication(c, 'reisepass');
    const p = `/antraege/${id}/schritt/2`;
    const res = await fillStep(c, p, { ...REISEPASS_ANSWERS, nationality: 'deutsch_weitere' });
    assert.equal(res.status, 200);
    assert.match(mainText(res.text), /weitere Angaben/);
    assert.ok(inputByName(res.text, 'other_nationality'), 'the new field is on the page');
    assert.deepEqual(errorSummary(res.text), [], 'not an error before it was seen');
    const again = await fillStep(c, p, { ...REISEPASS_ANSWERS, nationality: 'deutsch_weitere' });
    assert.equal(again.status, 422, 'now it must be answered');
    const young = new Date(Date.now() - 10 * 365.25 * 86400e3).toISOString().slice(0, 10);
    const minor = await fillStep(c, p, { ...REISEPASS_ANSWERS, birth_date: young });
    assert.equal(minor.status, 303);
    const page = await c.fetch(location(minor));
    assert.match(mainText(page.text), /Schritt 3 von 8/, 'one step more for a minor');
    const custody = await stepOf(c, id, 'Einverständnis der Sorgeberechtigten');
    assert.equal(custody, 6);
  });

  test('uploads: a PDF is kept with its sniffed type; too large or the wrong type is refused without losing the text', async () => {
    const c = anna.client;
    const { id } = await startApplication(c, 'reisepass');
    const p = `/antraege/${id}/schritt/5`;
    const page = await c.fetch(p);
    assert.match(mainText(page.text), /Erlaubte Dateiarten: PDF, JPEG oder PNG\. Größe höchstens je Datei: 5 MB\./, 'limits stated before the upload');
    assert.match(page.text, /enctype="multipart\/form-data"/);
    assert.match(page.text, /accept="\.pdf,application\/pdf,\.jpg,\.jpeg,image\/jpeg,\.png,image\/png"/);

    const big = Buffer.concat([SAMPLE_PDF, Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await fillStep(c, p, { id_document: { filename: 'gross.pdf', contentType: 'application/pdf', data: big }, document_note: 'Mein Name hat sich geändert.' });
    assert.equal(tooBig.status, 422);
    assert.match(fieldError(tooBig.text, 'id_document'), /zu groß.*5 MB/);
    assert.equal((await draftData(srv, id)).document_note, 'Mein Name hat sich geändert.', 'the text of the same POST is saved');
    assert.match(tooBig.text, /Mein Name hat sich geändert\./, 'and shown again');

    const fake = await fillStep(c, p, { id_document: { filename: 'ausweis.png', contentType: 'image/png', data: Buffer.from('<html><body>kein Bild</body></html>') } });
    assert.equal(fake.status, 422);
    assert.match(fieldError(fake.text, 'id_document'), /Format.*PDF, JPEG oder PNG/);

    const ok = await fillStep(c, p, { id_document: { filename: '../../etc/ausweis.pdf', contentType: 'image/png', data: SAMPLE_PDF } }, { aktion: 'hochladen' });
    assert.equal(ok.status, 303);
    const files = await srv.query(`SELECT field, filename, content_type, size FROM application_files WHERE application_id = ${id}`);
    assert.deepEqual(files, [['id_document', 'ausweis.pdf', 'application/pdf', String(SAMPLE_PDF.length)]], 'type by content, name without folders');
    const back = await c.fetch(location(ok));
    assert.match(back.text, /ausweis\.pdf/, 'the draft shows its file');
    assert.match(back.text, /name="_entfernen" value="\d+"/, 'with a button to remove it');

    // A second file is fine (max 2), a third is not.
    await fillStep(c, p, { id_document: { filename: 'rueckseite.png', contentType: 'image/png', data: SAMPLE_PNG } }, { aktion: 'hochladen' });
    const third = await fillStep(c, p, { id_document: { filename: 'noch.png', contentType: 'image/png', data: SAMPLE_PNG } });
    assert.equal(third.status, 422);
    assert.match(fieldError(third.text, 'id_document'), /Höchstzahl: 2/);

    // Remove one.
    const withFiles = await c.fetch(p);
    const fileId = /name="_entfernen" value="(\d+)"/.exec(withFiles.text)[1];
    const { fields } = stepFields(withFiles.text, p, {});
    const removed = await c.postMultipart(p, [...fields.filter(([k]) => k !== '_aktion'), ['_entfernen', fileId]]);
    assert.equal(removed.status, 303);
    assert.match(location(removed), /entfernt=1/);
    const left = await srv.query(`SELECT COUNT(*) FROM application_files WHERE application_id = ${id}`);
    assert.equal(left[0][0], '1');
  });

  test('the review shows every answer with "Ändern" links, the fee, and submitting gives a reference, a receipt PDF and a mail with a link only', async () => {
    const c = anna.client;
    const { id, location: first } = await startApplication(c, 'reisepass');
    const reviewPath = await completeSteps(c, first, { ...REISEPASS_ANSWERS, express: true, photo_code: 'FOTO-1234' });
    const review = await c.fetch(reviewPath);
    assert.equal(review.status, 200);
    const text = mainText(review.text);
    for (const s of ['Maria', 'Muster', '23.04.1985', 'Mainz', 'weiblich', '168 cm', 'braun', 'Rheinstraße 12, 55116 Mainz', 'FOTO-1234', 'ausweis.pdf', 'Gebühr', 'Verbindlich absenden'])
      assert.ok(text.includes(s), `the review shows ${s}`);
    assert.ok(review.text.includes(`href="/antraege/${id}/schritt/2"`), 'Ändern leads to the step');
    assert.doesNotMatch(text, /Einverständniserklärung/, 'hidden steps are not reviewed');

    const since = smtp.messages.length;
    c.syncCsrf();
    const sent = await c.postForm(`/antraege/${id}/absenden`, []);
    assert.equal(sent.status, 303);
    assert.equal(location(sent), `/antraege/${id}/eingegangen`);
    const rows = await srv.query(`SELECT reference, status, birth_date, summary, COALESCE(submitted_at, 0) FROM applications WHERE id = ${id}`);
    const [reference, status, birth, summary, at] = rows[0];
    assert.match(reference, new RegExp(`^MZ-${new Date().getFullYear()}-\\d{6}$`));
    assert.equal(status, 'eingegangen');
    assert.equal(birth, '1985-04-23');
    const service = (await srv.query(`SELECT name FROM services WHERE slug = 'reisepass'`))[0][0];
    assert.equal(summary, `${service} – Maria Muster`, 'the service and the summary fields');
    assert.ok(Number(at) > 0);
    const events = await srv.query(`SELECT kind, from_value, to_value, internal FROM application_events WHERE application_id = ${id}`);
    assert.deepEqual(events, [['status', 'entwurf', 'eingegangen', '0']]);

    const page = await c.fetch(location(sent));
    assert.equal(page.status, 200);
    assert.ok(mainText(page.text).includes(reference));
    assert.ok(page.text.includes(`/antraege/${id}/quittung.pdf`));
    const pdf = await c.fetch(`/antraege/${id}/quittung.pdf`);
    assert.equal(pdf.status, 200);
    assert.match(pdf.headers['content-type'], /^application\/pdf/);
    assert.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-', 'the receipt is a PDF');

    const mail = await waitForMail(smtp, anna.email, { since, subject: /Antrag ist eingegangen/ });
    assert.ok(mail.text.includes(reference));
    assert.ok(mail.text.includes(`/antraege/${id}`));
    assert.ok(!mail.text.includes('Muster') && !mail.text.includes('168'), 'no content of the application in the mail');

    // Submitting twice changes nothing.
    c.syncCsrf();
    const again = await c.postForm(`/antraege/${id}/absenden`, []);
    assert.equal(again.status, 303);
    assert.equal((await srv.query(`SELECT reference FROM applications WHERE id = ${id}`))[0][0], reference);
    // The steps of a submitted application lead to its page.
    const step = await c.fetch(`/antraege/${id}/schritt/2`);
    assert.equal(step.status, 303);
  });

  test('"Entwurf speichern" leads to Meine Anträge, where the draft is continued and can be deleted', async () => {
    const c = anna.client;
    const { id } = await startApplication(c, 'reisepass');
    const saved = await fillStep(c, `/antraege/${id}/schritt/2`, { birth_place: 'Bingen', height: '180' }, { aktion: 'speichern' });
    assert.equal(saved.status, 303);
    assert.equal(location(saved), `/antraege?gespeichert=${id}`);
    const list = await c.fetch(location(saved));
    assert.equal(list.status, 200);
    assert.match(mainText(list.text), /Ihr Entwurf ist gespeichert/);
    assert.ok(list.text.includes(`href="/antraege/${id}/schritt/2"`), 'continue where it was left');
    const resumed = await c.fetch(`/antraege/${id}/schritt/2`);
    assert.equal(inputByName(resumed.text, 'birth_place').value, 'Bingen');
    assert.equal(inputByName(resumed.text, 'height').value, '180');

    const confirm = await c.fetch(`/antraege/${id}/loeschen`);
    assert.equal(confirm.status, 200);
    assert.match(mainText(confirm.text), /Entwurf löschen\?/);
    c.syncCsrf();
    const del = await c.postForm(`/antraege/${id}/loeschen`, []);
    assert.equal(del.status, 303);
    assert.equal((await srv.query(`SELECT COUNT(*) FROM applications WHERE id = ${id}`))[0][0], '0');
  });

  test('"Meine Anträge" lists submitted applications with status and unread messages; the detail page shows history and files', async () => {
    const c = anna.client;
    const { id, reference } = await submitApplication(srv, c, 'reisepass', REISEPASS_ANSWERS);
    const now = Math.floor(Date.now() / 1000);
    await sqlWrite(srv, `INSERT INTO messages (application_id, from_office, subject, body, created_at) VALUES (${id}, 1, 'Rückfrage', 'Bitte …', ${now})`);
    const list = await c.fetch('/antraege');
    const text = mainText(list.text);
    assert.ok(text.includes(reference));
    assert.match(list.text, new RegExp(`href="/antraege/${id}"`));
    assert.match(list.text, /1 neu/);
    const detail = await c.fetch(`/antraege/${id}`);
    assert.equal(detail.status, 200);
    const d = mainText(detail.text);
    assert.ok(d.includes(reference));
    assert.match(d, /Eingegangen/);
    assert.match(d, /ausweis\.pdf/);
    assert.match(d, /Eingangsbestätigung/);
    assert.ok(detail.text.includes(`href="/postfach/${id}"`));
    const fileId = (await srv.query(`SELECT id FROM application_files WHERE application_id = ${id} AND field = 'id_document'`))[0][0];
    const dl = await c.fetch(`/antraege/${id}/dateien/${fileId}`);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.match(dl.headers['content-disposition'], /^attachment; filename="ausweis\.pdf"/);
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.ok(dl.body.equals(SAMPLE_PDF));
  });

  test('a step sent after the session ended keeps its values; after the login they are back in the draft', async () => {
    const acc = await registerAndConfirm(srv, smtp, { tag: 'abgelaufen' });
    const c = acc.client;
    const { id } = await startApplication(c, 'reisepass');
    const p = `/antraege/${id}/schritt/2`;
    const page = await c.fetch(p);
    c.syncCsrf();
    const { fields } = stepFields(page.text, p, { ...REISEPASS_ANSWERS, given_name: 'Erika', birth_place: 'Speyer', height: '171' });
    await c.ageSession(31 * 60);
    const res = await c.postForm(p, fields);
    assert.equal(res.status, 303);
    assert.match(location(res), /^\/konto\/anmelden\?weiter=\/antraege\/\d+\/schritt\/2&/);
    assert.match(location(res), /abgelaufen=1/);
    const kept = await srv.query(`SELECT COUNT(*) FROM pending_drafts WHERE application_id = ${id}`);
    assert.equal(kept[0][0], '1', 'the values wait on the server');
    const login = await loginOk(c, acc.email, acc.password, { next: `/antraege/${id}/schritt/2` });
    assert.equal(location(login), p);
    const back = await c.fetch(p);
    assert.equal(back.status, 200);
    assert.match(mainText(back.text), /abgemeldet.*aufbewahrt/);
    assert.equal(inputByName(back.text, 'given_name').value, 'Erika');
    assert.equal(inputByName(back.text, 'birth_place').value, 'Speyer');
    const data = await draftData(srv, id);
    assert.equal(data.given_name, 'Erika');
    assert.equal(data.height, '171');
    assert.equal((await srv.query(`SELECT COUNT(*) FROM pending_drafts WHERE application_id = ${id}`))[0][0], '0');
  });

  test('another citizen gets 404 for every address of an application, and changes nothing', async () => {
    const { id } = await submitApplication(srv, anna.client, 'reisepass', REISEPASS_ANSWERS);
    const { id: draft } = await startApplication(anna.client, 'reisepass');
    const before = await draftData(srv, draft);
    const other = await registerAndConfirm(srv, smtp, { tag: 'nachbar' });
    const fileId = (await srv.query(`SELECT id FROM application_files WHERE application_id = ${id} LIMIT 1`))[0][0];
    for (const p of [`/antraege/${id}`, `/antraege/${id}/eingegangen`, `/antraege/${id}/quittung.pdf`, `/antraege/${id}/dateien/${fileId}`,
      `/antraege/${draft}/schritt/2`, `/antraege/${draft}/pruefen`, `/antraege/${draft}/loeschen`, `/antraege/${id}/zurueckziehen`]) {
      const r = await other.client.fetch(p);
      assert.equal(r.status, 404, `${p} → ${r.status}`);
      assert.ok(!r.text.includes('Muster'), `${p} shows nothing of it`);
    }
    const api = await other.client.fetch(`/api/v1/antraege/${id}`, { headers: { accept: 'application/json' } });
    assert.equal(api.status, 404);
    other.client.syncCsrf();
    const post = await other.client.postForm(`/antraege/${draft}/schritt/2`, [['given_name', 'Eindringling'], ['_aktion', 'weiter']]);
    assert.equal(post.status, 404);
    const del = await other.client.postForm(`/antraege/${draft}/loeschen`, []);
    assert.equal(del.status, 404);
    const sub = await other.client.postForm(`/antraege/${draft}/absenden`, []);
    assert.equal(sub.status, 404);
    assert.deepEqual(await draftData(srv, draft), before);
    const list = mainText((await other.client.fetch('/antraege')).text);
    assert.match(list, /keinen Antrag gestellt/);
  });

  test('a service that needs "substantiell" explains how to get it, and opens once the account has it', async () => {
    const c = anna.client;
    const page = await c.fetch('/leistungen/meldebescheinigung/antrag');
    assert.equal(page.status, 200);
    const t = mainText(page.text);
    assert.match(t, /höheres Vertrauensniveau/);
    assert.match(t, /basisregistriert/);
    assert.match(t, /substantiell/);
    assert.match(t, /Bürgeramt/);
    assert.doesNotMatch(page.text, /Antrag beginnen/);
    c.syncCsrf();
    const refused = await c.postForm('/leistungen/meldebescheinigung/antrag', []);
    assert.equal(refused.status, 403);
    assert.match(mainText(refused.text), /So erreichen Sie es/);
    await sqlWrite(srv, `UPDATE users SET trust_level = 2 WHERE id = ${anna.id}`);
    try {
      const { reference } = await submitApplication(srv, c, 'meldebescheinigung', MELDEBESCHEINIGUNG_ANSWERS);
      assert.match(reference, /^MZ-\d{4}-\d{6}$/);
    } finally {
      await sqlWrite(srv, `UPDATE users SET trust_level = 1 WHERE id = ${anna.id}`);
    }
  });

  test('the anonymous report works without an account: the draft belongs to the browser, the receipt too', async (t) => {
    if (!existsSync(MELDUNG_FORM)) return t.skip('data/services/forms/zweckentfremdung-meldung.json does not exist yet');
    await ensureService(srv, { slug: 'zweckentfremdung-meldung', formKey: 'zweckentfremdung-meldung', name: 'Zweckentfremdung melden', minTrust: 0, unit: 'bauamt' });
    const c = accountClient(srv);
    const { id, reference } = await submitApplication(srv, c, 'zweckentfremdung-meldung', ZWECK_MELDUNG_ANSWERS);
    assert.match(reference, /^MZ-\d{4}-\d{6}$/);
    const rows = await srv.query(`SELECT COALESCE(user_id, 0), status FROM applications WHERE id = ${id}`);
    assert.deepEqual(rows[0], ['0', 'eingegangen']);
    const tokens = await srv.query(`SELECT token_hash FROM draft_tokens WHERE application_id = ${id}`);
    assert.equal(tokens.length, 1);
    assert.ok(!Object.values(Object.fromEntries(c.cookies)).includes(tokens[0][0]), 'only the hash is stored');
    const receipt = await c.fetch(`/antraege/${id}/eingegangen`);
    assert.equal(receipt.status, 200);
    assert.ok(mainText(receipt.text).includes(reference));
    assert.match(mainText(receipt.text), /ohne Konto/);
    // Another browser cannot open it.
    const stranger = accountClient(srv);
    assert.equal((await stranger.fetch(`/antraege/${id}/eingegangen`)).status, 404);
    // A signed-in citizen may report without linking the account.
    const { id: anonId } = await startApplication(anna.client, 'zweckentfremdung-meldung', { anonymous: true });
    assert.equal((await srv.query(`SELECT COALESCE(user_id, 0) FROM applications WHERE id = ${anonId}`))[0][0], '0');
  });

  test('the JSON API lists the own applications and one of them; without a session 401', async () => {
    const c = anna.client;
    const { id, reference } = await submitApplication(srv, c, 'reisepass', REISEPASS_ANSWERS);
    const list = await c.fetch('/api/v1/antraege', { headers: { accept: 'application/json' } });
    assert.equal(list.status, 200);
    const body = JSON.parse(list.text);
    const mine = body.applications.find((a) => a.id === id);
    assert.equal(mine.reference, reference);
    assert.equal(mine.status, 'eingegangen');
    assert.ok(Array.isArray(body.drafts));
    const one = JSON.parse((await c.fetch(`/api/v1/antraege/${id}`)).text);
    assert.equal(one.reference, reference);
    assert.equal(one.status_label, 'Eingegangen');
    assert.ok(one.history.length >= 1);
    assert.ok(one.files.some((f) => f.filename === 'ausweis.pdf'));
    const anon = await accountClient(srv).fetch('/api/v1/antraege');
    assert.equal(anon.status, 401);
    assert.match(anon.headers['content-type'], /json/);
  });

  test('withdrawing asks first and then sets the status "zurückgezogen"', async () => {
    const c = anna.client;
    const { id } = await submitApplication(srv, c, 'reisepass', REISEPASS_ANSWERS);
    const confirm = await c.fetch(`/antraege/${id}/zurueckziehen`);
    assert.equal(confirm.status, 200);
    assert.match(mainText(confirm.text), /Antrag zurückziehen\?/);
    c.syncCsrf();
    const r = await c.postForm(`/antraege/${id}/zurueckziehen`, [['begruendung', 'Ich habe den Pass nicht mehr nötig.']]);
    assert.equal(r.status, 303, `withdrawal answered ${r.status}: ${mainText(r.text).slice(0, 300)}`);
    assert.equal((await srv.query(`SELECT status FROM applications WHERE id = ${id}`))[0][0], 'zurueckgezogen');
  });

  test('"Meine Daten": the export holds the applications; deleting the account removes drafts and unlinks the rest', async () => {
    const acc = await registerAndConfirm(srv, smtp, { tag: 'loeschen' });
    const c = acc.client;
    const { id: sent, reference } = await submitApplication(srv, c, 'reisepass', REISEPASS_ANSWERS);
    const { id: draft } = await startApplication(c, 'reisepass');
    const exp = JSON.parse((await c.fetch('/konto/daten/export.json')).text);
    const apps = exp.modules.antraege.applications;
    assert.ok(apps.some((a) => a.reference === reference && a.answers.given_name === 'Maria'));
    assert.ok(apps.some((a) => a.id === draft && a.status === 'entwurf'));
    await c.page('/konto/daten');
    const del = await c.post('/konto/daten/loeschen', [['passwort', acc.password], ['bestaetigung', '1']]);
    assert.ok(del.status === 200 || del.status === 303, `deletion answered ${del.status}`);
    assert.equal((await srv.query(`SELECT COUNT(*) FROM users WHERE id = ${acc.id} AND deleted_at IS NOT NULL`))[0][0], '1', 'the account is deleted');
    assert.match(mainText(del.text), /eingereichten Anträge bleiben bei der Stadtverwaltung/, 'the kept list says so');
    assert.equal((await srv.query(`SELECT COUNT(*) FROM applications WHERE id = ${draft}`))[0][0], '0', 'the draft is gone');
    assert.deepEqual((await srv.query(`SELECT COALESCE(user_id, 0), status FROM applications WHERE id = ${sent}`))[0], ['0', 'eingegangen']);
  });

  testCleanExit(() => srv);
});

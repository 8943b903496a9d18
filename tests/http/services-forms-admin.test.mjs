// services-forms-admin.test.mjs — /verwaltung/formulare as an editor uses it: a
// JSON definition uploaded becomes version 1 of its key, a changed one version 2,
// the same file again no new version; an FIM XDatenfelder file becomes a form with
// the fields the schema implies and the importer's notes in the preview; every
// bad upload is refused with the place of the problem, keeps nothing and keeps
// what was typed; each stored version is in the audit log; the JSON download
// gives back the stored definition; the pages need the second factor, and a
// citizen or a caseworker gets 403. And `rathaus services xdf FILE KEY`. On both
// engines.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { forEachEngine, testCleanExit, REPO } from '../lib/server.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import {
  accountClient,
  accountSuite,
  createStaff,
  errorSummary,
  inputByName,
  fieldError,
  location,
  loginOk,
  mainText,
  registerAndConfirm,
  runCli,
  signInStaff,
  sqlWrite,
} from '../lib/account.mjs';

const LIST = '/verwaltung/formulare';
const XDF2 = readFileSync(path.join(REPO, 'tests/data/xdf/zweckentfremdung-xdf2.xml'));
const XDF3_PATH = path.join(REPO, 'tests/data/xdf/meldung-xdf3.xml');

// A small valid definition of docs/forms.md.
function definition(key, title, fields = [{ name: 'vorname', type: 'text', label: 'Vorname', required: true }]) {
  return JSON.stringify({ form_key: key, title, steps: [{ title: 'Angaben', fields }] }, null, 2);
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"><xdf:stammdatenschema><xdf:name>&lol9;</xdf:name></xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>
`;

forEachEngine((engine) => {
  let srv;
  let smtp;
  let editor; // {client} of a 'redaktion' account with the second factor
  let unit;
  accountSuite(engine, { onStart: (s) => ({ srv, smtp } = s) });

  before(async () => {
    const made = await runCli(srv, ['unit', 'add', 'testamt', 'Testamt']);
    assert.equal(made.code, 0, made.out);
    unit = Number((await srv.query("SELECT id FROM units WHERE slug = 'testamt'"))[0][0]);
    const staff = await createStaff(srv, { role: 'redaktion', name: 'Rita Redaktion' });
    editor = await signInStaff(srv, staff, { enrol: true });
  });

  const versions = async (key) =>
    (await srv.query(`SELECT version FROM form_definitions WHERE form_key = '${key}' ORDER BY version`)).map((r) => Number(r[0]));
  const rowCount = async () => Number((await srv.query('SELECT COUNT(*) FROM form_definitions'))[0][0]);

  // upload(client, {key, filename, data, contentType}) → the answer to the POST
  async function upload(c, { key = '', filename = 'formular.json', data, contentType = 'application/json' }) {
    await c.page(LIST);
    c.syncCsrf();
    return c.postMultipart(LIST, [
      ['schluessel', key],
      ['datei', { filename, contentType, data }],
    ]);
  }

  test('a citizen and a caseworker get 403 on every page of the form administration', async () => {
    const citizen = await registerAndConfirm(srv, smtp, { tag: 'buergerin' });
    const worker = await createStaff(srv, { role: 'sachbearbeitung', unit: 'testamt', name: 'Sascha Sachbearbeitung' });
    const wc = accountClient(srv);
    await loginOk(wc, worker.email, worker.password);
    for (const c of [citizen.client, wc]) {
      for (const p of [LIST, `${LIST}/testformular`, `${LIST}/testformular/1`, `${LIST}/testformular/1/definition.json`]) {
        const r = await c.fetch(p);
        assert.equal(r.status, 403, `GET ${p}`);
      }
      c.syncCsrf();
      const r = await c.postMultipart(LIST, [['datei', { filename: 'f.json', data: definition('verboten', 'Verboten') }]]);
      assert.equal(r.status, 403, 'POST upload');
    }
    assert.deepEqual(await versions('verboten'), []);
    // signed out: to the login page
    const anon = accountClient(srv);
    const r = await anon.fetch(LIST);
    assert.equal(r.status, 303);
    assert.match(location(r), /^\/konto\/anmelden/);
  });

  test('an editor without the second factor is sent to set it up first', async () => {
    const staff = await createStaff(srv, { role: 'redaktion', name: 'Rolf Redaktion' });
    const c = accountClient(srv);
    await loginOk(c, staff.email, staff.password);
    const r = await c.fetch(LIST);
    assert.equal(r.status, 303);
    assert.match(location(r), /^\/konto\/sicherheit\?pflicht=1/);
  });

  test('the list starts empty and offers the upload form (multipart, key and file labelled)', async () => {
    const res = await editor.client.page(LIST);
    assertHtmlPage(res, 200, 'the list');
    assert.match(mainText(res.text), /Es ist noch kein Formular gespeichert/);
    assert.match(res.text, /<form[^>]*action="\/verwaltung\/formulare"[^>]*enctype="multipart\/form-data"/);
    assert.equal(inputByName(res.text, 'schluessel').type, 'text');
    assert.equal(inputByName(res.text, 'datei').type, 'file');
    assert.match(res.text, /<label class="kern-label" for="feld-datei">Datei<\/label>/);
    // ?schluessel= fills the key (the "new version" link of a form's page)
    const pre = await editor.client.page(`${LIST}?schluessel=mein-formular`);
    assert.equal(inputByName(pre.text, 'schluessel').value, 'mein-formular');
  });

  test('a JSON definition becomes version 1, a changed one version 2, the same file again no new version', async () => {
    const c = editor.client;
    const v1 = definition('testformular', 'Testformular');
    let r = await upload(c, { data: v1 });
    assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
    assert.equal(location(r), '/verwaltung/formulare/testformular?gespeichert=1');
    let page = await c.page(location(r));
    assert.match(mainText(page.text), /geprüft und gespeichert als Version 1\./);
    assert.deepEqual(await versions('testformular'), [1]);

    r = await upload(c, { data: v1 });
    assert.equal(location(r), '/verwaltung/formulare/testformular?unveraendert=1');
    page = await c.page(location(r));
    assert.match(mainText(page.text), /schon gespeichert; es gibt keine neue Version/);
    assert.deepEqual(await versions('testformular'), [1]);

    const v2 = definition('testformular', 'Testformular, zweite Fassung', [
      { name: 'vorname', type: 'text', label: 'Vorname', required: true },
      { name: 'geburtsdatum', type: 'date', label: 'Geburtsdatum', not_after: 'today' },
    ]);
    // the key typed next to a JSON file may repeat the file's own
    r = await upload(c, { key: 'testformular', data: v2 });
    assert.equal(location(r), '/verwaltung/formulare/testformular?gespeichert=2');
    assert.deepEqual(await versions('testformular'), [1, 2]);

    // the list shows the newest version, its title and date; the form's page both versions
    const list = await c.page(LIST);
    const text = mainText(list.text);
    assert.match(text, /testformular Testformular, zweite Fassung 2 \d\d\.\d\d\.\d{4}, \d\d:\d\d/);
    const form = await c.page(`${LIST}/testformular`);
    assert.match(mainText(form.text), /2 Testformular, zweite Fassung .* 1 Testformular /);
    assert.match(mainText(form.text), /Rita Redaktion/);

    // the download is the stored file, as an attachment
    const dl = await c.fetch(`${LIST}/testformular/1/definition.json`);
    assert.equal(dl.status, 200);
    assert.match(dl.headers['content-type'], /^application\/json/);
    assert.equal(dl.headers['content-disposition'], 'attachment; filename="testformular-v1.json"');
    assert.equal(dl.text, v1);
    assert.equal((await c.fetch(`${LIST}/testformular/2/definition.json`)).text, v2);
    assert.equal((await c.fetch(`${LIST}/testformular/3/definition.json`)).status, 404);
    assert.equal((await c.fetch(`${LIST}/gibt-es-nicht`)).status, 404);
    assert.equal((await c.fetch(`${LIST}/Gross/1`)).status, 404);

    // each stored version is in the audit log, with who did it
    const audit = await srv.query(
      "SELECT actor, object FROM audit_log WHERE action = 'services.form_stored' AND object = 'form:testformular' ORDER BY id",
    );
    const editorId = Number((await srv.query("SELECT id FROM users WHERE display_name = 'Rita Redaktion'"))[0][0]);
    assert.deepEqual(audit, [
      [`user:${editorId}`, 'form:testformular'],
      [`user:${editorId}`, 'form:testformular'],
    ]);
    const detail = (await srv.query("SELECT detail FROM audit_log WHERE action = 'services.form_stored' ORDER BY id DESC LIMIT 1"))[0].join('|');
    assert.match(detail, /"version":\s*2/);
    assert.match(detail, /"source":\s*"json"/);
  });

  test('the preview lists the steps and fields of a version', async () => {
    const page = await editor.client.page(`${LIST}/testformular/2`);
    const text = mainText(page.text);
    assert.match(text, /Testformular, zweite Fassung – Version 2/);
    assert.match(text, /Schritt 1: Angaben/);
    assert.match(text, /Vorname vorname Textfeld ja/);
    assert.match(text, /Geburtsdatum geburtsdatum Datum nein Spätestens: today/);
    assert.equal((page.text.match(/<h1\b/g) ?? []).length, 1);
  });

  test('an XDatenfelder 2.0 file becomes a form: fields by type, required, checks, and the notes in the preview', async () => {
    const c = editor.client;
    const r = await upload(c, { key: 'zweckentfremdung', filename: 'S99000001.xml', contentType: 'application/xml', data: XDF2 });
    assert.equal(r.status, 303, mainText(r.text).slice(0, 600));
    assert.equal(location(r), '/verwaltung/formulare/zweckentfremdung?gespeichert=1');
    const def = JSON.parse((await c.fetch(`${LIST}/zweckentfremdung/1/definition.json`)).text);
    assert.equal(def.form_key, 'zweckentfremdung');
    assert.equal(def.title, 'Genehmigung für eine Ferienwohnung beantragen');
    assert.deepEqual(
      def.steps.map((s) => s.title),
      ['Antragstellende Person', 'Wohnung', 'Unterlagen', 'Genehmigung für eine Ferienwohnung beantragen'],
    );
    const fields = Object.fromEntries(def.steps.flatMap((s) => s.fields).map((f) => [f.name, f]));
    assert.deepEqual(
      { type: fields.f60000227.type, required: fields.f60000227.required, max: fields.f60000227.max_length },
      { type: 'text', required: true, max: 120 },
    );
    assert.equal(fields.f60000230.type, 'date');
    assert.equal(fields.f60000242.type, 'email');
    assert.equal(fields.f60000246.pattern, '[0-9]{5}');
    assert.equal(fields.f99000102.type, 'number');
    assert.equal(fields.f99000105.type, 'textarea');
    assert.equal(fields.f99000106.type, 'checkbox');
    assert.equal(fields.f99000201.type, 'file');

    const preview = await c.page(`${LIST}/zweckentfremdung/1`);
    const text = mainText(preview.text);
    assert.match(text, /Hinweise zur Datei/);
    assert.match(text, /R99000002 „Ersatzwohnraum oder Ausgleichsbetrag“ wurde nicht übernommen/);
    assert.match(text, /Anschrift: Postleitzahl f60000246 Textfeld ja .*Muster: \[0-9\]\{5\}/);

    const detail = (await srv.query("SELECT detail FROM audit_log WHERE object = 'form:zweckentfremdung'"))[0].join('|');
    assert.match(detail, /"source":\s*"xdatenfelder"/);
    assert.match(detail, /"filename":\s*"S99000001.xml"/);
  });

  test('a bad upload is refused with the reason and its place, keeps nothing and keeps the typed key', async () => {
    const c = editor.client;
    const before = await rowCount();
    const cases = [
      {
        what: 'no file',
        fields: [['schluessel', 'leer']],
        field: 'datei',
        message: /Bitte wählen Sie eine Datei aus/,
      },
      {
        what: 'an unknown field type',
        file: { data: definition('kaputt', 'Kaputt', [{ name: 'farbe', type: 'colour', label: 'Farbe' }]) },
        field: 'datei',
        message: /keine gültige Formulardefinition.*steps\[0\]\.fields\[0\]: unknown type 'colour'/,
      },
      {
        what: 'JSON that does not parse',
        file: { data: '{"form_key": "kaputt", "title": ' },
        field: 'datei',
        message: /not valid JSON \(line 1/,
      },
      {
        what: 'a key that differs from the file’s',
        key: 'anderer-schluessel',
        file: { data: definition('testformular', 'Testformular 3') },
        field: 'schluessel',
        message: /In der Datei steht: „testformular“/,
      },
      {
        what: 'an XDatenfelder file without a key',
        file: { data: XDF2, filename: 'x.xml', contentType: 'text/xml' },
        field: 'schluessel',
        message: /brauchen wir den Schlüssel/,
      },
      {
        what: 'a key with capitals',
        key: 'Mein Formular',
        file: { data: XDF2, filename: 'x.xml' },
        field: 'schluessel',
        message: /nur Kleinbuchstaben/,
      },
      {
        what: 'broken XML',
        key: 'kaputt',
        file: { data: '<?xml version="1.0"?>\n<a>\n<b></a>\n', filename: 'x.xml' },
        field: 'datei',
        message: /Zeile 3: Die Datei ist kein wohlgeformtes XML/,
      },
      {
        what: 'an entity bomb',
        key: 'kaputt',
        file: { data: BILLION_LAUGHS, filename: 'x.xml' },
        field: 'datei',
        message: /Dokumenttyp-Deklaration/,
      },
      {
        what: 'XML of another namespace',
        key: 'kaputt',
        file: { data: '<formular xmlns="urn:example"/>', filename: 'x.xml' },
        field: 'datei',
        message: /Namensraum „urn:example“/,
      },
      {
        what: 'neither JSON nor XML',
        file: { data: 'Name;Typ\nVorname;Text\n', filename: 'felder.csv', contentType: 'text/csv' },
        field: 'datei',
        message: /weder eine Formulardefinition \(JSON\) noch eine XDatenfelder-Datei/,
      },
      {
        what: 'an empty file',
        file: { data: '  \n', filename: 'leer.json' },
        field: 'datei',
        message: /Die Datei ist leer/,
      },
    ];
    for (const k of cases) {
      await c.page(LIST);
      c.syncCsrf();
      const fields = k.fields ?? [
        ['schluessel', k.key ?? ''],
        ['datei', { filename: 'formular.json', contentType: 'application/json', ...k.file }],
      ];
      const r = await c.postMultipart(LIST, fields);
      assert.equal(r.status, 422, `${k.what}: ${r.status} ${mainText(r.text).slice(0, 300)}`);
      const summary = errorSummary(r.text);
      assert.equal(summary.length, 1, `${k.what}: one entry in the error summary: ${JSON.stringify(summary)}`);
      assert.equal(summary[0].href, `#feld-${k.field}`, k.what);
      assert.match(summary[0].text, k.message, k.what);
      assert.match(fieldError(r.text, k.field) ?? '', k.message, `${k.what}: the message at the field`);
      const typed = k.key ?? (k.fields ? 'leer' : '');
      assert.equal(inputByName(r.text, 'schluessel').value, typed, `${k.what}: the typed key is kept`);
    }
    assert.equal(await rowCount(), before, 'nothing was stored');
    assert.deepEqual(await versions('testformular'), [1, 2]);
  });

  test('the file size limit: an XDatenfelder file of 8 MB is taken, one byte more is refused with a message', async () => {
    const limit = 8 * 1024 * 1024;
    const text = XDF2.toString('utf8');
    const pad = (n) => Buffer.from(text + '<!--' + 'x'.repeat(n - Buffer.byteLength(text) - 8) + '-->\n', 'utf8');
    const ok = pad(limit);
    assert.equal(ok.length, limit);
    let r = await upload(editor.client, { key: 'gross', filename: 'gross.xml', data: ok });
    assert.equal(r.status, 303, mainText(r.text).slice(0, 300));
    const over = pad(limit + 1);
    r = await upload(editor.client, { key: 'gross', filename: 'gross.xml', data: over });
    assert.equal(r.status, 422);
    assert.match(fieldError(r.text, 'datei'), /Die Datei ist größer als 8 MB/);
    assert.deepEqual(await versions('gross'), [1]);
  });

  test('the list names the services that use a form', async () => {
    const now = Math.floor(Date.now() / 1000);
    await sqlWrite(
      srv,
      `INSERT INTO services (slug, name, unit_id, form_key, created_at, updated_at) VALUES ('testleistung', 'Testleistung beantragen', ${unit}, 'testformular', ${now}, ${now})`,
    );
    const list = await editor.client.page(LIST);
    assert.match(list.text, /<a class="kern-link" href="\/leistungen\/testleistung">Testleistung beantragen<\/a>/);
    assert.match(mainText(list.text), /zweckentfremdung .* noch keiner Leistung zugeordnet/);
    const form = await editor.client.page(`${LIST}/testformular`);
    assert.match(mainText(form.text), /Verwendet von Testleistung beantragen/);
  });

  test('`rathaus services xdf FILE KEY` prints the converted definition; --store stores it as the next version', async () => {
    const r = await runCli(srv, ['services', 'xdf', XDF3_PATH, 'meldung']);
    assert.equal(r.code, 0, r.out);
    const def = JSON.parse(r.out);
    assert.equal(def.form_key, 'meldung');
    assert.equal(def.title, 'Verdacht auf Zweckentfremdung melden');
    assert.equal(def.steps.length, 3);
    assert.match(def.comment, /XDatenfelder 3\.0/);

    const stored = await runCli(srv, ['services', 'xdf', XDF3_PATH, 'meldung', '--store']);
    assert.equal(stored.code, 0, stored.out);
    assert.match(stored.out, /form meldung stored as version 1/);
    assert.deepEqual(await versions('meldung'), [1]);

    const bad = await runCli(srv, ['services', 'xdf', path.join(REPO, 'tests/data/xdf/zweckentfremdung-xdf2.xml'), 'Falscher Schlüssel']);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /Schlüssel/);
  });

  testCleanExit(() => srv);
});

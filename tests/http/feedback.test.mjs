// feedback.test.mjs — the accessibility feedback form (BITV 2.0 feedback
// channel): what it asks for, that every error brings the form back with the
// visitor's values and a summary, that uploads are limited in size and type,
// and that a good message is stored and thanked for.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { findForm } from '../lib/http.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';

const ACTION = '/barrierefreiheit/rueckmeldung';
const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PNG_SIGNATURE = PNG_1x1.subarray(0, 8);
// A tiny baseline JPEG (SOI, APP0/JFIF … EOI) is enough for a type check by content.
const JPEG_TINY = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);

// The form as the server sent it back: field values and error markers.
function readForm(html) {
  const f = findForm(html, ACTION);
  assert.ok(f, `no form with action ${ACTION}`);
  const v = (name) => f.inputs.find((i) => i.name === name);
  return { form: f, nachricht: v('nachricht'), kontakt: v('kontakt'), seite: v('seite') };
}

// An error summary: an alert region near the top that links to the field.
function assertErrorSummary(html, fieldId, what) {
  assert.ok(/role="alert"|class="[^"]*(error-summary|alert)[^"]*"/.test(html), `${what}: no error summary (role="alert") in the page`);
  assert.ok(html.includes(`href="#${fieldId}"`), `${what}: the error summary does not link to #${fieldId}`);
}

forEachEngine((engine) => {
  let srv;
  before(async () => {
    srv = await startServer({ engine });
  });
  after(async () => {
    if (srv) await srv.stopAndCheck();
  });

  async function visitor() {
    const c = srv.client();
    await c.page('/barrierefreiheit');
    return c;
  }

  async function storedMessages() {
    return (await srv.query('SELECT message FROM accessibility_feedback ORDER BY id')).map((r) => r.join('|'));
  }

  test('the form: multipart POST, labelled fields, file limited to PNG/JPEG', async () => {
    const res = await srv.get('/barrierefreiheit');
    const { form, nachricht, kontakt, seite } = readForm(res.text);
    assert.equal(form.method, 'post');
    assert.equal(form.enctype, 'multipart/form-data');
    assert.ok(nachricht && nachricht.tag === 'textarea', 'textarea nachricht');
    assert.ok('required' in nachricht.attrs, 'nachricht is required');
    // maxlength, or data-maxlength for a counter that lets people paste and shorten.
    assert.equal(nachricht.attrs.maxlength ?? nachricht.attrs['data-maxlength'], '5000', 'the limit of 5000 is announced');
    assert.ok(kontakt && kontakt.attrs.type === 'email', 'input type=email kontakt');
    assert.ok(seite, 'field seite');
    const file = form.inputs.find((i) => i.name === 'bildschirmfoto');
    assert.ok(file && file.type === 'file', 'file input bildschirmfoto');
    assert.match(file.attrs.accept ?? '', /image\/png/);
    assert.match(file.attrs.accept ?? '', /image\/jpeg/);
    for (const i of [nachricht, kontakt, file]) {
      assert.ok(i.attrs.id, `${i.name} has an id`);
      assert.ok(form.html.includes(`for="${i.attrs.id}"`), `${i.name} has a <label for>`);
    }
  });

  test('empty message → 422, the form comes back with the values and a summary', async () => {
    const c = await visitor();
    const res = await c.postMultipart(ACTION, [
      ['nachricht', ''],
      ['kontakt', 'erika@example.org'],
      ['seite', '/impressum'],
    ]);
    assertHtmlPage(res, 422, 'empty nachricht');
    const f = readForm(res.text);
    assert.equal(f.kontakt.value, 'erika@example.org', 'kontakt kept');
    assert.equal(f.seite.value, '/impressum', 'seite kept');
    assert.equal(f.nachricht.attrs['aria-invalid'], 'true', 'nachricht marked aria-invalid');
    assertErrorSummary(res.text, f.nachricht.attrs.id, 'empty nachricht');
    assert.equal(f.kontakt.attrs['aria-invalid'], undefined, 'a valid field is not marked invalid');
    assert.ok(
      findForm(res.text, ACTION).inputs.some((i) => i.name === '_csrf' && i.value),
      'the returned form can be sent again (_csrf)',
    );
  });

  test('message of 5001 characters → 422 and the text is kept', async () => {
    const c = await visitor();
    const text = 'ä'.repeat(5001);
    const res = await c.postMultipart(ACTION, [['nachricht', text], ['kontakt', ''], ['seite', '/']]);
    assertHtmlPage(res, 422, '5001 characters');
    assert.equal(readForm(res.text).nachricht.value, text, 'the long text is kept');
  });

  test('message of exactly 5000 characters (10000 bytes) is accepted', async () => {
    const c = await visitor();
    const res = await c.postMultipart(ACTION, [['nachricht', 'ä'.repeat(5000)], ['kontakt', ''], ['seite', '/']]);
    assert.equal(res.status, 303, `5000 × "ä" → ${res.status}`);
  });

  test('an invalid e-mail address → 422, values kept and escaped', async () => {
    const c = await visitor();
    const text = '<script>alert(1)</script> "Zitat" & Umlaute: Größe';
    const res = await c.postMultipart(ACTION, [['nachricht', text], ['kontakt', 'keine-adresse'], ['seite', '/datenschutz']]);
    assertHtmlPage(res, 422, 'invalid kontakt');
    const f = readForm(res.text);
    assert.equal(f.nachricht.value, text, 'message kept');
    assert.equal(f.kontakt.value, 'keine-adresse', 'kontakt kept as typed');
    assert.equal(f.kontakt.attrs['aria-invalid'], 'true');
    assertErrorSummary(res.text, f.kontakt.attrs.id, 'invalid kontakt');
    assert.ok(!res.text.includes('<script>alert(1)</script>'), 'the message is echoed unescaped');
    assert.ok(res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  test('a file that is not PNG/JPEG → 422 with the values kept', async () => {
    const c = await visitor();
    const res = await c.postMultipart(ACTION, [
      ['nachricht', 'Siehe Anhang'],
      ['kontakt', ''],
      ['seite', '/'],
      ['bildschirmfoto', { filename: 'notiz.txt', contentType: 'text/plain', data: 'kein Bild' }],
    ]);
    assertHtmlPage(res, 422, 'text file');
    assert.equal(readForm(res.text).nachricht.value, 'Siehe Anhang');
  });

  test('a text file that claims to be a PNG → 422 (type checked by content)', async () => {
    const c = await visitor();
    const res = await c.postMultipart(ACTION, [
      ['nachricht', 'Siehe Anhang'],
      ['kontakt', ''],
      ['seite', '/'],
      ['bildschirmfoto', { filename: 'bild.png', contentType: 'image/png', data: '<html>kein Bild</html>' }],
    ]);
    assertHtmlPage(res, 422, 'fake PNG');
  });

  // Over the screenshot's own limit but inside the form's body limit: the form
  // comes back with what was typed and a message at the field (nothing lost).
  test('a screenshot over 2 MiB → 422 with the text kept', async () => {
    const c = await visitor();
    const big = Buffer.concat([PNG_SIGNATURE, Buffer.alloc(2 * 1024 * 1024 + 1 - PNG_SIGNATURE.length)]);
    const res = await c.postMultipart(ACTION, [
      ['nachricht', 'Großes Bild'],
      ['kontakt', ''],
      ['seite', '/'],
      ['bildschirmfoto', { filename: 'gross.png', contentType: 'image/png', data: big }],
    ]);
    assertHtmlPage(res, 422, '2 MiB + 1 byte file');
    assert.match(res.text, /Großes Bild/);
    assert.match(res.text, /größer als 2 MB/);
  });

  test('a request body over 3 MiB → 413 page', async () => {
    const c = await visitor();
    const res = await c.postMultipart(ACTION, [
      ['nachricht', 'Viel zu viel'],
      ['kontakt', ''],
      ['seite', '/'],
      ['bildschirmfoto', { filename: 'a.png', contentType: 'image/png', data: Buffer.concat([PNG_SIGNATURE, Buffer.alloc(1024 * 1024)]) }],
      ['bildschirmfoto2', { filename: 'b.png', contentType: 'image/png', data: Buffer.alloc(2500 * 1024) }],
    ]);
    assertHtmlPage(res, 413, '3.5 MiB body');
  });

  test('a good message with a PNG → 303 to the thank-you page, and it is stored', async () => {
    const c = await visitor();
    const text = `Der Kontrast der Fußzeile ist zu schwach. Grüße ${Date.now()}`;
    const res = await c.postMultipart(ACTION, [
      ['nachricht', text],
      ['kontakt', 'erika@example.org'],
      ['seite', '/impressum'],
      ['bildschirmfoto', { filename: 'bildschirm.png', contentType: 'image/png', data: PNG_1x1 }],
    ]);
    assert.equal(res.status, 303, `status ${res.status}: ${res.text.slice(0, 300)}`);
    assert.match(res.headers.location ?? '', /^\/barrierefreiheit\?danke=1(#[\w-]+)?$/);
    const thanks = await c.page(res.headers.location);
    assert.ok(/role="status"|Danke|danke/.test(thanks.text), 'the page thanks the visitor');
    const rows = await storedMessages();
    assert.ok(rows.includes(text), `message not stored; rows: ${rows.map((r) => r.slice(0, 40)).join(' | ')}`);
  });

  test('a good message with a JPEG and no contact is accepted', async () => {
    const c = await visitor();
    const res = await c.postMultipart(ACTION, [
      ['nachricht', 'Ohne Kontakt'],
      ['kontakt', ''],
      ['seite', '/'],
      ['bildschirmfoto', { filename: 'foto.jpg', contentType: 'image/jpeg', data: JPEG_TINY }],
    ]);
    assert.equal(res.status, 303);
  });

  test('a message without a file is accepted (the file is optional)', async () => {
    const c = await visitor();
    const res = await c.postMultipart(ACTION, [['nachricht', 'Nur Text'], ['kontakt', ''], ['seite', '/']]);
    assert.equal(res.status, 303);
  });

  testCleanExit(() => srv);
});

// services.mjs — helpers for the tests of the Online-Dienste: a service row for a
// form, and the citizen's way through an online application as a browser
// without JavaScript takes it (GET the step, send its form, follow the redirect).
//
//   await ensureService(srv, { slug: 'reisepass', formKey: 'reisepass', minTrust: 1 });
//   const { id, reference } = await submitApplication(srv, client, 'reisepass', REISEPASS_ANSWERS);
//
// Answers are given by field name (docs/forms.md): strings for text, dates
// (yyyy-mm-dd), numbers, selects and radios; true/false for a checkbox; arrays for
// checkboxes; {street, house_number, postcode, city} for an address; and for a
// file field {filename, contentType, data} (or an array of them). Fields without an
// answer keep what the page shows (pre-filled values, ticked boxes).

import { findForm, forms } from './http.mjs';

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

// A small valid PDF, PNG and JPEG (real headers, so that libmagic knows them).
export const SAMPLE_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
export const SAMPLE_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082',
  'hex',
);
export const SAMPLE_JPEG = Buffer.from(
  'ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9',
  'hex',
);

// Answers that pass every check of data/services/forms/reisepass.json (an adult,
// so the custody step stays hidden).
export const REISEPASS_ANSWERS = {
  given_name: 'Maria',
  family_name: 'Muster',
  birth_date: '1985-04-23',
  birth_place: 'Mainz',
  sex: 'w',
  height: '168',
  eye_colour: 'braun',
  nationality: 'deutsch',
  address: { street: 'Rheinstraße', house_number: '12', postcode: '55116', city: 'Mainz' },
  id_document: { filename: 'ausweis.pdf', contentType: 'application/pdf', data: SAMPLE_PDF },
  truthful: true,
};

export const MELDEBESCHEINIGUNG_ANSWERS = {
  given_name: 'Maria',
  family_name: 'Muster',
  birth_date: '1985-04-23',
  address: { street: 'Rheinstraße', house_number: '12', postcode: '55116', city: 'Mainz' },
  kind: 'einfach',
  delivery_channel: 'postfach',
  truthful: true,
};

// A report of suspected misuse (data/services/forms/zweckentfremdung-meldung.json).
export const ZWECK_MELDUNG_ANSWERS = {
  wohnung_adresse: { street: 'Augustinerstraße', house_number: '7', postcode: '55116', city: 'Mainz' },
  beobachtung: ['feriengaeste'],
  beschreibung: 'Seit Monaten wechselnde Gäste mit Rollkoffern.',
};

// ensureService(srv, {slug, formKey, name, minTrust, unit, workflow, feeRules}) → service id.
// Uses the catalogue's row when `rathaus demo` made one (and points it at formKey
// with the given trust level), else inserts a minimal one into unit (a slug of
// `rathaus demo`'s units).
export async function ensureService(srv, { slug, formKey = slug, name = slug, minTrust = 1, unit = 'buergeramt', workflow = 'standard', feeRules } = {}) {
  const { sqlWrite } = await import('./account.mjs');
  const rows = await srv.query(`SELECT id FROM services WHERE slug = ${q(slug)}`);
  if (rows.length) {
    await sqlWrite(srv, `UPDATE services SET form_key = ${q(formKey)}, min_trust = ${Number(minTrust)}, published = 1 WHERE slug = ${q(slug)}`);
    return Number(rows[0][0]);
  }
  const now = Math.floor(Date.now() / 1000);
  await sqlWrite(
    srv,
    `INSERT INTO services (slug, name, unit_id, form_key, min_trust, workflow, fee_rules, created_at, updated_at) ` +
      `SELECT ${q(slug)}, ${q(name)}, id, ${q(formKey)}, ${Number(minTrust)}, ${q(workflow)}, ${q(feeRules ?? '')}, ${now}, ${now} FROM units WHERE slug = ${q(unit)}`,
  );
  const again = await srv.query(`SELECT id FROM services WHERE slug = ${q(slug)}`);
  if (!again.length) throw new Error(`service ${slug} not created (is there a unit ${unit}? start with demo: true)`);
  return Number(again[0][0]);
}

function syncCsrf(client) {
  if (typeof client.syncCsrf === 'function') client.syncCsrf();
}

// startApplication(client, slug, {anonymous}) → {id, location, res}: opens the start
// page and presses "Antrag beginnen". location is the first step's address.
export async function startApplication(client, slug, { anonymous = false } = {}) {
  const page = await client.fetch(`/leistungen/${slug}/antrag`);
  if (page.status !== 200) throw new Error(`GET /leistungen/${slug}/antrag: ${page.status}`);
  syncCsrf(client);
  const fields = anonymous ? [['anonym', '1']] : [];
  const res = await client.postForm(`/leistungen/${slug}/antrag`, fields);
  const location = res.headers.location ?? '';
  const m = /^\/antraege\/(\d+)\/schritt\/\d+$/.exec(location);
  if (res.status !== 303 || !m) throw new Error(`starting ${slug}: ${res.status} ${location} ${res.text.slice(0, 300)}`);
  return { id: Number(m[1]), location, res };
}

// The fields a browser sends for the step form in html, with answers filled in.
export function stepFields(html, action, answers, { aktion = 'weiter' } = {}) {
  const form = findForm(html, action) ?? forms(html).find((f) => f.action.includes('/schritt/'));
  if (!form) throw new Error(`no step form for ${action} on the page`);
  const out = [];
  const seen = new Set();
  const answerOf = (name) => {
    if (name in answers) return answers[name];
    const dot = name.indexOf('.');
    if (dot > 0 && answers[name.slice(0, dot)] && typeof answers[name.slice(0, dot)] === 'object')
      return answers[name.slice(0, dot)][name.slice(dot + 1)];
    return undefined;
  };
  for (const input of form.inputs) {
    const name = input.name;
    if (!name || name.startsWith('_') || input.tag === 'button') continue;
    const a = answerOf(name);
    if (input.type === 'file') {
      if (a === undefined || seen.has(name)) continue;
      seen.add(name);
      for (const f of [].concat(a)) out.push([name, f]);
    } else if (input.type === 'checkbox') {
      if (a === undefined) {
        if (input.attrs.checked !== undefined) out.push([name, input.value]);
      } else if (Array.isArray(a) ? a.includes(input.value) : a === true || a === input.value) out.push([name, input.value]);
    } else if (input.type === 'radio') {
      if (a === undefined ? input.attrs.checked !== undefined : a === input.value) out.push([name, input.value]);
    } else if (input.tag === 'select') {
      if (a !== undefined) out.push([name, String(a)]);
      else {
        const m = new RegExp(`<select\\b[^>]*name="${name.replace(/[.]/g, '\\.')}"[\\s\\S]*?</select>`).exec(form.html);
        const sel = m && /<option value="([^"]*)" selected/.exec(m[0]);
        out.push([name, sel ? sel[1] : '']);
      }
    } else {
      out.push([name, a !== undefined ? String(a) : input.value]);
    }
  }
  out.push(['_aktion', aktion]);
  return { fields: out, multipart: form.enctype === 'multipart/form-data' };
}

// fillStep(client, path, answers, {aktion}) → the answer to the step's POST (303 on success).
export async function fillStep(client, path, answers, opts = {}) {
  const page = await client.fetch(path);
  if (page.status !== 200) throw new Error(`GET ${path}: ${page.status}`);
  syncCsrf(client);
  const { fields, multipart } = stepFields(page.text, path, answers, opts);
  return multipart ? client.postMultipart(path, fields) : client.postForm(path, fields);
}

// completeSteps(client, firstPath, answers) → the review page's path, after
// "Weiter" on every step. Throws with the error summary when a step refuses.
export async function completeSteps(client, firstPath, answers) {
  let path = firstPath;
  for (let i = 0; i < 40 && !path.endsWith('/pruefen'); i++) {
    const res = await fillStep(client, path, answers);
    if (res.status !== 303) {
      const summary = [...res.text.matchAll(/<li><a class="kern-link" href="#[^"]*">([^<]*)<\/a><\/li>/g)].map((m) => m[1]);
      throw new Error(`step ${path}: ${res.status} ${summary.join('; ') || res.text.slice(0, 400)}`);
    }
    path = res.headers.location;
  }
  if (!path.endsWith('/pruefen')) throw new Error(`no review page reached (last: ${path})`);
  return path;
}

// submitApplication(srv, client, slug, answers, {anonymous}) → {id, reference}:
// start, every step, the review page, "Verbindlich absenden".
export async function submitApplication(srv, client, slug, answers, { anonymous = false } = {}) {
  const { id, location } = await startApplication(client, slug, { anonymous });
  const review = await completeSteps(client, location, answers);
  const page = await client.fetch(review);
  if (page.status !== 200) throw new Error(`GET ${review}: ${page.status}`);
  syncCsrf(client);
  const res = await client.postForm(`/antraege/${id}/absenden`, []);
  if (res.status !== 303 || res.headers.location !== `/antraege/${id}/eingegangen`)
    throw new Error(`submitting ${id}: ${res.status} ${res.headers.location ?? ''} ${res.text.slice(0, 400)}`);
  const rows = await srv.query(`SELECT reference FROM applications WHERE id = ${id}`);
  return { id, reference: rows[0]?.[0] ?? null };
}

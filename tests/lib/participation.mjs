// participation.mjs — helpers for the end-to-end journeys of the Beteiligung
// (tests/browser/participation-journeys.test.mjs): residents with a Mainz
// address made fast in SQL (the accounts copy the demo password's hash) and
// signed in through the real login, a pool that runs work in parallel batches,
// and fillForm, which types into a form of a Person's page the way a person
// does (text, select, radio, checkbox by the element's own kind).

import { accountClient, loginOk, sqlWrite } from './account.mjs';

export const DEMO_PASSWORD = 'Rathaus-Demo-2026';
export const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
export const now = () => Math.floor(Date.now() / 1000);

// A day counted from today in Mainz, yyyy-mm-dd (years and days may be negative).
export function mainzDay(days = 0, years = 0) {
  const s = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const [y, m, d] = s.split('-').map(Number);
  const day = m === 2 && d === 29 && (y + years) % 4 !== 0 ? 28 : d;
  return new Date(Date.UTC(y + years, m - 1, day + days)).toISOString().slice(0, 10);
}

// pool(items, width, fn) → results in order, at most width running at once.
export async function pool(items, width, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

let batch = 0;
// makeResidents(srv, n, {birth, postcode, city, signIn}) → [{email, id, client}]:
// confirmed accounts (trust level 1) with a profile address, made in one SQL
// transaction; with signIn each one signs in through POST /konto/anmelden.
export async function makeResidents(srv, n, { birth = '1990-01-01', postcode = '55116', city = 'Mainz', given = 'Rita', family = 'Rheinblick', signIn = true, width = 6 } = {}) {
  const tag = `reise-${++batch}-${Date.now()}`;
  const t = now();
  const emails = Array.from({ length: n }, (_, i) => `${tag}-${i}@example.org`);
  const hash = (await srv.query("SELECT password_hash FROM users WHERE email = 'maria.muster@example.org'"))[0][0];
  const values = emails.map((e) => `(${q(e)}, ${q(hash)}, ${t}, 0, 1, ${q(`${given} ${family}`)}, ${t}, ${t})`).join(', ');
  await sqlWrite(
    srv,
    `BEGIN; INSERT INTO users (email, password_hash, email_confirmed_at, is_staff, trust_level, display_name, created_at, updated_at) VALUES ${values};` +
      ` INSERT INTO profiles (user_id, given_name, family_name, birth_date, street, house_number, postcode, city, updated_at)` +
      ` SELECT id, ${q(given)}, ${q(family)}, ${q(birth)}, 'Schillerstraße', '4', ${q(postcode)}, ${q(city)}, ${t} FROM users WHERE email LIKE ${q(tag + '-%')}; COMMIT;`,
  );
  const rows = await srv.query(`SELECT email, id FROM users WHERE email LIKE ${q(tag + '-%')} ORDER BY id`);
  if (rows.length !== n) throw new Error(`made ${rows.length} residents, expected ${n}`);
  const ids = new Map(rows.map(([e, id]) => [e, Number(id)]));
  return pool(emails, width, async (email) => {
    const client = accountClient(srv);
    if (signIn) await loginOk(client, email, DEMO_PASSWORD);
    return { email, id: ids.get(email), client, password: DEMO_PASSWORD };
  });
}

// fillForm(person, form, fields) — fields {name: value}; value true checks a
// checkbox, an array checks several checkboxes of that name, a radio group gets
// the value checked, a select the option selected, anything else is typed.
export async function fillForm(person, form, fields) {
  const f = person.page.locator(form).first();
  if ((await f.count()) === 0) throw new Error(`${person.name}: no ${form} on ${person.path()}`);
  for (const [name, value] of Object.entries(fields)) {
    const inputs = f.locator(`[name="${name}"]`);
    if ((await inputs.count()) === 0) throw new Error(`${person.name}: no field "${name}" in ${form} on ${person.path()}`);
    const kind = await inputs.first().evaluate((el) => `${el.tagName}:${el.type}`);
    if (kind.startsWith('SELECT')) await inputs.first().selectOption(String(value));
    else if (kind === 'INPUT:radio') await f.locator(`[name="${name}"][value="${value}"]`).check();
    else if (kind === 'INPUT:checkbox') {
      if (Array.isArray(value)) for (const v of value) await f.locator(`[name="${name}"][value="${v}"]`).check();
      else if (value) await inputs.first().check();
      else await inputs.first().uncheck();
    } else await inputs.first().fill(String(value));
  }
}

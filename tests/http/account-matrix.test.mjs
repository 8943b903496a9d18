// account-matrix.test.mjs — the authorisation matrix: every route of every
// route table (GET /_test/routes, so the test grows by itself as modules add
// routes) is called as anonymous, a citizen, staff of unit A, staff of unit B
// and an admin (second factor enrolled through the pages), with :params filled
// by a placeholder id and POSTs carrying a valid CSRF token, and the answer is
// checked against the permission the route declares:
//
//   public (null)   nobody gets 401/403
//   "user"          anonymous: 303 to /konto/anmelden (HTML) or 401 (API);
//                   every signed-in account: not 401/403
//   a permission    holders (per the roles they hold, read from the database):
//                   not 401/403; everybody else 403 (anonymous: as for "user")
//
// Nothing answers 5xx. Then the IDOR check: for every route with :id, an id
// that belongs to another citizen or another unit gives 404 and never that
// record's data. On both engines.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import {
  accountClient,
  accountSuite,
  createStaff,
  unitId,
  location,
  permissionsOf,
  probe,
  registerAndConfirm,
  routeTable,
  signInStaff,
  loginOk,
} from '../lib/account.mjs';

const PLACEHOLDER = '987654321';
const ADMIN_PERMISSIONS = ['account.users.manage', 'account.units.manage', 'account.roles.manage', 'account.audit.read'];

// 403s that are a decision about the record, not about the route: the route is
// open to the user, but the handler refuses this user's request on purpose.
const BUSINESS_403 = [
  {
    method: 'POST',
    pattern: '/beteiligung/anregungen/neu',
    applies: () => true,
    why: 'only residents of Mainz aged 14+ with a name in Meine Daten submit an Anregung (docs/residency.md)',
  },
  {
    method: 'POST',
    pattern: '/konto/sicherheit/2fa/deaktivieren',
    applies: (u) => u.isAdmin,
    why: 'with administrative rights the second factor must stay on (issue 3)',
  },
  {
    method: 'POST',
    pattern: '/konto/daten/loeschen',
    applies: (u) => u.isStaff,
    why: 'staff accounts are deleted by the administration, not by themselves',
  },
];

const fill = (pattern, id = PLACEHOLDER) => pattern.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, id);
const routeName = (r) => `${r.method} ${r.pattern}`;
// Signing out goes last, so that the account keeps its session for the rest.
const endsSession = (r) => /\/abmelden$/.test(r.pattern);

forEachEngine((engine) => {
  let srv;
  let smtp;
  let routes;
  const users = {}; // name → {name, client, id, perms:Set, isAdmin, isStaff, email, relogin}
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });
  before(async () => {
    routes = (await routeTable(srv)).filter((r) => !r.test);

    const citizen = await registerAndConfirm(srv, smtp, { tag: 'buergerin' });
    const citizen2 = await registerAndConfirm(srv, smtp, { tag: 'nachbar' });
    const unitA = await unitId(srv, 'buergeramt');
    const unitB = await unitId(srv, 'bauamt');
    const staffA = await createStaff(srv, { role: 'sachbearbeitung', unit: 'buergeramt', name: 'Sachbearbeiterin A' });
    const staffB = await createStaff(srv, { role: 'sachbearbeitung', unit: 'bauamt', name: 'Sachbearbeiter B' });
    const admin = await createStaff(srv, { role: 'admin', name: 'Admin Global' });
    const unitAdminA = await createStaff(srv, { role: 'admin', unit: 'buergeramt', name: 'Admin Bürgeramt' });

    const describeUser = async (name, acc, client, relogin) => {
      const perms = await permissionsOf(srv, acc.id);
      const staff = await srv.query(`SELECT is_staff FROM users WHERE id = ${acc.id}`);
      users[name] = {
        name,
        client,
        relogin,
        id: acc.id,
        email: acc.email,
        perms,
        isAdmin: ADMIN_PERMISSIONS.some((p) => perms.has(p)),
        isStaff: staff[0]?.[0] === '1',
      };
    };
    users.anonymous = { name: 'anonymous', client: accountClient(srv), perms: new Set(), anonymous: true };
    await describeUser('citizen', citizen, citizen.client, () => loginOk(citizen.client, citizen.email, citizen.password));
    for (const [name, acc, enrol] of [
      ['staffA', staffA, false],
      ['staffB', staffB, false],
      ['admin', admin, true],
      ['unitAdminA', unitAdminA, true],
    ]) {
      const s = await signInStaff(srv, acc, { enrol });
      await describeUser(name, acc, s.client, async () => {
        const again = await signInStaff(srv, acc);
        s.client.cookies = again.client.cookies;
      });
    }
    users.citizen2 = { id: citizen2.id, email: citizen2.email };
    users.unitA = unitA;
    users.unitB = unitB;
    console.log(
      `[${engine}] matrix users: admin holds ${[...users.admin.perms].join(', ')}; ` +
        `${routes.length} routes`,
    );
  });

  // call(user, route, path) → response; POSTs carry the jar's CSRF token.
  async function call(u, r, path) {
    const c = u.client;
    const headers = { accept: r.api ? 'application/json' : 'text/html' };
    if (r.method === 'GET' || r.method === 'HEAD') return probe(c, r.method, path, { headers });
    const token = await c.ensureCsrf();
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['x-csrf-token'] = token;
    return probe(c, r.method, path, { headers, body: `_csrf=${encodeURIComponent(token)}` });
  }

  function expectation(u, r) {
    if (r.permission === null) return 'open';
    if (u.anonymous) return 'login';
    if (r.permission === 'user') return 'open';
    return u.perms.has(r.permission) ? 'open' : 'forbidden';
  }

  // Checks one answer; returns a problem description or null.
  function judge(u, r, res) {
    const want = expectation(u, r);
    const s = res.status;
    const loc = location(res);
    if (s >= 500) return `${s} (server error)`;
    if (want === 'login') {
      if (r.api) return s === 401 ? null : `expected 401 for an API client without session, got ${s}`;
      return s === 303 && loc.startsWith('/konto/anmelden') ? null : `expected 303 to /konto/anmelden, got ${s} ${loc}`;
    }
    if (want === 'forbidden') return s === 403 ? null : `expected 403 (lacks ${r.permission}), got ${s} ${loc}`;
    // open
    if (s === 401) return 'got 401';
    if (s === 403) {
      const b = BUSINESS_403.find((x) => x.method === r.method && x.pattern === r.pattern && x.applies(u));
      return b ? null : `got 403${r.permission && r.permission !== 'user' ? ` although the account holds ${r.permission}` : ''}`;
    }
    if (!u.anonymous && r.permission !== null && s === 303 && loc.startsWith('/konto/anmelden'))
      return `sent to the login page although signed in (${loc})`;
    if (u.isAdmin && s === 303 && /pflicht/.test(loc)) return `sent to enrol the second factor although it is enrolled (${loc})`;
    return null;
  }

  test('the route table lists the account routes with their permissions', () => {
    const byName = new Map(routes.map((r) => [routeName(r), r]));
    for (const [name, perm] of [
      ['GET /konto/registrieren', null],
      ['POST /konto/anmelden', null],
      ['GET /konto', 'user'],
      ['GET /konto/sicherheit', 'user'],
      ['GET /konto/daten/export.json', 'user'],
    ]) {
      assert.ok(byName.has(name), `${name} is routed`);
      assert.equal(byName.get(name).permission, perm, `${name} needs ${perm}`);
    }
    const noCsrf = routes.filter((r) => r.method !== 'GET' && !r.csrf).map(routeName);
    if (noCsrf.length) console.log(`[${engine}] POST routes without CSRF check (callbacks, API): ${noCsrf.join(', ')}`);
  });

  for (const who of ['anonymous', 'citizen', 'staffA', 'staffB', 'admin']) {
    test(`every route answers ${who} as its permission says`, async () => {
      const u = users[who];
      const ordered = [...routes.filter((r) => !endsSession(r)), ...routes.filter(endsSession)];
      const problems = [];
      let relogins = 0;
      for (const r of ordered) {
        const path = fill(r.pattern);
        const res = await call(u, r, path);
        const p = judge(u, r, res);
        if (p) problems.push(`${r.method} ${path} [${r.permission ?? 'public'}]: ${p}`);
        if (!u.anonymous && !endsSession(r) && !u.client.hasSession()) {
          problems.push(`${r.method} ${path} ended the session of ${who}`);
          relogins++;
          await u.relogin();
        }
      }
      assert.deepEqual(problems, [], `${problems.length} of ${ordered.length} routes answered ${who} wrongly (${relogins} re-logins):\n  ${problems.join('\n  ')}`);
      if (!u.anonymous) await u.relogin(); // signed out by the last route
    });
  }

  test('every route with :id: another citizen’s or another unit’s id gives 404, never the record', async () => {
    const idRoutes = routes.filter((r) => /:id\b/.test(r.pattern));
    const staffB = users.staffB;
    // What kind of record a route's :id names, from its address: the ids of
    // that kind are used. Roles are one list for the whole city: their pages are
    // only checked for leaking someone's data. Unknown kinds (routes of modules
    // yet to come) get every foreign id: the actor owns no record at all.
    // Appointment slots (/verwaltung/termine/:id) are records of a unit: a slot
    // of unit B (`rathaus demo` publishes some) is the foreign one.
    const kind = (r) =>
      /\/(benutzer|identitaet)\//.test(r.pattern) ? 'user'
        : /\/einheiten\//.test(r.pattern) ? 'unit'
        : /\/rollen\//.test(r.pattern) ? 'global'
        : /^\/verwaltung\/termine\//.test(r.pattern) ? 'slot'
        // Participation records (Vorhaben, Anregungen, processes) are public by
        // design, and Anregungen belong to the whole city, not to a unit (the
        // coordination office sees them all; supporting is refused by residency,
        // not by ownership): checked only for leaking someone's e-mail address.
        : /^\/(beteiligung|api\/v1\/beteiligung)\//.test(r.pattern) ? 'global'
        : /^\/verwaltung\/beteiligung\/anregungen\//.test(r.pattern) ? 'global'
        : 'any';
    const slotB = Number((await srv.query(`SELECT MIN(id) FROM appointment_slots WHERE unit_id = ${users.unitB}`))[0][0]);
    assert.ok(slotB > 0, 'the demo data has appointment slots of unit B');
    // whose ids each actor must not reach: [kind, id, what, the record's e-mail address]
    const foreign = {
      citizen: [['user', users.citizen2.id, 'another citizen', users.citizen2.email]],
      staffA: [
        ['user', staffB.id, 'staff of unit B', staffB.email],
        ['unit', users.unitB, 'unit B', null],
        ['user', users.citizen2.id, 'a citizen', users.citizen2.email],
        ['slot', slotB, 'a slot of unit B', null],
      ],
      unitAdminA: [
        ['user', staffB.id, 'staff of unit B', staffB.email],
        ['unit', users.unitB, 'unit B', null],
      ],
    };
    // The foreign records must come out unchanged (the POSTs among these routes
    // block, grant, remove …).
    const snapshot = async () =>
      JSON.stringify([
        await srv.query(`SELECT email, COALESCE(blocked_at, 0), is_staff, trust_level FROM users WHERE id IN (${staffB.id}, ${users.citizen2.id}) ORDER BY id`),
        await srv.query(`SELECT user_id, role_id, unit_id FROM user_roles WHERE user_id = ${staffB.id} ORDER BY role_id, unit_id`),
        await srv.query(`SELECT unit_id, user_id FROM unit_members WHERE user_id = ${staffB.id} OR unit_id = ${users.unitB} ORDER BY unit_id, user_id`),
        await srv.query(`SELECT slug, name, contact FROM units WHERE id = ${users.unitB}`),
        await srv.query(`SELECT COALESCE(cancelled_at, 0) FROM appointment_slots WHERE id = ${slotB}`),
      ]);
    const before = await snapshot();
    const problems = [];
    let checked = 0;
    for (const who of Object.keys(foreign)) {
      const u = users[who];
      for (const r of idRoutes) {
        if (expectation(u, r) !== 'open') continue; // the matrix already demands 403
        const k = kind(r);
        for (const [idKind, id, what, email] of foreign[who]) {
          if (k !== 'any' && k !== 'global' && k !== idKind) continue;
          const path = fill(r.pattern, String(id));
          const res = await call(u, r, path);
          checked++;
          if (email && res.text.includes(email)) problems.push(`${who}: ${r.method} ${path} (${what}) shows ${email} (status ${res.status})`);
          else if (k !== 'global' && res.status !== 404) problems.push(`${who}: ${r.method} ${path} (${what}) → ${res.status}, expected 404`);
          if (!u.client.hasSession()) await u.relogin();
        }
      }
    }
    console.log(`[${engine}] IDOR: ${idRoutes.length} routes with :id, ${checked} foreign-id requests`);
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.equal(await snapshot(), before, 'the records of another citizen and another unit are unchanged');
  });

  test('positive control: in its own scope the same :id pages answer', async (t) => {
    const userPage = routes.find((r) => r.method === 'GET' && r.pattern === '/verwaltung/benutzer/:id');
    if (!userPage) return t.skip('GET /verwaltung/benutzer/:id is not routed yet');
    const own = await call(users.unitAdminA, userPage, fill(userPage.pattern, String(users.staffA.id)));
    assert.equal(own.status, 200, 'the unit admin of A sees staff of A');
    assert.ok(own.text.includes(users.staffA.email));
    const all = await call(users.admin, userPage, fill(userPage.pattern, String(users.staffB.id)));
    assert.equal(all.status, 200, 'the global admin sees staff of B');
    assert.ok(all.text.includes(users.staffB.email));
  });

  testCleanExit(() => srv);
});

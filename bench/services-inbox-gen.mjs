// services-inbox-gen.mjs — the data of the inbox benchmark (bench/services-inbox.sh)
// as SQL on stdout: a form, three services in each of three units, and N
// submitted applications spread over those services and the last two years,
// in one transaction of multi-row INSERTs (500 rows each). The same text runs
// on SQLite (sqlite3 shell) and PostgreSQL (psql): only the common dialect.
//
//   node bench/services-inbox-gen.mjs 100000 buergeramt,bauamt,hauptamt > data.sql
//
// The mix is deterministic (a fixed linear congruential generator), so two
// runs measure the same data; 2 % with a resubmission date, half with a fee.

const total = Number(process.argv[2] ?? 100000);
const units = (process.argv[3] ?? 'buergeramt,bauamt,hauptamt').split(',');
if (!Number.isInteger(total) || total < 1 || total > 10_000_000) {
  console.error('usage: services-inbox-gen.mjs N [unit,unit,…] (1 ≤ N ≤ 10,000,000)');
  process.exit(2);
}

let seed = 20260401;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const out = [];
const flush = () => {
  process.stdout.write(out.join('\n') + '\n');
  out.length = 0;
};

const now = Math.floor(Date.now() / 1000);
const span = 2 * 365 * 86400;
// The status depends on the case's age, as in an office that keeps up: what
// came in during the last two weeks is mostly open, what is older than three
// months is closed but for a few stuck cases. (With 100,000 cases over two
// years that leaves about 6,000 open: 2,000 per unit.)
const byAge = [
  // [days, [[status, share], …]]
  [14, [['eingegangen', 0.5], ['in_pruefung', 0.3], ['rueckfrage', 0.1], ['entschieden', 0.05], ['abgeschlossen', 0.05]]],
  [90, [['eingegangen', 0.05], ['in_pruefung', 0.15], ['rueckfrage', 0.05], ['entschieden', 0.1], ['abgeschlossen', 0.5], ['abgelehnt', 0.1], ['zurueckgezogen', 0.05]]],
  [Infinity, [['in_pruefung', 0.005], ['rueckfrage', 0.005], ['abgeschlossen', 0.75], ['abgelehnt', 0.15], ['zurueckgezogen', 0.09]]],
];
const finals = new Set(['abgeschlossen', 'abgelehnt', 'zurueckgezogen']);
const pickStatus = (ageDays) => {
  const shares = byAge.find(([days]) => ageDays < days)[1];
  let r = random();
  for (const [s, p] of shares) {
    if (r < p) return s;
    r -= p;
  }
  return 'abgeschlossen';
};

out.push('BEGIN;');
out.push(
  `INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES ('bench-inbox', 1, 'Benchmark', '{"form_key":"bench-inbox","title":"Benchmark","steps":[]}', ${now});`,
);
const services = [];
for (const unit of units)
  for (let k = 1; k <= 3; k++) {
    const slug = `bench-${unit}-${k}`;
    services.push({ slug, unit });
    out.push(
      `INSERT INTO services (slug, name, unit_id, workflow, created_at, updated_at) SELECT ${q(slug)}, ${q(`Benchmark-Leistung ${k} (${unit})`)}, id, 'standard', ${now}, ${now} FROM units WHERE slug = ${q(unit)};`,
    );
  }
flush();

const columns =
  'INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, summary, data, fee_cents,' +
  ' resubmit_at, created_at, submitted_at, updated_at, closed_at) VALUES ';
let rows = [];
for (let i = 1; i <= total; i++) {
  const svc = services[Math.floor(random() * services.length)];
  const submitted = now - Math.floor(random() * span);
  const status = pickStatus((now - submitted) / 86400);
  const closed = finals.has(status) ? Math.min(now, submitted + Math.floor(random() * 60 * 86400)) : null;
  const resubmit = random() < 0.02 ? now - 86400 * 30 + Math.floor(random() * 86400 * 60) : null;
  rows.push(
    `(${q(`BENCH-${String(i).padStart(7, '0')}`)}, (SELECT id FROM services WHERE slug = ${q(svc.slug)}),` +
      ` (SELECT id FROM form_definitions WHERE form_key = 'bench-inbox'), (SELECT id FROM units WHERE slug = ${q(svc.unit)}),` +
      ` NULL, ${q(status)}, ${q(`Benchmark-Antrag ${i}`)}, '{}', ${random() < 0.5 ? 3750 : 0}, ${resubmit ?? 'NULL'},` +
      ` ${submitted - 600}, ${submitted}, ${closed ?? submitted}, ${closed ?? 'NULL'})`,
  );
  if (rows.length === 500 || i === total) {
    out.push(columns + rows.join(',\n') + ';');
    rows = [];
    if (out.length >= 20) flush();
  }
}
out.push('COMMIT;');
flush();

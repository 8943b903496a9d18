// participation-processes-gen.mjs — SQL for the benchmark of participation
// processes: one published process in its consultation phase with PROPOSALS
// proposals and COMMENTS comments, 500 of them (threaded) on one proposal.
//
//   node bench/participation-processes-gen.mjs [PROPOSALS] [COMMENTS] > data.sql
//
// Writes plain SQL in the common dialect (multi-row INSERTs of 500 rows, one
// transaction), for `sqlite3` and `psql` alike, with explicit ids so that comment
// paths (see sql/participation/003_processes.sql) can be written at once; on
// PostgreSQL the sequences are moved past them afterwards (the script runs
// `SELECT setval(...)` only there, see bench/participation-processes.sh).
// Numbers are from a fixed pseudo-random sequence, so every run measures the
// same data. support_count, comment_count and process_proposal_counts are exactly
// the rows written.
const proposals = Number(process.argv[2] ?? 10000);
const comments = Number(process.argv[3] ?? 200000);
if (!Number.isInteger(proposals) || proposals < 10 || !Number.isInteger(comments) || comments < 500) {
  console.error('usage: node bench/participation-processes-gen.mjs [PROPOSALS>=10] [COMMENTS>=500]');
  process.exit(2);
}
const USERS = 3000;
const HOT = 500; // comments on the one proposal the benchmark opens
const BATCH = 500;
const now = Math.floor(Date.now() / 1000);
const DAY = 86400;

let seed = 42;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const out = [];
const emit = (s) => out.push(s);
const q = (s) => `'${s.replace(/'/g, "''")}'`;
function insert(table, columns, rows) {
  for (let i = 0; i < rows.length; i += BATCH)
    emit(`INSERT INTO ${table} (${columns}) VALUES\n${rows.slice(i, i + BATCH).join(',\n')};`);
}
const pad = (id) => String(id).padStart(12, '0');

const words = ['Bänke', 'Bäume', 'Radweg', 'Beleuchtung', 'Spielplatz', 'Trinkbrunnen', 'Toiletten', 'Schatten', 'Wege', 'Plätze'];
const places = ['am Rheinufer', 'in der Altstadt', 'am Winterhafen', 'in Mombach', 'in Gonsenheim', 'am Fischtor', 'in Weisenau'];

emit('BEGIN;');
// Residents (no password: they cannot sign in), ids from 1000001 on so as not to meet other rows.
const users = [];
for (let u = 1; u <= USERS; u++)
  users.push(`(${1000000 + u}, 'bench-${u}@example.org', ${now - 100 * DAY}, 1, 'Bürgerin ${u}', ${now - 100 * DAY}, ${now - 100 * DAY})`);
insert('users', 'id, email, email_confirmed_at, trust_level, display_name, created_at, updated_at', users);
const uid = () => 1000001 + rand(USERS);

emit(`INSERT INTO participation_processes (id, title, summary, description, status, starts_at, ends_at, created_at, updated_at) VALUES
(900001, 'Benchmark: Rheinufer mit vielen Vorschlägen', 'Ein Verfahren mit sehr vielen Beiträgen.', 'Für die Messung.', 'veroeffentlicht', ${now - 30 * DAY}, ${now + 60 * DAY}, ${now - 30 * DAY}, ${now});`);
emit(`INSERT INTO process_phases (process_id, kind, title, starts_at, ends_at, position, proposals_on, comments_on, announced_at, created_at, updated_at) VALUES
(900001, 'information', 'Informieren', ${now - 30 * DAY}, ${now - 10 * DAY}, 0, 0, 1, ${now - 30 * DAY}, ${now}, ${now}),
(900001, 'consultation', 'Ideen sammeln', ${now - 10 * DAY}, ${now + 30 * DAY}, 1, 1, 1, ${now - 10 * DAY}, ${now}, ${now}),
(900001, 'results', 'Ergebnisse', ${now + 30 * DAY}, ${now + 60 * DAY}, 2, 0, 0, NULL, ${now}, ${now});`);

// Comments per proposal: HOT on the first, the rest spread unevenly over the others.
const firstProposal = 2000001;
const commentCount = new Array(proposals).fill(0);
commentCount[0] = HOT;
for (let left = comments - HOT; left > 0; left--) commentCount[1 + rand(proposals - 1)]++;

const statuses = ['in_pruefung', 'in_pruefung', 'in_pruefung', 'angenommen', 'abgelehnt', 'umgesetzt'];
const rows = [];
const supports = [];
for (let i = 0; i < proposals; i++) {
  const id = firstProposal + i;
  // Supports: a long tail, a few popular ones; distinct supporters per proposal.
  const n = rand(10) === 0 ? 40 + rand(200) : rand(25);
  const seen = new Set();
  while (seen.size < n) seen.add(uid());
  for (const u of seen) supports.push(`(${id}, ${u}, ${now - rand(9 * DAY)})`);
  const status = statuses[rand(statuses.length)];
  const created = now - 10 * DAY + Math.floor((i * 9 * DAY) / proposals);
  const title = `${words[rand(words.length)]} ${places[rand(places.length)]} (Nr. ${i + 1})`;
  rows.push(
    `(${id}, 900001, ${uid()}, ${q(title)}, ${q(`Vorschlag ${i + 1}: Bitte mehr ${words[rand(words.length)]} ${places[rand(places.length)]}. Das wäre für viele Menschen gut.`)}, '${status}', ${status === 'abgelehnt' ? q('Nicht im Zuständigkeitsbereich.') : "''"}, ${status === 'in_pruefung' ? "''" : q('Danke für den Vorschlag.')}, ${status === 'in_pruefung' ? 'NULL' : now}, ${n}, ${commentCount[i]}, ${created}, ${created})`,
  );
}
insert(
  'proposals',
  'id, process_id, author_id, title, body, status, status_reason, answer, answered_at, support_count, comment_count, created_at, updated_at',
  rows,
);
insert('proposal_supports', 'proposal_id, user_id, created_at', supports);
const perStatus = {};
for (const r of rows) {
  const st = /, '(in_pruefung|angenommen|abgelehnt|umgesetzt)', /.exec(r)[1];
  perStatus[st] = (perStatus[st] ?? 0) + 1;
}
insert('process_proposal_counts', 'process_id, status, total', Object.entries(perStatus).map(([st, n]) => `(900001, '${st}', ${n})`));

// Comments, threaded: about a third start a thread, the others reply to a
// recent comment of the same proposal (depth up to 3).
let cid = 3000001;
const crow = [];
for (let i = 0; i < proposals; i++) {
  const target = firstProposal + i;
  const recent = []; // [id, path, depth]
  for (let k = 0; k < commentCount[i]; k++) {
    const id = cid++;
    let parent = null;
    if (recent.length && rand(3) !== 0) parent = recent[recent.length - 1 - rand(Math.min(recent.length, 5))];
    if (parent && parent[2] >= 3) parent = null;
    const path = parent ? `${parent[1]}.${pad(id)}` : pad(id);
    const depth = parent ? parent[2] + 1 : 0;
    const at = now - 9 * DAY + k * 60;
    crow.push(
      `(${id}, 'proposal', ${target}, 900001, ${parent ? parent[0] : 'NULL'}, ${depth}, '${path}', ${uid()}, ${q(`Kommentar ${k + 1}: Das sehe ich ${rand(2) ? 'genauso' : 'anders'}, weil es ${places[rand(places.length)]} schon ${words[rand(words.length)]} gibt.`)}, ${at}, ${at})`,
    );
    recent.push([id, path, depth]);
    if (recent.length > 20) recent.shift();
  }
}
insert('comments', 'id, target_kind, target_id, process_id, parent_id, depth, path, author_id, body, created_at, updated_at', crow);
emit('COMMIT;');
process.stdout.write(out.join('\n') + '\n');

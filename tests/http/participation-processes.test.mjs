// participation-processes.test.mjs — participation processes (Beteiligungsverfahren)
// as residents and staff use them, on SQLite and PostgreSQL:
//
//   staff of the coordination office create a process and its phases (form
//   errors keep the input, overlapping phases are refused, another unit's staff
//   get 404, citizens 403, every change is audited); a new resident proposes,
//   supports (once: a second support and parallel supports add nothing),
//   comments and replies; staff set status, reason and official answer, which
//   the proposal page and the results page show and followers get by e-mail;
//   a phase that begins is announced to followers; hidden and held
//   contributions; the limits of every text from both sides; no raw HTML;
//   sorting, filter and keyset paging of the list; the JSON API.
//
// Hiding and holding are set with SQL here: the moderation's own pages and the
// word list are tested in participation-moderation.test.mjs.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { decodeEntities, findForm } from '../lib/http.mjs';
import {
  accountSuite,
  createStaff,
  errorSummary,
  fieldError,
  inputByName,
  location,
  mainText,
  registerAndConfirm,
  signInStaff,
  sqlWrite,
  unitId,
  waitForMail,
} from '../lib/account.mjs';

const DAY = 86400 * 1000;
// A local calendar day as the date fields take it, days from today.
const isoDay = (offset) => {
  const d = new Date(Date.now() + offset * DAY);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};
const num = async (srv, sql) => Number((await srv.query(sql))[0][0]);
const idFrom = (loc, re) => Number(re.exec(loc)?.[1]);

// Creates a process through the staff form → its id.
async function createProcess(staff, { title = 'Spielplatz Weisenau: Ihre Ideen', unit, status = 'veroeffentlicht' } = {}) {
  await staff.page('/verwaltung/beteiligung/verfahren/neu');
  const r = await staff.post('/verwaltung/beteiligung/verfahren/neu', [
    ['titel', title],
    ['kurz', 'Wie soll der neue Spielplatz aussehen? Sagen Sie es uns.'],
    ['beschreibung', 'Der Spielplatz wird **neu gestaltet**.'],
    ['vorhaben', ''],
    ['einheit', String(unit)],
    ['status', status],
  ]);
  assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
  return idFrom(location(r), /verfahren\/(\d+)\?hinweis=angelegt/);
}

// Adds a phase through the staff form → the answer.
async function addPhase(staff, pid, { kind = 'consultation', title = 'Ideen sammeln', from = -1, to = 30, components = ['proposals', 'comments'] } = {}) {
  const fields = [
    ['art', kind],
    ['titel', title],
    ['beschreibung', ''],
    ['beginn', isoDay(from)],
    ['ende', isoDay(to)],
  ];
  for (const c of components) fields.push([`komponente_${c}`, '1']);
  return staff.post(`/verwaltung/beteiligung/verfahren/${pid}/phasen/neu`, fields);
}

async function propose(client, pid, title, body = 'Das ist ein ausführlicher Vorschlag mit Begründung.') {
  await client.page(`/beteiligung/verfahren/${pid}/vorschlaege/neu`);
  return client.post(`/beteiligung/verfahren/${pid}/vorschlaege`, [
    ['titel', title],
    ['text', body],
  ]);
}

forEachEngine((engine) => {
  let srv;
  let smtp;
  let staff; // coordination office, unit bauamt
  let otherStaff; // the same role in another unit
  let bauamt;
  let pid; // the process the resident tests use
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  before(async () => {
    bauamt = await unitId(srv, 'bauamt');
    const a = await createStaff(srv, { role: 'beteiligung', unit: 'bauamt', name: 'Koordination Bauamt' });
    staff = (await signInStaff(srv, a)).client;
    const b = await createStaff(srv, { role: 'beteiligung', unit: 'buergeramt', name: 'Koordination Bürgeramt' });
    otherStaff = (await signInStaff(srv, b)).client;
  });

  test('staff create a process with phases; mistakes keep the input; another unit gets 404', async () => {
    await staff.page('/verwaltung/beteiligung/verfahren/neu');
    const bad = await staff.post('/verwaltung/beteiligung/verfahren/neu', [
      ['titel', ''],
      ['kurz', 'Eine Zusammenfassung, die bleiben soll'],
      ['beschreibung', 'x'.repeat(20001)],
      ['einheit', String(bauamt)],
      ['status', 'veroeffentlicht'],
    ]);
    assert.equal(bad.status, 422);
    const summary = errorSummary(bad.text).map((e) => e.href);
    assert.ok(summary.includes('#feld-titel') && summary.includes('#feld-beschreibung'), summary.join(','));
    assert.match(bad.text, /Eine Zusammenfassung, die bleiben soll/);
    assert.equal(fieldError(bad.text, 'beschreibung'), 'Die Beschreibung ist zu lang. Bitte verwenden Sie höchstens 20.000 Zeichen.');

    pid = await createProcess(staff, { unit: bauamt });
    assert.ok(pid > 0);
    const phase = await addPhase(staff, pid);
    assert.equal(phase.status, 303, mainText(phase.text).slice(0, 300));
    // A second phase that overlaps the first is refused, with the dates kept.
    const overlap = await addPhase(staff, pid, { kind: 'results', title: 'Ergebnisse', from: 10, to: 40, components: [] });
    assert.equal(overlap.status, 422);
    assert.match(fieldError(overlap.text, 'beginn'), /überschneidet sich/);
    assert.equal(inputByName(overlap.text, 'beginn').value, isoDay(10));
    const results = await addPhase(staff, pid, { kind: 'results', title: 'Ergebnisse', from: 31, to: 60, components: [] });
    assert.equal(results.status, 303);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM process_phases WHERE process_id = ${pid}`), 2);
    assert.deepEqual(
      (await srv.query(`SELECT position FROM process_phases WHERE process_id = ${pid} ORDER BY starts_at`)).map((r) => r[0]),
      ['0', '1'],
    );
    const actions = (await srv.query(`SELECT action FROM audit_log WHERE object = 'process:${pid}' ORDER BY id`)).map((r) => r[0]);
    assert.deepEqual(actions, ['participation.process.create', 'participation.phase.create', 'participation.phase.create']);

    // The public page: the running phase marked, what one can do now.
    const page = await srv.client().page(`/beteiligung/verfahren/${pid}`);
    assert.match(page.text, /<li class="process-phase--running" aria-current="step">/);
    assert.match(mainText(page.text), /Was Sie jetzt tun können .*Einen Vorschlag machen/);
    assert.match(page.text, /<strong>neu gestaltet<\/strong>/);
    const list = await srv.client().page('/beteiligung/verfahren');
    assert.match(mainText(list.text), /Laufende Verfahren .*Spielplatz Weisenau: Ihre Ideen/);

    // Staff of another unit: the process does not exist for them.
    const foreign = await otherStaff.fetch(`/verwaltung/beteiligung/verfahren/${pid}`);
    assert.equal(foreign.status, 404);
    const foreignPost = await otherStaff.post(`/verwaltung/beteiligung/verfahren/${pid}/phasen/neu`, [['art', 'information']]);
    assert.equal(foreignPost.status, 404);
    const citizen = await registerAndConfirm(srv, smtp, { tag: 'neugierig' });
    assert.equal((await citizen.client.fetch('/verwaltung/beteiligung/verfahren')).status, 403);
  });

  test('a draft exists only for its staff', async () => {
    const draft = await createProcess(staff, { title: 'Noch geheim', unit: bauamt, status: 'entwurf' });
    assert.equal((await srv.client().fetch(`/beteiligung/verfahren/${draft}`)).status, 404);
    assert.equal((await srv.get(`/api/v1/beteiligung/verfahren/${draft}`)).status, 404);
    assert.equal((await otherStaff.fetch(`/beteiligung/verfahren/${draft}`)).status, 404);
    const own = await staff.fetch(`/beteiligung/verfahren/${draft}`);
    assert.equal(own.status, 200);
    assert.match(mainText(own.text), /Entwurf: nur für die Verwaltung sichtbar/);
    assert.doesNotMatch(mainText((await srv.client().page('/beteiligung/verfahren')).text), /Noch geheim/);
  });

  test('a new resident proposes, supports once, comments and replies', async () => {
    const anna = await registerAndConfirm(srv, smtp, { tag: 'anna' });
    const c = anna.client;
    // Mistakes come back with what was typed.
    const empty = await propose(c, pid, 'Kurz', '');
    assert.equal(empty.status, 422);
    assert.equal(inputByName(empty.text, 'titel').value, 'Kurz');
    assert.deepEqual(errorSummary(empty.text).map((e) => e.href), ['#feld-titel', '#feld-text']);

    const r = await propose(c, pid, 'Eine Seilbahn für Kinder', 'Eine kleine Seilbahn zwischen den Bäumen, *bitte*.');
    assert.equal(r.status, 303, mainText(r.text).slice(0, 300));
    const proposal = idFrom(location(r), /vorschlaege\/(\d+)\?hinweis=vorgeschlagen/);
    assert.ok(proposal > 0, location(r));
    const page = await c.page(location(r));
    assert.match(mainText(page.text), /Vielen Dank! Ihr Vorschlag ist veröffentlicht\. Eine Seilbahn für Kinder .*In Prüfung/);
    assert.match(mainText((await srv.client().page(`/beteiligung/verfahren/${pid}/vorschlaege`)).text), /Eine Seilbahn für Kinder/);

    // Support: once; the second time is refused and the count stays.
    const base = `/beteiligung/verfahren/${pid}/vorschlaege/${proposal}`;
    const s1 = await c.post(`${base}/unterstuetzen`, []);
    assert.equal(s1.status, 303);
    assert.match(location(s1), /hinweis=unterstuetzt$/);
    const s2 = await c.post(`${base}/unterstuetzen`, []);
    assert.match(location(s2), /hinweis=schon-unterstuetzt$/);
    assert.match(mainText((await c.page(location(s2))).text), /Sie unterstützen diesen Vorschlag bereits/);
    assert.equal(await num(srv, `SELECT support_count FROM proposals WHERE id = ${proposal}`), 1);

    // Another resident sends ten supports at the same moment: one counts.
    const ben = await registerAndConfirm(srv, smtp, { tag: 'ben' });
    await ben.client.page(base);
    ben.client.syncCsrf();
    const answers = await Promise.all(Array.from({ length: 10 }, () => ben.client.postForm(`${base}/unterstuetzen`, [])));
    assert.ok(answers.every((a) => a.status === 303), answers.map((a) => a.status).join(','));
    assert.equal(answers.filter((a) => /hinweis=unterstuetzt$/.test(location(a))).length, 1);
    assert.equal(await num(srv, `SELECT support_count FROM proposals WHERE id = ${proposal}`), 2);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = ${proposal}`), 2);
    // Taking it back counts down.
    const back = await ben.client.post(`${base}/zuruecknehmen`, []);
    assert.match(location(back), /hinweis=zurueckgenommen/);
    assert.equal(await num(srv, `SELECT support_count FROM proposals WHERE id = ${proposal}`), 1);

    // A comment, then a reply through the reply page (no JavaScript needed).
    await c.page(base);
    const cm = await c.post(`${base}/kommentare`, [['text', 'Die Seilbahn sollte auch für Rollstühle gehen.']]);
    assert.equal(cm.status, 303);
    const commentId = idFrom(location(cm), /zu=(\d+)/);
    const withComment = await ben.client.page(base);
    const replyLink = `${base}/kommentare/${commentId}/antworten`;
    assert.ok(withComment.text.includes(`href="${replyLink}"`), 'a reply link on the comment');
    const replyPage = await ben.client.page(replyLink);
    const form = findForm(replyPage.text, `${base}/kommentare`);
    assert.ok(form, 'the reply form posts to the comments');
    const rp = await ben.client.post(`${base}/kommentare`, [
      ['antwort_auf', String(commentId)],
      ['text', 'Gute Idee, mit einem Sitz mit Gurt.'],
    ]);
    assert.equal(rp.status, 303);
    const replyId = idFrom(location(rp), /zu=(\d+)/);
    const thread = (await srv.client().page(base)).text;
    // The reply sits in a list inside the comment's list item.
    const li = thread.slice(thread.indexOf(`<li id="kommentar-${commentId}">`));
    assert.ok(li.indexOf(`<li id="kommentar-${replyId}">`) > 0, 'the reply is nested in its comment');
    assert.ok(li.indexOf('<ol class="comment-thread"') < li.indexOf(`<li id="kommentar-${replyId}">`));
    assert.equal(await num(srv, `SELECT comment_count FROM proposals WHERE id = ${proposal}`), 2);
    assert.deepEqual(
      (await srv.query(`SELECT depth, parent_id FROM comments WHERE id = ${replyId}`))[0],
      ['1', String(commentId)],
    );
  });

  test('status, reason and official answer: on the proposal, on the results page, and to followers by e-mail', async () => {
    const carla = await registerAndConfirm(srv, smtp, { tag: 'carla' });
    const r = await propose(carla.client, pid, 'Ein Wasserspiel für heiße Tage');
    const proposal = idFrom(location(r), /vorschlaege\/(\d+)/);
    // Carla follows the process.
    await carla.client.page(`/beteiligung/verfahren/${pid}`);
    const f = await carla.client.post('/beteiligung/folgen', [
      ['art', 'verfahren'],
      ['id', String(pid)],
      ['modus', 'einzeln'],
      ['zurueck', `/beteiligung/verfahren/${pid}`],
    ]);
    assert.equal(f.status, 303);
    assert.match(mainText((await carla.client.page(location(f))).text), /Sie folgen diesem Verfahren/);
    // A process that does not exist, or is still a draft, cannot be followed.
    const draft = Number((await srv.query("SELECT id FROM participation_processes WHERE status = 'entwurf' ORDER BY id LIMIT 1"))[0]?.[0] ?? 0);
    for (const id of [999999, ...(draft ? [draft] : [])]) {
      const nope = await carla.client.post('/beteiligung/folgen', [['art', 'verfahren'], ['id', String(id)], ['modus', 'einzeln']]);
      assert.equal(nope.status, 404, `process ${id}`);
      assert.match(mainText(nope.text), /Das gibt es nicht \(mehr\)/);
    }
    assert.equal(Number((await srv.query("SELECT COUNT(*) FROM participation_follows WHERE target_kind = 'process' AND target_id = 999999"))[0][0]), 0);

    const form = `/verwaltung/beteiligung/verfahren/${pid}/vorschlaege/${proposal}`;
    await staff.page(form);
    const noReason = await staff.post(form, [
      ['status', 'abgelehnt'],
      ['begruendung', ''],
      ['antwort', 'Eine Antwort, die nicht verloren gehen darf.'],
    ]);
    assert.equal(noReason.status, 422);
    assert.equal(fieldError(noReason.text, 'begruendung'), 'Bitte begründen Sie, warum der Vorschlag abgelehnt wird.');
    assert.match(noReason.text, /Eine Antwort, die nicht verloren gehen darf\./);
    const since = smtp.messages.length;
    const ok = await staff.post(form, [
      ['status', 'abgelehnt'],
      ['begruendung', 'Auf der Fläche liegt eine Leitung.'],
      ['antwort', 'Wir prüfen einen **anderen Ort**.'],
    ]);
    assert.equal(ok.status, 303, mainText(ok.text).slice(0, 300));
    const page = mainText((await srv.client().page(location(ok).replace(/\?.*/, ''))).text);
    assert.match(page, /Abgelehnt/);
    assert.match(page, /Begründung Auf der Fläche liegt eine Leitung\./);
    assert.match(page, /Offizielle Antwort vom \d\d\.\d\d\.\d{4} Wir prüfen einen anderen Ort ?\./);
    const results = (await srv.client().page(`/beteiligung/verfahren/${pid}/ergebnisse`)).text;
    assert.match(mainText(results), /Ein Wasserspiel für heiße Tage Abgelehnt .*Auf der Fläche liegt eine Leitung/);
    assert.match(results, /<strong>anderen Ort<\/strong>/);
    const mail = await waitForMail(smtp, carla.email, { subject: /Antwort auf einen Vorschlag/, since });
    assert.match(mail.text, /Ein Wasserspiel für heiße Tage/);
    assert.match(mail.text, new RegExp(`/beteiligung/verfahren/${pid}/vorschlaege/${proposal}`));
    assert.equal(
      await num(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'participation.proposal.answer' AND object = 'proposal:${proposal}'`),
      1,
    );

    // The results text: what was decided and why.
    await staff.page(`/verwaltung/beteiligung/verfahren/${pid}/ergebnisse`);
    const t = await staff.post(`/verwaltung/beteiligung/verfahren/${pid}/ergebnisse`, [
      ['ergebnisse', 'Der Stadtrat hat den **Entwurf B** beschlossen, weil er mehr Schatten bietet.'],
    ]);
    assert.equal(t.status, 303);
    const after = (await srv.client().page(`/beteiligung/verfahren/${pid}/ergebnisse`)).text;
    assert.match(after, /beschlossen|Entwurf B/);
    assert.match(after, /<strong>Entwurf B<\/strong>/);
    assert.match(mainText(after), /Abgelehnt 1/);
  });

  test('a phase that begins is announced to the followers of the process', async () => {
    // A draft cannot be followed (it does not exist for the public); once published it can.
    const p2 = await createProcess(staff, { title: 'Radweg Mombach', unit: bauamt, status: 'entwurf' });
    const dora = await registerAndConfirm(srv, smtp, { tag: 'dora' });
    await dora.client.page('/beteiligung/verfahren');
    const follow = () =>
      dora.client.post('/beteiligung/folgen', [
        ['art', 'verfahren'],
        ['id', String(p2)],
        ['modus', 'einzeln'],
        ['zurueck', '/beteiligung/verfahren'],
      ]);
    assert.equal((await follow()).status, 404);
    await staff.page(`/verwaltung/beteiligung/verfahren/${p2}`);
    const pub = await staff.post(`/verwaltung/beteiligung/verfahren/${p2}`, [
      ['titel', 'Radweg Mombach'],
      ['kurz', 'Wo soll der Radweg entlangführen?'],
      ['beschreibung', ''],
      ['vorhaben', ''],
      ['einheit', String(bauamt)],
      ['status', 'veroeffentlicht'],
    ]);
    assert.equal(pub.status, 303);
    assert.equal((await follow()).status, 303);
    // A phase that begins today is announced once.
    const since = smtp.messages.length;
    assert.equal((await addPhase(staff, p2, { title: 'Mitreden', from: 0, to: 14 })).status, 303);
    const mail = await waitForMail(smtp, dora.email, { subject: /Neue Phase im Beteiligungsverfahren: Radweg Mombach/, since }).catch((e) => {
      // The job's handler is registered by participation_init → processes_register_jobs.
      if (/unknown job kind 'participation\.phase_start'/.test(srv.stderr()))
        throw new Error('the job participation.phase_start has no handler: participation_init must call processes_register_jobs()');
      throw e;
    });
    assert.match(mail.text, /„Mitreden“/);
    assert.match(mail.text, new RegExp(`/beteiligung/verfahren/${p2}`));
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal(smtp.messages.slice(since).filter((m) => m.to.includes(dora.email)).length, 1, 'announced once');
    assert.notEqual((await srv.query(`SELECT announced_at FROM process_phases WHERE process_id = ${p2}`))[0][0], '');
  });

  test('hidden contributions show the moderation’s reason, held ones only their author', async () => {
    const eva = await registerAndConfirm(srv, smtp, { tag: 'eva' });
    const r = await propose(eva.client, pid, 'Mehr Mülleimer am Spielplatz', 'Bitte Mülleimer mit Deckel aufstellen, wegen der Wespen.');
    const proposal = idFrom(location(r), /vorschlaege\/(\d+)/);
    const base = `/beteiligung/verfahren/${pid}/vorschlaege/${proposal}`;
    await eva.client.page(base);
    const cm = await eva.client.post(`${base}/kommentare`, [['text', 'Ein Kommentar mit einem bösen Wort']]);
    const comment = idFrom(location(cm), /zu=(\d+)/);
    await sqlWrite(srv, `UPDATE comments SET hidden_at = 1, hidden_reason = 'Beleidigung' WHERE id = ${comment}`);
    const page = mainText((await srv.client().page(base)).text);
    assert.match(page, /Von der Moderation ausgeblendet: Beleidigung/);
    assert.doesNotMatch(page, /bösen Wort/);

    await sqlWrite(srv, `UPDATE proposals SET hidden_at = 1, hidden_reason = 'Werbung' WHERE id = ${proposal}`);
    const hidden = mainText((await srv.client().page(base)).text);
    assert.match(hidden, /Von der Moderation ausgeblendet: Werbung/);
    assert.doesNotMatch(hidden, /Wespen|Mehr Mülleimer/);
    const api = JSON.parse((await srv.get(`/api/v1/beteiligung/verfahren/${pid}/vorschlaege?limit=100`)).text);
    const item = api.items.find((i) => i.id === proposal);
    assert.equal(item.hidden, true);
    assert.equal(item.title, '');
    assert.equal(item.hidden_reason, 'Werbung');

    // Held by the word list: the author sees it "wird geprüft", nobody else.
    const h = await propose(eva.client, pid, 'Ein Vorschlag, der warten muss');
    const held = idFrom(location(h), /vorschlaege\/(\d+)/);
    await sqlWrite(srv, `UPDATE proposals SET held = 1 WHERE id = ${held}`);
    const own = await eva.client.page(`/beteiligung/verfahren/${pid}/vorschlaege/${held}`);
    assert.match(mainText(own.text), /Wird geprüft: nur Sie sehen diesen Vorschlag/);
    assert.equal((await srv.client().fetch(`/beteiligung/verfahren/${pid}/vorschlaege/${held}`)).status, 404);
    assert.doesNotMatch(mainText((await srv.client().page(`/beteiligung/verfahren/${pid}/vorschlaege`)).text), /der warten muss/);
  });

  test('limits: title 200, text 10,000, comment 5,000 characters — refused above with the input kept, accepted at the limit', async () => {
    const fritz = await registerAndConfirm(srv, smtp, { tag: 'fritz' });
    const c = fritz.client;
    const longTitle = 'ä'.repeat(201);
    const t = await propose(c, pid, longTitle, 'Ein Text, der bleiben muss, obwohl der Titel zu lang ist.');
    assert.equal(t.status, 422);
    assert.equal(fieldError(t.text, 'titel'), 'Der Titel ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen.');
    assert.equal(inputByName(t.text, 'titel').value, longTitle);
    assert.match(t.text, /Ein Text, der bleiben muss, obwohl der Titel zu lang ist\./);
    const b = await propose(c, pid, 'Ein guter Titel', 'ü'.repeat(10001));
    assert.equal(b.status, 422);
    assert.equal(fieldError(b.text, 'text'), 'Die Beschreibung ist zu lang. Bitte verwenden Sie höchstens 10.000 Zeichen.');
    const atLimit = await propose(c, pid, 'ß'.repeat(200), 'ö'.repeat(10000));
    assert.equal(atLimit.status, 303, mainText(atLimit.text).slice(0, 200));
    const proposal = idFrom(location(atLimit), /vorschlaege\/(\d+)/);
    const base = `/beteiligung/verfahren/${pid}/vorschlaege/${proposal}`;
    await c.page(base);
    const long = await c.post(`${base}/kommentare`, [['text', 'x'.repeat(5001)]]);
    assert.equal(long.status, 422);
    assert.equal(fieldError(long.text, 'text'), 'Ihr Kommentar ist zu lang. Bitte verwenden Sie höchstens 5.000 Zeichen.');
    assert.ok(long.text.includes('x'.repeat(5001)), 'the comment is kept');
    assert.deepEqual(errorSummary(long.text).map((e) => e.href), ['#feld-text']);
    const ok = await c.post(`${base}/kommentare`, [['text', 'y'.repeat(5000)]]);
    assert.equal(ok.status, 303);
    // A reply that is too long comes back on the reply page with its text.
    const cid = idFrom(location(ok), /zu=(\d+)/);
    const reply = await c.post(`${base}/kommentare`, [
      ['antwort_auf', String(cid)],
      ['text', 'z'.repeat(5001)],
    ]);
    assert.equal(reply.status, 422);
    assert.match(mainText(reply.text), /Auf einen Kommentar antworten/);
    assert.ok(reply.text.includes('z'.repeat(5001)));
  });

  test('contributions never put raw HTML into the page', async () => {
    const gabi = await registerAndConfirm(srv, smtp, { tag: 'gabi' });
    const r = await propose(gabi.client, pid, '<img src=x onerror=alert(1)> Titel', 'Text <script>alert("x")</script> und <b>fett</b>');
    assert.equal(r.status, 303);
    const html = (await srv.client().page(location(r).replace(/\?.*/, ''))).text;
    assert.doesNotMatch(html, /<script>alert/);
    assert.doesNotMatch(html, /<img src=x/);
    assert.doesNotMatch(html, /<b>fett<\/b>/);
    assert.match(decodeEntities(mainText(html)), /<img src=x onerror=alert\(1\)> Titel/);
  });

  test('the list: sorting, status filter with counts, keyset paging of 20', async () => {
    const p3 = await createProcess(staff, { title: 'Viele Vorschläge', unit: bauamt });
    assert.equal((await addPhase(staff, p3)).status, 303);
    const author = await registerAndConfirm(srv, smtp, { tag: 'viel' });
    // 45 proposals directly (the forms have their own tests): supports i % 7 (ties
    // that the keyset must page through), every fifth one accepted.
    const now = Math.floor(Date.now() / 1000);
    const rows = Array.from(
      { length: 45 },
      (_, i) =>
        `(${p3}, ${author.id}, 'Vorschlag Nummer ${i}', 'Text', '${i % 5 === 0 ? 'angenommen' : 'in_pruefung'}', ${i % 7}, ${i % 3}, ${now - 1000 + i}, ${now - 1000 + i})`,
    );
    await sqlWrite(
      srv,
      `INSERT INTO proposals (process_id, author_id, title, body, status, support_count, comment_count, created_at, updated_at) VALUES ${rows.join(', ')};` +
        // The numbers per status that the forms keep (process_proposal_counts).
        ` INSERT INTO process_proposal_counts (process_id, status, total) VALUES (${p3}, 'angenommen', 9), (${p3}, 'in_pruefung', 36);`,
    );
    const c = srv.client();
    const list = (path) => c.page(path).then((r) => r.text);
    const titles = (html) => [...html.matchAll(/>Vorschlag Nummer (\d+)</g)].map((m) => Number(m[1]));
    const first = await list(`/beteiligung/verfahren/${p3}/vorschlaege`);
    assert.deepEqual(titles(first), Array.from({ length: 20 }, (_, i) => 44 - i), 'newest first');
    assert.match(mainText(first), /45 Vorschläge/);
    assert.match(first, /<option value="angenommen">Angenommen \(9\)<\/option>/);
    // Most supported, walked page by page with the "next" links, and back.
    const seen = [];
    let html = await list(`/beteiligung/verfahren/${p3}/vorschlaege?sortierung=unterstuetzt`);
    const pages = [html];
    for (;;) {
      seen.push(...titles(html));
      const next = /<a class="kern-link" href="([^"]+)" rel="next"/.exec(html);
      if (!next) break;
      html = await list(decodeEntities(next[1]));
      pages.push(html);
    }
    assert.equal(pages.length, 3);
    // Most supports first; among equals the newest (higher number) first.
    const expected = Array.from({ length: 45 }, (_, i) => i).sort((a, b) => b % 7 - a % 7 || b - a);
    assert.deepEqual(seen, expected, 'by supports, then newest, each once');
    const prev = /<a class="kern-link" href="([^"]+)" rel="prev"/.exec(pages[2]);
    assert.deepEqual(titles(await list(decodeEntities(prev[1]))), titles(pages[1]), 'back one page');
    // Filter by status.
    const accepted = await list(`/beteiligung/verfahren/${p3}/vorschlaege?status=angenommen&sortierung=kommentiert`);
    assert.deepEqual(titles(accepted).sort((a, b) => a - b), [0, 5, 10, 15, 20, 25, 30, 35, 40]);
    assert.match(mainText(accepted), /9 Vorschläge mit dem Status „Angenommen“ von 45/);
    assert.equal((await c.fetch(`/beteiligung/verfahren/${p3}/vorschlaege?sortierung=beliebt`)).status, 400);
    assert.equal((await c.fetch(`/beteiligung/verfahren/${p3}/vorschlaege?nach=1;DROP`)).status, 400);

    // The JSON API pages the same way.
    let url = `/api/v1/beteiligung/verfahren/${p3}/vorschlaege?sortierung=unterstuetzt&limit=30`;
    const apiSeen = [];
    while (url) {
      const j = JSON.parse((await srv.get(url)).text);
      apiSeen.push(...j.items.map((i) => Number(/\d+$/.exec(i.title)[0])));
      url = j.next;
    }
    assert.deepEqual(apiSeen, seen);
  });

  test('JSON: the processes, one process with phases and counts, errors as JSON', async () => {
    const all = JSON.parse((await srv.get('/api/v1/beteiligung/verfahren')).text);
    const mine = all.items.find((p) => p.id === pid);
    assert.ok(mine, 'the published process is listed');
    assert.equal(mine.state, 'current');
    assert.ok(!all.items.some((p) => p.title === 'Noch geheim'), 'drafts are not');
    const one = JSON.parse((await srv.get(`/api/v1/beteiligung/verfahren/${pid}`)).text).process;
    assert.equal(one.phases.length, 2);
    assert.equal(one.running_phase.kind, 'consultation');
    assert.deepEqual(one.running_phase.components.map((c) => c.name), ['proposals', 'comments']);
    assert.equal(one.proposals_open, true);
    assert.equal(one.proposal_counts.abgelehnt, 1);
    assert.equal(typeof one.proposal_total, 'number');
    const bad = await srv.get(`/api/v1/beteiligung/verfahren/${pid}/vorschlaege?limit=abc`);
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.text).error.status, 400);
    assert.equal((await srv.get('/api/v1/beteiligung/verfahren/999999')).status, 404);
  });

  test('nothing to propose or comment when the phase does not allow it', async () => {
    const p4 = await createProcess(staff, { title: 'Nur Information', unit: bauamt });
    assert.equal((await addPhase(staff, p4, { kind: 'information', title: 'Informieren', components: [] })).status, 303);
    const hans = await registerAndConfirm(srv, smtp, { tag: 'hans' });
    await hans.client.page(`/beteiligung/verfahren/${p4}`);
    const r = await hans.client.post(`/beteiligung/verfahren/${p4}/vorschlaege`, [
      ['titel', 'Ein Vorschlag zur falschen Zeit'],
      ['text', 'Hier sind gerade keine Vorschläge vorgesehen.'],
    ]);
    assert.equal(r.status, 409);
    assert.match(mainText(r.text), /In der aktuellen Phase können keine Vorschläge gemacht oder unterstützt werden/);
    const cm = await hans.client.post(`/beteiligung/verfahren/${p4}/diskussion`, [['text', 'Hallo']]);
    assert.equal(cm.status, 409);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM proposals WHERE process_id = ${p4}`), 0);
  });

  test('"Meine Daten": the export holds the contributions; deleting the account erases their texts and supports', async () => {
    const ida = await registerAndConfirm(srv, smtp, { tag: 'ida' });
    const other = await registerAndConfirm(srv, smtp, { tag: 'jonas' });
    const r = await propose(ida.client, pid, 'Ein Vorschlag, der gelöscht wird', 'Dieser Text verschwindet mit dem Konto.');
    const proposal = idFrom(location(r), /vorschlaege\/(\d+)/);
    const base = `/beteiligung/verfahren/${pid}/vorschlaege/${proposal}`;
    await other.client.page(base);
    const cm = await other.client.post(`${base}/kommentare`, [['text', 'Eine Frage an Ida.']]);
    const question = idFrom(location(cm), /zu=(\d+)/);
    await ida.client.page(base);
    await ida.client.post(`${base}/unterstuetzen`, []);
    await ida.client.post(`${base}/kommentare`, [['antwort_auf', String(question)], ['text', 'Meine Antwort, bald gelöscht.']]);
    const exported = JSON.parse((await ida.client.fetch('/konto/daten/export.json')).text);
    const mine = JSON.stringify(exported);
    // The data provider is registered by participation_init → processes_register_jobs.
    assert.match(mine, /"participation_processes"/, 'participation_init must call processes_register_jobs() (the export has no processes part)');
    assert.match(mine, /Dieser Text verschwindet mit dem Konto\./);
    assert.match(mine, /Meine Antwort, bald gelöscht\./);
    assert.equal(await num(srv, `SELECT support_count FROM proposals WHERE id = ${proposal}`), 1);

    await ida.client.page('/konto/daten');
    const del = await ida.client.post('/konto/daten/loeschen', [['passwort', ida.password], ['bestaetigung', '1']]);
    assert.ok(del.status === 303 || del.status === 200, `deletion: ${del.status}`);
    const page = mainText((await srv.client().page(base)).text);
    assert.doesNotMatch(page, /verschwindet mit dem Konto|bald gelöscht/);
    assert.match(page, /Gelöschter Vorschlag/);
    assert.match(page, /Dieser Kommentar wurde gelöscht\./);
    assert.match(page, /Eine Frage an Ida\./, 'the replies of others stay');
    assert.equal(await num(srv, `SELECT support_count FROM proposals WHERE id = ${proposal}`), 0);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = ${proposal}`), 0);
  });

  testCleanExit(() => srv);
});

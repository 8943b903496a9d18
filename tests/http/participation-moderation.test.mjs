// participation-moderation.test.mjs — the moderation of the participation module
// as residents and moderators meet it, on SQLite and PostgreSQL:
//
//   only confirmed accounts contribute; the rate limit (changed by a moderator on
//   the limits page) refuses the contribution after N and keeps the text; a
//   blocked person cannot comment or report and sees why, until the block is
//   lifted; the word list holds a comment for review and a moderator releases it;
//   a report goes into the queue, a moderator hides the comment with a reason,
//   the public page shows "Von der Moderation ausgeblendet: <reason>" and the
//   author gets a mail; every action is audited; Markdown in a contribution
//   cannot bring script, raw HTML, tracking images or javascript: links; a
//   citizen gets 403 on every moderation page.
//
// Contributions go through the real routes of the processes (comments on a
// process's discussion page), so the gate is tested where residents meet it.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
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
const isoDay = (offset) => {
  const d = new Date(Date.now() + offset * DAY);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};
const num = async (srv, sql) => Number((await srv.query(sql))[0][0]);

// A published process with a running phase in which residents comment → its id.
async function createProcess(staff, unit) {
  await staff.page('/verwaltung/beteiligung/verfahren/neu');
  const r = await staff.post('/verwaltung/beteiligung/verfahren/neu', [
    ['titel', 'Rheinufer Mainz: Ihre Meinung'],
    ['kurz', 'Wie soll das Rheinufer künftig aussehen?'],
    ['beschreibung', 'Sagen Sie uns Ihre Meinung.'],
    ['vorhaben', ''],
    ['einheit', String(unit)],
    ['status', 'veroeffentlicht'],
  ]);
  assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
  const pid = Number(/verfahren\/(\d+)/.exec(location(r))?.[1]);
  const phase = await staff.post(`/verwaltung/beteiligung/verfahren/${pid}/phasen/neu`, [
    ['art', 'consultation'],
    ['titel', 'Mitreden'],
    ['beschreibung', ''],
    ['beginn', isoDay(-1)],
    ['ende', isoDay(30)],
    ['komponente_proposals', '1'],
    ['komponente_comments', '1'],
  ]);
  assert.equal(phase.status, 303, mainText(phase.text).slice(0, 400));
  return pid;
}

// A comment on the process's discussion → the answer (303 with ?zu=<id> when published).
async function comment(client, pid, text) {
  await client.page(`/beteiligung/verfahren/${pid}/diskussion`);
  return client.post(`/beteiligung/verfahren/${pid}/diskussion`, [['text', text]]);
}
const commentId = (res) => Number(/zu=(\d+)/.exec(location(res))?.[1]);

forEachEngine((engine) => {
  let srv;
  let smtp;
  let staff; // coordination office: runs the process
  let mod; // a moderator (role moderation)
  let modId;
  let pid;
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  before(async () => {
    const bauamt = await unitId(srv, 'bauamt');
    const a = await createStaff(srv, { role: 'beteiligung', unit: 'bauamt', name: 'Koordination Bauamt' });
    staff = (await signInStaff(srv, a)).client;
    const m = await createStaff(srv, { role: 'moderation', unit: 'hauptamt', name: 'Mona Moderation' });
    modId = m.id;
    mod = (await signInStaff(srv, m)).client;
    pid = await createProcess(staff, bauamt);
  });

  test('a citizen gets 403 on every moderation page, staff without a participation role on all but the start page', async () => {
    const citizen = await registerAndConfirm(srv, smtp, { tag: 'neugierig' });
    for (const p of ['/verwaltung/beteiligung', '/verwaltung/beteiligung/moderation', '/verwaltung/beteiligung/woerter', '/verwaltung/beteiligung/sperren', '/verwaltung/beteiligung/grenzen']) {
      assert.equal((await citizen.client.fetch(p)).status, 403, p);
      const anon = await srv.client().fetch(p);
      assert.equal(anon.status, 303, p);
      assert.match(location(anon), /^\/konto\/anmelden/);
    }
    await citizen.client.page('/beteiligung/sperre');
    for (const p of ['/verwaltung/beteiligung/moderation/ausblenden', '/verwaltung/beteiligung/sperren', '/verwaltung/beteiligung/woerter']) {
      assert.equal((await citizen.client.post(p, [['art', 'kommentar'], ['id', '1'], ['grund', 'x']])).status, 403, p);
    }
    // The coordination office sees every part; other staff none of them.
    const home = mainText((await staff.page('/verwaltung/beteiligung')).text);
    assert.match(home, /Vorhabenliste .*Anregungen .*Beteiligungsverfahren .*Moderation .*Wortliste/);
    const clerk = await createStaff(srv, { role: 'sachbearbeitung', unit: 'buergeramt', name: 'Sachbearbeitung' });
    const clerkClient = (await signInStaff(srv, clerk)).client;
    assert.match(mainText((await clerkClient.page('/verwaltung/beteiligung')).text), /Ihr Konto hat keine Aufgaben in der Beteiligung/);
    assert.equal((await clerkClient.fetch('/verwaltung/beteiligung/moderation')).status, 403);
    const modHome = await mod.page('/verwaltung/beteiligung');
    assert.match(mainText(modHome.text), /Moderation Gemeldete Beiträge: 0 · Zurückgehaltene Beiträge: 0/);
  });

  test('an account whose address is not confirmed is refused', async () => {
    const u = await registerAndConfirm(srv, smtp, { tag: 'unbestaetigt' });
    await sqlWrite(srv, `UPDATE users SET trust_level = 0, email_confirmed_at = NULL WHERE id = ${u.id}`);
    const r = await comment(u.client, pid, 'Ich bin noch nicht bestätigt.');
    assert.equal(r.status, 403);
    assert.match(mainText(r.text), /Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse/);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM comments WHERE author_id = ${u.id}`), 0);
  });

  test('the rate limit refuses after N comments, with the text kept; a moderator sets it', async () => {
    // Mistakes on the limits page come back as typed.
    await mod.page('/verwaltung/beteiligung/grenzen');
    const bad = await mod.post('/verwaltung/beteiligung/grenzen', [['max-comment-600', 'zehn']]);
    assert.equal(bad.status, 422);
    assert.ok(errorSummary(bad.text).some((e) => e.href === '#feld-max-comment-600'));
    assert.equal(inputByName(bad.text, 'max-comment-600').value, 'zehn');
    // Two comments in ten minutes.
    const limits = await mod.page('/verwaltung/beteiligung/grenzen');
    const fields = [...limits.text.matchAll(/name="(max-[a-z]+-\d+)" type="text" value="(\d+)"/g)].map((m) => [m[1], m[2]]);
    assert.ok(fields.length >= 9, `fields: ${fields.length}`);
    const set = fields.map(([k, v]) => [k, k === 'max-comment-600' ? '2' : v]);
    const saved = await mod.post('/verwaltung/beteiligung/grenzen', set);
    assert.equal(saved.status, 303);
    assert.equal(await num(srv, `SELECT max_count FROM participation_rate_limits WHERE kind = 'comment' AND window_seconds = 600`), 2);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'participation.rate_limits'`), 1);

    const eifrig = await registerAndConfirm(srv, smtp, { tag: 'eifrig' });
    assert.equal((await comment(eifrig.client, pid, 'Erster Kommentar')).status, 303);
    assert.equal((await comment(eifrig.client, pid, 'Zweiter Kommentar')).status, 303);
    const third = await comment(eifrig.client, pid, 'Dritter Kommentar, der warten muss');
    assert.equal(third.status, 429);
    assert.match(mainText(third.text), /sehr viele Kommentare geschrieben/);
    assert.match(third.text, /Dritter Kommentar, der warten muss/);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM comments WHERE author_id = ${eifrig.id}`), 2);
    // Someone else is not slowed down by that.
    const ruhig = await registerAndConfirm(srv, smtp, { tag: 'ruhig' });
    assert.equal((await comment(ruhig.client, pid, 'Mein einziger Kommentar')).status, 303);
    await sqlWrite(srv, `UPDATE participation_rate_limits SET max_count = 10 WHERE kind = 'comment' AND window_seconds = 600`);
  });

  test('a blocked person cannot comment or report and sees why; after lifting they can', async () => {
    const bert = await registerAndConfirm(srv, smtp, { tag: 'bert' });
    const other = await registerAndConfirm(srv, smtp, { tag: 'andere' });
    const theirs = commentId(await comment(other.client, pid, 'Ein Kommentar zum Melden'));
    assert.ok(theirs > 0);

    // The form: mistakes come back with what was typed.
    await mod.page(`/verwaltung/beteiligung/sperren?konto=${bert.id}`);
    const bad = await mod.post('/verwaltung/beteiligung/sperren', [['konto', String(bert.id)], ['grund', ''], ['dauer', '99']]);
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.text).map((e) => e.href), ['#feld-grund', '#feld-dauer']);
    assert.equal(inputByName(bad.text, 'konto').value, String(bert.id));
    const unknown = await mod.post('/verwaltung/beteiligung/sperren', [['konto', 'niemand@example.org'], ['grund', 'x'], ['dauer', '7']]);
    assert.equal(unknown.status, 422);
    assert.equal(fieldError(unknown.text, 'konto'), 'Dieses Konto gibt es nicht. Bitte prüfen Sie die Angabe.');
    const self = await mod.post('/verwaltung/beteiligung/sperren', [['konto', String(modId)], ['grund', 'x'], ['dauer', '7']]);
    assert.equal(fieldError(self.text, 'konto'), 'Sie können sich nicht selbst sperren.');

    const since = smtp.messages.length;
    const ok = await mod.post('/verwaltung/beteiligung/sperren', [['konto', bert.email.toUpperCase()], ['grund', 'Wiederholt beleidigende Kommentare'], ['dauer', '7']]);
    assert.equal(ok.status, 303, mainText(ok.text).slice(0, 300));
    const mail = await waitForMail(smtp, bert.email, { subject: /gesperrt/, since });
    assert.match(mail.text, /Grund: Wiederholt beleidigende Kommentare/);
    const list = await mod.page(location(ok));
    assert.match(mainText(list.text), /Die Person ist gesperrt/);
    assert.match(mainText(list.text), /Wiederholt beleidigende Kommentare/);

    const refused = await comment(bert.client, pid, 'Ich will trotzdem schreiben');
    assert.equal(refused.status, 403);
    assert.match(mainText(refused.text), /Die Moderation hat Ihr Konto für Beiträge gesperrt/);
    assert.match(refused.text, /Ich will trotzdem schreiben/);
    await bert.client.page(`/beteiligung/melden?art=kommentar&id=${theirs}`);
    const report = await bert.client.post('/beteiligung/melden', [['art', 'kommentar'], ['id', String(theirs)], ['grund', 'spam']]);
    assert.equal(report.status, 403);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM participation_reports WHERE reporter_id = ${bert.id}`), 0);
    const why = await bert.client.page('/beteiligung/sperre');
    assert.match(mainText(why.text), /Grund: Wiederholt beleidigende Kommentare/);
    assert.match(mainText(why.text), /Die Sperre gilt bis: \d\d\.\d\d\.\d{4}, \d\d:\d\d/);

    const block = await num(srv, `SELECT id FROM participation_blocks WHERE user_id = ${bert.id}`);
    const lift = await mod.post('/verwaltung/beteiligung/sperren/aufheben', [['sperre', String(block)]]);
    assert.equal(lift.status, 303);
    assert.match(location(lift), /hinweis=aufgehoben/);
    assert.equal((await comment(bert.client, pid, 'Jetzt darf ich wieder')).status, 303);
    assert.match(mainText((await bert.client.page('/beteiligung/sperre')).text), /Ihr Konto ist nicht gesperrt/);
    const actions = (await srv.query(`SELECT action FROM audit_log WHERE object = 'user:${bert.id}' AND action LIKE 'participation.%' ORDER BY id`)).map((r) => r[0]);
    assert.deepEqual(actions, ['participation.block', 'participation.unblock']);
  });

  test('the word list holds a comment for review; a moderator releases it', async () => {
    await mod.page('/verwaltung/beteiligung/woerter');
    const bad = await mod.post('/verwaltung/beteiligung/woerter', [['woerter', 'ok\nid*\n!!!\n']]);
    assert.equal(bad.status, 422);
    const errors = errorSummary(bad.text).map((e) => e.text);
    assert.deepEqual(errors, ['Zeile 2: Vor einem Sternchen müssen mindestens drei Buchstaben stehen.', 'Zeile 3: Die Zeile enthält keine Buchstaben oder Ziffern.']);
    assert.match(bad.text, /ok\nid\*\n!!!/);
    const saved = await mod.post('/verwaltung/beteiligung/woerter', [['woerter', 'Idiot*\nDumme Kuh\nÄrgernis\n']]);
    assert.equal(saved.status, 303);
    const page = await mod.page(location(saved));
    assert.match(page.text, /aergernis\ndumme kuh\nidiot\*/);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM participation_words`), 3);

    const carla = await registerAndConfirm(srv, smtp, { tag: 'carla' });
    const fine = await comment(carla.client, pid, 'Die Idiomatik dieses Plans gefällt mir.');
    assert.equal(await num(srv, `SELECT held FROM comments WHERE id = ${commentId(fine)}`), 0);
    const rude = await comment(carla.client, pid, 'Wer das plant, ist ein IDIOT.');
    assert.equal(rude.status, 303);
    const held = commentId(rude);
    assert.equal(await num(srv, `SELECT held FROM comments WHERE id = ${held}`), 1);
    assert.doesNotMatch(mainText((await srv.client().page(`/beteiligung/verfahren/${pid}/diskussion`)).text), /ist ein IDIOT/);

    const queue = await mod.page('/verwaltung/beteiligung/moderation');
    const text = mainText(queue.text);
    assert.match(text, /Zurückgehalten wegen der Wortliste/);
    assert.match(text, /Wer das plant, ist ein IDIOT\./);
    const rel = await mod.post('/verwaltung/beteiligung/moderation/freigeben', [['art', 'kommentar'], ['id', String(held)]]);
    assert.equal(rel.status, 303);
    assert.match(mainText((await mod.page(location(rel))).text), /Der Beitrag ist freigegeben/);
    assert.equal(await num(srv, `SELECT held FROM comments WHERE id = ${held}`), 0);
    assert.match(mainText((await srv.client().page(`/beteiligung/verfahren/${pid}/diskussion`)).text), /ist ein IDIOT/);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'participation.release' AND object = 'comment:${held}'`), 1);
    // Emptying the list applies at once.
    assert.equal((await mod.post('/verwaltung/beteiligung/woerter', [['woerter', '']])).status, 303);
    const again = await comment(carla.client, pid, 'Noch ein Idiot-Kommentar');
    assert.equal(await num(srv, `SELECT held FROM comments WHERE id = ${commentId(again)}`), 0);
  });

  test('report → queue → hide with a reason: the public page shows it, the author gets a mail', async () => {
    const autorin = await registerAndConfirm(srv, smtp, { tag: 'autorin' });
    const melder = await registerAndConfirm(srv, smtp, { tag: 'melder' });
    const id = commentId(await comment(autorin.client, pid, 'Ruft mich an: 0171 1234567, Familie Beispiel wohnt in der Gartenstraße 5.'));
    assert.ok(id > 0);

    // The report form: a missing reason and a long text come back with the text kept.
    const form = await melder.client.page(`/beteiligung/melden?art=kommentar&id=${id}`);
    assert.match(mainText(form.text), /Gartenstraße 5/);
    const bad = await melder.client.post('/beteiligung/melden', [['art', 'kommentar'], ['id', String(id)], ['text', 'Adresse! '.repeat(200)]]);
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.text).map((e) => e.href), ['#feld-grund', '#feld-text']);
    assert.match(bad.text, /Adresse! Adresse!/);
    const sent = await melder.client.post('/beteiligung/melden', [['art', 'kommentar'], ['id', String(id)], ['grund', 'datenschutz'], ['text', 'Da steht eine Adresse.']]);
    assert.equal(sent.status, 303);
    assert.match(mainText((await melder.client.page(location(sent))).text), /Sie haben diesen Beitrag gemeldet/);
    // Once per person, also when sent again.
    const twice = await melder.client.post('/beteiligung/melden', [['art', 'kommentar'], ['id', String(id)], ['grund', 'spam']]);
    assert.equal(twice.status, 409);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM participation_reports WHERE target_kind = 'comment' AND target_id = ${id}`), 1);
    // Not one's own; not what does not exist.
    const own = await autorin.client.page(`/beteiligung/melden?art=kommentar&id=${id}`);
    assert.match(mainText(own.text), /Das ist Ihr eigener Beitrag/);
    assert.equal((await melder.client.fetch('/beteiligung/melden?art=kommentar&id=999999')).status, 404);
    assert.equal((await melder.client.fetch('/beteiligung/melden?art=umfrage&id=1')).status, 404);

    // The queue: text, author, reasons and count.
    const queue = mainText((await mod.page('/verwaltung/beteiligung/moderation')).text);
    assert.match(queue, /Gartenstraße 5/);
    assert.match(queue, /Persönliche Daten anderer Menschen \(1\)/);
    assert.match(queue, /Da steht eine Adresse\./);
    assert.match(queue, /Meldungen: 1/);

    // Hiding needs a reason; the form comes back with the error at that item.
    const noReason = await mod.post('/verwaltung/beteiligung/moderation/ausblenden', [['art', 'kommentar'], ['id', String(id)], ['grund', '  ']]);
    assert.equal(noReason.status, 422);
    assert.deepEqual(errorSummary(noReason.text).map((e) => e.href), [`#grund-kommentar-${id}`]);
    const since = smtp.messages.length;
    const hide = await mod.post('/verwaltung/beteiligung/moderation/ausblenden', [['art', 'kommentar'], ['id', String(id)], ['grund', 'Enthält persönliche Daten']]);
    assert.equal(hide.status, 303);
    const pub = mainText((await srv.client().page(`/beteiligung/verfahren/${pid}/diskussion?zu=${id}`)).text);
    assert.match(pub, /Von der Moderation ausgeblendet: Enthält persönliche Daten/);
    assert.doesNotMatch(pub, /Gartenstraße/);
    const mail = await waitForMail(smtp, autorin.email, { subject: /Ihr Kommentar wurde ausgeblendet/, since });
    assert.match(mail.text, /Grund: Enthält persönliche Daten/);
    assert.match(mail.text, new RegExp(`/beteiligung/verfahren/${pid}/diskussion`));
    assert.equal(await num(srv, `SELECT COUNT(*) FROM participation_reports WHERE target_id = ${id} AND resolved_at IS NOT NULL`), 1);
    const after = mainText((await mod.page('/verwaltung/beteiligung/moderation')).text);
    assert.match(after, /Zuletzt ausgeblendet .*Grund: Enthält persönliche Daten/);
    const audit = await srv.query(`SELECT actor, detail FROM audit_log WHERE action = 'participation.hide' AND object = 'comment:${id}'`);
    assert.equal(audit.length, 1);
    assert.equal(audit[0][0], `user:${modId}`);
    assert.match(audit[0][1], /Enthält persönliche Daten/);
    // A hidden contribution cannot be reported any more.
    assert.match(mainText((await melder.client.page(`/beteiligung/melden?art=kommentar&id=${id}`)).text), /bereits ausgeblendet/);

    // Shown again after a mistake.
    const unhide = await mod.post('/verwaltung/beteiligung/moderation/einblenden', [['art', 'kommentar'], ['id', String(id)]]);
    assert.equal(unhide.status, 303);
    assert.match(mainText((await srv.client().page(`/beteiligung/verfahren/${pid}/diskussion?zu=${id}`)).text), /Gartenstraße 5/);

    // Dismissing: a second report, then nothing wrong found; the comment stays.
    const dritte = await registerAndConfirm(srv, smtp, { tag: 'dritte' });
    await dritte.client.page(`/beteiligung/melden?art=kommentar&id=${id}`);
    assert.equal((await dritte.client.post('/beteiligung/melden', [['art', 'kommentar'], ['id', String(id)], ['grund', 'sonstiges']])).status, 303);
    const dismiss = await mod.post('/verwaltung/beteiligung/moderation/verwerfen', [['art', 'kommentar'], ['id', String(id)]]);
    assert.equal(dismiss.status, 303);
    assert.match(location(dismiss), /hinweis=verworfen/);
    assert.equal(await num(srv, `SELECT COUNT(*) FROM participation_reports WHERE target_id = ${id} AND dismissed_at IS NOT NULL`), 1);
    assert.doesNotMatch(mainText((await mod.page('/verwaltung/beteiligung/moderation')).text), /Meldungen: 1/);
  });

  test('Markdown in a contribution renders without script, raw HTML, images or javascript: links', async () => {
    const mallory = await registerAndConfirm(srv, smtp, { tag: 'mallory' });
    const text = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(2)>',
      '[klick](javascript:alert(3)) [auch](java&#115;cript:alert(4))',
      '![](http://tracker.example/pixel.gif)',
      '**fett** und [Stadt](https://www.mainz.de/)',
    ].join('\n\n');
    const r = await comment(mallory.client, pid, text);
    assert.equal(r.status, 303);
    const html = (await srv.client().page(`/beteiligung/verfahren/${pid}/diskussion?zu=${commentId(r)}`)).text;
    const main = /<main\b[^>]*>([\s\S]*?)<\/main>/.exec(html)[1];
    assert.doesNotMatch(main, /<script/i);
    assert.doesNotMatch(main, /<img/i);
    assert.doesNotMatch(main, /href="javascript/i);
    assert.doesNotMatch(main, /src="http:\/\/tracker/);
    assert.match(main, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(main, /<strong>fett<\/strong>/);
    assert.match(main, /<a href="https:\/\/www\.mainz\.de\/" rel="nofollow ugc noopener">Stadt<\/a>/);
    assert.match(main, /<a href="http:\/\/tracker\.example\/pixel\.gif" rel="nofollow ugc noopener">http:\/\/tracker\.example\/pixel\.gif<\/a>/);
    // The moderation queue shows the reported text the same safe way.
    const trudi = await registerAndConfirm(srv, smtp, { tag: 'trudi' });
    await trudi.client.page(`/beteiligung/melden?art=kommentar&id=${commentId(r)}`);
    assert.equal((await trudi.client.post('/beteiligung/melden', [['art', 'kommentar'], ['id', String(commentId(r))], ['grund', 'spam']])).status, 303);
    const queue = /<main\b[^>]*>([\s\S]*?)<\/main>/.exec((await mod.page('/verwaltung/beteiligung/moderation')).text)[1];
    assert.match(queue, /&lt;img src=x onerror=alert\(2\)&gt;/);
    assert.doesNotMatch(queue, /<script|<img|href="javascript/i);
  });

  testCleanExit(() => srv);
});

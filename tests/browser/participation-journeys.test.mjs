// participation-journeys.test.mjs — the acceptance journeys of the Beteiligung
// (issue 5) as real people take them in a real browser, on SQLite and
// PostgreSQL: pages reached by clicking and typing, every new page checked
// (HTTP status, <html lang>, one h1, console/CSP errors, axe-core WCAG 2.1 AA).
// SQL only makes accounts fast and reads the database for assertions; mails
// arrive at a real SMTP server.
//   1. Staff create a Vorhaben and a process with a consultation phase; a new
//      resident registers, enters a Mainz address, follows, comments, proposes,
//      supports, answers the survey; a moderator hides the comment; staff raise
//      the costs and the follower gets the mail.
//   2. An Anregung gathers 200 supports from real accounts (199 over HTTP in
//      parallel, the 200th in the browser); the office is mailed and moves it
//      through the council steps; the public history shows each step.
//   3. Refusals: no second support (also not two at once), no Anregung from a
//      13-year-old, no comment from a blocked person.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { accountSuite, createStaff, mailsTo, newPassword, uniqueEmail, waitForMail } from '../lib/account.mjs';
import { Person, registerInBrowser, signInInBrowser } from '../lib/journeys.mjs';
import { fillForm, mainzDay, makeResidents, pool, q } from '../lib/participation.mjs';

const SUBJECT_QUORUM = /Anregung hat das Quorum erreicht/;

forEachEngine(
  (engine) => {
    let srv;
    let smtp;
    let browser;
    accountSuite(engine, { demo: true, browser: true, onStart: (s) => ({ srv, smtp, browser } = s) });
    const people = [];
    const person = async (name) => {
      const p = await Person.open(browser, srv.base, name);
      people.push(p);
      return p;
    };
    const one = async (sql) => (await srv.query(sql))[0]?.[0];
    // Closes every person's browser; → what the page checks found. A journey
    // that ended before any page was checked has nothing to report, else
    // fewer than minPages checked pages means the checks did not run.
    const closeAll = async (minPages) => {
      const problems = people.flatMap((p) => p.problems);
      const checked = people.reduce((n, p) => n + p.checked, 0);
      for (const p of people.splice(0)) await p.close();
      if (checked > 0 && checked < minPages) problems.push(`only ${checked} pages checked with axe, expected at least ${minPages}`);
      return problems;
    };

    test(`journey 1: Vorhaben, process, a new resident takes part, moderation, a change mailed to the follower (${engine})`, { timeout: 240000 }, async () => {
      try {
        // Accounts of the staff: the coordination office (bauamt) and a moderator.
        const staffAccount = await createStaff(srv, { role: 'beteiligung', unit: 'bauamt', name: 'Koordination Reise' });
        const modAccount = await createStaff(srv, { role: 'moderation', name: 'Moderation Reise' });
        const bauamt = await one("SELECT id FROM units WHERE slug = 'bauamt'");

        // Step 1: staff sign in and create a Vorhaben through the form.
        const staff = await person('Koordination');
        await signInInBrowser(staff, staffAccount.email, staffAccount.password);
        await staff.goto('/verwaltung/beteiligung/vorhaben');
        await staff.goto('/verwaltung/beteiligung/vorhaben/neu');
        const title = `Spielplatz am Zollhafen ${engine}`;
        await fillForm(staff, 'form[action="/verwaltung/beteiligung/vorhaben/neu"]', {
          titel: title,
          kurzbeschreibung: 'Ein neuer Spielplatz am Zollhafen.',
          beschreibung: 'Der Spielplatz entsteht **neu**.',
          ziele: 'Platz zum Spielen.',
          betroffene: 'Familien in der Neustadt',
          bezirke: ['neustadt'],
          thema: 'mobilitaet',
          status: 'in_planung',
          beginn: '2027-01-01',
          ende: '2027-06-30',
          naechste_schritte: 'Planung mit den Kindern.',
          kosten_euro: '400.000',
          aufgabe: 'freiwillig',
          beteiligung: 'ja',
          beteiligungsform: 'konsultation',
          einheit: bauamt,
          kontakt_name: 'Team Spielplätze',
          kontakt_email: 'spielplatz@mainz.example',
        });
        await staff.click('form[action="/verwaltung/beteiligung/vorhaben/neu"] button[type="submit"]');
        const projectId = Number(/\/verwaltung\/beteiligung\/vorhaben\/(\d+)\?hinweis=angelegt$/.exec(staff.path())?.[1]);
        assert.ok(projectId > 0, `after creating the Vorhaben: ${staff.path()}: ${(await staff.mainText()).slice(0, 400)}`);

        // Step 2: a process for it, then a consultation phase with proposals, comments and surveys.
        await staff.goto('/verwaltung/beteiligung/verfahren/neu');
        await fillForm(staff, 'form[action="/verwaltung/beteiligung/verfahren/neu"]', {
          titel: `Zollhafen: Ihre Ideen ${engine}`,
          kurz: 'Wie soll der Spielplatz aussehen? Sagen Sie es uns.',
          beschreibung: 'Wir sammeln Ihre Ideen.',
          vorhaben: projectId,
          einheit: bauamt,
          status: 'veroeffentlicht',
        });
        await staff.click('form[action="/verwaltung/beteiligung/verfahren/neu"] button[type="submit"]');
        const pid = Number(/\/verwaltung\/beteiligung\/verfahren\/(\d+)/.exec(staff.path())?.[1]);
        assert.ok(pid > 0, `after creating the process: ${staff.path()}`);
        await staff.goto(`/verwaltung/beteiligung/verfahren/${pid}/phasen/neu`);
        await fillForm(staff, `form[action="/verwaltung/beteiligung/verfahren/${pid}/phasen/neu"]`, {
          art: 'consultation',
          titel: 'Ideen sammeln',
          beginn: mainzDay(-1),
          ende: mainzDay(30),
          komponente_proposals: true,
          komponente_comments: true,
          komponente_surveys: true,
        });
        await staff.click(`form[action="/verwaltung/beteiligung/verfahren/${pid}/phasen/neu"] button[type="submit"]`);
        assert.equal(await one(`SELECT COUNT(*) FROM process_phases WHERE process_id = ${pid}`), '1');

        // Step 3: a survey in the process, with one required question.
        await staff.goto(`/beteiligung/verfahren/${pid}/umfragen/neu`);
        await fillForm(staff, `form[action="/beteiligung/verfahren/${pid}/umfragen/neu"]`, {
          titel: 'Was soll der Spielplatz haben?',
          beschreibung: 'Eine kurze Umfrage.',
          beginn: mainzDay(0),
          ende: mainzDay(10),
          status: 'veroeffentlicht',
          frage1_text: 'Was ist Ihnen am wichtigsten?',
          frage1_art: 'einfach',
          frage1_pflicht: true,
          frage1_antworten: 'Schaukeln\nWasser\nSchatten',
        });
        await staff.click(`form[action="/beteiligung/verfahren/${pid}/umfragen/neu"] button[value="speichern"]`);
        const sid = Number(/umfragen\/(\d+)/.exec(staff.path())?.[1]);
        assert.ok(sid > 0, `after creating the survey: ${staff.path()}: ${(await staff.mainText()).slice(0, 400)}`);

        // Step 4: a NEW resident registers (the link from the mail) and enters a Mainz address.
        const rita = await person('Rita');
        const ritaEmail = uniqueEmail('rita');
        await registerInBrowser(rita, smtp, { email: ritaEmail, password: newPassword() });
        await rita.goto('/konto');
        await fillForm(rita, 'form[action="/konto"]', {
          given_name: 'Rita',
          family_name: 'Rheinblick',
          birth_date: '1985-04-12',
          street: 'Rheinallee',
          house_number: '12',
          postcode: '55118',
          city: 'Mainz',
        });
        await rita.click('form[action="/konto"] button[type="submit"]');
        assert.equal(await one(`SELECT p.postcode FROM profiles p JOIN users u ON u.id = p.user_id WHERE u.email = ${q(ritaEmail)}`), '55118');

        // Step 5: she finds the Vorhaben in the list and follows it.
        await rita.goto('/beteiligung/vorhaben');
        await rita.goto(`/beteiligung/vorhaben/${projectId}`);
        const followForm = `form[action="/beteiligung/folgen"]:has(input[name="art"][value="vorhaben"])`;
        if ((await rita.page.locator(`${followForm} input[name="modus"][value="einzeln"]`).count()) > 0) await fillForm(rita, followForm, { modus: 'einzeln' });
        await rita.click(`${followForm} button[type="submit"]`);
        assert.match(await rita.mainText(), /Sie folgen/);
        assert.equal(await one(`SELECT COUNT(*) FROM participation_follows f JOIN users u ON u.id = f.user_id WHERE u.email = ${q(ritaEmail)} AND f.target_kind = 'project' AND f.target_id = ${projectId}`), '1');

        // Step 6: she comments in the process's discussion.
        await rita.goto(`/beteiligung/verfahren/${pid}`);
        await rita.goto(`/beteiligung/verfahren/${pid}/diskussion`);
        const commentText = 'Bitte denken Sie an Bänke für die Eltern.';
        await fillForm(rita, `form[action="/beteiligung/verfahren/${pid}/diskussion"]`, { text: commentText });
        await rita.click(`form[action="/beteiligung/verfahren/${pid}/diskussion"] button[type="submit"]`);
        assert.match(await rita.mainText(), /Ihr Kommentar ist veröffentlicht/);
        const cid = Number(await one(`SELECT c.id FROM comments c JOIN users u ON u.id = c.author_id WHERE u.email = ${q(ritaEmail)}`));
        assert.ok(cid > 0, 'the comment is stored');

        // Step 7: she proposes and supports a proposal (her own, which she may).
        await rita.goto(`/beteiligung/verfahren/${pid}/vorschlaege/neu`);
        await fillForm(rita, `form[action="/beteiligung/verfahren/${pid}/vorschlaege"]`, {
          titel: 'Ein Wasserspiel für heiße Tage',
          text: 'Kinder lieben Wasser. Ein kleines Wasserspiel macht den Platz im Sommer schön.',
        });
        await rita.click(`form[action="/beteiligung/verfahren/${pid}/vorschlaege"] button[type="submit"]`);
        assert.match(await rita.mainText(), /Ihr Vorschlag ist veröffentlicht/);
        await rita.click(rita.page.locator('button', { hasText: 'Diesen Vorschlag unterstützen' }));
        assert.match(await rita.mainText(), /Sie unterstützen diesen Vorschlag/);
        assert.equal(await one(`SELECT support_count FROM proposals WHERE process_id = ${pid}`), '1');

        // Step 8: she answers the survey.
        await rita.goto(`/beteiligung/verfahren/${pid}/umfragen/${sid}`);
        await rita.page.locator('main input[type="radio"]').nth(1).check();
        await rita.click(`main form[action="/beteiligung/verfahren/${pid}/umfragen/${sid}"] button[type="submit"]`);
        const stored = await srv.query(
          `SELECT o.label FROM survey_responses r JOIN users u ON u.id = r.user_id JOIN survey_answers a ON a.response_id = r.id JOIN survey_options o ON o.id = a.option_id WHERE r.survey_id = ${sid} AND u.email = ${q(ritaEmail)}`,
        );
        assert.deepEqual(stored, [['Wasser']], 'her answer: the second option');

        // Step 9: another resident reports the comment; the moderator hides it with a reason.
        const [reporter] = await makeResidents(srv, 1);
        await reporter.client.page(`/beteiligung/melden?art=kommentar&id=${cid}`);
        const rep = await reporter.client.post('/beteiligung/melden', [['art', 'kommentar'], ['id', String(cid)], ['grund', 'beleidigung'], ['text', 'Bitte prüfen.']]);
        assert.equal(rep.status, 303, `the report: ${rep.status}`);
        const mod = await person('Moderation');
        await signInInBrowser(mod, modAccount.email, modAccount.password);
        await mod.goto('/verwaltung/beteiligung/moderation');
        const hide = `form[action="/verwaltung/beteiligung/moderation/ausblenden"]:has(input[name="id"][value="${cid}"])`;
        const reason = 'Bitte bleiben Sie beim Thema.';
        await fillForm(mod, hide, { grund: reason });
        await mod.click(`${hide} button[type="submit"]`);
        assert.match(await mod.mainText(), /Der Beitrag ist ausgeblendet/);
        const visitor = await person('Besucher');
        await visitor.goto(`/beteiligung/verfahren/${pid}/diskussion`);
        const shown = await visitor.mainText();
        assert.ok(shown.includes(`Von der Moderation ausgeblendet: ${reason}`), `the public page: ${shown.slice(0, 600)}`);
        assert.ok(!shown.includes(commentText), 'the hidden text is gone');

        // Step 10: staff raise the costs; the follower gets the e-mail.
        const since = smtp.messages.length;
        await staff.goto(`/verwaltung/beteiligung/vorhaben/${projectId}`);
        await fillForm(staff, `form[action="/verwaltung/beteiligung/vorhaben/${projectId}"]`, {
          kosten_euro: '550.000',
          erlaeuterung: 'Der Boden muss ausgetauscht werden.',
        });
        await staff.click(`form[action="/verwaltung/beteiligung/vorhaben/${projectId}"] button[type="submit"]`);
        assert.match(staff.path(), /hinweis=gespeichert/);
        const mail = await waitForMail(smtp, ritaEmail, { subject: new RegExp(`Vorhaben geändert: ${title}`), since });
        assert.match(mail.text, /Mehrkosten/);
        assert.match(mail.text, /400\.000 € → 550\.000 €/);
        assert.match(mail.text, /Der Boden muss ausgetauscht werden/);
      } finally {
        const problems = await closeAll(10);
        assert.deepEqual(problems, [], problems.join('\n\n'));
      }
    });

    test(`journey 2: an Anregung gathers 200 supports and goes through the council (${engine})`, { timeout: 300000 }, async () => {
      try {
        const officeAccount = await createStaff(srv, { role: 'beteiligung', name: 'Koordinierungsstelle Reise' });
        // Step 1: a resident submits the Anregung in the browser.
        const [author] = await makeResidents(srv, 1, { given: 'Anton', family: 'Anreger', signIn: false });
        const anton = await person('Anton');
        await signInInBrowser(anton, author.email, author.password);
        await anton.goto('/beteiligung/anregungen');
        await anton.goto('/beteiligung/anregungen/neu');
        const title = `Mehr Trinkbrunnen in der Altstadt ${engine}`;
        await fillForm(anton, 'form[action="/beteiligung/anregungen/neu"]', {
          thema: 'Trinkwasser',
          titel: title,
          begruendung: 'Im Sommer gibt es in der Altstadt kaum Wasser für alle, die unterwegs sind.',
          form: 'konsultation',
          veroeffentlichen: true,
        });
        await anton.click('form[action="/beteiligung/anregungen/neu"] button[type="submit"]');
        const id = Number(/\/beteiligung\/anregungen\/(\d+)\?eingereicht=1/.exec(anton.path())?.[1]);
        assert.ok(id > 0, `after submitting: ${anton.path()}`);

        // Step 2: the office admits it for collecting.
        const office = await person('Koordinierungsstelle');
        await signInInBrowser(office, officeAccount.email, officeAccount.password);
        await office.goto('/verwaltung/beteiligung/anregungen');
        await office.goto(`/verwaltung/beteiligung/anregungen/${id}`);
        await office.click('form:has(input[name="aktion"][value="annehmen"]) button[type="submit"]');
        assert.equal(await one(`SELECT status FROM participation_requests WHERE id = ${id}`), 'sammlung');

        // Step 3: 199 real accounts sign in and support through the real route, in parallel batches.
        const since = smtp.messages.length;
        const crowd = await makeResidents(srv, 199, { width: 8 });
        const statuses = await pool(crowd, 8, async (p) => {
          await p.client.page(`/beteiligung/anregungen/${id}`);
          return (await p.client.post(`/beteiligung/anregungen/${id}/unterstuetzen`, [])).status;
        });
        assert.deepEqual([...new Set(statuses)], [303], `every support counted: ${statuses.filter((s) => s !== 303).length} refused`);
        assert.equal(await one(`SELECT support_count FROM participation_requests WHERE id = ${id}`), '199');

        // Step 4: the 200th support in the browser.
        const [last] = await makeResidents(srv, 1, { given: 'Zora', family: 'Zweihundert', signIn: false });
        const zora = await person('Zora');
        await signInInBrowser(zora, last.email, last.password);
        await zora.goto(`/beteiligung/anregungen/${id}`);
        await zora.click(`form[action="/beteiligung/anregungen/${id}/unterstuetzen"] button`);
        assert.match(await zora.mainText(), /Ihre Unterstützung ist gezählt/);
        assert.equal(await one(`SELECT status FROM participation_requests WHERE id = ${id}`), 'erfolgreich');
        assert.match(await zora.mainText(), /200 von 200 Unterstützungen/);

        // Step 5: the office gets the quorum mail, once.
        const mail = await waitForMail(smtp, officeAccount.email, { subject: SUBJECT_QUORUM, since });
        assert.ok(mail.text.includes(title));
        assert.ok(mail.text.includes(`/verwaltung/beteiligung/anregungen/${id}`));
        assert.equal(mailsTo(smtp, officeAccount.email, { since, subject: SUBJECT_QUORUM }).length, 1);

        // Step 6: the office moves it: Beschlussvorlage in Vorbereitung → im Stadtrat → decision.
        const stepForm = (action) => `form:has(input[name="aktion"][value="${action}"])`;
        await office.goto(`/verwaltung/beteiligung/anregungen/${id}`);
        await fillForm(office, stepForm('vorlage'), { text: 'Das Tiefbauamt bereitet die Vorlage vor.' });
        await office.click(`${stepForm('vorlage')} button[type="submit"]`);
        await fillForm(office, stepForm('stadtrat'), { text: 'Sitzung des Stadtrats am 3. März, TOP 7.' });
        await office.click(`${stepForm('stadtrat')} button[type="submit"]`);
        await fillForm(office, stepForm('entscheidung'), { entscheidung: 'angenommen', text: 'Der Stadtrat beschließt zehn neue Trinkbrunnen.' });
        await office.click(`${stepForm('entscheidung')} button[type="submit"]`);
        assert.equal(await one(`SELECT status FROM participation_requests WHERE id = ${id}`), 'entschieden');

        // Step 7: the public history shows each step.
        const visitor = await person('Besucherin');
        await visitor.goto('/beteiligung/anregungen?status=entschieden');
        await visitor.click(`main a[href="/beteiligung/anregungen/${id}"]`);
        const pub = await visitor.mainText();
        for (const s of ['Eingereicht', 'Zur Sammlung freigegeben', 'Quorum erreicht', 'Beschlussvorlage in Vorbereitung', 'Das Tiefbauamt bereitet die Vorlage vor.', 'Dem Stadtrat vorgelegt', 'Sitzung des Stadtrats am 3. März, TOP 7.', 'Der Stadtrat hat entschieden', 'Angenommen', 'Der Stadtrat beschließt zehn neue Trinkbrunnen.'])
          assert.ok(pub.includes(s), `the public page shows "${s}"`);
        const history = await srv.query(`SELECT status FROM participation_request_history WHERE request_id = ${id} ORDER BY id`);
        assert.deepEqual(history.map((h) => h[0]), ['eingereicht', 'sammlung', 'erfolgreich', 'vorlage', 'stadtrat', 'entschieden']);
      } finally {
        const problems = await closeAll(10);
        assert.deepEqual(problems, [], problems.join('\n\n'));
      }
    });

    test(`journey 3: refusals — no second support, no Anregung at 13, no comment while blocked (${engine})`, { timeout: 180000 }, async () => {
      try {
        // Step 1: two supports sent at the same moment: one counts, one is refused; later ones too.
        const collecting = Number(await one("SELECT id FROM participation_requests WHERE title = 'Mehr Bänke und Schatten am Rheinufer'"));
        const [bea] = await makeResidents(srv, 1, { given: 'Bea', family: 'Doppelt' });
        const beforeCount = Number(await one(`SELECT support_count FROM participation_requests WHERE id = ${collecting}`));
        await bea.client.page(`/beteiligung/anregungen/${collecting}`);
        bea.client.syncCsrf();
        const both = await Promise.all([0, 1].map(() => bea.client.postForm(`/beteiligung/anregungen/${collecting}/unterstuetzen`, [])));
        assert.deepEqual(both.map((r) => r.status).sort(), [303, 409], `two at once: ${both.map((r) => r.status)}`);
        const again = await bea.client.post(`/beteiligung/anregungen/${collecting}/unterstuetzen`, []);
        assert.equal(again.status, 409);
        assert.equal(await one(`SELECT COUNT(*) FROM participation_request_supports WHERE request_id = ${collecting} AND user_id = ${bea.id}`), '1');
        assert.equal(Number(await one(`SELECT support_count FROM participation_requests WHERE id = ${collecting}`)), beforeCount + 1);
        // In the browser she sees that she supports it, and no button to support again.
        const beaPage = await person('Bea');
        await signInInBrowser(beaPage, bea.email, bea.password);
        await beaPage.goto(`/beteiligung/anregungen/${collecting}`);
        assert.match(await beaPage.mainText(), /Sie unterstützen diese Anregung/);
        assert.equal(await beaPage.page.locator(`form[action="/beteiligung/anregungen/${collecting}/unterstuetzen"]`).count(), 0);

        // Step 2: a 13-year-old cannot submit an Anregung (no form; a forged POST is refused).
        const [tim] = await makeResidents(srv, 1, { given: 'Tim', family: 'Jung', birth: mainzDay(1, -14) });
        const timPage = await person('Tim');
        await signInInBrowser(timPage, tim.email, tim.password);
        await timPage.goto('/beteiligung/anregungen/neu');
        assert.equal(await timPage.page.locator('input[name="titel"]').count(), 0, 'no form for a 13-year-old');
        assert.match(await timPage.mainText(), /Anregungen können Sie ab 14 Jahren einreichen/);
        await tim.client.page('/beteiligung/anregungen/neu');
        const forged = await tim.client.post('/beteiligung/anregungen/neu', [['thema', 'Spielen'], ['titel', 'Ein Bolzplatz für alle Kinder'], ['begruendung', 'Wir haben keinen Platz zum Fußballspielen in der Nähe.'], ['form', 'konsultation'], ['veroeffentlichen', '1']]);
        assert.notEqual(forged.status, 303, 'a forged Anregung of a 13-year-old is refused');
        assert.equal(await one(`SELECT COUNT(*) FROM participation_requests WHERE author_id = ${tim.id}`), '0');

        // Step 3: a moderator blocks a resident in the browser; her comment is then refused with the message.
        const pid = Number(await one("SELECT id FROM participation_processes WHERE title = 'Rheinufer neu gestalten: Ihre Ideen'"));
        const [carla] = await makeResidents(srv, 1, { given: 'Carla', family: 'Gesperrt', signIn: false });
        const modAccount = await createStaff(srv, { role: 'moderation', name: 'Moderation Sperre' });
        const mod = await person('Moderation');
        await signInInBrowser(mod, modAccount.email, modAccount.password);
        await mod.goto('/verwaltung/beteiligung/sperren');
        await fillForm(mod, 'form[action="/verwaltung/beteiligung/sperren"]', { konto: carla.email, grund: 'Wiederholt beleidigende Kommentare', dauer: '7' });
        await mod.click('form[action="/verwaltung/beteiligung/sperren"] button[type="submit"]');
        assert.match(await mod.mainText(), /Die Person ist gesperrt/);
        const carlaPage = await person('Carla');
        await signInInBrowser(carlaPage, carla.email, carla.password);
        await carlaPage.goto(`/beteiligung/verfahren/${pid}/diskussion`);
        const text = 'Dieser Kommentar darf nicht erscheinen.';
        await fillForm(carlaPage, `form[action="/beteiligung/verfahren/${pid}/diskussion"]`, { text });
        await carlaPage.click(`form[action="/beteiligung/verfahren/${pid}/diskussion"] button[type="submit"]`, { status: 403 });
        assert.match(await carlaPage.mainText(), /Die Moderation hat Ihr Konto für Beiträge gesperrt/);
        assert.equal(await carlaPage.page.locator(`form[action="/beteiligung/verfahren/${pid}/diskussion"] textarea[name="text"]`).inputValue(), text, 'the typed text stays');
        assert.equal(await one(`SELECT COUNT(*) FROM comments WHERE author_id = ${carla.id}`), '0');
      } finally {
        const problems = await closeAll(8);
        assert.deepEqual(problems, [], problems.join('\n\n'));
      }
    });

    testCleanExit(() => srv);
  },
  { timeout: 900000 },
);

// services-journeys.test.mjs — the Online-Dienste end to end, as new people
// take them in a real browser, on SQLite and PostgreSQL (issue 4's acceptance
// journeys). Nothing is set up behind the pages: people register through the
// registration page and the link in the mail (a real SMTP server), staff sign
// in through the sign-in page, and every step is a click or typed text. The
// database is only read, to compare what the pages say with what was stored.
//
//   1. Passport: register, "Meine Daten", find "Reisepass" by searching
//      "Reisepässe", apply (pre-filled, a height out of range corrected, the ID
//      uploaded as PDF), the fee on the review page (70,00 €, with express
//      102,00 €), submit (MZ-YYYY-NNNNNN, receipt PDF), book an appointment
//      (.ics); the Bürgeramt assigns the case to herself and moves it to "Liegt
//      zur Abholung bereit"; the citizen sees the status, the unread messages
//      and an e-mail with only a link; /status without login shows the status.
//   2. Zweckentfremdung permit: apply (flat, 120 nights, compensation payment,
//      documents); the Bauamt proposes "entschieden", cannot approve her own
//      proposal, the Sachgebietsleitung approves (four eyes); the citizen gets
//      the notice as PDF in the Postfach, sees the registration number on
//      /zweckentfremdung and records a stay in the ledger.
//   3. Anonymous report of misuse: sent without an account, confirmed; in the
//      Bauamt's inbox, not in the Bürgeramt's (404 on its address).
//   4. Isolation: each citizen gets 404 on the other's application, Postfach
//      thread and files.
//
// Every page reached is checked (axe-core WCAG 2.1 A/AA, one h1, lang, no
// console errors); the findings are collected and asserted at the end of each
// journey, so one finding does not hide the rest of the journey.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { accountSuite, mailLinks, newPassword, uniqueEmail } from '../lib/account.mjs';
import { SAMPLE_PDF, SAMPLE_PNG } from '../lib/services.mjs';
import { Person, journeySteps, registerInBrowser, signInInBrowser, todayInMainz, weiter } from '../lib/journeys.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

forEachEngine(
  (engine) => {
    let srv;
    let smtp;
    let browser;
    accountSuite(engine, { demo: true, browser: true, onStart: (s) => ({ srv, smtp, browser } = s) });

    // What the journeys learn and later ones use (isolation).
    const passport = {};
    const permit = {};
    const people = [];

    async function person(name) {
      const p = await Person.open(browser, srv.base, name);
      people.push(p);
      return p;
    }
    // The demo's caseworkers, each one person who signs in once and then keeps
    // her session from journey to journey, as staff do during a working day.
    const staff = new Map();
    async function caseworker(name, email) {
      if (!staff.has(email)) {
        const p = await person(name);
        await signInInBrowser(p, email, DEMO_PASSWORD);
        staff.set(email, p);
      }
      return staff.get(email);
    }
    const one = async (sql) => {
      const rows = await srv.query(sql);
      return rows.length ? rows[0][0] : null;
    };
    // The findings of the page checks of these people since the last call
    // (each journey asserts its own; caseworkers go on to the next one).
    const pageProblems = (list) => {
      const all = list.flatMap((p) => p.problems.splice(0));
      const pages = list.reduce((n, p) => n + p.checked, 0);
      for (const p of list) p.checked = 0;
      if (pages === 0) all.push('no page was checked');
      return { all, pages, text: `${all.length} problem(s) on ${pages} pages checked:\n${all.join('\n\n')}` };
    };

    test('1 · passport: from registration to the pick-up notice and the status lookup', { timeout: 240000 }, async (t) => {
      const step = journeySteps(t);
      const year = todayInMainz().slice(0, 4);
      const anna = await person('Bürgerin A');
      const account = { email: uniqueEmail('reisepass'), password: newPassword() };
      passport.account = account;
      passport.person = anna;
      let appId;

      await step('registers and confirms the address through the link in the mail', () => registerInBrowser(anna, smtp, account));

      await step('fills in "Meine Daten"', async () => {
        if (new URL(anna.page.url()).pathname !== '/konto') await anna.nav('/konto');
        await anna.fill('[name="given_name"]', 'Annelie');
        await anna.fill('[name="family_name"]', 'Wolkenstein');
        await anna.fill('[name="birth_date"]', '1985-04-23');
        await anna.fill('[name="birth_place"]', 'Mainz');
        await anna.fill('[name="street"]', 'Rheinstraße');
        await anna.fill('[name="house_number"]', '12');
        await anna.fill('[name="postcode"]', '55116');
        await anna.fill('[name="city"]', 'Mainz');
        await anna.click('form[action="/konto"] button[type="submit"]');
        assert.match(await anna.mainText(), /Ihre Daten sind gespeichert/);
      });

      await step('finds "Reisepass" by searching "Reisepässe" in the catalogue', async () => {
        await anna.nav('/leistungen');
        await anna.fill('form[action="/leistungen/suche"] [name="q"]', 'Reisepässe');
        await anna.click('form[action="/leistungen/suche"] button[type="submit"]');
        const first = anna.page.locator('main ol.catalogue-results li a').first();
        assert.equal(await first.getAttribute('href'), '/leistungen/reisepass', 'the passport is the first hit');
        await anna.click(first);
        assert.equal(anna.path(), '/leistungen/reisepass');
      });

      await step('starts the online application and goes past the checklist', async () => {
        await anna.click('form[action="/leistungen/reisepass/antrag"] button[type="submit"]');
        const m = /^\/antraege\/(\d+)\/schritt\/1$/.exec(anna.path());
        assert.ok(m, `on the first step, not ${anna.path()}`);
        appId = Number(m[1]);
        passport.appId = appId;
        await weiter(anna);
        assert.equal(anna.path(), `/antraege/${appId}/schritt/2`);
      });

      await step('sees the personal data pre-filled from "Meine Daten"', async () => {
        const value = (n) => anna.page.locator(`[name="${n}"]`).inputValue();
        assert.equal(await value('given_name'), 'Annelie');
        assert.equal(await value('family_name'), 'Wolkenstein');
        assert.equal(await value('birth_date'), '1985-04-23');
        assert.equal(await value('birth_place'), 'Mainz');
      });

      await step('types a height out of range, gets the error with everything kept, and corrects it', async () => {
        await anna.page.locator('#feld-sex-w').check();
        await anna.page.selectOption('[name="eye_colour"]', 'braun');
        await anna.page.locator('#feld-nationality-deutsch').check();
        await anna.fill('[name="height"]', '300');
        await weiter(anna, { status: 422 });
        assert.equal(await anna.page.locator('.form-errors a[href="#feld-height"]').count(), 1, 'the summary links to the height');
        assert.equal(await anna.page.locator('#feld-height-fehler').count(), 1, 'the message is at the field');
        assert.equal(await anna.page.locator('[name="height"]').inputValue(), '300', 'the typed height stays');
        assert.equal(await anna.page.locator('#feld-sex-w').isChecked(), true, 'the choices stay');
        assert.equal(await anna.page.locator('[name="eye_colour"]').inputValue(), 'braun');
        await anna.fill('[name="height"]', '172');
        await weiter(anna);
        assert.equal(anna.path(), `/antraege/${appId}/schritt/3`);
      });

      await step('finds the address pre-filled and chooses no options yet', async () => {
        assert.equal(await anna.page.locator('[name="address.street"]').inputValue(), 'Rheinstraße');
        assert.equal(await anna.page.locator('[name="address.postcode"]').inputValue(), '55116');
        assert.equal(await anna.page.locator('[name="email"]').inputValue(), account.email);
        await weiter(anna);
        assert.equal(anna.path(), `/antraege/${appId}/schritt/4`);
        await weiter(anna);
        assert.equal(anna.path(), `/antraege/${appId}/schritt/5`);
      });

      await step('uploads the current ID card as PDF', async () => {
        assert.match(await anna.mainText(), /PDF/, 'the allowed types are stated before the upload');
        await anna.page.locator('input[type="file"][name="id_document"]').setInputFiles({ name: 'personalausweis.pdf', mimeType: 'application/pdf', buffer: SAMPLE_PDF });
        await weiter(anna);
        // An adult: the custody step is left out.
        assert.equal(anna.path(), `/antraege/${appId}/schritt/7`);
        const stored = await srv.query(`SELECT filename, content_type FROM application_files WHERE application_id = ${appId} AND field = 'id_document'`);
        assert.deepEqual(stored, [['personalausweis.pdf', 'application/pdf']]);
        await weiter(anna);
        assert.equal(anna.path(), `/antraege/${appId}/schritt/8`);
        await anna.page.locator('[name="truthful"]').check();
        await weiter(anna);
        assert.equal(anna.path(), `/antraege/${appId}/pruefen`);
      });

      const feeText = () => anna.page.locator('section[aria-labelledby="gebuehr-titel"]').innerText();
      await step('checks the answers and the fee of 70,00 € on the review page', async () => {
        const review = await anna.mainText();
        for (const s of ['Annelie', 'Wolkenstein', '172', 'personalausweis.pdf', 'Rheinstraße']) assert.ok(review.includes(s), `the review shows ${s}`);
        const fee = await feeText();
        assert.match(fee, /Reisepass \(ab 24 Jahre, 10 Jahre gültig\)\s*70,00\s*€/);
        assert.match(fee, /Summe\s*70,00\s*€/);
        assert.doesNotMatch(fee, /Express/);
      });

      await step('adds the express service through "Ändern" and sees 102,00 €', async () => {
        await anna.click(`main a[href="/antraege/${appId}/schritt/4"]`);
        await anna.page.locator('[name="express"]').check();
        await weiter(anna);
        assert.match(await anna.mainText(), /personalausweis\.pdf/, 'the uploaded file is still there');
        await weiter(anna);
        await weiter(anna);
        assert.equal(await anna.page.locator('[name="truthful"]').isChecked(), true, 'the confirmation is kept');
        await weiter(anna);
        assert.equal(anna.path(), `/antraege/${appId}/pruefen`);
        const fee = await feeText();
        assert.match(fee, /Expressverfahren\s*32,00\s*€/);
        assert.match(fee, /Summe\s*102,00\s*€/);
      });

      await step('submits and gets the reference number MZ-YYYY-NNNNNN', async () => {
        passport.mailsBefore = smtp.messages.length;
        await anna.click('form.apply-form button[type="submit"]');
        assert.equal(anna.path(), `/antraege/${appId}/eingegangen`);
        const reference = (await anna.page.locator('.apply-reference').innerText()).trim();
        assert.match(reference, new RegExp(`^MZ-${year}-\\d{6}$`));
        passport.reference = reference;
        const row = (await srv.query(`SELECT reference, status, fee_cents FROM applications WHERE id = ${appId}`))[0];
        assert.deepEqual(row, [reference, 'eingegangen', '10200']);
      });

      await step('downloads the receipt as PDF', async () => {
        const pdf = await anna.download(anna.page.locator('main a').filter({ hasText: 'Eingangsbestätigung herunterladen (PDF)' }));
        assert.equal(pdf.type, 'application/pdf');
        assert.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-');
      });

      await step('books an appointment at the Bürgeramt and downloads the .ics', async () => {
        await anna.nav('/termine');
        await anna.click('main a[href="/termine/buchen?leistung=reisepass"]');
        const first = anna.page.locator('input[type="radio"][name="termin"]').first();
        const start = Number(await first.getAttribute('value'));
        await first.check();
        await anna.click('form[action="/termine/buchen"] button[type="submit"]');
        const m = /^\/termine\/(\d+)\?gebucht=1$/.exec(anna.path());
        assert.ok(m, `on the booking page, not ${anna.path()}`);
        assert.match(await anna.mainText(), /Reisepass/);
        const ics = (await anna.download('main a[href$="/termin.ics"]')).body.toString('utf8');
        assert.match(ics, /^BEGIN:VCALENDAR/);
        assert.match(ics, /BEGIN:VEVENT/);
        const dtstart = new Date(start * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
        assert.ok(ics.includes(`DTSTART:${dtstart}`), `DTSTART:${dtstart} in\n${ics}`);
        const booked = await srv.query(`SELECT b.status, s.starts_at FROM appointment_bookings b JOIN appointment_slots s ON s.id = b.slot_id WHERE b.id = ${m[1]}`);
        assert.deepEqual(booked, [['gebucht', String(start)]]);
      });

      let clerk;
      await step('the Bürgeramt caseworker signs in and finds the case in the inbox', async () => {
        clerk = await caseworker('Sachbearbeiterin Bürgeramt', 'buergeramt@rathaus.test');
        await clerk.nav('/verwaltung/vorgaenge');
        await clerk.click(`main table a[href="/verwaltung/vorgaenge/${appId}"]`);
        const text = await clerk.mainText();
        assert.ok(text.includes(passport.reference), 'the case page names the reference');
        assert.ok(text.includes('personalausweis.pdf'), 'the uploaded ID is listed');
      });

      await step('assigns the case to herself', async () => {
        await clerk.click(`form[action="/verwaltung/vorgaenge/${appId}/zuweisen"]:has(input[name="an"][value="ich"]) button`);
        const me = await one(`SELECT id FROM users WHERE email = 'buergeramt@rathaus.test'`);
        assert.equal(await one(`SELECT assigned_to FROM applications WHERE id = ${appId}`), me);
      });

      for (const [status, label] of [
        ['in_pruefung', 'In Prüfung'],
        ['in_herstellung', 'Pass wird hergestellt'],
        ['abholbereit', 'Liegt zur Abholung bereit'],
      ]) {
        await step(`moves the case to "${label}"`, async () => {
          await clerk.click(`form[action="/verwaltung/vorgaenge/${appId}/status"] button[name="status"][value="${status}"]`);
          assert.match(await clerk.mainText(), /Der Status wurde geändert/);
          assert.equal(await one(`SELECT status FROM applications WHERE id = ${appId}`), status);
          assert.ok((await clerk.mainText()).includes(label), `the case page shows ${label}`);
        });
      }

      await step('the inbox shows the case as hers', async () => {
        await clerk.click('main a[href="/verwaltung/vorgaenge"]');
        const row = clerk.page.locator('main table tr').filter({ has: clerk.page.locator(`a[href="/verwaltung/vorgaenge/${appId}"]`) });
        const text = await row.innerText();
        assert.match(text, /Liegt zur Abholung bereit/);
        assert.match(text, /\bSie\b/);
      });

      await step('the citizen sees the new status in "Meine Anträge"', async () => {
        await anna.nav('/antraege');
        const row = anna.page.locator('main table tr').filter({ hasText: passport.reference });
        assert.match(await row.innerText(), /Liegt zur Abholung bereit/);
        await anna.click(row.locator(`a[href="/antraege/${appId}"]`));
        const detail = await anna.mainText();
        assert.match(detail, /Stand Liegt zur Abholung bereit/);
        assert.match(detail, /Pass wird hergestellt/, 'the history lists the earlier status');
      });

      await step('the citizen sees the unread messages in the Postfach and reads them', async () => {
        const unread = Number(await one(`SELECT COUNT(*) FROM messages WHERE application_id = ${appId} AND from_office = 1 AND read_at IS NULL`));
        assert.ok(unread >= 2, `messages for "Pass wird hergestellt" and "Liegt zur Abholung bereit", got ${unread}`);
        await anna.nav('/postfach');
        const heading = (await anna.page.locator('h1').innerText()).replace(/\s+/g, ' ');
        assert.match(heading, new RegExp(`${unread} ungelesene Nachrichten`));
        await anna.click(`main a[href="/postfach/${appId}"]`);
        const thread = await anna.mainText();
        assert.match(thread, /Ihr Reisepass ist fertig/);
        assert.match(thread, /Neu/);
        await anna.nav('/postfach');
        assert.doesNotMatch((await anna.page.locator('h1').innerText()).replace(/\s+/g, ' '), /ungelesen/);
      });

      await step('the e-mails arrived at the SMTP server and hold only a link', async () => {
        const mails = smtp.messages.slice(passport.mailsBefore).filter((m) => m.to.includes(account.email) && (m.subject ?? '').includes(`Neues zu Ihrem Antrag ${passport.reference}`));
        assert.ok(mails.length >= 2, `mails about the news: ${smtp.messages.slice(passport.mailsBefore).map((m) => `${m.to} "${m.subject}"`).join('; ')}`);
        for (const m of mails) {
          const paths = mailLinks(m).map((l) => new URL(l).pathname);
          assert.ok(paths.length > 0 && paths.every((p) => p === `/postfach/${appId}`), `only links to the thread: ${paths}`);
          assert.doesNotMatch(m.text, /Ihr Reisepass ist fertig|Öffnungszeiten|Fingerabdr/, 'nothing of the message itself');
        }
      });

      const visitor = await person('Besucher ohne Konto');
      await step('/status without login: a wrong birth date finds nothing, the right one shows the status', async () => {
        await visitor.goto('/');
        await visitor.nav('/status');
        await visitor.fill('[name="antragsnummer"]', passport.reference);
        await visitor.fill('[name="geburtsdatum"]', '1985-04-24');
        await visitor.click('main form[action="/status"] button[type="submit"]');
        assert.match(await visitor.mainText(), /keinen Antrag mit dieser Nummer und diesem Geburtsdatum/);
        await visitor.fill('[name="geburtsdatum"]', '1985-04-23');
        await visitor.click('main form[action="/status"] button[type="submit"]');
        assert.ok((await visitor.mainText()).includes(`Antrag ${passport.reference}: Liegt zur Abholung bereit`), await visitor.mainText());
        assert.doesNotMatch(await visitor.mainText(), /Annelie|Wolkenstein|Rheinstraße|personalausweis/, 'no personal data');
      });

      await step('every page reached passes axe, has one h1 and no console errors', () => {
        const { all, pages, text } = pageProblems([anna, clerk, visitor].filter(Boolean));
        t.diagnostic(`axe and page checks on ${pages} pages`);
        assert.equal(all.length, 0, text);
      });
      await visitor.close();
    });

    test('2 · Zweckentfremdung permit: application, four eyes, notice as PDF, registration number, ledger', { timeout: 240000 }, async (t) => {
      const step = journeySteps(t);
      const bea = await person('Bürgerin B');
      const account = { email: uniqueEmail('ferienwohnung'), password: newPassword() };
      permit.account = account;
      permit.person = bea;
      const from = todayInMainz();
      const until = todayInMainz(2 * 365);
      let appId;

      await step('registers and confirms the address through the link in the mail', () => registerInBrowser(bea, smtp, account));

      await step('finds the permit on /zweckentfremdung and starts the application', async () => {
        await bea.nav('/zweckentfremdung');
        await bea.link('Genehmigung für eine Ferienwohnung beantragen');
        await bea.click('form[action="/leistungen/zweckentfremdung-genehmigung/antrag"] button[type="submit"]');
        const m = /^\/antraege\/(\d+)\/schritt\/1$/.exec(bea.path());
        assert.ok(m, `on the first step, not ${bea.path()}`);
        appId = Number(m[1]);
        permit.appId = appId;
      });

      await step('describes the flat', async () => {
        await bea.fill('[name="wohnung_adresse.street"]', 'Augustinerstraße');
        await bea.fill('[name="wohnung_adresse.house_number"]', '7');
        await bea.fill('[name="wohnung_adresse.postcode"]', '55116');
        await bea.fill('[name="wohnung_adresse.city"]', 'Mainz');
        await bea.fill('[name="wohnung_lage"]', '2. OG links');
        await bea.fill('[name="wohnflaeche"]', '48');
        await bea.fill('[name="zimmer"]', '2');
        await weiter(bea);
        assert.equal(bea.path(), `/antraege/${appId}/schritt/2`);
      });

      await step('gives her own details as the owner', async () => {
        assert.equal(await bea.page.locator('[name="antragsteller_email"]').inputValue(), account.email, 'the e-mail address is pre-filled');
        await bea.fill('[name="antragsteller_vorname"]', 'Berta');
        await bea.fill('[name="antragsteller_nachname"]', 'Sonnenfeld');
        await bea.fill('[name="antragsteller_anschrift.street"]', 'Kaiserstraße');
        await bea.fill('[name="antragsteller_anschrift.house_number"]', '3');
        await bea.fill('[name="antragsteller_anschrift.postcode"]', '55116');
        await bea.fill('[name="antragsteller_anschrift.city"]', 'Mainz');
        await bea.page.locator('input[name="rolle"][value="eigentum"]').check();
        await weiter(bea);
        assert.equal(bea.path(), `/antraege/${appId}/schritt/3`);
      });

      await step('plans 120 nights a year (more than 84) for two years', async () => {
        await bea.fill('[name="naechte_pro_jahr"]', '120');
        await bea.fill('[name="zeitraum_von"]', from);
        await bea.fill('[name="zeitraum_bis"]', until);
        await weiter(bea);
        assert.equal(bea.path(), `/antraege/${appId}/schritt/4`);
      });

      await step('chooses the compensation payment and agrees to it', async () => {
        await bea.page.locator('input[name="ausgleich"][value="ausgleichszahlung"]').check();
        await weiter(bea);
        // The replacement housing step is left out.
        assert.equal(bea.path(), `/antraege/${appId}/schritt/6`);
        await bea.page.locator('[name="zahlung_bereit"]').check();
        await weiter(bea);
        assert.equal(bea.path(), `/antraege/${appId}/schritt/7`);
      });

      await step('uploads the proof of ownership (PDF) and the floor plan (PNG)', async () => {
        await bea.page.locator('input[type="file"][name="nachweis_eigentum"]').setInputFiles({ name: 'grundbuchauszug.pdf', mimeType: 'application/pdf', buffer: SAMPLE_PDF });
        await bea.page.locator('input[type="file"][name="grundriss"]').setInputFiles({ name: 'grundriss.png', mimeType: 'image/png', buffer: SAMPLE_PNG });
        await weiter(bea);
        assert.equal(bea.path(), `/antraege/${appId}/schritt/8`);
        await bea.page.locator('[name="wahrheit"]').check();
        await weiter(bea);
        assert.equal(bea.path(), `/antraege/${appId}/pruefen`);
      });

      await step('checks the review page and submits', async () => {
        const review = await bea.mainText();
        for (const s of ['Augustinerstraße', '120', 'grundbuchauszug.pdf', 'grundriss.png', 'Berta']) assert.ok(review.includes(s), `the review shows ${s}`);
        assert.match(await bea.page.locator('section[aria-labelledby="gebuehr-titel"]').innerText(), /Summe\s*150,00\s*€/);
        await bea.click('form.apply-form button[type="submit"]');
        assert.equal(bea.path(), `/antraege/${appId}/eingegangen`);
        permit.reference = (await bea.page.locator('.apply-reference').innerText()).trim();
        assert.match(permit.reference, /^MZ-\d{4}-\d{6}$/);
      });

      let clerk;
      await step('the Bauamt caseworker signs in, opens the case and takes it into review', async () => {
        clerk = await caseworker('Sachbearbeiterin Bauamt', 'bauamt@rathaus.test');
        await clerk.nav('/verwaltung/vorgaenge');
        await clerk.click(`main table a[href="/verwaltung/vorgaenge/${appId}"]`);
        assert.ok((await clerk.mainText()).includes('grundriss.png'), 'the documents are listed');
        await clerk.click(`form[action="/verwaltung/vorgaenge/${appId}/status"] button[name="status"][value="in_pruefung"]`);
        assert.equal(await one(`SELECT status FROM applications WHERE id = ${appId}`), 'in_pruefung');
      });

      await step('she proposes the decision "Genehmigt" with its text', async () => {
        await clerk.fill(`form[action="/verwaltung/vorgaenge/${appId}/status"] textarea[name="text"]`, 'Die Genehmigung wird für 120 Nächte im Kalenderjahr gegen Ausgleichszahlung erteilt.');
        await clerk.click(`form[action="/verwaltung/vorgaenge/${appId}/status"] button[name="status"][value="entschieden"]`);
        const row = (await srv.query(`SELECT status, approval_status FROM applications WHERE id = ${appId}`))[0];
        assert.deepEqual(row, ['in_pruefung', 'offen'], 'a proposal, not yet a decision');
      });

      await step('she cannot approve her own proposal, and the page says so', async () => {
        assert.match(await clerk.mainText(), /Sie haben diesen Vorschlag gemacht\. Eine zweite Person muss ihn freigeben\./);
        assert.equal(await clerk.page.locator(`form[action="/verwaltung/vorgaenge/${appId}/freigabe"]`).count(), 0, 'no approve button for her');
        const res = await clerk.fetch(`/verwaltung/vorgaenge/${appId}/freigabe`, { method: 'POST', form: { _csrf: await clerk.csrf() } });
        assert.equal(res.status, 403, 'approving her own proposal is refused (docs/casework.md: 403 with a message)');
        assert.equal(await one(`SELECT status FROM applications WHERE id = ${appId}`), 'in_pruefung');
      });

      let lead;
      await step('the second person (Sachgebietsleitung) signs in and approves the decision', async () => {
        lead = await caseworker('Sachgebietsleitung Bauamt', 'leitung.bauamt@rathaus.test');
        await lead.nav('/verwaltung/vorgaenge');
        const row = lead.page.locator('main table tr').filter({ has: lead.page.locator(`a[href="/verwaltung/vorgaenge/${appId}"]`) });
        assert.match(await row.innerText(), /wartet auf Freigabe/);
        await lead.click(`main table a[href="/verwaltung/vorgaenge/${appId}"]`);
        await lead.click(`form[action="/verwaltung/vorgaenge/${appId}/freigabe"] button[type="submit"]`);
        assert.equal(await one(`SELECT status FROM applications WHERE id = ${appId}`), 'entschieden');
        assert.match(await lead.mainText(), /Genehmigt/);
        permit.number = await one(`SELECT number FROM zweck_registrations WHERE application_id = ${appId}`);
        assert.match(permit.number ?? '', /^MZ-ZE-\d{4}-\d{4,}$/);
      });

      await step('the citizen downloads the notice (PDF) from her Postfach', async () => {
        await bea.nav('/postfach');
        assert.match((await bea.page.locator('h1').innerText()).replace(/\s+/g, ' '), /ungelesene Nachricht/);
        await bea.click(`main a[href="/postfach/${appId}"]`);
        const attachment = bea.page.locator('main a').filter({ hasText: /Anhang: Bescheid-.*\.pdf/ }).first();
        assert.equal(await attachment.count(), 1, `a notice attached: ${await bea.mainText()}`);
        const pdf = await bea.download(attachment);
        assert.equal(pdf.type, 'application/pdf');
        assert.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-');
        assert.ok((await bea.mainText()).includes(permit.number), 'the thread names the registration number');
      });

      await step('she sees the registration number on /zweckentfremdung', async () => {
        await bea.nav('/zweckentfremdung');
        const row = bea.page.locator('main table tr').filter({ hasText: permit.number });
        assert.equal(await row.count(), 1, 'one row for her flat');
        const text = await row.innerText();
        assert.match(text, /Augustinerstraße/);
        assert.match(text, /120/);
      });

      await step('she records a stay of 4 nights in the ledger', async () => {
        await bea.click(`main a[href="/zweckentfremdung/${permit.number}"]`);
        await bea.fill('[name="anreise"]', todayInMainz(3));
        await bea.fill('[name="abreise"]', todayInMainz(7));
        await bea.fill('[name="gaeste"]', '2');
        await bea.click('form.zweck-add button[type="submit"]');
        assert.match(await bea.mainText(), /Der Aufenthalt ist eingetragen/);
        const stays = await srv.query(
          `SELECT s.departure - s.arrival, s.guests FROM zweck_stays s JOIN zweck_registrations r ON r.id = s.registration_id WHERE r.number = ${q(permit.number)} AND s.deleted_at IS NULL`,
        );
        assert.deepEqual(stays, [['4', '2']]);
      });

      await step('every page reached passes axe, has one h1 and no console errors', () => {
        const { all, pages, text } = pageProblems([bea, clerk, lead].filter(Boolean));
        t.diagnostic(`axe and page checks on ${pages} pages`);
        assert.equal(all.length, 0, text);
      });
    });

    test('3 · anonymous report of misuse: sent without an account, only the Bauamt sees it', { timeout: 120000 }, async (t) => {
      const step = journeySteps(t);
      const neighbour = await person('Nachbarin ohne Konto');
      let appId;
      let reference;

      await step('starts the report from /zweckentfremdung without an account', async () => {
        await neighbour.goto('/');
        await neighbour.nav('/zweckentfremdung');
        await neighbour.link('Zweckentfremdung melden');
        assert.equal(neighbour.path(), '/leistungen/zweckentfremdung-meldung');
        await neighbour.click('form[action="/leistungen/zweckentfremdung-meldung/antrag"] button[type="submit"]');
        const m = /^\/antraege\/(\d+)\/schritt\/1$/.exec(neighbour.path());
        assert.ok(m, `on the first step, not ${neighbour.path()}`);
        appId = Number(m[1]);
      });

      await step('names the flat and what she observed, leaves the contact details empty', async () => {
        await neighbour.fill('[name="wohnung_adresse.street"]', 'Große Bleiche');
        await neighbour.fill('[name="wohnung_adresse.house_number"]', '21');
        await neighbour.fill('[name="wohnung_adresse.postcode"]', '55116');
        await neighbour.fill('[name="wohnung_adresse.city"]', 'Mainz');
        await weiter(neighbour);
        await neighbour.page.locator('input[name="beobachtung"][value="feriengaeste"]').check();
        await neighbour.fill('[name="beschreibung"]', 'Jedes Wochenende andere Gäste mit Rollkoffern, ein Schlüsselkasten an der Tür.');
        await weiter(neighbour);
        assert.equal(neighbour.path(), `/antraege/${appId}/schritt/3`);
        await weiter(neighbour);
        assert.equal(neighbour.path(), `/antraege/${appId}/pruefen`);
      });

      await step('sends it and the page confirms it with a reference number', async () => {
        assert.match(await neighbour.mainText(), /Große Bleiche/);
        await neighbour.click('form.apply-form button[type="submit"]');
        assert.equal(neighbour.path(), `/antraege/${appId}/eingegangen`);
        reference = (await neighbour.page.locator('.apply-reference').innerText()).trim();
        assert.match(reference, /^MZ-\d{4}-\d{6}$/);
        assert.match(await neighbour.mainText(), /ohne Konto gesendet/);
        const row = (await srv.query(`SELECT status, COALESCE(user_id, 0) FROM applications WHERE id = ${appId}`))[0];
        assert.deepEqual(row, ['eingegangen', '0'], 'stored without an account');
      });

      let bauamt;
      await step('the Bauamt caseworker finds it in her inbox, marked anonymous', async () => {
        bauamt = await caseworker('Sachbearbeiterin Bauamt', 'bauamt@rathaus.test');
        await bauamt.nav('/verwaltung/vorgaenge');
        await bauamt.click(`main table a[href="/verwaltung/vorgaenge/${appId}"]`);
        const text = await bauamt.mainText();
        assert.ok(text.includes(reference));
        assert.match(text, /anonym/i);
        assert.match(text, /Rollkoffern/);
      });

      let buergeramt;
      await step('the Bürgeramt caseworker does not see it, and its address is a 404 for her', async () => {
        buergeramt = await caseworker('Sachbearbeiterin Bürgeramt', 'buergeramt@rathaus.test');
        await buergeramt.nav('/verwaltung/vorgaenge');
        assert.equal(await buergeramt.page.locator(`main a[href="/verwaltung/vorgaenge/${appId}"]`).count(), 0);
        assert.ok(!(await buergeramt.mainText()).includes(reference), 'the reference is not listed');
        await buergeramt.goto(`/verwaltung/vorgaenge/${appId}`, { status: 404 });
        for (const p of [`/verwaltung/vorgaenge/${appId}/nachricht`]) assert.equal((await buergeramt.fetch(p)).status, 404, p);
      });

      await step('every page reached passes axe, has one h1 and no console errors', () => {
        const { all, pages, text } = pageProblems([neighbour, bauamt, buergeramt].filter(Boolean));
        t.diagnostic(`axe and page checks on ${pages} pages`);
        assert.equal(all.length, 0, text);
      });
      await neighbour.close();
    });

    test('4 · isolation: a citizen gets 404 on the other citizen’s application, Postfach thread and files', { timeout: 60000 }, async (t) => {
      const step = journeySteps(t);
      assert.ok(passport.appId && passport.person, 'journey 1 got as far as an application');
      assert.ok(permit.appId && permit.person, 'journey 2 got as far as an application');

      const filesOf = async (appId) => (await srv.query(`SELECT id FROM application_files WHERE application_id = ${appId} ORDER BY id`)).map((r) => r[0]);
      const addresses = async (appId) => [
        `/antraege/${appId}`,
        `/postfach/${appId}`,
        `/antraege/${appId}/quittung.pdf`,
        `/antraege/${appId}/pruefen`,
        `/antraege/${appId}/zurueckziehen`,
        `/api/v1/antraege/${appId}`,
        ...(await filesOf(appId)).map((f) => `/antraege/${appId}/dateien/${f}`),
      ];

      for (const [who, owner, other] of [
        ['B', permit, passport],
        ['A', passport, permit],
      ]) {
        await step(`citizen ${who} opens the other's addresses and gets 404 for each`, async () => {
          const list = await addresses(other.appId);
          assert.ok(list.length >= 6, `files of the other application: ${list}`);
          const seen = [];
          for (const p of list) seen.push(`${p} → ${(await owner.person.fetch(p)).status}`);
          assert.deepEqual(seen, list.map((p) => `${p} → 404`));
          // Her own application opens, so the 404 is about ownership, not the session.
          assert.equal((await owner.person.fetch(`/antraege/${owner.appId}`)).status, 200);
          assert.equal((await owner.person.fetch(`/postfach/${owner.appId}`)).status, 200);
        });
      }

      await step('the 404 page a citizen gets there passes axe', async () => {
        await permit.person.goto(`/antraege/${passport.appId}`, { status: 404 });
        await permit.person.goto(`/postfach/${passport.appId}`, { status: 404 });
        const { all, pages, text } = pageProblems([permit.person]);
        t.diagnostic(`axe and page checks on ${pages} pages`);
        assert.equal(all.length, 0, text);
      });
    });

    test('closing the browsers of the journeys', async () => {
      for (const p of people) await p.close().catch(() => {});
    });

    testCleanExit(() => srv);
  },
  { timeout: 420000 },
);

// participation-projects-gen.mjs — fills a running rathaus with many Vorhaben for
// the Vorhabenliste benchmark, through the staff form as a person would (so the
// search terms, districts and change log are made by the real code).
//
//   node bench/participation-projects-gen.mjs BASE_URL EMAIL PASSWORD COUNT [UNIT_ID]
//
// Signs in as the staff account (role "beteiligung"), then sends COUNT entries,
// four at a time. The entries vary over the 15 Ortsbezirke, every topic, status
// and participation form, with titles and texts built from realistic parts, so
// that filters narrow as they would in a real list and search terms such as
// "Radweg" or "Schule" match a few percent of the entries. Exits 1 on the first
// refused entry.
import http from 'node:http';

const [, , base, email, password, countArg, unitArg] = process.argv;
const count = Number(countArg ?? 2000);
if (!base || !email || !password || !Number.isInteger(count) || count < 1 || count > 20000) {
  console.error('usage: node bench/participation-projects-gen.mjs BASE_URL EMAIL PASSWORD COUNT(1..20000) [UNIT_ID]');
  process.exit(2);
}

const DISTRICTS = ['altstadt', 'neustadt', 'oberstadt', 'hartenberg-muenchfeld', 'mombach', 'gonsenheim', 'finthen', 'bretzenheim',
  'marienborn', 'lerchenberg', 'drais', 'hechtsheim', 'ebersheim', 'weisenau', 'laubenheim'];
const NAMES = { altstadt: 'Altstadt', neustadt: 'Neustadt', oberstadt: 'Oberstadt', 'hartenberg-muenchfeld': 'Hartenberg-Münchfeld',
  mombach: 'Mombach', gonsenheim: 'Gonsenheim', finthen: 'Finthen', bretzenheim: 'Bretzenheim', marienborn: 'Marienborn',
  lerchenberg: 'Lerchenberg', drais: 'Drais', hechtsheim: 'Hechtsheim', ebersheim: 'Ebersheim', weisenau: 'Weisenau', laubenheim: 'Laubenheim' };
// [topic, title pattern, text] — {ort} is the district's name.
const KINDS = [
  ['mobilitaet', 'Radweg an der Hauptstraße in {ort}', 'Ein sicherer Radweg mit eigener Spur und neuen Querungen.'],
  ['mobilitaet', 'Bushaltestellen in {ort} barrierefrei ausbauen', 'Höhere Bordsteine, Leitstreifen und Wartehallen.'],
  ['mobilitaet', 'Tempo 30 vor Schulen und Kitas in {ort}', 'Langsamer fahren, wo Kinder unterwegs sind.'],
  ['bildung', 'Schule in {ort} sanieren', 'Neue Fenster, Dämmung und Räume für die Ganztagsschule.'],
  ['kinder-jugend', 'Spielplatz in {ort} erneuern', 'Neue Spielgeräte, Schatten und Sitzplätze für Eltern.'],
  ['gruen-freiraum', 'Park in {ort} aufwerten', 'Mehr Bäume, neue Wege und Bänke.'],
  ['klima-umwelt', 'Straßenbäume für {ort}', 'Bäume, die Hitze und Trockenheit vertragen.'],
  ['bauen-wohnen', 'Bebauungsplan für Wohnungen in {ort}', 'Neue Wohnungen, ein Drittel davon gefördert.'],
  ['soziales', 'Nachbarschaftstreff in {ort}', 'Ein offener Raum für alle Generationen.'],
  ['kultur-sport', 'Sporthalle in {ort} modernisieren', 'Neuer Boden, barrierefreie Umkleiden.'],
  ['sicherheit', 'Beleuchtung der Wege in {ort}', 'Hellere Wege für einen sicheren Heimweg.'],
  ['wirtschaft', 'Glasfaser für Gewerbe in {ort}', 'Schnelles Internet für Betriebe.'],
  ['stadtentwicklung', 'Ortskern {ort} neu gestalten', 'Mehr Platz für Fußgängerinnen und Fußgänger.'],
  ['verwaltung', 'Bürgerbüro in {ort} digital ausstatten', 'Termine und Anträge auch online.'],
];
const STATUSES = ['in_planung', 'in_planung', 'in_umsetzung', 'abgeschlossen', 'zurueckgestellt'];
const FORMS = ['information', 'konsultation', 'kooperation', 'mitentscheidung'];

const cookies = new Map();
function request(method, path, body) {
  const url = new URL(path, base);
  const headers = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  if (body) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        for (const sc of res.headers['set-cookie'] ?? []) {
          const [pair] = sc.split(';');
          const i = pair.indexOf('=');
          cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
        }
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.setTimeout(60000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}
const form = (fields) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const csrf = () => cookies.get('__Host-csrf') ?? cookies.get('csrf') ?? '';

await request('GET', '/konto/anmelden');
const login = await request('POST', '/konto/anmelden', form([['login', email], ['passwort', password], ['_csrf', csrf()]]));
if (login.status !== 303 || (login.headers.location ?? '').startsWith('/konto/anmelden')) {
  console.error(`bench: sign-in of ${email} failed: ${login.status} ${login.headers.location ?? ''}`);
  process.exit(1);
}
const page = await request('GET', '/verwaltung/beteiligung/vorhaben/neu');
const unit = unitArg ?? /<select[^>]*name="einheit"[\s\S]*?<option value="(\d+)"/.exec(page.text)?.[1];
if (page.status !== 200 || !unit) {
  console.error(`bench: the staff form is not available (${page.status})`);
  process.exit(1);
}

function entry(i) {
  const district = DISTRICTS[i % DISTRICTS.length];
  const [topic, title, text] = KINDS[Math.floor(i / DISTRICTS.length) % KINDS.length];
  const round = Math.floor(i / (DISTRICTS.length * KINDS.length)) + 1;
  const planned = i % 4 !== 3;
  const fields = [
    ['titel', `${title.replace('{ort}', NAMES[district])}${round > 1 ? ` (Abschnitt ${round})` : ''}`],
    ['kurzbeschreibung', `${text} Beispieldaten für den Lasttest.`],
    ['beschreibung', `Beispieldaten für den Lasttest.\n\n${text} Das Vorhaben liegt in ${NAMES[district]}.`],
    ['ziele', 'Die Lebensqualität im Stadtteil verbessern.'],
    ['betroffene', `Anwohnende in ${NAMES[district]}.`],
    ['bezirke', district],
    ['thema', topic],
    // Rotating per round, not with i: the district is i % 15, and 5 divides 15.
    ['status', STATUSES[Math.floor(i / DISTRICTS.length) % STATUSES.length]],
    ['beschluesse', ''],
    ['beginn', `${2026 + (i % 3)}-0${1 + (i % 9)}-01`],
    ['ende', `${2029 + (i % 3)}-12-31`],
    ['naechste_schritte', 'Planung, Ausschreibung, Bau.'],
    ['kosten_euro', String(50000 + (i % 97) * 25000)],
    ['kosten_text', ''],
    ['aufgabe', Math.floor(i / DISTRICTS.length) % 3 ? 'freiwillig' : 'pflicht'],
    ['beteiligung', planned ? 'ja' : 'nein'],
    ['beteiligungsform', planned ? FORMS[i % FORMS.length] : ''],
    ['begruendung', planned ? '' : 'Ort und Umfang sind gesetzlich vorgegeben.'],
    ['einheit', unit],
    ['kontakt_name', 'Beispielamt'],
    ['kontakt_email', 'vorhaben@mainz.example'],
    ['kontakt_telefon', ''],
  ];
  return fields;
}

let next = 0;
let failed = false;
async function worker() {
  while (!failed && next < count) {
    const i = next++;
    const res = await request('POST', '/verwaltung/beteiligung/vorhaben/neu', form([...entry(i), ['_csrf', csrf()]]));
    if (res.status !== 303) {
      failed = true;
      console.error(`bench: entry ${i} refused: ${res.status} ${res.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
    }
  }
}
await Promise.all([worker(), worker(), worker(), worker()]);
process.exit(failed ? 1 : 0);

// services-catalogue-gen.mjs — a catalogue of many services for the search benchmark.
//
//   node bench/services-catalogue-gen.mjs data/services/catalogue.json 2000 > big.json
//
// Takes the real catalogue and repeats its services with varied but realistic
// names until there are COUNT: the original, then the same service as offered
// by one of Mainz's 15 Ortsverwaltungen ("Reisepass beantragen – Ortsverwaltung
// Gonsenheim"), then numbered variants of those. Texts, units, life situations
// and synonyms stay as they are, so the search index has the real vocabulary
// and every query term matches as many rows as it would in a large catalogue.
// fee_rules_file is dropped (the generated file lives elsewhere).
import { readFileSync } from 'node:fs';

const [, , source, countArg] = process.argv;
const count = Number(countArg ?? 2000);
if (!source || !Number.isInteger(count) || count < 1 || count > 10000) {
  console.error('usage: node bench/services-catalogue-gen.mjs CATALOGUE.json COUNT(1..10000)');
  process.exit(2);
}
const catalogue = JSON.parse(readFileSync(source, 'utf8'));
const districts = [
  'Altstadt', 'Neustadt', 'Oberstadt', 'Hartenberg-Münchfeld', 'Mombach', 'Gonsenheim', 'Finthen', 'Bretzenheim',
  'Drais', 'Lerchenberg', 'Marienborn', 'Hechtsheim', 'Ebersheim', 'Weisenau', 'Laubenheim',
];
const real = catalogue.services;
const services = [];
for (let i = 0; i < count; i++) {
  const base = real[i % real.length];
  const round = Math.floor(i / real.length); // 0: the original
  const district = districts[(round - 1) % districts.length];
  const number = Math.floor((round - 1) / districts.length) + 1;
  const s = { ...base };
  delete s.fee_rules_file;
  if (round > 0) {
    s.slug = `${base.slug}-${round}`;
    s.name = `${base.name} – Ortsverwaltung ${district}${number > 1 ? ` ${number}` : ''}`;
    s.summary = `${base.summary} Angebot der Ortsverwaltung ${district}.`;
  }
  services.push(s);
}
process.stdout.write(JSON.stringify({ ...catalogue, services }));

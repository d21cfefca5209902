import { screenMessage } from '../src/safety/screenMessage';
import { shippedModel } from '../src/safety/model/riskModel';
import { screenText } from '../src/safety/screening';

/**
 * Screening speed: median and p95 per message at 256 B, 1 KB, 4 KB and 16 KB, the cost per KB and its
 * ratio to the 1 KB figure (about 1.0 everywhere means linear growth), and whether the 1 KB median meets
 * the 50 µs goal.
 *
 *   npx tsc -p . && node dist/scripts/benchScreening.js
 *
 * Messages are built from everyday ward and rota text with risk, wellbeing and look-alike phrases mixed in
 * here and there. Only timings are printed, never message text.
 */

const GOAL_MICROSECONDS_1KB = 50;
const GOAL_P99_MICROSECONDS_1KB_WITH_MODEL = 1000;

const work = [
  "Hi all, just chasing the December rota because I still haven't heard back about the swaps.",
  "I'm on the long day on the 12th and the night on the 14th, which doesn't leave much time between them.",
  'The bank shifts on AMU are still unfilled for the 23rd and 24th if anyone wants the hours.',
  'Pharmacy were slow with the TTOs again so the bay 3 discharges went out after four.',
  "I've put the hand hygiene audit figures in the shared folder under December.",
  'The porters were short after six so we took the patient down to CT ourselves.',
  'Can someone remind me whether mandatory training is booked through ESR now?',
  'Thanks for sorting the sickness cover on Tuesday, it made a massive difference.',
  'Bed 14 is waiting for a package of care and the social worker is chasing it.',
  'The new HCA picked up the fluid charts without being asked, really impressed.',
  "Parking was a nightmare again and I ended up on the top level, nearly late for handover.",
  'Matron wants the falls reviews finished by Friday so I will do them on my admin day.',
  "Could we move the staff meeting to Thursday after handover? I can't do Wednesday.",
  'The e-roster still shows me on nights over New Year, which I swapped weeks ago.',
];

const mixedIn = [
  'This rota is killing me, honestly.',
  'Dying for a cuppa.',
  'A patient took an overdose overnight and psych liaison saw her first thing.',
  'Reminder that suicide prevention training is on the 9th.',
  "I'm so stressed about the audit.",
  'Had a panic attack in the car park this morning.',
  "I'm not suicidal, just knackered.",
  'Some nights I think I would be better off dead.',
  "I've started cutting again.",
  'I could murder a coffee.',
];

/** Small deterministic generator so every run times the same messages. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function buildMessage(bytes: number, seed: number): string {
  const random = generator(seed);
  let text = '';
  while (Buffer.byteLength(text) < bytes) {
    const pool = random() < 0.2 ? mixedIn : work;
    text += `${pool[Math.floor(random() * pool.length)]} `;
  }
  // Trim to the size, on a word boundary where possible.
  let cut = text.slice(0, bytes);
  const space = cut.lastIndexOf(' ');
  if (space > bytes * 0.9) cut = cut.slice(0, space);
  return cut;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

interface Row {
  label: string;
  bytes: number;
  median: number;
  p95: number;
  p99: number;
  perKb: number;
}

/** Lexicon alone, or lexicon and learned model together (what screenMessage does). */
let screenOne: (text: string) => unknown = screenText;

function bench(label: string, bytes: number, iterations: number): Row {
  const messages = Array.from({ length: 64 }, (_, i) => buildMessage(bytes, i + 1));
  for (let i = 0; i < 300; i++) screenOne(messages[i % messages.length]!);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const text = messages[i % messages.length]!;
    const start = process.hrtime.bigint();
    screenOne(text);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = percentile(times, 0.5);
  return { label, bytes, median, p95: percentile(times, 0.95), p99: percentile(times, 0.99), perKb: median / (bytes / 1024) };
}

function table(title: string): Row[] {
  for (const size of [256, 1024, 4096, 16384]) for (let i = 0; i < 50; i++) screenOne(buildMessage(size, 1000 + i));
  const rows = [bench('256 B', 256, 20000), bench('1 KB', 1024, 10000), bench('4 KB', 4096, 3000), bench('16 KB', 16384, 1000)];
  const oneKb = rows[1]!;
  const fmt = (n: number, width: number): string => n.toFixed(1).padStart(width);
  console.log(title);
  console.log('size      median µs     p95 µs     p99 µs   µs per KB   vs 1 KB per KB');
  for (const r of rows)
    console.log(`${r.label.padEnd(8)} ${fmt(r.median, 10)} ${fmt(r.p95, 10)} ${fmt(r.p99, 10)} ${fmt(r.perKb, 11)} ${fmt(r.perKb / oneKb.perKb, 13)}x`);
  return rows;
}

function main(): void {
  console.log(`Screening benchmark (node ${process.version})`);
  const lexicon = table('Lexicon alone (what the risk gate runs today)');
  const lexiconKb = lexicon[1]!;
  console.log(`1 KB median ${lexiconKb.median.toFixed(1)} µs: ${lexiconKb.median <= GOAL_MICROSECONDS_1KB ? 'meets' : 'DOES NOT meet'} the ${GOAL_MICROSECONDS_1KB} µs goal`);
  shippedModel();
  screenOne = (text) => screenMessage({ text });
  const both = table('Lexicon and learned model (screenMessage)');
  const bothKb = both[1]!;
  console.log(
    `1 KB p99 ${bothKb.p99.toFixed(1)} µs with the model: ${bothKb.p99 <= GOAL_P99_MICROSECONDS_1KB_WITH_MODEL ? 'meets' : 'DOES NOT meet'} the ${GOAL_P99_MICROSECONDS_1KB_WITH_MODEL} µs goal; the model costs ${(bothKb.median / lexiconKb.median).toFixed(1)}x the lexicon's median in this run`,
  );
}

main();

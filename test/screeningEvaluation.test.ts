import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { screenText, lexiconVersion, type RiskLevel } from '../src/safety/screening';

/**
 * Runs the keyword screening over the labelled evaluation set and holds it to the safety thresholds.
 * Prints counts only: never any message text.
 *
 * The set (test/screening/labelled.jsonl) is written by staff-voice authors, not taken from anywhere.
 * Hard cases stay in it even when the engine misses them: fix the engine, never the set.
 */

interface Labelled {
  text: string;
  label: RiskLevel;
  kind: string;
}

const LEVELS: readonly RiskLevel[] = ['urgent', 'wellbeing', 'none'];
const MIN_URGENT_RECALL = 0.98;
const MAX_HARD_NEGATIVE_URGENT_RATE = 0.05;

function load(): Labelled[] {
  const file = join(__dirname, 'screening', 'labelled.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, i) => {
      const row = JSON.parse(line) as Partial<Labelled>;
      if (typeof row.text !== 'string' || !LEVELS.includes(row.label as RiskLevel) || typeof row.kind !== 'string')
        throw new Error(`labelled.jsonl line ${i + 1} is malformed`);
      return row as Labelled;
    });
}

const rows = load();
const matrix: Record<RiskLevel, Record<RiskLevel, number>> = {
  urgent: { urgent: 0, wellbeing: 0, none: 0 },
  wellbeing: { urgent: 0, wellbeing: 0, none: 0 },
  none: { urgent: 0, wellbeing: 0, none: 0 },
};
const missesByKind = new Map<string, number>();
for (const row of rows) {
  const got = screenText(row.text).level;
  matrix[row.label][got]++;
  if (got !== row.label) missesByKind.set(`${row.label}/${row.kind}→${got}`, (missesByKind.get(`${row.label}/${row.kind}→${got}`) ?? 0) + 1);
}

const total = (label: RiskLevel): number => LEVELS.reduce((n, got) => n + matrix[label][got], 0);
const predicted = (got: RiskLevel): number => LEVELS.reduce((n, label) => n + matrix[label][got], 0);
const recall = (l: RiskLevel): number => matrix[l][l] / total(l);
const precision = (l: RiskLevel): number => (predicted(l) === 0 ? 1 : matrix[l][l] / predicted(l));

const hardNegatives = rows.filter((r) => r.label === 'none' && !r.kind.startsWith('neutral'));
const hardNegativesUrgent = hardNegatives.filter((r) => screenText(r.text).level === 'urgent').length;
const noneUrgentRate = matrix.none.urgent / total('none');
const hardNegativeUrgentRate = hardNegativesUrgent / hardNegatives.length;

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const report = [
  `Screening evaluation (lexicon ${lexiconVersion}): ${rows.length} labelled messages`,
  '',
  'label \\ screened     urgent  wellbeing       none',
  ...LEVELS.map(
    (l) =>
      `${l.padEnd(18)} ${String(matrix[l].urgent).padStart(8)} ${String(matrix[l].wellbeing).padStart(10)} ${String(matrix[l].none).padStart(10)}`,
  ),
  '',
  ...LEVELS.map((l) => `${l.padEnd(10)} recall ${pct(recall(l)).padStart(6)}   precision ${pct(precision(l)).padStart(6)}   (n=${total(l)})`),
  '',
  `label none screened urgent: ${matrix.none.urgent}/${total('none')} (${pct(noneUrgentRate)})`,
  `hard negatives screened urgent: ${hardNegativesUrgent}/${hardNegatives.length} (${pct(hardNegativeUrgentRate)})`,
  `misses by label/kind (counts only): ${missesByKind.size === 0 ? 'none' : [...missesByKind.entries()].map(([k, n]) => `${k}=${n}`).join(', ')}`,
].join('\n');

describe('screening evaluation set', () => {
  beforeAll(() => {
    console.log(report);
  });

  it('has at least 300 messages with roughly balanced classes', () => {
    expect(rows.length).toBeGreaterThanOrEqual(300);
    for (const l of LEVELS) {
      const share = total(l) / rows.length;
      expect(share).toBeGreaterThanOrEqual(0.25);
      expect(share).toBeLessThanOrEqual(0.42);
    }
  });

  it('is mostly hard negatives in the none class, and has no duplicates', () => {
    expect(hardNegatives.length / total('none')).toBeGreaterThan(0.6);
    expect(new Set(rows.map((r) => r.text)).size).toBe(rows.length);
  });

  it(`catches urgent messages (recall ≥ ${MIN_URGENT_RECALL})`, () => {
    expect(recall('urgent')).toBeGreaterThanOrEqual(MIN_URGENT_RECALL);
  });

  it(`screens at most ${pct(MAX_HARD_NEGATIVE_URGENT_RATE)} of messages labelled none as urgent`, () => {
    expect(noneUrgentRate).toBeLessThanOrEqual(MAX_HARD_NEGATIVE_URGENT_RATE);
    expect(hardNegativeUrgentRate).toBeLessThanOrEqual(MAX_HARD_NEGATIVE_URGENT_RATE);
  });
});

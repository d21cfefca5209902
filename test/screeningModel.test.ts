import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseModel, shippedModel, encodeWeights, sha256, type RiskModel } from '../src/safety/model/riskModel';
import { rulesLevelOf, screenMessage, screenRank } from '../src/safety/screenMessage';
import { screenText } from '../src/safety/screening';
import { figures, combined, loadSet, report, type EvalRow } from './screening/evaluate';

/**
 * The learned screening model: its data file, that it can only raise a level, that the training script
 * reproduces the shipped weights, and the goals on the frozen held-out set (test/screening/heldout/, written
 * blind, never used to tune anything) and on the fresh blind sets (test/screening/fresh, fresh2 … fresh8).
 * Prints counts and rates only: never any message text.
 */

const heldout = loadSet(join(__dirname, 'screening', 'heldout'));
const fresh = loadSet(join(__dirname, 'screening', 'fresh'));
const fresh2 = loadSet(join(__dirname, 'screening', 'fresh2'));
const fresh3 = loadSet(join(__dirname, 'screening', 'fresh3'));
const fresh4 = loadSet(join(__dirname, 'screening', 'fresh4'));
const fresh5 = loadSet(join(__dirname, 'screening', 'fresh5'));
const fresh6 = loadSet(join(__dirname, 'screening', 'fresh6'));
const fresh7 = loadSet(join(__dirname, 'screening', 'fresh7'));
const fresh8 = loadSet(join(__dirname, 'screening', 'fresh8'));

/** Goals not yet met, per set (see GOALS below): the README's screening section gives the figures. */
const SHORTFALLS_HELDOUT: Goal[] = ['hardNegativeUrgent', 'hardNegativeFlagged'];
const SHORTFALLS_FRESH: Goal[] = ['hardNegativeUrgent'];
const SHORTFALLS_FRESH2: Goal[] = ['urgentUrgent'];
const SHORTFALLS_FRESH3: Goal[] = ['urgentUrgent', 'hardNegativeUrgent', 'hardNegativeFlagged'];
const SHORTFALLS_FRESH4: Goal[] = ['hardNegativeUrgent', 'hardNegativeFlagged'];
const SHORTFALLS_FRESH5: Goal[] = ['hardNegativeUrgent', 'hardNegativeFlagged'];
const SHORTFALLS_FRESH6: Goal[] = [];
const SHORTFALLS_FRESH7: Goal[] = [];
const SHORTFALLS_FRESH8: Goal[] = ['hardNegativeUrgent', 'hardNegativeFlagged'];

describe('the screening model file', () => {
  it('is valid, checksummed and within its review date', () => {
    const model = shippedModel();
    expect(model.file.reviewDate >= new Date().toISOString().slice(0, 10)).toBe(true);
    expect(model.file.thresholds.check).toBeLessThanOrEqual(model.file.thresholds.urgent);
  });

  it('refuses a file whose weights were changed', () => {
    const model = shippedModel();
    const tampered = new Float32Array(model.weights);
    tampered[7] = tampered[7]! + 1;
    const { ...file } = model.file;
    expect(() => parseModel({ ...file, weights: encodeWeights(tampered) })).toThrow('checksum');
    expect(() => parseModel({ ...file, weights: encodeWeights(tampered), weightsSha256: sha256(new Uint8Array(tampered.buffer)) })).not.toThrow();
  });
});

describe('the model can raise a level and never lower it', () => {
  const words = ['i', 'my', 'tablets', 'bridge', 'shift', 'rota', 'tired', 'want', 'to', 'die', 'not', 'kill', 'myself', 'laughing', 'patient', 'overdose', 'goodbye', 'will', 'sorted', 'he', 'hit', 'me', 'fine', 'thanks', '.', ',', 'tonight'];
  const message = fc.array(fc.constantFrom(...words), { maxLength: 40 }).map((w) => w.join(' '));
  const anyText = fc.oneof(message, fc.string({ maxLength: 300 }));

  it('with the shipped model', () => {
    fc.assert(
      fc.property(anyText, fc.option(anyText, { nil: undefined }), fc.array(anyText, { maxLength: 3 }), (text, question, history) => {
        const r = screenMessage({ text, ...(question ? { question } : {}), history });
        expect(screenRank[r.level]).toBeGreaterThanOrEqual(screenRank[rulesLevelOf(screenText(text))]);
      }),
      { numRuns: 2000 },
    );
  });

  it('even with a model that would say none to everything', () => {
    const shipped = shippedModel();
    // Every feature vector zero, and the output bias for "none" far above the others.
    const weights = new Float32Array(shipped.weights.length);
    weights[shipped.file.buckets * shipped.file.hidden + shipped.file.hidden * 3] = 50;
    const allNone: RiskModel = { file: shipped.file, weights };
    for (const row of [...heldout, ...fresh, ...fresh2, ...fresh3, ...fresh4, ...fresh5, ...fresh6, ...fresh7, ...fresh8]) {
      const r = screenMessage(row, allNone);
      expect(r.modelLevel).toBe('none');
      expect(r.level).toBe(rulesLevelOf(screenText(row.text)));
    }
  });

  it('raises some held-out messages the lexicon alone misses', () => {
    const raised = heldout.filter((r) => r.label === 'urgent' && screenMessage(r).lexiconLevel === 'none' && screenRank[combined(r)] >= screenRank.check);
    expect(raised.length).toBeGreaterThan(0);
  });
});

describe('training', () => {
  it('reproduces the shipped weights from the data in the repository', () => {
    // npm test builds dist/ before jest runs; the script trains from scratch and compares byte for byte.
    const out = execFileSync(process.execPath, [join(__dirname, '..', 'dist', 'scripts', 'trainScreening.js'), '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/the shipped model reproduces/);
  }, 600_000);
});

/**
 * The goals (issue 10) on each blind set. A goal the screener does not yet meet on a set is listed in
 * SHORTFALLS and runs as `it.failing`: jest turns it red the day it passes, so the list cannot go stale.
 * These sets are never used to tune anything: see the README's screening section.
 */
type Goal = 'urgentCaught' | 'urgentUrgent' | 'hardNegativeUrgent' | 'hardNegativeFlagged' | 'wellbeingCaught';
const GOALS: Array<{ goal: Goal; title: string; met: (f: ReturnType<typeof figures>) => boolean }> = [
  { goal: 'urgentCaught', title: 'catches at least 95% of urgent messages (check or urgent)', met: (f) => f.urgentCaught.rate >= 0.95 },
  { goal: 'urgentUrgent', title: 'screens at least 80% of urgent messages as urgent', met: (f) => f.urgentUrgent.rate >= 0.8 },
  { goal: 'hardNegativeUrgent', title: 'screens at most 5% of hard negatives as urgent', met: (f) => f.hardNegativeUrgent.rate <= 0.05 },
  { goal: 'hardNegativeFlagged', title: 'flags at most 20% of hard negatives as check or urgent', met: (f) => f.hardNegativeFlagged.rate <= 0.2 },
  { goal: 'wellbeingCaught', title: 'catches at least 85% of wellbeing messages', met: (f) => f.wellbeingCaught.rate >= 0.85 },
];
const SETS: Array<{ name: string; rows: EvalRow[]; shortfalls: Goal[] }> = [
  { name: 'frozen held-out set', rows: heldout, shortfalls: SHORTFALLS_HELDOUT },
  { name: 'fresh blind set 1', rows: fresh, shortfalls: SHORTFALLS_FRESH },
  { name: 'fresh blind set 2 (written 2026-12-07)', rows: fresh2, shortfalls: SHORTFALLS_FRESH2 },
  { name: 'fresh blind set 3 (written 2026-12-07)', rows: fresh3, shortfalls: SHORTFALLS_FRESH3 },
  { name: 'fresh blind set 4 (written 2026-12-07)', rows: fresh4, shortfalls: SHORTFALLS_FRESH4 },
  { name: 'fresh blind set 5 (written 2026-12-07; read after the contrastive-pairs retrain, which was then withdrawn)', rows: fresh5, shortfalls: SHORTFALLS_FRESH5 },
  { name: 'fresh blind set 6 (written 2026-12-07; read after lexicon 2026.12.1)', rows: fresh6, shortfalls: SHORTFALLS_FRESH6 },
  { name: 'fresh blind set 7 (written 2026-12-07; read with lexicon 2026.12.1)', rows: fresh7, shortfalls: SHORTFALLS_FRESH7 },
  { name: 'fresh blind set 8 (written 2026-12-07; read with lexicon 2026.12.2, the screener as it ships)', rows: fresh8, shortfalls: SHORTFALLS_FRESH8 },
];

describe.each(SETS)('goals on the $name', ({ name, rows, shortfalls }) => {
  const f = figures(rows, combined);
  beforeAll(() => console.log(report(name, rows)));

  it('has enough messages to say anything', () => {
    expect(rows.filter((r) => r.label === 'urgent').length).toBeGreaterThanOrEqual(50);
  });
  for (const { goal, title, met } of GOALS) {
    (shortfalls.includes(goal) ? it.failing : it)(title, () => {
      expect(met(f)).toBe(true);
    });
  }
});

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
 * blind, never used to tune anything) and on the fresh blind sets (test/screening/fresh9 to fresh12). Fresh sets 1–8 were
 * read and are now training data (data/screening/training/blind-fresh*.jsonl).
 * Prints counts and rates only: never any message text.
 */

const heldout = loadSet(join(__dirname, 'screening', 'heldout'));
const fresh9 = loadSet(join(__dirname, 'screening', 'fresh9'));
const fresh10 = loadSet(join(__dirname, 'screening', 'fresh10'));
const fresh11 = loadSet(join(__dirname, 'screening', 'fresh11'));
const fresh12 = loadSet(join(__dirname, 'screening', 'fresh12'));

/** Goals not yet met, per set (see GOALS below): the README's screening section gives the figures. */
const SHORTFALLS_HELDOUT: Goal[] = ['hardNegativeFlagged'];
const SHORTFALLS_FRESH9: Goal[] = ['hardNegativeUrgent'];
const SHORTFALLS_FRESH10: Goal[] = ['hardNegativeFlagged'];
const SHORTFALLS_FRESH11: Goal[] = [];
const SHORTFALLS_FRESH12: Goal[] = [];

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
    for (const row of [...heldout, ...fresh9, ...fresh10, ...fresh11, ...fresh12]) {
      const r = screenMessage(row, allNone);
      expect(r.modelLevel).toBe('none');
      expect(r.level).toBe(rulesLevelOf(screenText(row.text)));
    }
  });

  it('where the lexicon reads the urgent words as work talk, a model that says urgent to everything only asks', () => {
    const shipped = shippedModel();
    // Every feature vector zero, and the output bias for "urgent" far above the others.
    const weights = new Float32Array(shipped.weights.length);
    weights[shipped.file.buckets * shipped.file.hidden + shipped.file.hidden * 3 + 2] = 50;
    const allUrgent: RiskModel = { file: shipped.file, weights };
    for (const text of ['I am writing the overdose pathway for ED', 'my dissertation is on self-harm in young people coming into A&E']) {
      expect(screenText(text).workTalk).toBe(true);
      expect(screenMessage({ text }, allUrgent)).toMatchObject({ level: 'check', modelLevel: 'check' });
    }
    expect(screenMessage({ text: 'Book a room for the huddle' }, allUrgent).level).toBe('urgent');
    expect(screenMessage({ text: 'I took an overdose last night' }, allUrgent).level).toBe('urgent');
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
  { name: 'fresh blind set 9 (written 2026-12-08; read once, after the retrain with fresh 1–8 in training)', rows: fresh9, shortfalls: SHORTFALLS_FRESH9 },
  { name: 'fresh blind set 10 (written 2026-12-08; read once, after lexicon 2026.12.4 and work talk, and again after urgentPart)', rows: fresh10, shortfalls: SHORTFALLS_FRESH10 },
  { name: 'fresh blind set 11 (written 2026-12-08; read once, after urgentPart)', rows: fresh11, shortfalls: SHORTFALLS_FRESH11 },
  { name: 'fresh blind set 12 (written 2026-12-08; read once, after the subject fix: the screener as it ships)', rows: fresh12, shortfalls: SHORTFALLS_FRESH12 },
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

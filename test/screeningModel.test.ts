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
 * blind, never used to tune anything) and on the fresh blind set (test/screening/fresh/).
 * Prints counts and rates only: never any message text.
 */

const heldout = loadSet(join(__dirname, 'screening', 'heldout'));
const fresh = loadSet(join(__dirname, 'screening', 'fresh'));

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
    for (const row of [...heldout, ...fresh]) {
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

describe.each([
  ['frozen held-out set', heldout],
  ['fresh blind set', fresh],
] as const)('goals on the %s', (name: string, rows: EvalRow[]) => {
  const f = figures(rows, combined);
  beforeAll(() => console.log(report(name, rows)));

  it('has enough messages to say anything', () => {
    expect(rows.filter((r) => r.label === 'urgent').length).toBeGreaterThanOrEqual(50);
  });
  it('catches at least 95% of urgent messages (check or urgent)', () => {
    expect(f.urgentCaught.rate).toBeGreaterThanOrEqual(0.95);
  });
  it('catches at least 85% of wellbeing messages', () => {
    expect(f.wellbeingCaught.rate).toBeGreaterThanOrEqual(0.85);
  });
  // Known shortfalls (see the README's screening section): jest fails these the day they start passing,
  // so the marker cannot outlive the fix.
  it.failing('screens at least 80% of urgent messages as urgent while at most 5% of hard negatives are', () => {
    expect(f.urgentUrgent.rate).toBeGreaterThanOrEqual(0.8);
    expect(f.hardNegativeUrgent.rate).toBeLessThanOrEqual(0.05);
  });
  it.failing('flags at most 20% of hard negatives as check or urgent', () => {
    expect(f.hardNegativeFlagged.rate).toBeLessThanOrEqual(0.2);
  });
});

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { featuresOf, type ScreeningInput } from '../src/safety/model/features';
import { encodeWeights, MODEL_CLASSES, scoreWith, sha256, weightCount, type ModelFile, type ModelScore, type RiskModel } from '../src/safety/model/riskModel';
import { screenText } from '../src/safety/screening';
import { modelScoresUrgent } from '../src/safety/screenMessage';
import { seeded } from './seeded';

/**
 * Trains the screening model from the labelled corpus and writes src/safety/model/screeningModel.json.
 *
 *   npm run train:screening            train and write the model file
 *   npm run train:screening -- --check train and fail unless the result equals the shipped file
 *   npm run train:screening -- --cv-only --dump-cv=FILE
 *                                      cross-validated figures only; FILE gets every training message with its
 *                                      cross-validated scores, for trying rule changes without retraining
 *
 * Deterministic: the corpus is read in file-name and line order, shuffled with a seeded generator, and
 * trained with plain arithmetic in one thread, so the same data gives the same weights byte for byte.
 * The thresholds are chosen from 5-fold cross-validated scores on the training corpus only: the frozen
 * held-out set (test/screening/heldout/) is never read here.
 */

const ROOT = join(__dirname, '..', '..');
const TRAINING_FILES = [
  'test/screening/labelled.jsonl',
  ...readdirSync(join(ROOT, 'data', 'screening', 'training'))
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => `data/screening/training/${f}`),
];
const BUCKETS = 1 << 16;
const HIDDEN = 16;
const TRAINING = { epochs: 8, learningRate: 0.05, l2: 1e-6, seed: 20261207 };
/** Cross-validated recall the thresholds are set to reach on the training corpus. */
const TARGET = { check: 0.96, urgent: 0.85, wellbeing: 0.9 };
/** Cross-validated share of messages labelled none that may reach the urgent and wellbeing thresholds. */
const MAX_NONE_RATE = { urgent: 0.03, wellbeing: 0.06 };
/**
 * Cross-validated share of hard negatives the gate may screen urgent, which sets how much more one part of a
 * longer message needs to reach urgent: below the 5 % goal, because blind sets have run a point or two above
 * cross-validation.
 */
const MAX_HARD_URGENT = 0.04;

interface Example {
  input: ScreeningInput;
  label: number;
  category: string;
  /** The lexicon was written with this message in view (test/screening/labelled.jsonl): its level there flatters it. */
  lexiconSeen: boolean;
  /** The lexicon's own level as the gate reads it (a contested urgent phrase is a check). */
  lexicon: 'none' | 'wellbeing' | 'check' | 'urgent';
  /** The lexicon read urgent words as work talk: the gate takes the model's urgent as a check (../src/safety/screenMessage.ts). */
  workTalk: boolean;
}

function load(): { examples: Example[]; digest: string } {
  const examples: Example[] = [];
  const digest = sha256(TRAINING_FILES.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n'));
  for (const f of TRAINING_FILES)
    readFileSync(join(ROOT, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        const row = JSON.parse(line) as { text?: unknown; label?: unknown; question?: unknown; history?: unknown; category?: unknown };
        const label = MODEL_CLASSES.indexOf(row.label as never);
        if (typeof row.text !== 'string' || label < 0) throw new Error(`${f} line ${i + 1} is not a labelled message`);
        examples.push({
          input: {
            text: row.text,
            ...(typeof row.question === 'string' ? { question: row.question } : {}),
            ...(Array.isArray(row.history) ? { history: row.history.filter((h): h is string => typeof h === 'string') } : {}),
          },
          label,
          category: typeof row.category === 'string' ? row.category : '',
          lexiconSeen: f === 'test/screening/labelled.jsonl',
          ...lexiconReadingOf(row.text),
        });
      });
  return { examples, digest };
}

function lexiconReadingOf(text: string): Pick<Example, 'lexicon' | 'workTalk'> {
  const r = screenText(text);
  return { lexicon: r.contested ? 'check' : r.level, workTalk: r.workTalk === true };
}


/**
 * Embedding bag + tanh hidden layer + softmax, by Adagrad, one example at a time in a seeded order. Feature
 * vectors are Float32 (as shipped); everything else is double. The arithmetic is plain and in one thread,
 * so the same data gives the same weights byte for byte.
 */
function train(rows: Example[]): Float32Array {
  const k = MODEL_CLASSES.length;
  const H = HIDDEN;
  const random = seeded(TRAINING.seed);
  const E = new Float32Array(BUCKETS * H);
  for (let i = 0; i < E.length; i++) E[i] = (random() - 0.5) * 0.02;
  const W = new Float64Array(H * k);
  for (let i = 0; i < W.length; i++) W[i] = (random() - 0.5) * 0.2;
  const b = new Float64Array(k);
  const gE = new Float32Array(BUCKETS * H);
  const gW = new Float64Array(H * k);
  const gb = new Float64Array(k);
  const feats = rows.map((r) => featuresOf(r.input, BUCKETS));
  const order = rows.map((_, i) => i);
  // Classes are weighted so urgent messages count as much in total as the others (a miss costs most).
  const counts = [0, 0, 0];
  for (const r of rows) counts[r.label]!++;
  const classWeight = counts.map((n) => (n === 0 ? 0 : rows.length / (k * n)));
  const { learningRate: lr, l2 } = TRAINING;
  const h = new Float64Array(H);
  const a = new Float64Array(H);
  const ga = new Float64Array(H);
  for (let epoch = 0; epoch < TRAINING.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const f = feats[idx]!;
      const scale = 1 / Math.sqrt(Math.max(1, f.length));
      h.fill(0);
      for (const x of f) for (let d = 0; d < H; d++) h[d] += E[x * H + d]!;
      for (let d = 0; d < H; d++) a[d] = Math.tanh(h[d]! * scale);
      const z = [b[0]!, b[1]!, b[2]!];
      for (let d = 0; d < H; d++) for (let c = 0; c < k; c++) z[c] += W[d * k + c]! * a[d]!;
      const m = Math.max(z[0]!, z[1]!, z[2]!);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e[0]! + e[1]! + e[2]!;
      const cw = classWeight[rows[idx]!.label]!;
      const gz = e.map((v, c) => cw * (v / sum - (c === rows[idx]!.label ? 1 : 0)));
      ga.fill(0);
      for (let d = 0; d < H; d++)
        for (let c = 0; c < k; c++) {
          const at = d * k + c;
          ga[d] += gz[c]! * W[at]!;
          const g = gz[c]! * a[d]! + l2 * W[at]!;
          gW[at] += g * g;
          W[at] -= (lr * g) / Math.sqrt(gW[at]! + 1e-8);
        }
      for (let c = 0; c < k; c++) {
        gb[c] += gz[c]! * gz[c]!;
        b[c] -= (lr * gz[c]!) / Math.sqrt(gb[c]! + 1e-8);
      }
      for (let d = 0; d < H; d++) ga[d] = (ga[d]! * (1 - a[d]! * a[d]!)) * scale;
      for (const x of f)
        for (let d = 0; d < H; d++) {
          const at = x * H + d;
          const g = ga[d]! + l2 * E[at]!;
          gE[at] += g * g;
          E[at] -= (lr * g) / Math.sqrt(gE[at]! + 1e-8);
        }
    }
  }
  const weights = new Float32Array(weightCount(BUCKETS, H));
  weights.set(E, 0);
  weights.set(Float32Array.from(W), BUCKETS * H);
  weights.set(Float32Array.from(b), BUCKETS * H + H * k);
  return weights;
}

function asModel(weights: Float32Array): RiskModel {
  return { weights, file: { buckets: BUCKETS, hidden: HIDDEN } as RiskModel['file'] };
}

/** 5-fold cross-validated scores of every training row, in row order, scored exactly as the bot scores (parts included). */
function crossValidated(rows: Example[]): Array<ModelScore> {
  const folds = 5;
  const out = new Array<ModelScore>(rows.length);
  for (let fold = 0; fold < folds; fold++) {
    const model = asModel(train(rows.filter((_, i) => i % folds !== fold)));
    rows.forEach((r, i) => {
      if (i % folds !== fold) return;
      out[i] = scoreWith(model, r.input);
    });
  }
  return out;
}

/** The highest threshold at which at least `target` of the scores reach it. */
function thresholdFor(scores: number[], target: number): number {
  const sorted = [...scores].sort((a, b) => b - a);
  const at = sorted[Math.min(sorted.length - 1, Math.ceil(target * sorted.length) - 1)]!;
  return Math.min(0.9999, Math.max(0.02, Math.floor(at * 10000) / 10000));
}

function main(): void {
  const check = process.argv.includes('--check');
  const { examples, digest } = load();
  const cv = crossValidated(examples);
  const urgentScores = cv.filter((_, i) => examples[i]!.label === 2).map((s) => s.urgent);
  const wellbeingScores = cv.filter((_, i) => examples[i]!.label === 1).map((s) => s.distress);
  const noneUrgent = cv.filter((_, i) => examples[i]!.label === 0).map((s) => s.urgent);
  const noneDistress = cv.filter((_, i) => examples[i]!.label === 0).map((s) => s.distress);
  // The check threshold is set on the screener as the gate runs it (the lexicon's level raised by the
  // model), over messages the lexicon was not written from: the highest threshold at which the lexicon and
  // model together catch TARGET.check of urgent messages. A missed urgent message is the costly error and a
  // check costs one question, so its false alarms are printed rather than capped.
  const unseen = examples.map((e, i) => ({ e, s: cv[i]! })).filter(({ e }) => !e.lexiconSeen);
  const unseenUrgent = unseen.filter(({ e }) => e.label === 2);
  // Two check thresholds: one for the whole message and a stricter one for a single sentence of a longer
  // message (which alone would flag many long work messages). For each part threshold, the highest whole
  // threshold that still reaches TARGET.check; of those pairs, the one flagging the fewest messages labelled none.
  const unseenNone = unseen.filter(({ e }) => e.label === 0);
  const lexiconFlags = (e: Example) => e.lexicon === 'urgent' || e.lexicon === 'check';
  let best = { check: 0.02, checkPart: 0.02, flagged: Infinity };
  for (let p = 0; p <= 98; p += 2) {
    const checkPart = Math.max(0.02, p / 100);
    const caughtAt = (t: number): number =>
      unseenUrgent.filter(({ e, s }) => lexiconFlags(e) || s.urgentWhole >= t || s.urgent >= checkPart).length / Math.max(1, unseenUrgent.length);
    let checkAt: number | undefined;
    for (const t of [...new Set(unseenUrgent.map(({ s }) => Math.floor(s.urgentWhole * 10000) / 10000))].sort((x, y) => y - x))
      if (caughtAt(t) >= TARGET.check) {
        checkAt = Math.max(0.02, t);
        break;
      }
    if (checkAt === undefined || checkAt > checkPart) continue;
    const flagged = unseenNone.filter(({ e, s }) => lexiconFlags(e) || s.urgentWhole >= checkAt! || s.urgent >= checkPart).length;
    if (flagged < best.flagged) best = { check: checkAt, checkPart, flagged };
  }
  // urgent and wellbeing: the higher of the score that reaches their recall target and the score that keeps
  // the model's own false alarms within MAX_NONE_RATE (a needless referral or pause has a real cost).
  const ordinary = new Set(['neutral-coaching', 'positive', 'bot-input']);
  const urgent = Math.max(thresholdFor(urgentScores, TARGET.urgent), thresholdFor(noneUrgent, MAX_NONE_RATE.urgent));
  // The gate's urgent reading: the lexicon's, or the model's where the lexicon did not read the words as work talk.
  const gateUrgent = ({ e, s }: (typeof unseen)[number], t: { urgent: number; urgentPart: number }) => e.lexicon === 'urgent' || (!e.workTalk && modelScoresUrgent(s, t));
  // urgentPart: the lowest threshold (not below urgent) at which the gate screens at most MAX_HARD_URGENT of
  // hard negatives urgent. The message as a whole still reaches urgent at the urgent threshold.
  const unseenHard = unseen.filter(({ e }) => e.label === 0 && !ordinary.has(e.category));
  let urgentPart = 0.9999;
  for (let step = Math.ceil(urgent * 10000); step <= 9999; step++)
    if (unseenHard.filter((x) => gateUrgent(x, { urgent, urgentPart: step / 10000 })).length / Math.max(1, unseenHard.length) <= MAX_HARD_URGENT) {
      urgentPart = step / 10000;
      break;
    }
  const thresholds = {
    note: 'Chosen by scripts/trainScreening.ts from 5-fold cross-validated scores on the training corpus (never the held-out or blind sets): check (for the whole message, and a stricter one for one part of a longer message) as the pair where the lexicon and model together catch TARGET.check of urgent messages the lexicon was not written from while flagging the fewest messages labelled none; urgent and wellbeing at the higher of the score that reaches their recall target and the score that keeps messages labelled none within MAX_NONE_RATE; urgent for one part of a longer message at the lowest score (not below urgent) at which the lexicon and model together screen at most MAX_HARD_URGENT of hard negatives urgent.',
    urgent,
    check: best.check,
    checkPart: best.checkPart,
    urgentPart,
    wellbeing: Math.max(thresholdFor(wellbeingScores, TARGET.wellbeing), thresholdFor(noneDistress, MAX_NONE_RATE.wellbeing)),
  };
  const share = (rows: typeof unseen, ok: (x: (typeof unseen)[number]) => boolean): string =>
    `${((100 * rows.filter(ok).length) / Math.max(1, rows.length)).toFixed(1)}% of ${rows.length}`;
  const report = (t: { check: number; checkPart: number; urgent: number; urgentPart: number; wellbeing: number }): string => {
    const flagged = ({ e, s }: (typeof unseen)[number]) => e.lexicon === 'urgent' || e.lexicon === 'check' || s.urgentWhole >= t.check || s.urgent >= t.checkPart;
    const urgentLevel = (x: (typeof unseen)[number]) => gateUrgent(x, t);
    const hard = unseen.filter(({ e }) => e.label === 0 && !ordinary.has(e.category));
    const plain = unseen.filter(({ e }) => e.label === 0 && ordinary.has(e.category));
    const wellbeing = unseen.filter(({ e }) => e.label === 1);
    return (
      `urgent caught ${share(unseenUrgent, flagged)}, screened urgent ${share(unseenUrgent, urgentLevel)}; ` +
      `hard negatives flagged ${share(hard, flagged)}, urgent ${share(hard, urgentLevel)}; ordinary messages flagged ${share(plain, flagged)}, urgent ${share(plain, urgentLevel)}; ` +
      `wellbeing caught ${share(wellbeing, ({ e, s }) => e.lexicon !== 'none' || s.urgentWhole >= t.check || s.urgent >= t.checkPart || s.distress >= t.wellbeing)}`
    );
  };
  process.stdout.write(`cross-validated, lexicon and model together, on training messages the lexicon was not written from: ${report(thresholds)}\n`);
  const dumpAt = process.argv.find((a) => a.startsWith('--dump-cv='));
  if (dumpAt) writeFileSync(dumpAt.slice('--dump-cv='.length), JSON.stringify(examples.map((e, i) => ({ ...e.input, label: e.label, category: e.category, seen: e.lexiconSeen, score: cv[i] }))));
  if (process.argv.includes('--cv-only')) {
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    for (const [lo, hi] of [[0, 3], [4, 8], [9, 20], [21, 10000]] as const) {
      const inBucket = unseen.filter(({ e }) => words(e.input.text) >= lo && words(e.input.text) <= hi);
      const u = inBucket.filter(({ e }) => e.label === 2);
      const o = inBucket.filter(({ e }) => e.label === 0 && ordinary.has(e.category));
      const h = inBucket.filter(({ e }) => e.label === 0 && !ordinary.has(e.category));
      const at = (rows: typeof unseen) => share(rows, ({ e, s }) => e.lexicon === 'urgent' || e.lexicon === 'check' || s.urgentWhole >= thresholds.check || s.urgent >= thresholds.checkPart);
      process.stdout.write(`  ${lo}-${hi} words: urgent caught ${at(u)}, ordinary flagged ${at(o)}, hard flagged ${at(h)}\n`);
    }
    for (const target of [0.9, 0.93, 0.95, 0.97]) {
      const t = unseenUrgent.map(({ s }) => s.urgent).sort((x, y) => y - x)[Math.ceil(target * unseenUrgent.length) - 1]!;
      process.stdout.write(`  model alone at urgent recall ${target} (threshold ${t.toFixed(4)}): ${report({ ...thresholds, check: t, checkPart: t })}\n`);
    }
    return;
  }
  if (thresholds.check > thresholds.urgent) thresholds.check = thresholds.urgent;
  if (thresholds.checkPart > thresholds.urgent) thresholds.checkPart = thresholds.urgent;
  const weights = train(examples);
  const file: ModelFile = {
    version: `2026.12.0+${digest.slice(0, 12)}`,
    reviewDate: '2027-06-01',
    owner: "Owned by the trust's clinical safety officer, like the lexicon: retrained only from reviewed examples, and live only after a passing evaluation run (test/screeningModel.test.ts).",
    purpose: 'Learned screening model. It can only raise the level the lexicon gives, never lower it; it routes people towards help and never assesses anyone.',
    trainedOn: { files: TRAINING_FILES, rows: examples.length, sha256: digest },
    training: TRAINING,
    architecture: 'embedding-bag-tanh',
    buckets: BUCKETS,
    hidden: HIDDEN,
    classes: ['none', 'wellbeing', 'urgent'],
    thresholds,
    weightsSha256: sha256(new Uint8Array(weights.buffer)),
    weights: encodeWeights(weights),
  };
  const path = join(ROOT, 'src', 'safety', 'model', 'screeningModel.json');
  const text = `${JSON.stringify(file, null, 2)}\n`;
  const summary = `trained on ${examples.length} messages (${TRAINING_FILES.length} files); thresholds check ${thresholds.check} (a part ${thresholds.checkPart}), urgent ${thresholds.urgent} (a part ${thresholds.urgentPart}), wellbeing ${thresholds.wellbeing}; weights ${file.weightsSha256.slice(0, 16)}`;
  if (check) {
    const shipped = readFileSync(path, 'utf8');
    if (shipped !== text) {
      process.stderr.write(`the shipped model is not what this data trains: ${summary}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`the shipped model reproduces: ${summary}\n`);
    return;
  }
  writeFileSync(path, text);
  process.stdout.write(`${summary}\n`);
}

main();

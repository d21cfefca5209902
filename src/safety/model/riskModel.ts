import { createHash } from 'node:crypto';
import { z } from 'zod';
import shipped from './screeningModel.json';
import { biasFeature, historyFeatures, questionFeatures, sentenceFeatures, sentencesOf, type ScreeningInput } from './features';

/**
 * The learned screening model: hashed features (./features.ts) summed into a small dense vector (an
 * "embedding bag", as in fastText), one tanh hidden layer, and a softmax over none / wellbeing / urgent.
 * The hidden layer lets it learn combinations a linear model cannot (who is speaking and what about).
 * Trained here from the project's own labelled corpus by `npm run train:screening`, and shipped as a
 * versioned data file (screeningModel.json) with a review date and a SHA-256 of its weights, checked when
 * this module loads: a damaged or edited file stops start-up, not a turn.
 *
 * Weights are one Float32Array: the feature vectors (buckets × hidden), then the output weights
 * (hidden × 3), then the output biases (3).
 *
 * It only ever raises the level the lexicon gives (see ../screenMessage.ts). It runs in-process; nothing
 * leaves the process, and its part in a result is a reason code only.
 */

export const MODEL_CLASSES = ['none', 'wellbeing', 'urgent'] as const;
export type ModelClass = (typeof MODEL_CLASSES)[number];

const modelFileSchema = z.strictObject({
  version: z.string().min(1),
  reviewDate: z.iso.date(),
  owner: z.string().min(1),
  purpose: z.string().min(1),
  trainedOn: z.strictObject({ files: z.array(z.string()).min(1), rows: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  training: z.strictObject({ epochs: z.number().int().positive(), learningRate: z.number().positive(), l2: z.number().min(0), seed: z.number().int() }),
  architecture: z.literal('embedding-bag-tanh'),
  buckets: z.number().int().min(1024).max(1 << 22),
  hidden: z.number().int().min(2).max(64),
  classes: z.tuple([z.literal('none'), z.literal('wellbeing'), z.literal('urgent')]),
  thresholds: z
    .strictObject({
      note: z.string(),
      urgent: z.number().gt(0).lt(1),
      /** The urgent threshold for one sentence (or two neighbouring ones) of a longer message: at least `urgent`. */
      urgentPart: z.number().gt(0).lt(1),
      check: z.number().gt(0).lt(1),
      /** The check threshold for one sentence (or two neighbouring ones) of a longer message. */
      checkPart: z.number().gt(0).lt(1),
      wellbeing: z.number().gt(0).lt(1),
    })
    .refine((t) => t.check <= t.urgent, { message: 'the check threshold must not be above the urgent one' })
    .refine((t) => t.urgentPart >= t.urgent, { message: "a part's urgent threshold must not be below the whole message's" }),
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  weights: z.string().min(1),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

export interface RiskModel {
  file: Omit<ModelFile, 'weights'>;
  weights: Float32Array;
}

export function decodeWeights(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export function encodeWeights(weights: Float32Array): string {
  return Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength).toString('base64');
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Parse and check a model file; throws with a plain sentence when it is not usable. */
export function parseModel(raw: unknown): RiskModel {
  const parsed = modelFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`screening model file is not valid: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  const { weights: encoded, ...file } = parsed.data;
  const weights = decodeWeights(encoded);
  if (weights.length !== weightCount(file.buckets, file.hidden)) throw new Error('screening model file is not valid: weights do not match buckets and hidden size');
  if (sha256(new Uint8Array(weights.buffer)) !== file.weightsSha256) throw new Error('screening model file is not valid: weights checksum does not match');
  return { file, weights };
}

let loaded: RiskModel | undefined;
/** The shipped model, read and checked once per process (start-up calls this, so a bad file stops it). */
export function shippedModel(): RiskModel {
  loaded ??= parseModel(shipped);
  return loaded;
}

export function weightCount(buckets: number, hidden: number): number {
  return buckets * hidden + hidden * MODEL_CLASSES.length + MODEL_CLASSES.length;
}

/** A part of the input: the sum of its features' vectors and how many features it has. */
interface Part {
  sum: Float64Array;
  count: number;
}

function partOf(model: RiskModel, features: readonly number[]): Part {
  const h = model.file.hidden;
  const sum = new Float64Array(h);
  const w = model.weights;
  for (const f of features) {
    const at = f * h;
    for (let d = 0; d < h; d++) sum[d] += w[at + d]!;
  }
  return { sum, count: features.length };
}

/**
 * Class probabilities of parts taken together: their vectors summed and scaled by the square root of their
 * feature count (so a long message is not louder than a short one), tanh, then the output layer.
 */
export function probabilitiesOf(model: RiskModel, parts: readonly Part[]): [number, number, number] {
  const h = model.file.hidden;
  const w = model.weights;
  const out = model.file.buckets * h;
  let count = 0;
  for (const p of parts) count += p.count;
  const scale = 1 / Math.sqrt(Math.max(1, count));
  const z = [w[out + h * 3]!, w[out + h * 3 + 1]!, w[out + h * 3 + 2]!];
  for (let d = 0; d < h; d++) {
    let v = 0;
    for (const p of parts) v += p.sum[d]!;
    const a = Math.tanh(v * scale);
    z[0] += w[out + d * 3]! * a;
    z[1] += w[out + d * 3 + 1]! * a;
    z[2] += w[out + d * 3 + 2]! * a;
  }
  return softmax(z);
}

function softmax(z: readonly number[]): [number, number, number] {
  const m = Math.max(z[0]!, z[1]!, z[2]!);
  const e0 = Math.exp(z[0]! - m);
  const e1 = Math.exp(z[1]! - m);
  const e2 = Math.exp(z[2]! - m);
  const sum = e0 + e1 + e2;
  return [e0 / sum, e1 / sum, e2 / sum];
}


export interface ModelScore {
  /** Highest probability of `urgent` over the whole message (with its question and history, and on its own) and its parts. */
  urgent: number;
  /** Probability of `urgent` for the whole message (with its question and history, and on its own). */
  urgentWhole: number;
  /** Highest probability of distress (wellbeing or urgent) over the same. */
  distress: number;
  /** Highest probability of wellbeing alone (distress without signs of risk) over the same. */
  wellbeing: number;
}

/**
 * Scores the whole message with its question and history, the message on its own, and, when it has more than two sentences, each
 * sentence and each pair of neighbouring sentences with the question: one risky sentence inside a long
 * message about rotas is not drowned out. Each sentence is featurised and summed once; the parts are sums
 * of sentence vectors.
 */
export function scoreWith(model: RiskModel, input: ScreeningInput): ModelScore {
  const buckets = model.file.buckets;
  const base = partOf(model, [biasFeature(buckets)]);
  const question = partOf(model, questionFeatures(input.question, input.text, buckets));
  const history = partOf(model, historyFeatures(input.history, buckets));
  const sentences = sentencesOf(input.text).map((s) => partOf(model, sentenceFeatures(s, buckets)));
  // The conversation can only raise a reading: the message is also scored on its own, and the higher wins
  // (an ordinary conversation so far must not talk down warning signs in what is said now).
  const whole = probabilitiesOf(model, [base, question, history, ...sentences]);
  const alone = probabilitiesOf(model, [base, ...sentences]);
  const urgentWhole = Math.max(whole[2], alone[2]);
  let urgent = urgentWhole;
  let distress = Math.max(whole[1] + whole[2], alone[1] + alone[2]);
  let wellbeing = Math.max(whole[1], alone[1]);
  if (sentences.length > 2)
    for (let i = 0; i < sentences.length; i++) {
      const parts = i + 1 < sentences.length ? [[sentences[i]!], [sentences[i]!, sentences[i + 1]!]] : [[sentences[i]!]];
      for (const part of parts) {
        const p = probabilitiesOf(model, [base, question, ...part]);
        if (p[2] > urgent) urgent = p[2];
        if (p[1] + p[2] > distress) distress = p[1] + p[2];
        if (p[1] > wellbeing) wellbeing = p[1];
      }
    }
  return { urgent, urgentWhole, distress, wellbeing };
}

import { shippedModel, scoreWith, type ModelFile, type ModelScore, type RiskModel } from './model/riskModel';
import type { ScreeningInput } from './model/features';
import { screenText, wellbeingReasonCodes, type ScreeningResult } from './screening';

/**
 * One screening of one message, read with the bot's last question and the person's last few messages:
 * the lexicon's level for the message (./screening.ts), raised (never lowered) by the learned model
 * (./model/riskModel.ts).
 *
 * Levels, lowest first:
 * - `none`;
 * - `wellbeing`: distress without signs of risk (Stress Support and Wellbeing service);
 * - `check`: warning signs without a clear statement, so the bot should ask directly whether the person
 *   is having thoughts of suicide, of harming someone, or is in danger;
 * - `urgent`: crisis routes now.
 * Reasons are codes only: lexicon categories, and `model-urgent`, `model-check` or `model-wellbeing` where
 * the model set or raised the level. Never the person's words. The lexicon's urgent phrases read `check`
 * when softening wording sits in the clause next to them (see `contested` in ./screening.ts).
 */

export type ScreenLevel = 'none' | 'wellbeing' | 'check' | 'urgent';
export const SCREEN_LEVELS: readonly ScreenLevel[] = ['none', 'wellbeing', 'check', 'urgent'];
export const screenRank: Record<ScreenLevel, number> = { none: 0, wellbeing: 1, check: 2, urgent: 3 };

export interface ScreenResult {
  level: ScreenLevel;
  reasons: string[];
  /** What the lexicon alone said, for evaluation and audit. */
  lexiconLevel: ScreenLevel;
  /** What the model alone said. */
  modelLevel: ScreenLevel;
  /** Whether the message also shows distress without signs of risk (the lexicon's words or the model's wellbeing score), whatever its level. */
  distressed: boolean;
}

export type { ScreeningInput };

/**
 * Whether the model's scores reach urgent: the message as a whole at `urgent`; one sentence (or two neighbouring
 * ones) of a longer message only at the stricter `urgentPart`. The training script reads scores the same way.
 */
export function modelScoresUrgent(s: Pick<ModelScore, 'urgent' | 'urgentWhole'>, t: Pick<ModelFile['thresholds'], 'urgent' | 'urgentPart'>): boolean {
  return s.urgentWhole >= t.urgent || s.urgent >= t.urgentPart;
}

/**
 * The model's own level for an input, and whether it reads distress in it. Where the lexicon read the urgent
 * words as work talk (`workTalk`), an urgent reading is asked about (check), not acted on.
 */
export function modelReading(model: RiskModel, input: ScreeningInput, workTalk = false): { level: ScreenLevel; distressed: boolean } {
  const scores = scoreWith(model, input);
  const { urgent, urgentWhole, distress, wellbeing } = scores;
  const t = model.file.thresholds;
  // "Distressed" is distress without signs of risk, on its own: what a "no" to the direct question leaves.
  const distressed = wellbeing >= t.wellbeing;
  const scoredUrgent = modelScoresUrgent(scores, t);
  if (scoredUrgent && !workTalk) return { level: 'urgent', distressed };
  // One sentence of a longer message needs more to raise a check than the message as a whole does.
  if (scoredUrgent || urgentWhole >= t.check || urgent >= t.checkPart) return { level: 'check', distressed };
  return { level: distress >= t.wellbeing ? 'wellbeing' : 'none', distressed };
}

/** The higher of two levels (the safer reading). */
export function higher(a: ScreenLevel, b: ScreenLevel): ScreenLevel {
  return screenRank[a] >= screenRank[b] ? a : b;
}

/** The rules' level: the lexicon's, where an urgent phrase with softening wording in the clause next to it is a warning sign (ask directly). */
export function rulesLevelOf(lexicon: ScreeningResult): ScreenLevel {
  return lexicon.contested ? 'check' : lexicon.level;
}

export function screenMessage(input: ScreeningInput, model: RiskModel = shippedModel()): ScreenResult {
  const text = typeof input.text === 'string' ? input.text : '';
  const lexicon = screenText(text);
  const lexiconLevel = rulesLevelOf(lexicon);
  const reading = text.trim().length === 0 ? { level: 'none' as ScreenLevel, distressed: false } : modelReading(model, { ...input, text }, lexicon.workTalk);
  const modelLevel = reading.level;
  const level = higher(lexiconLevel, modelLevel);
  const reasons = [...lexicon.reasons];
  if (screenRank[modelLevel] > screenRank[lexiconLevel] || (modelLevel === level && level !== 'none' && reasons.length === 0)) reasons.push(`model-${modelLevel}`);
  return { level, reasons, lexiconLevel, modelLevel, distressed: lexiconDistress(lexicon) || reading.distressed };
}

/**
 * Whether the lexicon reads distress: words for it (a wellbeing category), or urgent words it takes as a clear
 * statement. Urgent words it reads only as a warning sign ("I tried to end my life, fourteen years ago, and
 * I've been well since") are what the direct question asks about, so a "no" answers them, and coaching carries
 * on unless something else in the message shows distress.
 */
function lexiconDistress(lexicon: ScreeningResult): boolean {
  if (lexicon.level === 'none') return false;
  return !lexicon.contested || lexicon.reasons.some((r) => wellbeingReasonCodes.has(r));
}

/**
 * A value typed into a card (or a tab's form): prose is screened as a message is; a value of one word (a
 * button's verb, an id, a date) is read by the rules alone, because the model reads prose.
 */
export function screenCardValue(input: ScreeningInput, model: RiskModel = shippedModel()): ScreenResult {
  if (/\S\s+\S/.test(input.text.trim())) return screenMessage(input, model);
  const lexicon = screenText(input.text);
  const level = rulesLevelOf(lexicon);
  return { level, reasons: lexicon.reasons, lexiconLevel: level, modelLevel: 'none', distressed: lexiconDistress(lexicon) };
}

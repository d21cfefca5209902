/**
 * Everything a coaching card can send back, validated before any dialog uses it. A submission carries the
 * id of the question it answers, so a card left over from an earlier question is recognised as stale.
 */
import { z } from 'zod';
import { MAX_ANSWER_CHARS } from './answers';

const MAX_PLAN_FIELD = 500;
const planText = z
  .string()
  .max(MAX_ANSWER_CHARS * 2)
  .optional()
  .transform((s) => (s ?? '').trim().slice(0, MAX_PLAN_FIELD));
const isoDate = z
  .string()
  .optional()
  .transform((s) => (s ?? '').trim())
  .refine((s) => s === '' || /^\d{4}-\d{2}-\d{2}$/.test(s), 'by when must be a date');

/** A whole number as a card sends it: a number, or digits in a string (never true, [5] or "0x5"). */
export const wholeNumberInput = z
  .union([z.number(), z.string().regex(/^\s*\d{1,4}\s*$/)])
  .transform(Number)
  .pipe(z.number().int());

export const scalingSubmission = z.object({
  card: z.literal('scaling'),
  questionId: z.string().min(1).max(100),
  scale: wholeNumberInput.pipe(z.number().min(1).max(10)),
});

export const actionPlanSubmission = z.object({
  card: z.literal('actionPlan'),
  questionId: z.string().min(1).max(100),
  action1: planText,
  byWhen1: isoDate,
  action2: planText,
  byWhen2: isoDate,
  action3: planText,
  byWhen3: isoDate,
  obstacle1: planText,
  overcome1: planText,
  obstacle2: planText,
  overcome2: planText,
  obstacle3: planText,
  overcome3: planText,
});

export type ActionPlanSubmission = z.infer<typeof actionPlanSubmission>;

/** The card name and question id of any submission, if it looks like one of ours. */
const header = z.object({ card: z.string().max(50), questionId: z.string().max(100).optional() });

export function submissionHeader(value: unknown): { card: string; questionId?: string } | undefined {
  const parsed = header.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

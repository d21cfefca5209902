import { z } from 'zod';
import raw from './checkInThresholds.json';

/**
 * The self-report check-in: the four PHQ-4 items (free to use), the self-harm question asked on its own,
 * and a question on thoughts of harming someone else. It routes towards help only.
 */
const thresholdsSchema = z.object({
  version: z.string(),
  reviewDate: z.iso.date(),
  note: z.string(),
  sources: z.array(z.string()).min(1),
  anxietySubscaleAtLeast: z.number().int().min(1).max(6),
  depressionSubscaleAtLeast: z.number().int().min(1).max(6),
  totalForWellbeingAtLeast: z.number().int().min(1).max(12),
  totalForUrgentAtLeast: z.number().int().min(1).max(12),
});
export type CheckInThresholds = z.infer<typeof thresholdsSchema>;
export const checkInThresholds: CheckInThresholds = thresholdsSchema.parse(raw);

const frequency = z.enum(['0', '1', '2', '3'], { error: 'Please answer each question.' }).transform(Number);

export const checkInSubmission = z.object({
  card: z.literal('checkIn'),
  questionId: z.string().min(1).max(100),
  nervous: frequency,
  worrying: frequency,
  littleInterest: frequency,
  down: frequency,
  harmSelf: frequency,
  harmOthers: z.enum(['yes', 'no'], { error: 'Please answer each question.' }),
  anythingElse: z.string().max(4000).optional(),
});
export type CheckInAnswers = z.infer<typeof checkInSubmission>;

export interface CheckInResult {
  level: 'none' | 'wellbeing' | 'urgent';
  /** Which items led there: harm-self, harm-others, severe-distress, phq4-anxiety, phq4-depression, phq4-total. */
  reasons: string[];
}

export function scoreCheckIn(a: CheckInAnswers, t: CheckInThresholds = checkInThresholds): CheckInResult {
  const anxiety = a.nervous + a.worrying;
  const depression = a.littleInterest + a.down;
  const total = anxiety + depression;
  const urgent: string[] = [];
  if (a.harmSelf > 0) urgent.push('harm-self');
  if (a.harmOthers === 'yes') urgent.push('harm-others');
  if (total >= t.totalForUrgentAtLeast) urgent.push('severe-distress');
  if (urgent.length) return { level: 'urgent', reasons: urgent };
  const wellbeing: string[] = [];
  if (anxiety >= t.anxietySubscaleAtLeast) wellbeing.push('phq4-anxiety');
  if (depression >= t.depressionSubscaleAtLeast) wellbeing.push('phq4-depression');
  if (total >= t.totalForWellbeingAtLeast) wellbeing.push('phq4-total');
  return wellbeing.length ? { level: 'wellbeing', reasons: wellbeing } : { level: 'none', reasons: [] };
}

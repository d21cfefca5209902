import { z } from 'zod';
import raw from './signposting.json';

const contactSchema = z.object({ name: z.string().min(1), how: z.string().min(1), when: z.string().min(1) });
const signpostingSchema = z.object({
  version: z.string().min(1),
  reviewDate: z.iso.date(),
  note: z.string(),
  crisis: z.array(contactSchema).min(1),
});

export type Signposting = z.infer<typeof signpostingSchema>;

/** The crisis and support contacts, validated when the bot starts (a bad edit stops start-up, not a turn). */
export const signposting: Signposting = signpostingSchema.parse(raw);

/** True when the list is past its review date, so start-up can warn the operators. */
export function signpostingReviewOverdue(today: Date = new Date()): boolean {
  return signposting.reviewDate < today.toISOString().slice(0, 10);
}

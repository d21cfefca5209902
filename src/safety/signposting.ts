import { z } from 'zod';
import type { Nation } from '../config';
import raw from './signposting.json';

const contactSchema = z.object({ name: z.string().min(1), how: z.string().min(1), when: z.string().min(1) });
const contactsSchema = z.array(contactSchema).min(1);
const signpostingSchema = z.object({
  version: z.string().min(1),
  reviewDate: z.iso.date(),
  note: z.string(),
  wellbeingService: z.object({ name: z.string().min(1), about: z.string().min(1) }),
  nations: z.object({ england: contactsSchema, scotland: contactsSchema, wales: contactsSchema, 'northern-ireland': contactsSchema }),
});

export type Signposting = z.infer<typeof signpostingSchema>;
export type Contact = z.infer<typeof contactSchema>;

/** The crisis and support contacts, validated when the bot starts (a bad edit stops start-up, not a turn). */
export const signposting: Signposting = signpostingSchema.parse(raw);

export function crisisContacts(nation: Nation): Contact[] {
  return signposting.nations[nation];
}

/** True when the list is past its review date, so start-up can warn the operators. */
export function signpostingReviewOverdue(today: Date = new Date()): boolean {
  return signposting.reviewDate < today.toISOString().slice(0, 10);
}

import { z } from 'zod';
import type { Nation } from '../config';
import raw from './signposting.json';

const contactSchema = z.object({
  name: z.string().min(1),
  how: z.string().min(1),
  when: z.string().min(1),
  /** Screening reason codes for which this contact comes straight after emergency services. */
  for: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).optional(),
});
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

/**
 * The nation's contacts in the file's order; with reason codes, the contacts for those reasons come straight
 * after the first (emergency services): someone in danger from another person sees the domestic abuse
 * helpline second, not sixth.
 */
export function crisisContacts(nation: Nation, reasons: readonly string[] = []): Contact[] {
  const [first, ...rest] = signposting.nations[nation];
  const forReason = (c: Contact) => c.for?.some((r) => reasons.includes(r)) ?? false;
  return [first!, ...rest.filter(forReason), ...rest.filter((c) => !forReason(c))];
}

/** True when the list is past its review date, so start-up can warn the operators. */
export function signpostingReviewOverdue(today: Date = new Date()): boolean {
  return signposting.reviewDate < today.toISOString().slice(0, 10);
}

import { createHash } from 'node:crypto';
import type { Referrals } from './referralsPort';

/**
 * A referral to the service leads, written to Cosmos DB before the person is told about it and then
 * delivered to the leads' channel by the outbox. It never holds what the person wrote: only who, the
 * level, what triggered it (keyword categories or check-in items) and what they were shown.
 */
export type ReferralLevel = 'wellbeing' | 'urgent';

export interface ReferralTrigger {
  source: 'keywords' | 'checkIn' | 'directCheck';
  /** Keyword categories (e.g. "suicidal-ideation"), check-in items (e.g. "harm-self"), or for a direct check the screening codes and the answer (e.g. "answer-yes"). */
  reasons: string[];
}

export interface AuditEntry {
  at: string;
  event: string;
  by?: string;
}

export interface Referral {
  id: string;
  docType: 'referral';
  tenantId: string;
  level: ReferralLevel;
  person: { userId: string; teamsId: string; name: string };
  trigger: ReferralTrigger;
  /** What the person was shown, e.g. "crisis-signposting", "wellbeing-service". */
  shown: string[];
  /** Wellbeing referrals are only sent with the person's consent; urgent ones are the obligation to refer on. */
  consented: boolean;
  conversationType: string;
  createdAt: string;
  status: 'open' | 'acknowledged' | 'closed';
  acknowledged?: { by: string; byName: string; at: string };
  /** Note from the person, e.g. that the bot misunderstood their wording. Never their message. */
  personSaid?: 'misunderstood';
  delivery: {
    state: 'pending' | 'delivered' | 'failed';
    attempts: number;
    nextAttemptAt: string;
    lastError?: string;
    /** The id of the card in the leads' channel, once posted. */
    channelActivityId?: string;
    /** Ids of earlier copies of the card (reminders), so acknowledging updates them all. */
    earlierActivityIds?: string[];
    postedAt?: string;
    reposts: number;
    claimedBy?: string;
    claimedUntil?: string;
  };
  audit: AuditEntry[];
}

export type NewReferral = Pick<Referral, 'tenantId' | 'level' | 'person' | 'trigger' | 'shown' | 'consented' | 'conversationType'>;

/** The same turn (even run again after a conflict or redelivered) always makes the same referral id. */
export function referralId(tenantId: string, userId: string, activityId: string, level: ReferralLevel): string {
  return createHash('sha256').update(`${tenantId}\n${userId}\n${activityId}\n${level}`).digest('hex').slice(0, 32);
}

export async function recordReferral(referrals: Referrals, id: string, input: NewReferral, now = new Date()): Promise<Referral> {
  const referral: Referral = {
    ...input,
    id,
    docType: 'referral',
    createdAt: now.toISOString(),
    status: 'open',
    delivery: { state: 'pending', attempts: 0, nextAttemptAt: now.toISOString(), reposts: 0 },
    audit: [{ at: now.toISOString(), event: `recorded (${input.level}, ${input.trigger.source})` }],
  };
  if ((await referrals.create(referral)) === 'created') return referral;
  return (await referrals.read(id))?.doc ?? referral;
}

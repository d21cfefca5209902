/**
 * The referrals container as the safety room needs it: referrals and each tenant's leads' channel, read with
 * their version and written back only if unchanged, and the few questions the outbox, the service report and
 * "export my data" ask. The Cosmos implementation is src/store/cosmosReferrals.ts, its twin in memory
 * src/store/memoryReferrals.ts; nothing here knows about Cosmos or HTTP status codes.
 */
import type { Versioned } from '../persistence/versioned';
import type { LeadsChannelRegistration, StoredReferral } from './referralStore';

/** A referral waiting to be posted, as the health check counts it. */
export interface WaitingReferral {
  tenantId: string;
  createdAt: string;
  state: StoredReferral['delivery']['state'];
}

export interface Referrals {
  read(id: string): Promise<Versioned<StoredReferral> | undefined>;
  /** Creates a referral; 'exists' when one with that id is already there (the same turn run again). */
  create(referral: StoredReferral): Promise<'created' | 'exists'>;
  /** Replaces a referral only if it is still at `eTag`; the new eTag, or undefined when someone else changed or removed it first. */
  replaceIfUnchanged(referral: StoredReferral, eTag: string): Promise<string | undefined>;
  /** Referrals not yet posted (pending or failed) whose next attempt is due at `now` (ISO). */
  dueForPosting(now: string): Promise<Versioned<StoredReferral>[]>;
  /** Urgent referrals still open whose latest card was posted at or before `postedBefore` (ISO). */
  dueForReminder(postedBefore: string): Promise<Versioned<StoredReferral>[]>;
  /** Every referral not yet posted. */
  waiting(): Promise<WaitingReferral[]>;
  /** When each referral no lead has acknowledged yet was made (never who). */
  openSince(): Promise<string[]>;
  /** Every referral about one person, for "export my data". */
  about(userId: string): Promise<StoredReferral[]>;
  leadsChannel(tenantId: string): Promise<LeadsChannelRegistration | undefined>;
  /** Registers (or moves) a tenant's leads' channel. */
  saveLeadsChannel(registration: LeadsChannelRegistration): Promise<void>;
  leadsChannels(): Promise<LeadsChannelRegistration[]>;
}

/**
 * Reads and conditional changes of referrals and leads' channels, shared by the outbox, the leads' channel
 * handler and the risk gate. They change the same documents (the outbox records deliveries, a lead
 * acknowledges, the person says the bot misunderstood), so every change goes through the one conditional
 * update (src/persistence/conditionalUpdate.ts): re-read and re-applied when someone else wrote first.
 */
import type { ConversationReference } from 'botbuilder';
import { updateIfUnchanged, type VersionedDocument } from '../persistence/conditionalUpdate';
import type { Versioned } from '../persistence/versioned';
import type { Referral } from './referrals';
import type { Referrals } from './referralsPort';

/**
 * Fields the outbox keeps beyond the Referral type. `earlierActivityIds` holds the cards posted before the
 * latest repost (channelActivityId is always the newest), so acknowledging can update every copy.
 */
export type StoredReferral = Referral & { delivery: Referral['delivery'] & { earlierActivityIds?: string[] } };

/** Where referrals for one tenant are posted: registered by a service lead with "register referrals". */
export interface LeadsChannelRegistration {
  id: string;
  docType: 'leadsChannel';
  tenantId: string;
  reference: Partial<ConversationReference>;
  registeredBy: string;
  registeredAt: string;
}

export const leadsChannelDocId = (tenantId: string) => `leads-channel:${tenantId}`;

export function readLeadsChannel(referrals: Referrals, tenantId: string): Promise<LeadsChannelRegistration | undefined> {
  return referrals.leadsChannel(tenantId);
}

export async function readReferral(referrals: Referrals, id: string): Promise<{ referral: StoredReferral; etag: string } | undefined> {
  const found = await referrals.read(id);
  return found && { referral: found.doc, etag: found.eTag };
}

export interface UpdateResult {
  referral: StoredReferral;
  etag: string;
  /** False when `change` decided nothing needed changing. */
  changed: boolean;
}

/** One referral as a VersionedDocument for the conditional update. */
export function referralDocument(referrals: Referrals, id: string): VersionedDocument<StoredReferral> {
  return {
    read: () => referrals.read(id),
    // A referral is never created by a change: a write with no version means it has gone.
    write: async (doc, eTag) => (eTag === undefined ? undefined : referrals.replaceIfUnchanged(dropUndefined(doc), eTag)),
  };
}

/**
 * Applies the change named `name` to the referral: `change` returns the new document, or undefined to leave
 * it as it is. Resolves undefined if the referral does not exist.
 */
export async function updateReferral(
  referrals: Referrals,
  id: string,
  name: string,
  change: (current: StoredReferral) => StoredReferral | undefined,
  start?: { referral: StoredReferral; etag: string },
): Promise<UpdateResult | undefined> {
  const updated = await updateIfUnchanged<StoredReferral, undefined>(
    referralDocument(referrals, id),
    {
      name,
      apply: (current) => {
        const next = current && change(current);
        return next ? { write: next, result: undefined } : { keep: undefined };
      },
    },
    { start: start && ({ doc: start.referral, eTag: start.etag } satisfies Versioned<StoredReferral>) },
  );
  return updated.stored && { referral: updated.stored.doc, etag: updated.stored.eTag, changed: updated.changed };
}

/** Referrals no lead has acknowledged yet: how many, and when the oldest was made (for the service report; never who). */
export async function openReferralsSummary(referrals: Referrals): Promise<{ count: number; oldestCreatedAt?: string }> {
  const createdAt = await referrals.openSince();
  const oldest = [...createdAt].sort()[0];
  return { count: createdAt.length, ...(oldest ? { oldestCreatedAt: oldest } : {}) };
}

/** Every registered leads' channel (one per tenant), for posts to the leads that are not about a referral. */
export function allLeadsChannels(referrals: Referrals): Promise<LeadsChannelRegistration[]> {
  return referrals.leadsChannels();
}

/** Stored documents leave out absent fields anyway; dropping `undefined` keeps both stores and comparisons alike. */
function dropUndefined(referral: StoredReferral): StoredReferral {
  return JSON.parse(JSON.stringify(referral)) as StoredReferral;
}

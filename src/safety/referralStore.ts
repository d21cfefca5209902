import type { Container, ItemDefinition } from '@azure/cosmos';
import type { ConversationReference } from 'botbuilder';
import { statusOf } from '../store/cosmosBotStorage';
import type { Referral } from './referrals';

/**
 * Reads and conditional writes on the referrals container shared by the outbox and the leads' channel
 * handler. Both change the same documents (the outbox records deliveries, a lead acknowledges), so every
 * write is a replace on the eTag that was read, and a refused write (412) is re-read and re-applied.
 */

/**
 * Fields the outbox keeps beyond the Referral type. `earlierActivityIds` holds the cards posted before the
 * latest repost (channelActivityId is always the newest), so acknowledging can update every copy.
 */
export type StoredReferral = Referral & ItemDefinition & { delivery: Referral['delivery'] & { earlierActivityIds?: string[] } };

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

export async function readLeadsChannel(container: Container, tenantId: string): Promise<LeadsChannelRegistration | undefined> {
  const id = leadsChannelDocId(tenantId);
  try {
    const { resource } = await container.item(id, id).read<LeadsChannelRegistration>();
    return resource?.docType === 'leadsChannel' ? resource : undefined;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export async function readReferral(container: Container, id: string): Promise<{ referral: StoredReferral; etag: string } | undefined> {
  try {
    const { resource, etag } = await container.item(id, id).read<StoredReferral>();
    if (!resource || resource.docType !== 'referral') return undefined;
    return { referral: resource, etag: etag ?? resource._etag ?? '' };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** Replaces the referral only if it still has `etag`. Resolves with the new eTag, or undefined when someone else changed it first. */
export async function replaceIfUnchanged(container: Container, referral: StoredReferral, etag: string): Promise<string | undefined> {
  try {
    const { etag: next, resource } = await container
      .item(referral.id, referral.id)
      .replace<StoredReferral>(withoutSystemFields(referral), { accessCondition: { type: 'IfMatch', condition: etag } });
    return next ?? resource?._etag ?? '';
  } catch (err) {
    const status = statusOf(err);
    if (status === 412 || status === 404) return undefined;
    throw err;
  }
}

export interface UpdateResult {
  referral: StoredReferral;
  etag: string;
  /** False when `change` decided nothing needed changing. */
  changed: boolean;
}

/**
 * Read, change, replace on the eTag read; on a conflict read again and re-apply `change` to the fresh copy.
 * `change` returns the new document, or undefined to leave it as it is. Resolves undefined if the referral
 * does not exist; throws if it keeps conflicting (it should not: writers are few and quick).
 */
export async function updateReferral(
  container: Container,
  id: string,
  change: (current: StoredReferral) => StoredReferral | undefined,
  start?: { referral: StoredReferral; etag: string },
  maxAttempts = 8,
): Promise<UpdateResult | undefined> {
  let current = start ?? (await readReferral(container, id));
  for (let attempt = 1; current; attempt += 1) {
    const next = change(structuredClone(current.referral));
    if (!next) return { ...current, changed: false };
    const etag = await replaceIfUnchanged(container, next, current.etag);
    if (etag !== undefined) return { referral: next, etag, changed: true };
    if (attempt >= maxAttempts) throw Object.assign(new Error('referral kept changing during the update'), { code: 'ReferralConflict' });
    current = await readReferral(container, id);
  }
  return undefined;
}

function withoutSystemFields(referral: StoredReferral): StoredReferral {
  const { _rid: _r, _self: _s, _etag: _e, _ts: _t, _attachments: _a, ...rest } = referral as StoredReferral & Record<string, unknown>;
  return rest as StoredReferral;
}

/** Referrals no lead has acknowledged yet: how many, and when the oldest was made (for the service report; never who). */
export async function openReferralsSummary(container: Container): Promise<{ count: number; oldestCreatedAt?: string }> {
  const { resources } = await container.items
    .query<{ createdAt: string }>({ query: "SELECT c.createdAt FROM c WHERE c.docType = 'referral' AND c.status = 'open'" })
    .fetchAll();
  const oldest = resources.map((r) => r.createdAt).sort()[0];
  return { count: resources.length, ...(oldest ? { oldestCreatedAt: oldest } : {}) };
}

/** Every registered leads' channel (one per tenant), for posts to the leads that are not about a referral. */
export async function allLeadsChannels(container: Container): Promise<LeadsChannelRegistration[]> {
  const { resources } = await container.items
    .query<LeadsChannelRegistration>({ query: "SELECT * FROM c WHERE c.docType = 'leadsChannel'" })
    .fetchAll();
  return resources;
}

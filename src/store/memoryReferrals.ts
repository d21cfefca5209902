/** The referrals port (src/safety/referralsPort.ts) in memory, with the Cosmos implementation's rules and answers. */
import type { Versioned } from '../persistence/versioned';
import type { LeadsChannelRegistration, StoredReferral } from '../safety/referralStore';
import { leadsChannelDocId } from '../safety/referralStore';
import type { Referrals, WaitingReferral } from '../safety/referralsPort';
import { MemoryDocuments } from './memoryDocuments';

type Stored = StoredReferral | LeadsChannelRegistration;

export class MemoryReferrals implements Referrals {
  private readonly documents = new MemoryDocuments<Stored>();

  async read(id: string): Promise<Versioned<StoredReferral> | undefined> {
    const found = this.documents.read(id);
    return found?.doc.docType === 'referral' ? (found as Versioned<StoredReferral>) : undefined;
  }

  async create(referral: StoredReferral): Promise<'created' | 'exists'> {
    return this.documents.create(referral);
  }

  async replaceIfUnchanged(referral: StoredReferral, eTag: string): Promise<string | undefined> {
    return this.documents.replaceIfUnchanged(referral, eTag);
  }

  async dueForPosting(now: string): Promise<Versioned<StoredReferral>[]> {
    return this.referrals().filter(({ doc }) => notPosted(doc) && doc.delivery.nextAttemptAt <= now);
  }

  async dueForReminder(postedBefore: string): Promise<Versioned<StoredReferral>[]> {
    return this.referrals().filter(
      ({ doc }) => doc.level === 'urgent' && doc.status === 'open' && doc.delivery.state === 'delivered' && doc.delivery.postedAt !== undefined && doc.delivery.postedAt <= postedBefore,
    );
  }

  async waiting(): Promise<WaitingReferral[]> {
    return this.referrals()
      .filter(({ doc }) => notPosted(doc))
      .map(({ doc }) => ({ tenantId: doc.tenantId, createdAt: doc.createdAt, state: doc.delivery.state }));
  }

  async openSince(): Promise<string[]> {
    return this.referrals()
      .filter(({ doc }) => doc.status === 'open')
      .map(({ doc }) => doc.createdAt);
  }

  async about(userId: string): Promise<StoredReferral[]> {
    return this.referrals()
      .filter(({ doc }) => doc.person.userId === userId)
      .map(({ doc }) => doc);
  }

  async leadsChannel(tenantId: string): Promise<LeadsChannelRegistration | undefined> {
    const found = this.documents.read(leadsChannelDocId(tenantId))?.doc;
    return found?.docType === 'leadsChannel' ? found : undefined;
  }

  async saveLeadsChannel(registration: LeadsChannelRegistration): Promise<void> {
    this.documents.upsert(registration);
  }

  async leadsChannels(): Promise<LeadsChannelRegistration[]> {
    return this.documents
      .all()
      .map(({ doc }) => doc)
      .filter((doc): doc is LeadsChannelRegistration => doc.docType === 'leadsChannel');
  }

  private referrals(): Versioned<StoredReferral>[] {
    return this.documents.all().filter((found): found is Versioned<StoredReferral> => found.doc.docType === 'referral');
  }
}

function notPosted(referral: StoredReferral): boolean {
  return referral.delivery.state === 'pending' || referral.delivery.state === 'failed';
}

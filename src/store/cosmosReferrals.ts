/** The referrals port (src/safety/referralsPort.ts) on the Cosmos `referrals` container, partitioned by /id. */
import type { Container, ItemDefinition } from '@azure/cosmos';
import type { Versioned } from '../persistence/versioned';
import type { LeadsChannelRegistration, StoredReferral } from '../safety/referralStore';
import type { Referrals, WaitingReferral } from '../safety/referralsPort';
import { leadsChannelDocId } from '../safety/referralStore';
import { createOnce, readVersioned, replaceOnVersion, withoutSystemFields } from './cosmosDocuments';

const NOT_POSTED = "(c.delivery.state = 'pending' OR c.delivery.state = 'failed')";

export class CosmosReferrals implements Referrals {
  constructor(private readonly container: Container) {}

  async read(id: string): Promise<Versioned<StoredReferral> | undefined> {
    const found = await readVersioned<StoredReferral>(this.container, id, id);
    return found?.doc.docType === 'referral' ? found : undefined;
  }

  create(referral: StoredReferral): Promise<'created' | 'exists'> {
    return createOnce(this.container, referral);
  }

  replaceIfUnchanged(referral: StoredReferral, eTag: string): Promise<string | undefined> {
    return replaceOnVersion(this.container, referral, referral.id, eTag);
  }

  dueForPosting(now: string): Promise<Versioned<StoredReferral>[]> {
    return this.referrals(`SELECT * FROM c WHERE c.docType = 'referral' AND ${NOT_POSTED} AND c.delivery.nextAttemptAt <= @now`, { '@now': now });
  }

  dueForReminder(postedBefore: string): Promise<Versioned<StoredReferral>[]> {
    return this.referrals(
      "SELECT * FROM c WHERE c.docType = 'referral' AND c.level = 'urgent' AND c.status = 'open' AND c.delivery.state = 'delivered' AND c.delivery.postedAt <= @before",
      { '@before': postedBefore },
    );
  }

  async waiting(): Promise<WaitingReferral[]> {
    const { resources } = await this.container.items
      .query<WaitingReferral>({ query: `SELECT c.tenantId, c.createdAt, c.delivery.state AS state FROM c WHERE c.docType = 'referral' AND ${NOT_POSTED}` })
      .fetchAll();
    return resources;
  }

  async openSince(): Promise<string[]> {
    const { resources } = await this.container.items
      .query<{ createdAt: string }>({ query: "SELECT c.createdAt FROM c WHERE c.docType = 'referral' AND c.status = 'open'" })
      .fetchAll();
    return resources.map((r) => r.createdAt);
  }

  async about(userId: string): Promise<StoredReferral[]> {
    const found = await this.referrals('SELECT * FROM c WHERE c.docType = "referral" AND c.person.userId = @userId', { '@userId': userId });
    return found.map((f) => f.doc);
  }

  async leadsChannel(tenantId: string): Promise<LeadsChannelRegistration | undefined> {
    const id = leadsChannelDocId(tenantId);
    const found = await readVersioned<LeadsChannelRegistration>(this.container, id, id);
    return found?.doc.docType === 'leadsChannel' ? found.doc : undefined;
  }

  async saveLeadsChannel(registration: LeadsChannelRegistration): Promise<void> {
    await this.container.items.upsert(JSON.parse(JSON.stringify(registration)));
  }

  async leadsChannels(): Promise<LeadsChannelRegistration[]> {
    const { resources } = await this.container.items
      .query<LeadsChannelRegistration & ItemDefinition>({ query: "SELECT * FROM c WHERE c.docType = 'leadsChannel'" })
      .fetchAll();
    return resources.map((r) => withoutSystemFields(r));
  }

  private async referrals(query: string, values: Record<string, string>): Promise<Versioned<StoredReferral>[]> {
    const parameters = Object.entries(values).map(([name, value]) => ({ name, value }));
    const { resources } = await this.container.items.query<StoredReferral & ItemDefinition>({ query, parameters }).fetchAll();
    return resources.map((r) => ({ doc: withoutSystemFields(r), eTag: r._etag ?? '' }));
  }
}

/** The bookings port (src/booking/bookingsPort.ts) on the Cosmos `bookings` container, partitioned by /coachId. */
import type { Container, ItemDefinition } from '@azure/cosmos';
import type { Bookings, BookingsDocument, Versioned } from '../booking/bookingsPort';
import type { Slot } from '../booking/slots';
import { readVersioned, statusOf, withoutSystemFields } from './cosmosDocuments';

export class CosmosBookings implements Bookings {
  constructor(private readonly container: Container) {}

  async read<T extends BookingsDocument>(id: string, coachId: string): Promise<Versioned<T> | undefined> {
    return readVersioned<T>(this.container, id, coachId);
  }

  async create(doc: BookingsDocument): Promise<'created' | 'exists'> {
    try {
      await this.container.items.create(doc);
      return 'created';
    } catch (err) {
      if (statusOf(err) === 409) return 'exists';
      throw err;
    }
  }

  async replaceIfUnchanged(doc: BookingsDocument, eTag: string): Promise<'saved' | 'changed'> {
    try {
      await this.container.item(doc.id, doc.coachId).replace(doc, { accessCondition: { type: 'IfMatch', condition: eTag } });
      return 'saved';
    } catch (err) {
      const status = statusOf(err);
      if (status === 412 || status === 404) return 'changed';
      throw err;
    }
  }

  async slotsOfCoach(coachId: string): Promise<Slot[]> {
    return this.slots('SELECT * FROM c WHERE c.docType = "slot" AND c.coachId = @coachId', { '@coachId': coachId }, coachId);
  }

  async freeSlotsStarting(from: string, until: string): Promise<Slot[]> {
    return this.slots('SELECT * FROM c WHERE c.docType = "slot" AND c.status = "free" AND c.start > @from AND c.start < @until', { '@from': from, '@until': until });
  }

  async bookedSlotsOf(staffId: string, after: string): Promise<Slot[]> {
    return this.slots('SELECT * FROM c WHERE c.docType = "slot" AND c.status = "booked" AND c.booking.staffId = @staffId AND c.end > @after', {
      '@staffId': staffId,
      '@after': after,
    });
  }

  private async slots(query: string, values: Record<string, string>, partitionKey?: string): Promise<Slot[]> {
    const parameters = Object.entries(values).map(([name, value]) => ({ name, value }));
    const { resources } = await this.container.items.query<Slot & ItemDefinition>({ query, parameters }, partitionKey ? { partitionKey } : {}).fetchAll();
    return resources.map((r) => withoutSystemFields(r));
  }
}

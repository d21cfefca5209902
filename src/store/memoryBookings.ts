/** The bookings port (src/booking/bookingsPort.ts) in memory, with the Cosmos implementation's rules and answers. */
import type { Bookings, BookingsDocument, Versioned } from '../booking/bookingsPort';
import type { Slot } from '../booking/slots';
import { MemoryDocuments } from './memoryDocuments';

export class MemoryBookings implements Bookings {
  // Cosmos keeps an id once per partition (coach); so does this, by keying on both.
  private readonly documents = new MemoryDocuments<{ id: string; doc: BookingsDocument }>();

  async read<T extends BookingsDocument>(id: string, coachId: string): Promise<Versioned<T> | undefined> {
    const found = this.documents.read(key(id, coachId));
    return found && { doc: found.doc.doc as T, eTag: found.eTag };
  }

  async create(doc: BookingsDocument): Promise<'created' | 'exists'> {
    return this.documents.create({ id: key(doc.id, doc.coachId), doc });
  }

  async replaceIfUnchanged(doc: BookingsDocument, eTag: string): Promise<'saved' | 'changed'> {
    return this.documents.replaceIfUnchanged({ id: key(doc.id, doc.coachId), doc }, eTag) === undefined ? 'changed' : 'saved';
  }

  async slotsOfCoach(coachId: string): Promise<Slot[]> {
    return this.slots().filter((s) => s.coachId === coachId);
  }

  async freeSlotsStarting(from: string, until: string): Promise<Slot[]> {
    return this.slots().filter((s) => s.status === 'free' && s.start > from && s.start < until);
  }

  async bookedSlotsOf(staffId: string, after: string): Promise<Slot[]> {
    return this.slots().filter((s) => s.status === 'booked' && s.booking?.staffId === staffId && s.end > after);
  }

  private slots(): Slot[] {
    return this.documents
      .all()
      .map(({ doc }) => doc.doc)
      .filter((doc): doc is Slot => doc.docType === 'slot');
  }
}

const key = (id: string, coachId: string) => JSON.stringify([coachId, id]);

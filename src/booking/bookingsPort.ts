/**
 * The bookings container as the booking room needs it: coaches' slots and the coach directory, read with
 * their version and written back only if unchanged, and the three queries the conversations ask. The Cosmos
 * implementation is src/store/cosmosBookings.ts; nothing here knows about Cosmos or HTTP status codes.
 */
import type { VersionedDocument } from '../persistence/conditionalUpdate';
import type { Slot } from './slots';

/** A stored document with the version (eTag) it was read at. */
export interface Versioned<T> {
  doc: T;
  eTag: string;
}

/** Any document in the bookings container: partitioned by `coachId`. */
export interface BookingsDocument {
  id: string;
  coachId: string;
  docType: string;
}

export interface Bookings {
  read<T extends BookingsDocument>(id: string, coachId: string): Promise<Versioned<T> | undefined>;
  /** Creates a document; 'exists' when one with that id is already there. */
  create(doc: BookingsDocument): Promise<'created' | 'exists'>;
  /** Replaces a document only if it is still at `eTag`; 'changed' when someone wrote it first. */
  replaceIfUnchanged(doc: BookingsDocument, eTag: string): Promise<'saved' | 'changed'>;
  slotsOfCoach(coachId: string): Promise<Slot[]>;
  /** Free slots starting after `from` and before `until` (ISO times), any coach. */
  freeSlotsStarting(from: string, until: string): Promise<Slot[]>;
  /** Booked slots of a staff member that end after `after` (ISO time). */
  bookedSlotsOf(staffId: string, after: string): Promise<Slot[]>;
}

/** One document of the bookings container, for the one conditional update (src/persistence/conditionalUpdate.ts). */
export function bookingDocument<T extends BookingsDocument>(bookings: Bookings, id: string, coachId: string): VersionedDocument<T> {
  return {
    read: () => bookings.read<T>(id, coachId),
    // The port answers only whether it wrote; the next change reads the document again for its new version.
    write: async (doc, eTag) => {
      const written = eTag === undefined ? await bookings.create(doc) : await bookings.replaceIfUnchanged(doc, eTag);
      return written === 'created' || written === 'saved' ? (eTag ?? '') : undefined;
    },
  };
}

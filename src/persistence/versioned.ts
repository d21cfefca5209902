/**
 * What every stored document shares, whatever it holds and wherever it is kept: it is read with its version
 * (the store's eTag) and written back only if that version still stands. The ports of the rooms (People and
 * Chats here; Referrals, Jobs and Bookings in their own rooms) speak these terms; src/store/ implements
 * them on Cosmos DB and in memory.
 */

/** A stored document with the version (eTag) it was read at. */
export interface Versioned<T> {
  doc: T;
  eTag: string;
}

/** Raised when a write was refused because someone else changed (or created, or deleted) the document since it was read. */
export class StateConflictError extends Error {
  constructor(readonly key: string) {
    super('The stored state changed since it was read');
    this.name = 'StateConflictError';
  }
}

/**
 * State documents by key: a person's own document (People, keyed by their Entra object id) or a group
 * chat's (Chats, keyed by conversation). A read carries the `eTag` to write back with; a write with a stale
 * eTag, or with none when the document exists, throws StateConflictError.
 *
 * `D` is the sections a reader works with: the whole documents are src/documents/person.ts and chat.ts, which
 * compose the sections their owners declare (coaching's, the gate's, …); a room below src/documents/ names
 * the sections it reads (`People<CoachingSection & ReachSection>`), and the store behind it keeps the rest.
 */
export interface StateDocuments<D extends object = Record<string, unknown>> {
  readOne(key: string): Promise<(D & { eTag: string }) | undefined>;
  /** Writes `state` if the document is still at `eTag`, or, with no eTag, if there is none yet. Resolves with the new eTag. */
  writeIfUnchanged(key: string, state: D, eTag: string | undefined): Promise<string>;
  /** Deletes the document if it is still at `eTag` (gone already counts as done). */
  deleteIfUnchanged(key: string, eTag: string): Promise<void>;
}

/** Each person's own document: their programme, their place in it, safety state and 1:1 conversation reference. */
export type People<D extends object = Record<string, unknown>> = StateDocuments<D>;
/** Each group chat's or channel's document: a coach-joined session and the chat's place in it. */
export type Chats<D extends object = Record<string, unknown>> = StateDocuments<D>;

/**
 * The one read-modify-write: read a document with its version, apply a named change, write it back (or
 * remove it) only if the version is unchanged, and on a conflict read again and apply the change to the fresh
 * copy, up to UPDATE_ATTEMPTS times (or the change's own limit). Every room that changes a stored document
 * someone else may change at the same time (a person's document, a referral, a job, a slot, the coach
 * directory, a service aggregate) goes through here.
 */
import { StateConflictError, type StateDocuments, type Versioned } from './versioned';

/** How many times a change is tried on a fresh copy before giving up; conflicts are rare and writers quick. */
export const UPDATE_ATTEMPTS = 8;

/** One document, read with its version and written back only if that version still stands. */
export interface VersionedDocument<T> {
  read(): Promise<Versioned<T> | undefined>;
  /**
   * Writes `doc` if the stored copy is still at `eTag` (with no eTag: if there is no stored copy yet).
   * Resolves with the new eTag, or undefined when someone else wrote (or removed) it first.
   */
  write(doc: T, eTag: string | undefined): Promise<string | undefined>;
  /** Removes the stored copy if it is still at `eTag` (gone already counts as done); false when someone else changed it first. */
  remove?(eTag: string): Promise<boolean>;
}

/** What a change decides on the current copy: write this (and answer `result`), remove it, or leave it as it is. */
export type Decision<T, R> = { write: T; result: R } | { remove: R } | { keep: R };

export interface NamedChange<T, R> {
  /** Names the change in logs and in the error when it keeps conflicting ("acknowledge referral"). */
  name: string;
  /** Given the current copy (undefined when there is none), what to do. Called again on each fresh copy. */
  apply(current: T | undefined): Decision<T, R>;
}

export interface UpdateOptions<T> {
  /** A copy already read (such as a claimed outbox item): the first attempt uses it instead of reading. */
  start?: Versioned<T>;
  /** Called after a conflict, before reading again (to log it, or to pause before trying again). */
  onConflict?: (attempt: number) => void | Promise<void>;
  /** How many times the change is tried before UpdateConflictError (UPDATE_ATTEMPTS unless the change says). */
  attempts?: number;
}

export interface Updated<T, R> {
  result: R;
  /** The copy as stored afterwards, with its version; undefined when there is none. */
  stored?: Versioned<T>;
  /** False when the change decided to leave the document as it was. */
  changed: boolean;
}

/** Thrown when a change met a conflict on every one of its attempts. */
export class UpdateConflictError extends Error {
  readonly code = 'UpdateConflict';
  constructor(readonly change: string) {
    super(`the document kept changing during "${change}"`);
    this.name = 'UpdateConflictError';
  }
}

export async function updateIfUnchanged<T, R>(document: VersionedDocument<T>, change: NamedChange<T, R>, options: UpdateOptions<T> = {}): Promise<Updated<T, R>> {
  const attempts = options.attempts ?? UPDATE_ATTEMPTS;
  let current = options.start ?? (await document.read());
  for (let attempt = 1; ; attempt += 1) {
    const decision = change.apply(current && structuredClone(current.doc));
    if ('keep' in decision) return { result: decision.keep, stored: current, changed: false };
    if ('remove' in decision) {
      if (!current) return { result: decision.remove, changed: false };
      if (!document.remove) throw new Error(`"${change.name}" removes a document that cannot be removed`);
      if (await document.remove(current.eTag)) return { result: decision.remove, changed: true };
    } else {
      const eTag = await document.write(decision.write, current?.eTag);
      if (eTag !== undefined) return { result: decision.result, stored: { doc: decision.write, eTag }, changed: true };
    }
    if (attempt >= attempts) throw new UpdateConflictError(change.name);
    await options.onConflict?.(attempt);
    current = await document.read();
  }
}

/** A state document (src/persistence/versioned.ts StateDocuments) by key, as one VersionedDocument. */
export function stateDocument<D extends object>(documents: StateDocuments<D>, key: string): VersionedDocument<D> {
  return {
    read: async () => {
      const stored = await documents.readOne(key);
      if (!stored) return undefined;
      const { eTag, ...doc } = stored;
      return { doc: doc as D, eTag };
    },
    write: async (doc, eTag) => {
      try {
        return await documents.writeIfUnchanged(key, doc, eTag);
      } catch (err) {
        if (err instanceof StateConflictError) return undefined;
        throw err;
      }
    },
    remove: async (eTag) => {
      try {
        await documents.deleteIfUnchanged(key, eTag);
        return true;
      } catch (err) {
        if (err instanceof StateConflictError) return false;
        throw err;
      }
    },
  };
}

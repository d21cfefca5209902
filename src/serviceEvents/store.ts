import type { MonthAggregate } from './aggregate';
import type { ServiceEvent } from './events';
import type { VersionedDocument } from '../persistence/conditionalUpdate';

/**
 * Where service events live, behind a small interface: src/store/serviceStore.ts keeps them in Cosmos DB, and
 * an in-memory twin (same file) serves unit tests and the benchmark's generator. Each document has one type and
 * one owner (this module's recorder, report and jobs).
 */

/** A document read with the version to write it back on (Cosmos eTag). */
export interface Versioned<T> {
  doc: T;
  etag: string;
}

/** Documents with an id, written only if unchanged since read (or, with no eTag, only if new). */
export interface VersionedDocs<T extends { id: string }> {
  read(id: string): Promise<Versioned<T> | undefined>;
  /** True if written; false if someone else changed (or created) it first. */
  write(doc: T, etag: string | undefined): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** The documents among `ids` that exist, in no particular order. */
  readMany(ids: string[]): Promise<T[]>;
  /**
   * Several documents read together with their versions (on Cosmos DB one bulk request per partition range,
   * not one each): for every id, the document, undefined if there is none, or the Error its read met.
   */
  readAll(ids: string[]): Promise<Map<string, Versioned<T> | undefined | Error>>;
  /**
   * Several documents written together, each only if unchanged since read (or, with no eTag, only if new), as
   * `write` but in one bulk request per partition range: for each, in order, true if written, false if someone
   * else changed (or created) it first, or the Error its write met.
   */
  writeAll(writes: { doc: T; etag: string | undefined }[]): Promise<(boolean | Error)[]>;
}

/** One event as stored: no name, id or text; `person` is a keyed pseudonym, absent for events about the service. */
export type StoredEvent = ServiceEvent & {
  id: string;
  type: 'serviceEvent';
  /** "2026-03": the partition, so one month's events are read together. */
  month: string;
  /** When it happened (ISO, UTC). */
  at: string;
  /** The day it is counted on (UK date; a slot's own date for slot events). */
  day: string;
  person?: string;
};

/** Events in one batch of `appendAll`: Cosmos DB's limit for a transactional batch. */
export const EVENTS_PER_BATCH = 100;

export interface EventLog {
  append(event: StoredEvent): Promise<void>;
  /**
   * Appends events together: each month's (one partition) in batches of up to EVENTS_PER_BATCH, each batch all or nothing on
   * Cosmos DB (a transactional batch: one round trip). Rejects if a batch fails; batches before it are kept.
   */
  appendAll(events: StoredEvent[]): Promise<void>;
  /** Every event of one month (a single partition). */
  month(month: string): Promise<StoredEvent[]>;
}

/**
 * A person's pseudonym record. Its id is an HMAC of their Entra object id; their pseudonym is an HMAC of the
 * id and a random nonce kept only here. Deleting it ("delete my data") breaks the link for good: the events
 * already stored keep a pseudonym nobody can tie to the person, and if they come back they are a new person.
 */
export interface PersonLink {
  id: string;
  type: 'servicePerson';
  nonce: string;
  /** Milestone marker → month first reached. */
  firsts: Record<string, string>;
  ttl?: number;
}

/** Who besides SERVICE_LEAD_IDS may see the Service tab and the service report (added by a lead). */
export interface ReportViewers {
  id: 'report-viewers';
  type: 'reportViewers';
  viewers: { userId: string; name: string; addedBy: string; addedAt: string }[];
  history: { at: string; event: 'added' | 'removed'; userId: string; by: string }[];
  ttl: -1;
}

/** The monthly report post for one month: sent once, by whichever instance claims it. */
export interface MonthlyReportJob {
  id: string;
  type: 'monthlyReportJob';
  /** The month whose first working day it is sent on ("2026-04"). */
  month: string;
  dueAt: string;
  state: 'pending' | 'sent' | 'missed';
  attempts: number;
  nextAttemptAt: string;
  claimedBy?: string;
  claimedUntil?: string;
  sentAt?: string;
  /** A short code, never text. */
  lastError?: string;
  ttl: number;
}

export type ReportDoc = ReportViewers | MonthlyReportJob;

export interface ServiceStore {
  events: EventLog;
  people: VersionedDocs<PersonLink>;
  months: VersionedDocs<MonthAggregate>;
  reportDocs: VersionedDocs<ReportDoc>;
}

/** One document of a VersionedDocs by id, for the one conditional update (src/persistence/conditionalUpdate.ts). */
export function versionedDoc<T extends { id: string }>(docs: VersionedDocs<T>, id: string): VersionedDocument<T> {
  return {
    read: async () => {
      const found = await docs.read(id);
      return found && { doc: found.doc, eTag: found.etag };
    },
    // The store answers only whether it wrote; the next write reads the document again for its new version.
    write: async (doc, eTag) => ((await docs.write(doc, eTag)) ? (eTag ?? '') : undefined),
  };
}

/**
 * The jobs container as the job queue and worker need it: jobs read with their version and written back
 * only if unchanged, created once by their deterministic id, and the due ones found. The Cosmos
 * implementation is src/store/cosmosJobs.ts, its twin in memory src/store/memoryJobs.ts.
 */
import type { Versioned } from '../persistence/versioned';
import type { Job } from './jobs';

export interface Jobs {
  read(id: string): Promise<Versioned<Job> | undefined>;
  /** Creates a job; 'exists' when one with its id is already there (the same job enqueued twice). */
  create(job: Job): Promise<'created' | 'exists'>;
  /** Replaces a job only if it is still at `eTag`; the new eTag, or undefined when someone else changed or removed it first. */
  replaceIfUnchanged(job: Job, eTag: string): Promise<string | undefined>;
  /** Pending jobs whose next attempt is due at `now` (ISO), soonest first. */
  due(now: string): Promise<Versioned<Job>[]>;
}

/** The jobs port (src/booking/jobsPort.ts) in memory, with the Cosmos implementation's rules and answers. */
import type { Job } from '../booking/jobs';
import type { Jobs } from '../booking/jobsPort';
import type { Versioned } from '../persistence/versioned';
import { MemoryDocuments } from './memoryDocuments';

export class MemoryJobs implements Jobs {
  private readonly documents = new MemoryDocuments<Job>();

  async read(id: string): Promise<Versioned<Job> | undefined> {
    const found = this.documents.read(id);
    return found?.doc.docType === 'job' ? found : undefined;
  }

  async create(job: Job): Promise<'created' | 'exists'> {
    return this.documents.create(job);
  }

  async replaceIfUnchanged(job: Job, eTag: string): Promise<string | undefined> {
    return this.documents.replaceIfUnchanged(job, eTag);
  }

  async due(now: string): Promise<Versioned<Job>[]> {
    return this.documents
      .all()
      .filter(({ doc }) => doc.docType === 'job' && doc.state === 'pending' && doc.nextAttemptAt <= now)
      .sort((a, b) => a.doc.nextAttemptAt.localeCompare(b.doc.nextAttemptAt));
  }
}

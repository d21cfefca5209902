/** The jobs port (src/booking/jobsPort.ts) on the Cosmos `jobs` container, partitioned by /id. */
import type { Container, ItemDefinition } from '@azure/cosmos';
import type { Job } from '../booking/jobs';
import type { Jobs } from '../booking/jobsPort';
import type { Versioned } from '../persistence/versioned';
import { createOnce, readVersioned, replaceOnVersion, withoutSystemFields } from './cosmosDocuments';

export class CosmosJobs implements Jobs {
  constructor(private readonly container: Container) {}

  async read(id: string): Promise<Versioned<Job> | undefined> {
    const found = await readVersioned<Job>(this.container, id, id);
    return found?.doc.docType === 'job' ? found : undefined;
  }

  create(job: Job): Promise<'created' | 'exists'> {
    return createOnce(this.container, job);
  }

  replaceIfUnchanged(job: Job, eTag: string): Promise<string | undefined> {
    // Absent fields are dropped rather than stored as null.
    return replaceOnVersion(this.container, JSON.parse(JSON.stringify(job)) as Job, job.id, eTag);
  }

  async due(now: string): Promise<Versioned<Job>[]> {
    const { resources } = await this.container.items
      .query<Job & ItemDefinition>({
        query: "SELECT * FROM c WHERE c.docType = 'job' AND c.state = 'pending' AND c.nextAttemptAt <= @now",
        parameters: [{ name: '@now', value: now }],
      })
      .fetchAll();
    return resources.map((r) => ({ doc: withoutSystemFields(r), eTag: r._etag ?? '' })).sort((a, b) => a.doc.nextAttemptAt.localeCompare(b.doc.nextAttemptAt));
  }
}

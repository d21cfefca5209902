import type { Container, ItemDefinition, JSONObject, OperationInput, OperationResponse } from '@azure/cosmos';
import type { MonthAggregate } from '../serviceEvents/aggregate';
import { EVENTS_PER_BATCH, type EventLog, type PersonLink, type ReportDoc, type ServiceStore, type StoredEvent, type Versioned, type VersionedDocs } from '../serviceEvents/store';
import { statusOf } from './cosmosDocuments';

/**
 * The service events store on Cosmos DB:
 * - serviceEvents (partition /month): one document per event; a month's events are one partition;
 * - servicePeople (partition /id): pseudonym records, read and written by id;
 * - serviceReport (partition /id): monthly aggregates (id "2026-03"), report viewers, monthly report jobs.
 * Conditional writes use the eTag read (412 → false), creates refuse an existing id (409 → false).
 */
export function cosmosServiceStore(containers: { serviceEvents: Container; servicePeople: Container; serviceReport: Container }): ServiceStore {
  return {
    events: cosmosEventLog(containers.serviceEvents),
    people: cosmosDocs<PersonLink>(containers.servicePeople, 'servicePerson'),
    months: cosmosDocs<MonthAggregate>(containers.serviceReport, 'serviceMonth'),
    reportDocs: cosmosDocs<ReportDoc>(containers.serviceReport, ['reportViewers', 'monthlyReportJob']),
  };
}

/** Operations in one bulk request (Cosmos DB's limit, as for a transactional batch). */
const MAX_BULK = 100;

function cosmosEventLog(container: Container): EventLog {
  return {
    append: async (event) => {
      await container.items.create(event);
    },
    appendAll: async (events) => {
      for (const [month, theirs] of byMonth(events)) {
        for (let i = 0; i < theirs.length; i += EVENTS_PER_BATCH) {
          const chunk = theirs.slice(i, i + EVENTS_PER_BATCH);
          const operations: OperationInput[] = chunk.map((event) => ({ operationType: 'Create', resourceBody: event as unknown as JSONObject }));
          // A failed transactional batch is answered, not thrown (207): the failing operation has its own status,
          // the rest 424, and nothing of the batch is kept.
          const { result = [] } = await container.items.batch(operations, month);
          const failed = result.find((r) => r.statusCode >= 400 && r.statusCode !== 424) ?? result.find((r) => r.statusCode >= 400);
          if (failed || result.length !== chunk.length) {
            const code = failed?.statusCode ?? 500;
            throw Object.assign(new Error(`event batch not stored (${code})`), { code });
          }
        }
      }
    },
    month: async (month) => {
      const { resources } = await container.items
        .query<StoredEvent>({ query: "SELECT * FROM c WHERE c.type = 'serviceEvent' AND c.month = @month", parameters: [{ name: '@month', value: month }] }, { partitionKey: month })
        .fetchAll();
      return resources.map((r) => withoutSystemFields(r));
    },
  };
}

function cosmosDocs<T extends { id: string; type: string }>(container: Container, types: string | string[]): VersionedDocs<T> {
  const accepted = new Set(Array.isArray(types) ? types : [types]);
  const versionOf = (resource: T & ItemDefinition, etag: string | undefined): Versioned<T> => ({ doc: withoutSystemFields(resource), etag: etag ?? (resource._etag as string) ?? '' });
  const read = async (id: string): Promise<Versioned<T> | undefined> => {
    try {
      const { resource, etag } = await container.item(id, id).read<T & ItemDefinition>();
      if (!resource || !accepted.has(resource.type)) return undefined;
      return versionOf(resource, etag);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  };
  return {
    read,
    write: async (doc, etag) => {
      try {
        if (etag) await container.item(doc.id, doc.id).replace(doc, { accessCondition: { type: 'IfMatch', condition: etag } });
        else await container.items.create(doc);
        return true;
      } catch (err) {
        const status = statusOf(err);
        if (status === 412 || status === 409 || (status === 404 && etag)) return false;
        throw err;
      }
    },
    delete: async (id) => {
      try {
        await container.item(id, id).delete();
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    },
    readMany: async (ids) => {
      // Point reads, in parallel: each is one partition and the cheapest read Cosmos has.
      const found = await Promise.all(ids.map((id) => read(id)));
      return found.filter((f): f is Versioned<T> => !!f).map((f) => f.doc);
    },
    readAll: async (ids) => {
      const unique = [...new Set(ids)];
      const results = await bulk(container, unique.map((id): OperationInput => ({ operationType: 'Read', id, partitionKey: id })));
      const found = new Map<string, Versioned<T> | undefined | Error>();
      unique.forEach((id, n) => {
        const result = results[n];
        const resource = result?.resourceBody as (T & ItemDefinition) | undefined;
        if (result && result.statusCode < 400 && resource) found.set(id, accepted.has(resource.type) ? versionOf(resource, result.eTag) : undefined);
        else if (result?.statusCode === 404) found.set(id, undefined);
        else found.set(id, Object.assign(new Error(`bulk read not answered (${result?.statusCode ?? 'no answer'})`), { code: result?.statusCode }));
      });
      return found;
    },
    writeAll: async (writes) => {
      const results = await bulk(
        container,
        writes.map(({ doc, etag }): OperationInput =>
          etag
            ? { operationType: 'Replace', id: doc.id, partitionKey: doc.id, ifMatch: etag, resourceBody: doc as unknown as JSONObject }
            : { operationType: 'Create', partitionKey: doc.id, resourceBody: doc as unknown as JSONObject },
        ),
      );
      return writes.map(({ etag }, n) => {
        const status = results[n]?.statusCode;
        if (status !== undefined && status < 400) return true;
        if (status === 412 || status === 409 || (status === 404 && etag)) return false;
        return Object.assign(new Error(`bulk write not answered (${status ?? 'no answer'})`), { code: status });
      });
    },
  };
}

/** The same store in memory, with the same conditional-write rules: for unit tests and the benchmark. */
export function memoryServiceStore(): ServiceStore & { dump(): { events: StoredEvent[]; people: PersonLink[]; months: MonthAggregate[] } } {
  const events: StoredEvent[] = [];
  const people = memoryDocs<PersonLink>();
  const months = memoryDocs<MonthAggregate>();
  const reportDocs = memoryDocs<ReportDoc>();
  return {
    events: {
      append: async (event) => {
        if (events.some((e) => e.id === event.id)) throw Object.assign(new Error('conflict'), { code: 409 });
        events.push(structuredClone(event));
      },
      // As Cosmos DB's transactional batches: each month's in batches of up to 100, each stored whole or not at all.
      appendAll: async (batch) => {
        for (const theirs of byMonth(batch).values()) {
          for (let i = 0; i < theirs.length; i += EVENTS_PER_BATCH) {
            const chunk = theirs.slice(i, i + EVENTS_PER_BATCH);
            const ids = new Set(chunk.map((e) => e.id));
            if (ids.size !== chunk.length || events.some((e) => ids.has(e.id))) throw Object.assign(new Error('event batch not stored (409)'), { code: 409 });
            events.push(...chunk.map((e) => structuredClone(e)));
          }
        }
      },
      month: async (month) => events.filter((e) => e.month === month).map((e) => structuredClone(e)),
    },
    people,
    months,
    reportDocs,
    dump: () => ({ events: structuredClone(events), people: people.all(), months: months.all() }),
  };
}

function memoryDocs<T extends { id: string }>(): VersionedDocs<T> & { all(): T[] } {
  const docs = new Map<string, { doc: T; etag: string }>();
  let version = 0;
  const write = (doc: T, etag: string | undefined): boolean => {
    const current = docs.get(doc.id);
    if (etag ? current?.etag !== etag : current) return false;
    version += 1;
    docs.set(doc.id, { doc: structuredClone(doc), etag: `"${version}"` });
    return true;
  };
  return {
    read: async (id) => {
      const found = docs.get(id);
      return found ? { doc: structuredClone(found.doc), etag: found.etag } : undefined;
    },
    write: async (doc, etag) => write(doc, etag),
    delete: async (id) => {
      docs.delete(id);
    },
    readMany: async (ids) => ids.map((id) => docs.get(id)?.doc).filter((d): d is T => !!d).map((d) => structuredClone(d)),
    readAll: async (ids) => new Map(ids.map((id) => [id, docs.has(id) ? { doc: structuredClone(docs.get(id)!.doc), etag: docs.get(id)!.etag } : undefined])),
    writeAll: async (writes) => writes.map(({ doc, etag }) => write(doc, etag)),
    all: () => [...docs.values()].map((d) => structuredClone(d.doc)),
  };
}

/**
 * Operations on documents of many partitions in one request per partition range and 100 operations: each
 * answered with its own status, in order (a throttled or failed one is not retried here). `items.bulk` sends at
 * once; `executeBulkOperations`, which the SDK now prefers, waits a second for a partial batch to fill, too slow
 * for a flush the bot's graceful stop waits on.
 */
async function bulk(container: Container, operations: OperationInput[]): Promise<OperationResponse[]> {
  const results: OperationResponse[] = [];
  for (let i = 0; i < operations.length; i += MAX_BULK) {
    results.push(...(await container.items.bulk(operations.slice(i, i + MAX_BULK), { continueOnError: true })));
  }
  return results;
}

/** Events by month (their partition), in order. */
function byMonth(events: StoredEvent[]): Map<string, StoredEvent[]> {
  const months = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const theirs = months.get(event.month);
    if (theirs) theirs.push(event);
    else months.set(event.month, [event]);
  }
  return months;
}

function withoutSystemFields<T>(item: T): T {
  const { _rid: _r, _self: _s, _etag: _e, _ts: _t, _attachments: _a, ...rest } = item as T & Record<string, unknown>;
  return rest as T;
}

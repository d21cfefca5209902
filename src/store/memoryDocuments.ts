/**
 * Documents in memory by id, with the rules the Cosmos store keeps: every write makes a new eTag; a create
 * refuses an id that exists; a replace lands only on the eTag it names and not on a document that has gone.
 * Documents go in and come out as JSON copies, so absent fields are dropped as Cosmos drops them and nobody
 * can change a stored document by holding on to it. The memory twins of the ports are built on this.
 */
import type { Versioned } from '../persistence/versioned';

export class MemoryDocuments<T extends { id: string }> {
  private readonly documents = new Map<string, { json: string; eTag: string }>();
  private version = 0;

  read(id: string): Versioned<T> | undefined {
    const found = this.documents.get(id);
    return found && { doc: JSON.parse(found.json) as T, eTag: found.eTag };
  }

  create(doc: T): 'created' | 'exists' {
    if (this.documents.has(doc.id)) return 'exists';
    this.put(doc);
    return 'created';
  }

  /** The new eTag, or undefined when the stored document is not at `eTag` (or has gone). */
  replaceIfUnchanged(doc: T, eTag: string): string | undefined {
    if (this.documents.get(doc.id)?.eTag !== eTag) return undefined;
    return this.put(doc);
  }

  upsert(doc: T): string {
    return this.put(doc);
  }

  delete(id: string): void {
    this.documents.delete(id);
  }

  /** Every stored document with its eTag, in no particular order. */
  all(): Versioned<T>[] {
    return [...this.documents.keys()].map((id) => this.read(id)!);
  }

  private put(doc: T): string {
    const eTag = `"${++this.version}"`;
    this.documents.set(doc.id, { json: JSON.stringify(doc), eTag });
    return eTag;
  }
}

/** The People and Chats ports (src/persistence/versioned.ts StateDocuments) in memory, with CosmosBotStorage's conditional-write rules. */
import { StateConflictError, type StateDocuments } from '../persistence/versioned';
import { MemoryDocuments } from './memoryDocuments';

interface StateDocument {
  id: string;
  state: Record<string, unknown>;
}

export class MemoryStateDocuments implements StateDocuments {
  private readonly documents = new MemoryDocuments<StateDocument>();

  async readOne(key: string): Promise<(Record<string, unknown> & { eTag: string }) | undefined> {
    const found = this.documents.read(key);
    return found && { ...found.doc.state, eTag: found.eTag };
  }

  async writeIfUnchanged(key: string, state: Record<string, unknown>, eTag: string | undefined): Promise<string> {
    const { eTag: _ignored, ...rest } = state;
    const doc = { id: key, state: rest };
    const written = eTag ? this.documents.replaceIfUnchanged(doc, eTag) : this.documents.create(doc) === 'created' ? this.documents.read(key)!.eTag : undefined;
    if (written === undefined) throw new StateConflictError(key);
    return written;
  }

  async deleteIfUnchanged(key: string, eTag: string): Promise<void> {
    const found = this.documents.read(key);
    if (!found) return;
    if (found.eTag !== eTag) throw new StateConflictError(key);
    this.documents.delete(key);
  }
}

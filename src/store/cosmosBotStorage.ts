/**
 * State documents (src/persistence/versioned.ts StateDocuments) on one Cosmos container, one document per key:
 * the People port on `programmes` (partitioned by /userId) and the Chats port on `botState` (by /id).
 *
 * A write whose eTag is given succeeds only if the stored document still has that eTag (Cosmos If-Match);
 * with no eTag the document must not exist yet, so two first turns of one conversation cannot overwrite each
 * other either. Any refusal throws StateConflictError.
 */
import type { Container, ItemDefinition } from '@azure/cosmos';
import { StateConflictError, type StateDocuments } from '../persistence/versioned';
import { statusOf } from './cosmosDocuments';
import { storageKeyToId } from './storageKey';


interface StateDocument extends ItemDefinition {
  id: string;
  key: string;
  state: Record<string, unknown>;
}

/**
 * Where the partition key comes from. `/id` containers partition by the item id; containers partitioned by
 * another field (such as `/userId` in programmes) get that field set to the key itself.
 */
export type PartitionKeyField = 'id' | 'userId';

export class CosmosBotStorage implements StateDocuments {
  constructor(
    private readonly container: Container,
    private readonly partitionKeyField: PartitionKeyField = 'id',
  ) {}

  /** Reads one key; the result carries the `eTag` to pass back to writeIfUnchanged. */
  async readOne(key: string): Promise<(Record<string, unknown> & { eTag: string }) | undefined> {
    const { resource, etag } = await this.item(key).read<StateDocument>();
    // A different key would only be here after a SHA-256 collision; treat it as absent rather than leak it.
    if (!resource || resource.key !== key) return undefined;
    return { ...resource.state, eTag: etag ?? resource._etag ?? '' };
  }

  async writeIfUnchanged(key: string, state: Record<string, unknown>, eTag: string | undefined): Promise<string> {
    const document = this.document(key, state);
    try {
      const response = eTag
        ? await this.item(key).replace(document, { accessCondition: { type: 'IfMatch', condition: eTag } })
        : await this.container.items.create(document);
      return response.etag ?? '';
    } catch (err) {
      const status = statusOf(err);
      if (status === 412 || status === 409 || (status === 404 && eTag)) throw new StateConflictError(key);
      throw err;
    }
  }

  async deleteIfUnchanged(key: string, eTag: string): Promise<void> {
    try {
      await this.item(key).delete({ accessCondition: { type: 'IfMatch', condition: eTag } });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) return;
      if (status === 412) throw new StateConflictError(key);
      throw err;
    }
  }

  private item(key: string) {
    const id = storageKeyToId(key);
    return this.container.item(id, this.partitionKeyField === 'id' ? id : key);
  }

  private document(key: string, state: Record<string, unknown>): StateDocument {
    const { eTag: _ignored, ...rest } = state;
    const document: StateDocument = { id: storageKeyToId(key), key, state: rest };
    if (this.partitionKeyField !== 'id') document[this.partitionKeyField] = key;
    return document;
  }
}

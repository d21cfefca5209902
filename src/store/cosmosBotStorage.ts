import type { Container, ItemDefinition } from '@azure/cosmos';
import type { Storage, StoreItems } from 'botbuilder';
import { storageKeyToId } from './storageKey';

/** Raised when a write was refused because someone else changed (or created) the item since it was read. */
export class StateConflictError extends Error {
  constructor(readonly key: string) {
    super('The stored state changed since it was read');
    this.name = 'StateConflictError';
  }
}

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

/**
 * botbuilder `Storage` on one Cosmos container, one document per key.
 *
 * Follows the botbuilder contract: a write whose item carries a specific `eTag` succeeds only if the stored
 * item still has that eTag (Cosmos If-Match), otherwise it throws StateConflictError; no eTag or `*` writes
 * unconditionally. `writeIfUnchanged` is the stricter form the turn pipeline uses: with no eTag the item
 * must not exist yet, so two first turns of one conversation cannot overwrite each other either.
 */
export class CosmosBotStorage implements Storage {
  constructor(
    private readonly container: Container,
    private readonly partitionKeyField: PartitionKeyField = 'id',
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    const found = await Promise.all(keys.map(async (key) => [key, await this.readOne(key)] as const));
    const items: StoreItems = {};
    for (const [key, item] of found) if (item) items[key] = item;
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(
      Object.entries(changes).map(([key, item]) => {
        const { eTag, ...state } = (item ?? {}) as Record<string, unknown>;
        return typeof eTag === 'string' && eTag !== '*'
          ? this.writeIfUnchanged(key, state, eTag)
          : this.upsert(key, state);
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map(async (key) => {
        try {
          await this.item(key).delete();
        } catch (err) {
          if (statusOf(err) !== 404) throw err;
        }
      }),
    );
  }

  /** Reads one key; the result carries the `eTag` to pass back to writeIfUnchanged. */
  async readOne(key: string): Promise<(Record<string, unknown> & { eTag: string }) | undefined> {
    const { resource, etag } = await this.item(key).read<StateDocument>();
    // A different key would only be here after a SHA-256 collision; treat it as absent rather than leak it.
    if (!resource || resource.key !== key) return undefined;
    return { ...resource.state, eTag: etag ?? resource._etag ?? '' };
  }

  /** Writes `state` if the item still has `eTag`, or, with no eTag, if it does not exist yet. Returns the new eTag. */
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

  /** Deletes the item if it still has `eTag` (gone already counts as done). */
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

  private async upsert(key: string, state: Record<string, unknown>): Promise<void> {
    await this.container.items.upsert<StateDocument>(this.document(key, state));
  }

  private item(key: string) {
    const id = storageKeyToId(key);
    return this.container.item(id, this.partitionKeyField === 'id' ? id : key);
  }

  private document(key: string, state: Record<string, unknown>): StateDocument {
    const document: StateDocument = { id: storageKeyToId(key), key, state: withoutETag(state) };
    if (this.partitionKeyField !== 'id') document[this.partitionKeyField] = key;
    return document;
  }
}

function withoutETag(state: Record<string, unknown>): Record<string, unknown> {
  const { eTag: _ignored, ...rest } = state;
  return rest;
}

export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown; statusCode?: unknown })?.code ?? (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * The few Cosmos calls every port implementation here makes, and the only place that reads Cosmos status
 * codes for them: a point read with its eTag (404 → absent), a create that refuses an existing id
 * (409 → 'exists'), and a replace conditional on the eTag (412, or 404 when it has gone → undefined).
 */
import type { Container, ItemDefinition, PartitionKey } from '@azure/cosmos';
import type { Versioned } from '../persistence/versioned';

export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown; statusCode?: unknown })?.code ?? (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export async function readVersioned<T>(container: Container, id: string, partitionKey: PartitionKey): Promise<Versioned<T> | undefined> {
  try {
    const { resource, etag } = await container.item(id, partitionKey).read<T & ItemDefinition>();
    if (!resource) return undefined;
    return { doc: withoutSystemFields(resource) as T, eTag: etag ?? resource._etag ?? '' };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export async function createOnce(container: Container, doc: object): Promise<'created' | 'exists'> {
  try {
    await container.items.create(doc);
    return 'created';
  } catch (err) {
    if (statusOf(err) === 409) return 'exists';
    throw err;
  }
}

/** Replaces the document only if it is still at `eTag`: the new eTag, or undefined when someone else changed or removed it first. */
export async function replaceOnVersion<T extends object>(container: Container, doc: T, partitionKey: PartitionKey, eTag: string): Promise<string | undefined> {
  try {
    const { etag, resource } = await container.item((doc as { id: string }).id, partitionKey).replace<T & ItemDefinition>(withoutSystemFields(doc), { accessCondition: { type: 'IfMatch', condition: eTag } });
    return etag ?? resource?._etag ?? '';
  } catch (err) {
    const status = statusOf(err);
    if (status === 412 || status === 404) return undefined;
    throw err;
  }
}

export function withoutSystemFields<T>(item: T): T {
  const { _rid: _r, _self: _s, _etag: _e, _ts: _t, _attachments: _a, ...rest } = item as T & Record<string, unknown>;
  return rest as T;
}

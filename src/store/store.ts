import { CosmosClient, type Container, type Database } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import type { Logger } from 'pino';
import type { Retention, StoreSettings } from '../config';
import { containerSpecs, type ContainerName } from './containers';
import { startEmbeddedCosmos, type EmbeddedCosmos } from './embeddedCosmos';

/** The one store every part of the bot uses: a Cosmos database (Azure or embedded) and its containers. */
export interface Store {
  readonly kind: StoreSettings['kind'];
  readonly containers: Record<ContainerName, Container>;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(settings: StoreSettings, logger: Logger): Promise<Store> {
  let embedded: EmbeddedCosmos | undefined;
  let client: CosmosClient;
  if (settings.kind === 'embedded') {
    embedded = await startEmbeddedCosmos({ dataDir: settings.dataDir, logger });
    client = new CosmosClient({ endpoint: embedded.endpoint, key: embedded.key, agent: embedded.agent });
  } else if (settings.key) {
    client = new CosmosClient({ endpoint: settings.endpoint, key: settings.key });
  } else {
    const credential = new DefaultAzureCredential({ managedIdentityClientId: settings.managedIdentityClientId });
    client = new CosmosClient({ endpoint: settings.endpoint, aadCredentials: credential });
  }
  try {
    const database = await ensureDatabase(client, settings.database, settings.throughput);
    const containers = await ensureContainers(database, settings.retention);
    logger.info({ store: settings.kind, database: settings.database }, 'store ready');
    return {
      kind: settings.kind,
      containers,
      ping: async () => {
        await database.read();
      },
      close: async () => {
        client.dispose();
        await embedded?.close();
      },
    };
  } catch (err) {
    client.dispose();
    await embedded?.close();
    throw err;
  }
}

async function ensureDatabase(client: CosmosClient, id: string, throughput: number | undefined): Promise<Database> {
  // Serverless accounts reject any throughput, so it is only sent when configured.
  const { database } = await client.databases.createIfNotExists({ id }, throughput ? { offerThroughput: throughput } : undefined);
  return database;
}

/** Cosmos defaultTtl for a container: its own fixed setting, or the configured retention in seconds. */
export function defaultTtlFor(name: ContainerName, retention: Retention | undefined): number | undefined {
  const spec = containerSpecs[name];
  if ('defaultTtl' in spec) return spec.defaultTtl;
  const days = retention?.[name as keyof Retention];
  return days ? days * 24 * 3600 : undefined;
}

async function ensureContainers(database: Database, retention: Retention | undefined): Promise<Record<ContainerName, Container>> {
  const entries = await Promise.all(
    (Object.keys(containerSpecs) as ContainerName[]).map(async (name) => {
      const spec = containerSpecs[name];
      const defaultTtl = defaultTtlFor(name, retention);
      const { container, resource } = await database.containers.createIfNotExists({
        id: spec.id,
        partitionKey: { paths: [spec.partitionKeyPath] },
        ...(defaultTtl !== undefined ? { defaultTtl } : {}),
      });
      // Retention may have been changed since the container was made: bring its TTL in line.
      if (resource && resource.defaultTtl !== defaultTtl) {
        await container.replace({ ...resource, id: spec.id, partitionKey: resource.partitionKey, defaultTtl });
      }
      return [name, container] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ContainerName, Container>;
}

import { CosmosClient, type Container, type Database, type PluginConfig } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import type { Logger } from 'pino';
import type { Retention, StoreSettings } from '../config';
import { containerSpecs, type ContainerName } from './containers';
import { statusOf } from './cosmosDocuments';
import { CosmosBookings } from './cosmosBookings';
import { CosmosBotStorage } from './cosmosBotStorage';
import { CosmosJobs } from './cosmosJobs';
import { CosmosReferrals } from './cosmosReferrals';
import type { Bookings } from '../booking/bookingsPort';
import type { Jobs } from '../booking/jobsPort';
import type { Chats, People } from '../persistence/versioned';
import type { Referrals } from '../safety/referralsPort';
import { startEmbeddedCosmos, type EmbeddedCosmos } from './embeddedCosmos';

/** The one store every part of the bot uses: a Cosmos database (Azure or embedded) and its containers. */
export interface Store {
  readonly kind: StoreSettings['kind'];
  readonly containers: Record<ContainerName, Container>;
  /** The rooms' ports on their containers: everything outside src/store/ reads and writes through these. */
  readonly people: People;
  readonly chats: Chats;
  readonly referrals: Referrals;
  readonly bookings: Bookings;
  readonly jobs: Jobs;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One HTTP request the Cosmos client sent (each retry is one more): what and how it went, never the data. */
export interface StoreRequest {
  /** Cosmos operation type: read, create, replace, upsert, delete, query, readFeed, … */
  operation: string;
  /** Cosmos resource type: docs, colls, dbs, pkranges, databaseaccount, … */
  resource: string;
  /** The container's id, for requests within one. */
  container?: string;
  /** HTTP status; undefined when no response came back. */
  status?: number;
  ms: number;
}

/** A failure to answer a request with instead of sending it (tests of how the bot copes with Cosmos DB faults). */
export interface StoreFault {
  status: number;
  retryAfterMs?: number;
}

export interface OpenStoreOptions {
  /** Off unless given (the benchmark counts round trips with it): called after every request to the store. */
  onRequest?: (request: StoreRequest) => void;
  /** Off unless given (fault tests only): a fault to answer a request with, or undefined to send it. */
  fault?: (request: Pick<StoreRequest, 'operation' | 'resource' | 'container'>) => StoreFault | undefined;
}

export async function openStore(settings: StoreSettings, logger: Logger, { onRequest, fault }: OpenStoreOptions = {}): Promise<Store> {
  let embedded: EmbeddedCosmos | undefined;
  let client: CosmosClient;
  const counting = requestHook(onRequest, fault);
  if (settings.kind === 'embedded') {
    embedded = await startEmbeddedCosmos({ dataDir: settings.dataDir, logger });
    client = new CosmosClient({ endpoint: embedded.endpoint, key: embedded.key, agent: embedded.agent, ...counting });
  } else if (settings.key) {
    client = new CosmosClient({ endpoint: settings.endpoint, key: settings.key, ...counting });
  } else {
    const credential = new DefaultAzureCredential({ managedIdentityClientId: settings.managedIdentityClientId });
    client = new CosmosClient({ endpoint: settings.endpoint, aadCredentials: credential, ...counting });
  }
  try {
    const database = await ensureDatabase(client, settings.database, settings.throughput);
    const containers = await ensureContainers(database, settings.retention, logger);
    logger.info({ store: settings.kind, database: settings.database }, 'store ready');
    return {
      kind: settings.kind,
      containers,
      people: new CosmosBotStorage(containers.programmes, 'userId'),
      chats: new CosmosBotStorage(containers.botState),
      referrals: new CosmosReferrals(containers.referrals),
      bookings: new CosmosBookings(containers.bookings),
      jobs: new CosmosJobs(containers.jobs),
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

/**
 * The client's `plugins` option (in @azure/cosmos 4.9 it works but is left out of CosmosClientOptions' typings):
 * a request-level plugin runs once per HTTP request, retries included. Nothing at all without a callback.
 */
function requestHook(onRequest: OpenStoreOptions['onRequest'], fault: OpenStoreOptions['fault']): { plugins?: PluginConfig[] } {
  if (!onRequest && !fault) return {};
  const plugin: PluginConfig = {
    on: 'request',
    plugin: async (context, _diagnostics, next) => {
      const started = performance.now();
      let status: number | undefined;
      const request = {
        operation: String(context.operationType ?? ''),
        resource: String(context.resourceType ?? ''),
        container: /(?:^|\/)colls\/([^/]+)/.exec(context.path ?? '')?.[1],
      };
      try {
        const injected = fault?.(request);
        if (injected) {
          // Shaped as the client's own error, so its retry policies treat it as a real answer from the service.
          throw Object.assign(new Error(`injected ${injected.status}`), {
            code: injected.status,
            retryAfterInMs: injected.retryAfterMs,
            headers: injected.retryAfterMs !== undefined ? { 'x-ms-retry-after-ms': String(injected.retryAfterMs) } : {},
          });
        }
        const response = await next(context);
        status = response.code ?? 200;
        return response;
      } catch (err) {
        const code = (err as { code?: unknown })?.code;
        status = typeof code === 'number' ? code : undefined;
        throw err;
      } finally {
        try {
          onRequest?.({ ...request, status, ms: performance.now() - started });
        } catch {
          // A measuring hook must never fail a request.
        }
      }
    },
  };
  return { plugins: [plugin] };
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

async function ensureContainers(database: Database, retention: Retention | undefined, logger: Logger): Promise<Record<ContainerName, Container>> {
  const entries = await Promise.all(
    (Object.keys(containerSpecs) as ContainerName[]).map(async (name) => {
      const spec = containerSpecs[name];
      const defaultTtl = defaultTtlFor(name, retention);
      const { container, resource } = await database.containers.createIfNotExists({
        id: spec.id,
        partitionKey: { paths: [spec.partitionKeyPath] },
        ...(defaultTtl !== undefined ? { defaultTtl } : {}),
      });
      // Retention may have been changed since the container was made: bring its TTL in line. In Azure the
      // bot's identity has data-plane rights only, so there the infrastructure template owns TTL and a
      // refusal is reported, not fatal.
      if (resource && resource.defaultTtl !== defaultTtl) {
        try {
          await container.replace({ ...resource, id: spec.id, partitionKey: resource.partitionKey, defaultTtl });
        } catch (err) {
          if (statusOf(err) !== 403) throw err;
          logger.warn({ container: spec.id, configured: defaultTtl, actual: resource.defaultTtl }, 'retention differs from the container TTL; change it through deployment/infra');
        }
      }
      return [name, container] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ContainerName, Container>;
}

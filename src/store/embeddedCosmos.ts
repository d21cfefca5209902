import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { Logger } from 'pino';

/**
 * A Cosmos-protocol server inside the bot's own process, for running without an Azure account.
 * It keeps data in memory, so after every write we save a snapshot of all databases to
 * `<dataDir>/cosmos-snapshot.json` (written to a temporary file, flushed, then renamed over the old one)
 * and load it at the next start. The snapshot is read and restored through the ordinary Cosmos client,
 * so nothing here depends on the server's internals.
 */
const SNAPSHOT_FILE = 'cosmos-snapshot.json';
const SNAPSHOT_VERSION = 1;
const SNAPSHOT_DEBOUNCE_MS = 150;
const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts'];

interface Snapshot {
  version: number;
  savedAt: string;
  databases: Record<string, Record<string, { partitionKeyPaths: string[]; defaultTtl?: number; items: Record<string, unknown>[] }>>;
}

export interface EmbeddedCosmos {
  endpoint: string;
  key: string;
  agent: Agent;
  /** Writes any unsaved changes to disk now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedCosmosOptions {
  /** Folder for the snapshot; undefined keeps data in memory only (tests). */
  dataDir?: string;
  logger: Logger;
}

export async function startEmbeddedCosmos({ dataDir, logger }: EmbeddedCosmosOptions): Promise<EmbeddedCosmos> {
  const server = createHttpsServer({ keepAlive: true } as never);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `https://127.0.0.1:${port}/`;
  const key = randomBytes(32).toString('base64');
  // The embedded server uses a self-signed certificate and only listens on loopback.
  const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
  const client = new CosmosClient({ endpoint, key, agent });

  let dirty = false;
  let restoring = false;
  let timer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();

  const snapshotPath = dataDir ? path.resolve(dataDir, SNAPSHOT_FILE) : undefined;

  const save = async () => {
    if (!snapshotPath || !dirty) return;
    dirty = false;
    const started = Date.now();
    const snapshot = await readSnapshot(client);
    const tmp = `${snapshotPath}.${process.pid}.tmp`;
    const handle = await fs.open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(snapshot));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, snapshotPath);
    logger.debug({ ms: Date.now() - started }, 'embedded store snapshot saved');
  };
  const scheduleSave = () => {
    dirty = true;
    if (timer || !snapshotPath) return;
    timer = setTimeout(() => {
      timer = undefined;
      saving = saving.then(save).catch((err: Error) => {
        dirty = true;
        logger.error({ err: { name: err.name, code: (err as NodeJS.ErrnoException).code } }, 'embedded store snapshot failed');
      });
    }, SNAPSHOT_DEBOUNCE_MS);
    timer.unref();
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const mutating = req.method !== 'GET' && req.method !== 'HEAD' && !req.headers['x-ms-documentdb-isquery'];
    if (!mutating) return;
    res.once('finish', () => {
      if (!restoring && res.statusCode < 300) scheduleSave();
    });
  });

  if (snapshotPath) {
    await fs.mkdir(path.dirname(snapshotPath), { recursive: true });
    restoring = true;
    try {
      const restored = await restoreSnapshot(client, snapshotPath);
      if (restored > 0) logger.info({ items: restored, file: snapshotPath }, 'embedded store restored from disk');
    } finally {
      restoring = false;
    }
  }

  const flush = async () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    // On the same chain as the debounced saves: a write landing meanwhile schedules a save that must not
    // write the same temporary file at the same time as this one.
    const mine = saving.then(save);
    saving = mine.catch(() => {
      dirty = true;
    });
    await mine;
  };

  return {
    endpoint,
    key,
    agent,
    flush,
    close: async () => {
      await flush();
      client.dispose();
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function readSnapshot(client: CosmosClient): Promise<Snapshot> {
  const snapshot: Snapshot = { version: SNAPSHOT_VERSION, savedAt: new Date().toISOString(), databases: {} };
  const { resources: databases } = await client.databases.readAll().fetchAll();
  for (const { id: databaseId } of databases) {
    const database = client.database(databaseId);
    const containers: Snapshot['databases'][string] = {};
    const { resources: containerDefs } = await database.containers.readAll().fetchAll();
    for (const def of containerDefs) {
      const { resources: items } = await database.container(def.id).items.readAll().fetchAll();
      containers[def.id] = {
        partitionKeyPaths: def.partitionKey?.paths ?? ['/id'],
        defaultTtl: def.defaultTtl,
        items: items.map((item) => withoutSystemFields(item)),
      };
    }
    snapshot.databases[databaseId] = containers;
  }
  return snapshot;
}

async function restoreSnapshot(client: CosmosClient, snapshotPath: string): Promise<number> {
  let text: string;
  try {
    text = await fs.readFile(snapshotPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const snapshot = JSON.parse(text) as Snapshot;
  if (snapshot.version !== SNAPSHOT_VERSION) {
    throw new Error(`${snapshotPath} has snapshot version ${snapshot.version}; expected ${SNAPSHOT_VERSION}. Move it away to start afresh.`);
  }
  let count = 0;
  for (const [databaseId, containers] of Object.entries(snapshot.databases)) {
    const { database } = await client.databases.createIfNotExists({ id: databaseId });
    for (const [containerId, content] of Object.entries(containers)) {
      const { container } = await database.containers.createIfNotExists({
        id: containerId,
        partitionKey: { paths: content.partitionKeyPaths },
        defaultTtl: content.defaultTtl,
      });
      for (const item of content.items) {
        await container.items.upsert(item);
        count += 1;
      }
    }
  }
  return count;
}

function withoutSystemFields(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const field of SYSTEM_FIELDS) delete copy[field];
  return copy;
}

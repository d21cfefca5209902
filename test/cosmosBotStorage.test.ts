import { openStore, type Store } from '../src/store/store';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { StateConflictError } from '../src/persistence/versioned';
import { silentLogger, tempDataDir } from './support/bot';

/**
 * What only the Cosmos state store can show: how its documents lie in the containers. The conditional-write
 * rules it shares with its memory twin (create, read, conflicts, stale eTags, delete, odd keys) are in
 * test/storeContract.test.ts.
 */
describe('CosmosBotStorage', () => {
  let store: Store;
  let storage: CosmosBotStorage;

  beforeAll(async () => {
    store = await openStore({ kind: 'embedded', dataDir: tempDataDir(), database: 'storage-test' }, silentLogger);
    storage = new CosmosBotStorage(store.containers.botState);
  });
  afterAll(() => store.close());

  it('keeps per-person state in a container partitioned by user id', async () => {
    const people = new CosmosBotStorage(store.containers.programmes, 'userId');
    const userId = '6f1c2a8e-0000-4000-8000-000000000001';
    const eTag = await people.writeIfUnchanged(userId, { stage: 'scaling' }, undefined);
    await people.writeIfUnchanged(userId, { stage: 'personal-success' }, eTag);
    await expect(people.writeIfUnchanged(userId, { stage: 'stale' }, eTag)).rejects.toBeInstanceOf(StateConflictError);
    const { resources } = await store.containers.programmes.items
      .query({ query: 'SELECT * FROM c WHERE c.userId = @u', parameters: [{ name: '@u', value: userId }] })
      .fetchAll();
    expect(resources).toHaveLength(1);
    expect(resources[0].state).toEqual({ stage: 'personal-success' });
  });

  it('does not store the eTag inside the state', async () => {
    await storage.writeIfUnchanged('clean', { v: 1 }, undefined);
    const read = (await storage.readOne('clean'))!;
    await storage.writeIfUnchanged('clean', read, read.eTag);
    const { resource } = await store.containers.botState.items.query('SELECT * FROM c WHERE c.key = "clean"').fetchAll().then((r) => ({ resource: r.resources[0] }));
    expect(resource.state).toEqual({ v: 1 });
  });
});

import { openStore, type Store } from '../src/store/store';
import { CosmosBotStorage, StateConflictError } from '../src/store/cosmosBotStorage';
import { silentLogger, tempDataDir } from './support/bot';

/** The botbuilder Storage contract, against the embedded Cosmos-protocol server over HTTPS. */
describe('CosmosBotStorage', () => {
  let store: Store;
  let storage: CosmosBotStorage;

  beforeAll(async () => {
    store = await openStore({ kind: 'embedded', dataDir: tempDataDir(), database: 'storage-test' }, silentLogger);
    storage = new CosmosBotStorage(store.containers.botState);
  });
  afterAll(() => store.close());

  it('creates, reads, updates and deletes', async () => {
    await storage.write({ create: { count: 1 } });
    const first = await storage.read(['create', 'missing']);
    expect(first.create).toMatchObject({ count: 1 });
    expect(typeof first.create.eTag).toBe('string');
    expect(first).not.toHaveProperty('missing');

    await storage.write({ create: { ...first.create, count: 2 } });
    expect((await storage.read(['create'])).create.count).toBe(2);

    await storage.delete(['create', 'never-existed']);
    expect(await storage.read(['create'])).toEqual({});
  });

  it.each([
    ['a 300-character key', 'k'.repeat(300)],
    ['a 1000-character key', `${'long/'.repeat(199)}end`],
    ['slashes, hashes and question marks', 'msteams/conversations/19:abc@thread.v2;messageid=123?x#y\\z'],
    ['odd characters', "!@$%^&*()~[]{}<>,.;'\"`|+=- ünïcødé 🙂 \t tab"],
    ['a key that looks percent-encoded', 'a%2Fb'],
    ['a trailing space', 'ends with space '],
  ])('round-trips %s', async (_name, key) => {
    await storage.write({ [key]: { answer: key } });
    const items = await storage.read([key]);
    expect(items[key]?.answer).toBe(key);
    await storage.delete([key]);
    expect(await storage.read([key])).toEqual({});
  });

  it('keeps two long keys that differ only at the end apart', async () => {
    const a = `${'x'.repeat(300)}a`;
    const b = `${'x'.repeat(300)}b`;
    await storage.write({ [a]: { who: 'a' }, [b]: { who: 'b' } });
    const items = await storage.read([a, b]);
    expect(items[a]?.who).toBe('a');
    expect(items[b]?.who).toBe('b');
  });

  it('refuses a write with a stale eTag and keeps the newer state', async () => {
    await storage.write({ contested: { step: 1 } });
    const stale = (await storage.read(['contested'])).contested;
    await storage.write({ contested: { ...stale, step: 2 } });

    await expect(storage.write({ contested: { ...stale, step: 3 } })).rejects.toBeInstanceOf(StateConflictError);
    expect((await storage.read(['contested'])).contested.step).toBe(2);
  });

  it("writes unconditionally with eTag '*' or none, as the botbuilder contract says", async () => {
    await storage.write({ wildcard: { v: 1 } });
    await storage.write({ wildcard: { v: 2, eTag: '*' } });
    await storage.write({ wildcard: { v: 3 } });
    expect((await storage.read(['wildcard'])).wildcard.v).toBe(3);
  });

  it('writeIfUnchanged without an eTag only creates, so two first turns cannot overwrite each other', async () => {
    const key = 'first-turn';
    await storage.writeIfUnchanged(key, { from: 'first' }, undefined);
    await expect(storage.writeIfUnchanged(key, { from: 'second' }, undefined)).rejects.toBeInstanceOf(StateConflictError);
    expect((await storage.readOne(key))?.from).toBe('first');
  });

  it('writeIfUnchanged refuses an eTag for an item deleted meanwhile', async () => {
    const key = 'deleted-meanwhile';
    const eTag = await storage.writeIfUnchanged(key, { v: 1 }, undefined);
    await storage.delete([key]);
    await expect(storage.writeIfUnchanged(key, { v: 2 }, eTag)).rejects.toBeInstanceOf(StateConflictError);
  });

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
    await storage.write({ clean: { v: 1 } });
    const read = (await storage.read(['clean'])).clean;
    await storage.write({ clean: read });
    const { resource } = await store.containers.botState.items.query('SELECT * FROM c WHERE c.key = "clean"').fetchAll().then((r) => ({ resource: r.resources[0] }));
    expect(resource.state).toEqual({ v: 1 });
  });
});

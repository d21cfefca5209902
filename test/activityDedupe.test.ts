import { ActivityDedupe } from '../src/store/activityDedupe';
import { openStore, type Store } from '../src/store/store';
import { silentLogger, tempDataDir } from './support/bot';

describe('ActivityDedupe against the Cosmos-protocol server', () => {
  let store: Store;
  let now = Date.parse('2026-11-24T09:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    store = await openStore({ kind: 'embedded', dataDir: tempDataDir(), database: 'dedupe' }, silentLogger);
  });
  afterAll(() => store.close());

  it('lets exactly one of many simultaneous claims win', async () => {
    const dedupe = new ActivityDedupe(store.containers.activityDedupe, 3600, clock);
    const id = ActivityDedupe.markerId('msteams', 'a:conversation', 'activity-1');
    const results = await Promise.all(Array.from({ length: 8 }, () => dedupe.claim(id)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('stores a marker with a bounded lifetime and no message content', async () => {
    const dedupe = new ActivityDedupe(store.containers.activityDedupe, 600, clock);
    const id = ActivityDedupe.markerId('msteams', 'a:conversation', 'activity-2');
    await dedupe.claim(id);
    const { resource } = await store.containers.activityDedupe.item(id, id).read();
    expect(resource).toMatchObject({ id, ttl: 600, expiresAt: now + 600_000 });
    expect(Object.keys(resource).filter((k) => !k.startsWith('_')).sort()).toEqual(['claimedAt', 'expiresAt', 'id', 'ttl']);
  });

  it('treats a marker past its window as gone, even where TTL has not removed it', async () => {
    const dedupe = new ActivityDedupe(store.containers.activityDedupe, 60, clock);
    const id = ActivityDedupe.markerId('msteams', 'a:conversation', 'activity-3');
    expect(await dedupe.claim(id)).toBe(true);
    expect(await dedupe.claim(id)).toBe(false);
    now += 61_000;
    expect(await dedupe.claim(id)).toBe(true);
    expect(await dedupe.claim(id)).toBe(false);
  });

  it('gives a claim back so a retried activity is processed', async () => {
    const dedupe = new ActivityDedupe(store.containers.activityDedupe, 3600, clock);
    const id = ActivityDedupe.markerId('msteams', 'a:conversation', 'activity-4');
    await dedupe.claim(id);
    await dedupe.release(id);
    expect(await dedupe.claim(id)).toBe(true);
  });

  it('keeps the same activity id in different conversations apart', () => {
    expect(ActivityDedupe.markerId('msteams', 'a:one', '1')).not.toBe(ActivityDedupe.markerId('msteams', 'a:two', '1'));
  });
});

import { openStore } from '../src/store/store';
import { loadConfig } from '../src/config';
import { silentLogger, tempDataDir } from './support/bot';

/** Retention is configured per container and applied as Cosmos TTL when the store opens. */
describe('data retention', () => {
  it('sets each container’s TTL from configuration and brings an existing container in line', async () => {
    const dataDir = tempDataDir();
    const first = loadConfig({ LOCAL_DATA_DIR: dataDir, RETENTION_DAYS_PROGRAMMES: '30', RETENTION_DAYS_REFERRALS: '0' });
    let store = await openStore(first.store, silentLogger);
    const ttl = async (name: 'programmes' | 'botState' | 'referrals' | 'bookings' | 'jobs') =>
      (await store.containers[name].read()).resource?.defaultTtl;
    expect(await ttl('programmes')).toBe(30 * 86400);
    expect(await ttl('botState')).toBe(90 * 86400);
    expect(await ttl('referrals')).toBeUndefined();
    expect(await ttl('jobs')).toBe(-1);
    await store.close();

    const second = loadConfig({ LOCAL_DATA_DIR: dataDir, RETENTION_DAYS_PROGRAMMES: '7', RETENTION_DAYS_REFERRALS: '2920' });
    store = await openStore(second.store, silentLogger);
    expect(await ttl('programmes')).toBe(7 * 86400);
    expect(await ttl('referrals')).toBe(2920 * 86400);
    await store.close();
  });
});

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

/**
 * The key pseudonyms are made with: PSEUDONYM_KEY (required in production, kept in Key Vault and given to the
 * app as a Key Vault reference). Locally, without it, a random key is made once and kept beside the embedded
 * store's data (LOCAL_DATA_DIR/pseudonym.key), so counting stays consistent across restarts.
 */
export async function pseudonymKey(config: Pick<Config, 'serviceEvents' | 'store'>): Promise<Buffer> {
  if (config.serviceEvents.key) return config.serviceEvents.key;
  if (config.store.kind !== 'embedded') throw new Error('PSEUDONYM_KEY is not set');
  // An embedded store kept in memory only (no folder: benchmarks, screenshots): a key for this run alone.
  if (!config.store.dataDir) return randomBytes(32);
  const file = path.resolve(config.store.dataDir, 'pseudonym.key');
  try {
    const text = await fs.readFile(file, 'utf8');
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length >= 32) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, key.toString('base64'), { mode: 0o600 });
  return key;
}

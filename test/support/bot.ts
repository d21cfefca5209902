import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';

export const silentLogger = createLogger('silent');

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'coaching-bot-test-'));
}

/** A local (unauthenticated, embedded store) configuration on a free port. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ PORT: '0', LOG_LEVEL: 'silent', LOCAL_DATA_DIR: tempDataDir(), ...env });
}

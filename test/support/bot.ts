import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBot, type RunningBot, type StartOptions } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { ReplySink } from './replySink';

export const silentLogger = createLogger('silent');

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'coaching-bot-test-'));
}

/**
 * A local (unauthenticated, embedded store) configuration on a free port. The store is kept in memory only
 * unless the test gives LOCAL_DATA_DIR (a restart that must find the data again): saving a snapshot of the
 * whole store after every write is what made suites slow, and most never read it back.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...env });
  return env.LOCAL_DATA_DIR ? config : { ...config, store: { ...config.store, dataDir: '' } as Config['store'] };
}

/**
 * Starts a bot (local mode, embedded store) and its Teams stand-in before a describe block's tests and stops
 * both after them; `started` receives the running bot.
 */
export function runBotDuring(sink: ReplySink, started: (bot: RunningBot) => void, env: Record<string, string> = {}, options: StartOptions = {}): void {
  let bot: RunningBot | undefined;
  beforeAll(async () => {
    await sink.start();
    bot = await startBot(testConfig(env), silentLogger, options);
    started(bot);
  });
  afterAll(async () => {
    await bot?.stop();
    await sink.stop();
  });
}

import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config';
import { createLogger, errorFields } from './logger';
import { signposting, signpostingReviewOverdue } from './safety/signposting';
import { lexiconReviewDate, lexiconReviewOverdue, lexiconVersion } from './safety/screening';
import { startBot } from './app';

async function main(): Promise<void> {
  // A local .env is read if present; settings already in the environment win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  if (config.unauthenticated) {
    const banner = 'LOCAL UNAUTHENTICATED MODE: MicrosoftAppId is empty, so requests to /api/messages are NOT authenticated. For local development only.';
    logger.warn({ mode: 'unauthenticated' }, banner);
    process.stderr.write(`\n*** ${banner} ***\n\n`);
  }
  if (signpostingReviewOverdue()) {
    logger.warn({ version: signposting.version, reviewDate: signposting.reviewDate }, 'signposting contacts are past their review date');
  }
  if (lexiconReviewOverdue()) logger.warn({ version: lexiconVersion, reviewDate: lexiconReviewDate }, 'screening lexicon is past its review date');

  const bot = await startBot(config, logger);
  // From process start, so module loading counts too.
  const startupMs = process.uptime() * 1000;
  logger.info({ url: bot.url, store: bot.store.kind, startupMs: Math.round(startupMs) }, 'bot listening');

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    bot.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err: errorFields(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`The bot could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

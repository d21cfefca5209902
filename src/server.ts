import restify, { type Request, type Response, type Server } from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { errorFields, type Logger } from './logger';

export interface ServerOptions {
  adapter: CloudAdapter;
  handleTurn: (context: TurnContext) => Promise<void>;
  /** Resolves when the store answers. */
  checkStore: () => Promise<void>;
  requestBodyLimitBytes: number;
  logger: Logger;
}

export interface BotServer {
  server: Server;
  /** Stops accepting requests and resolves when the turns already in progress have finished (or the grace ends). */
  drain(graceMs: number): Promise<boolean>;
}

const HEALTH_TIMEOUT_MS = 3000;

export function createServer({ adapter, handleTurn, checkStore, requestBodyLimitBytes, logger }: ServerOptions): BotServer {
  const server = restify.createServer({ name: 'coaching-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: requestBodyLimitBytes, mapParams: false, rejectUnknown: true }));

  let inFlight = 0;
  let draining = false;
  const idleWaiters: (() => void)[] = [];

  server.post('/api/messages', async (req: Request, res: Response) => {
    if (draining) {
      res.header('Retry-After', '5');
      res.send(503, { error: 'shutting down' });
      return;
    }
    inFlight += 1;
    try {
      await adapter.process(req, res, handleTurn);
    } catch (err) {
      logger.error({ err: errorFields(err) }, 'request failed');
      if (!res.headersSent) res.send(500);
    } finally {
      inFlight -= 1;
      if (inFlight === 0) idleWaiters.splice(0).forEach((wake) => wake());
    }
  });

  server.get('/healthz', async (_req: Request, res: Response) => {
    const started = Date.now();
    let storeOk = false;
    try {
      await withTimeout(checkStore(), HEALTH_TIMEOUT_MS);
      storeOk = true;
    } catch (err) {
      logger.warn({ err: errorFields(err) }, 'health check: store did not answer');
    }
    const healthy = storeOk && !draining;
    res.send(healthy ? 200 : 503, {
      status: healthy ? 'ok' : 'unavailable',
      store: storeOk ? 'ok' : 'unavailable',
      draining,
      checkedInMs: Date.now() - started,
    });
  });

  return {
    server,
    drain: async (graceMs: number) => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
      const finished = await withTimeout(idle, graceMs).then(
        () => true,
        () => false,
      );
      server.server.closeIdleConnections();
      await withTimeout(closed, 1000).catch(() => server.server.closeAllConnections());
      return finished;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

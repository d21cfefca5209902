import restify, { type Request, type Response, type Server } from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { errorFields, type Logger } from './logger';
import type { ReferralBacklog } from './safety/referralOutbox';

export interface ServerOptions {
  adapter: CloudAdapter;
  handleTurn: (context: TurnContext) => Promise<void>;
  /** Resolves when the store answers. */
  checkStore: () => Promise<void>;
  requestBodyLimitBytes: number;
  logger: Logger;
  /** The referral outbox's backlog and the problems it shows; reported by /healthz, never a 503 by itself. */
  checkReferrals?: () => Promise<{ referrals: ReferralBacklog; problems: string[] }>;
  /** More routes on the same server (the Teams tabs, src/tabs/routes.ts). */
  registerRoutes?: (server: Server) => void;
}

export interface BotServer {
  server: Server;
  /**
   * Stops accepting requests and closes every connection; resolves when the turns already in progress have
   * finished (true) or the grace has ended (false), never later than `graceMs`.
   */
  drain(graceMs: number): Promise<boolean>;
}

const HEALTH_TIMEOUT_MS = 3000;

export function createServer({ adapter, handleTurn, checkStore, requestBodyLimitBytes, logger, checkReferrals, registerRoutes }: ServerOptions): BotServer {
  const server = restify.createServer({ name: 'coaching-bot', handleUncaughtExceptions: false });
  // Refused before a byte of the body is read: a declared length over the limit, and compressed bodies (whose
  // size after decompression the body parser would not bound).
  server.use((req, res, next) => {
    const encoding = req.headers['content-encoding'];
    if (encoding && encoding.toLowerCase() !== 'identity') {
      res.header('Connection', 'close');
      res.send(415, { error: 'compressed request bodies are not accepted' });
      return next(false);
    }
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > requestBodyLimitBytes) {
      res.header('Connection', 'close');
      res.send(413, { error: 'request body too large' });
      return next(false);
    }
    return next();
  });
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

  const checkHealth = async () => {
    const started = Date.now();
    let storeOk = false;
    const referralCheck = checkReferrals
      ? withTimeout(checkReferrals(), HEALTH_TIMEOUT_MS).catch((err) => {
          logger.warn({ err: errorFields(err) }, 'health check: referral backlog unavailable');
          return { referrals: 'unavailable' as const, problems: ['referrals-unchecked'] };
        })
      : undefined;
    try {
      await withTimeout(checkStore(), HEALTH_TIMEOUT_MS);
      storeOk = true;
    } catch (err) {
      logger.warn({ err: errorFields(err) }, 'health check: store did not answer');
    }
    const referralHealth = await referralCheck;
    if (referralHealth && referralHealth.problems.length > 0) {
      logger.error({ problems: referralHealth.problems, referrals: referralHealth.referrals }, 'health check: referral delivery problems');
    }
    const live = storeOk && !draining;
    return {
      live,
      ready: live && (referralHealth?.problems.length ?? 0) === 0,
      body: {
        status: live ? 'ok' : 'unavailable',
        store: storeOk ? 'ok' : 'unavailable',
        draining,
        ...(referralHealth ? { referrals: referralHealth.referrals, problems: referralHealth.problems } : {}),
        checkedInMs: Date.now() - started,
      },
    };
  };

  // Liveness (App Service's health check): only the store decides, because a restart would not register a
  // leads' channel or reach Teams any sooner. Referral problems are reported here and logged as errors.
  server.get('/healthz', async (_req: Request, res: Response) => {
    const { live, body } = await checkHealth();
    res.send(live ? 200 : 503, body);
  });

  // Readiness for operators and monitors: also 503 while referrals cannot reach the service leads.
  server.get('/readyz', async (_req: Request, res: Response) => {
    const { ready, body } = await checkHealth();
    res.send(ready ? 200 : 503, { ...body, status: ready ? 'ready' : 'not ready' });
  });

  registerRoutes?.(server);

  return {
    server,
    drain: async (graceMs: number) => {
      const deadline = Date.now() + graceMs;
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections with no request on them would hold close() open until the client hangs up.
      server.server.closeIdleConnections();
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
      const finished = await settlesBy(idle, deadline);
      server.server.closeIdleConnections();
      // A request still being sent (or a turn past the grace) gets a moment, never more than the grace, then its socket is closed.
      if (!(await settlesBy(closed, Math.min(deadline, Date.now() + 1000)))) server.server.closeAllConnections();
      return finished;
    },
  };
}

/** Waits for `promise` until `deadline` (epoch ms): true if it resolved by then, false if not; its rejection is passed on. */
export function settlesBy(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise.then(() => true as const), late]).finally(() => clearTimeout(timer));
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

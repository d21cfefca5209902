import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Nation } from '../config';
import { errorFields, type Logger } from '../logger';
import { periodFor, periodNames, type PeriodName } from '../serviceEvents/report';
import type { ServiceReports } from '../serviceEvents/service';
import { crisisContacts } from '../safety/signposting';
import { projectRoot, type TabAuthenticator, type TabUser } from './auth';
import { refusedView, shell, type PageName } from './html';
import type { MyCoaching } from './myCoaching';
import { serviceView } from './serviceView';

/** A request as the tabs read it: path parameters, headers, the URL (for its query) and a parsed JSON body. */
export interface TabRequest {
  params?: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  url?: string;
  body?: unknown;
}
type Request = TabRequest;
type Response = ServerResponse;

/** Where the tabs add their routes: the bot's HTTP server (src/server.ts). */
export interface TabRoutes {
  get(path: string, handler: (req: TabRequest, res: ServerResponse) => Promise<void>): unknown;
  post(path: string, handler: (req: TabRequest, res: ServerResponse) => Promise<void>): unknown;
}

export interface TabDeps {
  auth: TabAuthenticator;
  reports: ServiceReports;
  myCoaching: MyCoaching;
  nation: Nation;
  logger: Logger;
  localUserName?: string;
}

/**
 * Only Teams and Microsoft 365 may frame the tabs; everything they load comes from this server (no CDN).
 * Chart.js draws on a canvas and sets sizes through the DOM, which style-src does not govern. The one other
 * address the page may reach is Microsoft's list of valid Teams origins, which teams-js fetches for itself
 * (res.cdn.office.net); teams-js is not loaded in local mode.
 */
export const TAB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' https://res.cdn.office.net",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://teams.cloud.microsoft https://*.cloud.microsoft https://*.office.com https://outlook.office.com https://outlook.office365.com https://*.microsoft365.com",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': TAB_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const PAGES: Record<PageName, string> = { service: 'Service', 'my-coaching': 'My coaching' };

/** Adds the tab pages, their API and their static files to the bot's server. */
export function registerTabRoutes(server: TabRoutes, deps: TabDeps): void {
  const statics = staticFiles();
  const support = crisisContacts(deps.nation);

  for (const page of Object.keys(PAGES) as PageName[]) {
    server.get(`/tabs/${page}`, async (_req: Request, res: Response) => {
      send(res, 200, 'text/html; charset=utf-8', shell({ page, title: PAGES[page], local: deps.auth.local, localUserName: deps.localUserName, support }));
    });
  }

  server.get('/tabs/service/configure', async (_req: Request, res: Response) => {
    send(res, 200, 'text/html; charset=utf-8', configurePage());
  });

  server.get('/tabs/static/:file', async (req: Request, res: Response) => {
    const file = statics.get(String(req.params?.file));
    if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Cache-Control': 'public, max-age=3600' });
    res.end(file.body);
  });
  server.get('/tabs/static/nhsuk/images/:file', async (req: Request, res: Response) => {
    const file = statics.get(`images/${String(req.params?.file)}`);
    if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Cache-Control': 'public, max-age=3600' });
    res.end(file.body);
  });

  /** Runs `work` for a signed-in user; a refusal is a 401 (or 403) with a view that says so. */
  const signedIn = (work: (req: Request, user: TabUser) => Promise<{ status?: number; type?: string; body: string; headers?: Record<string, string> }>, page: PageName) =>
    async (req: Request, res: Response) => {
      try {
        const result = await deps.auth.authenticate(req.headers.authorization);
        if ('refused' in result) {
          const status = result.refused === 'notConfigured' ? 503 : 401;
          return send(res, status, 'text/html; charset=utf-8', refusedView(result.refused), { 'WWW-Authenticate': 'Bearer' });
        }
        const out = await work(req, result.user);
        return send(res, out.status ?? 200, out.type ?? 'text/html; charset=utf-8', out.body, out.headers);
      } catch (err) {
        deps.logger.error({ err: errorFields(err), page }, 'tab request failed');
        return send(res, 500, 'text/html; charset=utf-8', refusedView('badToken').replace('Not signed in', 'Something went wrong').replace(/<p>.*<\/p>/, '<p>Sorry, something went wrong on our side. Please try again in a moment.</p>'));
      }
    };

  server.get(
    '/tabs/api/service',
    signedIn(async (req, user) => {
      if (!(await deps.reports.roleOf(user.userId))) {
        deps.logger.warn({ userId: user.userId }, 'service tab refused: not a lead or viewer');
        return { status: 403, body: refusedView('forbidden') };
      }
      const asked = query(req).get('period');
      const period: PeriodName = periodNames.includes(asked as PeriodName) ? (asked as PeriodName) : '12m';
      const now = new Date();
      return { body: serviceView(await deps.reports.report(periodFor(period, now), now), period) };
    }, 'service'),
  );

  server.get(
    '/tabs/api/my-coaching',
    signedIn(async (req, user) => ({ body: await deps.myCoaching.view(user, { changing: query(req).get('change') ?? undefined }) }), 'my-coaching'),
  );
  server.get(
    '/tabs/api/my-coaching/export',
    signedIn(async (_req, user) => ({
      type: 'application/json; charset=utf-8',
      body: await deps.myCoaching.exportData(user),
      headers: { 'Content-Disposition': 'attachment; filename="my-coaching-data.json"' },
    }), 'my-coaching'),
  );
  const actions: Record<string, (user: TabUser, body: unknown) => Promise<string>> = {
    plan: (u, b) => deps.myCoaching.savePlan(u, b),
    'bookings/cancel': (u, b) => deps.myCoaching.cancelBooking(u, b),
    'bookings/move': (u, b) => deps.myCoaching.moveBooking(u, b),
    delete: (u, b) => deps.myCoaching.deleteData(u, b),
  };
  for (const [name, action] of Object.entries(actions)) {
    server.post(`/tabs/api/my-coaching/${name}`, signedIn(async (req, user) => ({ body: await action(user, req.body) }), 'my-coaching'));
  }
}

/** What Teams shows when the Service tab is added to a channel. */
function configurePage(): string {
  return `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Add the Service tab: Staff coaching</title>
<link rel="stylesheet" href="/tabs/static/nhsuk.css"><link rel="stylesheet" href="/tabs/static/tab.css"></head>
<body><div class="nhsuk-width-container"><main class="nhsuk-main-wrapper nhsuk-main-wrapper--s" id="main-content">
<h1 class="nhsuk-heading-l">Service</h1>
<p class="nhsuk-body">The staff coaching service's figures: uptake, outcomes, where people stop, safety and coaching capacity. Aggregated only, with small numbers hidden.</p>
<p class="nhsuk-body">Only service leads, and the people they add with "add viewer", see the figures; everyone else in the channel is told the tab is not for them.</p>
<p class="nhsuk-body" id="status" role="status"></p>
</main></div>
<script src="/tabs/static/teams.js"></script><script src="/tabs/static/configure.js"></script>
</body></html>`;
}

function send(res: Response, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...headers });
  res.end(body);
}

function query(req: Request): URLSearchParams {
  return new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
}

interface StaticFile {
  type: string;
  body: Buffer;
}

/**
 * Everything the pages load, read once at start-up: NHS.UK frontend's CSS (its two web-font rules, which point
 * at assets.nhs.uk, are taken out, so the pages fall back to Arial as the NHS stack does; its image paths point
 * here), its icons, Chart.js's UMD build, the Teams JavaScript library and the tabs' own script and styles.
 */
function staticFiles(): Map<string, StaticFile> {
  const root = projectRoot();
  const nhsuk = path.join(path.dirname(require.resolve('nhsuk-frontend/package.json')), 'dist', 'nhsuk');
  const files = new Map<string, StaticFile>();
  const css = readFileSync(path.join(nhsuk, 'nhsuk-frontend.min.css'), 'utf8')
    .replace(/@font-face\{[^}]*assets\.nhs\.uk[^}]*\}/g, '')
    .replace(/url\(\/assets\/images\//g, 'url(/tabs/static/nhsuk/images/');
  if (/https?:\/\//.test(css.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, ''))) throw new Error('nhsuk-frontend CSS still refers to another site');
  files.set('nhsuk.css', { type: 'text/css; charset=utf-8', body: Buffer.from(css) });
  files.set('chart.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js')) });
  files.set('teams.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(path.dirname(require.resolve('@microsoft/teams-js/package.json')), 'dist', 'umd', 'MicrosoftTeams.min.js')) });
  files.set('tab.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(root, 'public', 'tabs', 'tab.js')) });
  files.set('configure.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(root, 'public', 'tabs', 'configure.js')) });
  files.set('tab.css', { type: 'text/css; charset=utf-8', body: readFileSync(path.join(root, 'public', 'tabs', 'tab.css')) });
  files.set('images/favicon.svg', { type: 'image/svg+xml', body: readFileSync(path.join(nhsuk, 'assets', 'images', 'favicon.svg')) });
  for (const image of css.match(/nhsuk\/images\/[A-Za-z0-9-]+\.svg/g) ?? []) {
    const name = image.slice('nhsuk/images/'.length);
    files.set(`images/${name}`, { type: 'image/svg+xml', body: readFileSync(path.join(nhsuk, 'assets', 'images', name)) });
  }
  return files;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config';
import { errorFields, type Logger } from '../logger';

/** Who a tab request is from. */
export interface TabUser {
  /** Entra object id (the `oid` claim): the key of their programme, and what roles are checked against. */
  userId: string;
  name: string;
}

export type TabAuthResult = { user: TabUser } | { refused: 'noToken' | 'badToken' | 'notConfigured' };

export interface TabAuthenticator {
  /** True in local mode: no token is asked for, and every request is the Playground's mock user. */
  readonly local: boolean;
  authenticate(authorization: string | undefined): Promise<TabAuthResult>;
}

/** Accepted clock skew between Entra and this server. */
const CLOCK_TOLERANCE_SECONDS = 300;
const SCOPE = 'access_as_user';

/**
 * Teams single sign-on for the tabs. The page asks Teams for a token (teams-js `authentication.getAuthToken`)
 * and sends it as `Authorization: Bearer …`; here it is checked with jose against Entra's published keys:
 * - the signature, with a key from the tenant's JWKS (RS256 only), fetched from the OpenID metadata and cached;
 * - the issuer: the tenant's v1 (`https://sts.windows.net/<tenant>/`) or v2 issuer;
 * - the audience: `api://<TAB_DOMAIN>/<TAB_SSO_CLIENT_ID>` (v1 tokens, the default), or the client id (v2);
 * - expiry and not-before, with 5 minutes' tolerance; the tenant (`tid`); the scope `access_as_user`; an `oid`.
 * Anything else is refused without saying why (the reason is logged as a code).
 */
export function createTabAuthenticator(config: Pick<Config, 'unauthenticated' | 'tabs'>, logger: Logger, localUser: TabUser = playgroundUser()): TabAuthenticator {
  if (config.unauthenticated) {
    return { local: true, authenticate: async () => ({ user: localUser }) };
  }
  const { ssoClientId, domain, tenantId, openIdMetadataUrl } = config.tabs;
  if (!ssoClientId || !domain || !tenantId || !openIdMetadataUrl) {
    return { local: false, authenticate: async () => ({ refused: 'notConfigured' }) };
  }
  const audiences = [`api://${domain}/${ssoClientId}`, ssoClientId];
  let keys: Promise<{ jwks: JWTVerifyGetKey; issuers: string[] }> | undefined;
  const discover = () =>
    (keys ??= (async () => {
      const response = await fetch(openIdMetadataUrl, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`OpenID metadata answered ${response.status}`);
      const metadata = (await response.json()) as { issuer?: string; jwks_uri?: string };
      if (!metadata.jwks_uri) throw new Error('OpenID metadata has no jwks_uri');
      const v2 = (metadata.issuer ?? '').replace('{tenantid}', tenantId);
      return { jwks: createRemoteJWKSet(new URL(metadata.jwks_uri)), issuers: [...new Set([v2, `https://sts.windows.net/${tenantId}/`].filter(Boolean))] };
    })().catch((err) => {
      keys = undefined; // try again on the next request
      throw err;
    }));
  const log = logger.child({ component: 'tabAuth' });
  return {
    local: false,
    authenticate: async (authorization) => {
      const token = /^Bearer\s+([A-Za-z0-9._-]+)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!token) return { refused: 'noToken' };
      try {
        const { jwks, issuers } = await discover();
        const { payload } = await jwtVerify(token, jwks, { issuer: issuers, audience: audiences, algorithms: ['RS256'], clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['exp', 'oid', 'tid'] });
        const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
        if (payload.tid !== tenantId) return refuse('wrong-tenant');
        if (!scopes.includes(SCOPE)) return refuse('no-scope');
        const userId = String(payload.oid).toLowerCase();
        if (!/^[0-9a-f-]{36}$/.test(userId)) return refuse('bad-oid');
        return { user: { userId, name: typeof payload.name === 'string' ? payload.name : 'You' } };
      } catch (err) {
        if (err instanceof errors.JOSEError) return refuse(err.code);
        log.error({ err: errorFields(err) }, 'tab token could not be checked');
        return { refused: 'badToken' };
      }
    },
  };
  function refuse(code: string): TabAuthResult {
    log.warn({ code }, 'tab token refused');
    return { refused: 'badToken' };
  }
}

/** The Playground's mock user (`currentUser` in .m365agentsplayground.yml), for local mode. */
export function playgroundUser(root = projectRoot()): TabUser {
  const fallback = { userId: '0d4e8f2a-6b1c-4a97-8e35-2f7c9b1d4a01', name: 'Priya Shah' };
  const file = path.join(root, '.m365agentsplayground.yml');
  if (!existsSync(file)) return fallback;
  const text = readFileSync(file, 'utf8');
  const block = /^currentUser:\s*\n((?:[ \t]+.*\n?)+)/m.exec(text)?.[1] ?? '';
  const userId = /^\s+aadObjectId:\s*["']?([0-9a-fA-F-]{36})/m.exec(block)?.[1];
  const name = /^\s+name:\s*["']?([^"'\n]+)/m.exec(block)?.[1]?.trim();
  return userId ? { userId: userId.toLowerCase(), name: name ?? fallback.name } : fallback;
}

export function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'public'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('project root (with public/) not found above ' + __dirname);
  }
}

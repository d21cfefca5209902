import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Bot Framework channel tokens for tests, signed here with node:crypto (RS256), and a loopback OpenID
 * metadata endpoint whose `jwks_uri` serves the test public keys, as https://login.botframework.com does.
 *
 * What botframework-connector's channel validation checks (lib/auth/parameterizedBotFrameworkAuthentication.js,
 * jwtTokenExtractor.js, openIdMetadata.js):
 * - the `Authorization: Bearer <jwt>` header is present;
 * - the token's `iss` is the channel token issuer (https://api.botframework.com in the public cloud), checked
 *   before the signature, and again after it;
 * - the header's `kid` names a key in the JWKS (`n` and `e`), the signature verifies with it, and the
 *   algorithm is RS256/384/512;
 * - `exp` (and `nbf`) hold, with 5 minutes of clock tolerance;
 * - if the key lists `endorsements`, the activity's channelId is one of them;
 * - `aud` is the bot's own app id;
 * - `serviceurl` equals the activity's serviceUrl.
 */

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Channels the key is endorsed for, as the Bot Framework JWKS lists them. */
  endorsements: string[];
}

export function newSigningKey(endorsements: string[] = ['msteams'], kid: string = randomUUID()): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, endorsements };
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** An RS256 JWT over `payload`, with `kid` in its header; `privateKey` defaults to the key's own (pass another to forge). */
export function signJwt(payload: Record<string, unknown>, key: Pick<SigningKey, 'kid' | 'privateKey'>, header: Record<string, unknown> = {}): string {
  const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }));
  const body = base64url(JSON.stringify(payload));
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key.privateKey);
  return `${head}.${body}.${base64url(signature)}`;
}

/** A JWT with `alg: none` and no signature, as a forger might send. */
export function unsignedJwt(payload: Record<string, unknown>, kid: string): string {
  return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT', kid }))}.${base64url(JSON.stringify(payload))}.`;
}

export interface ChannelClaims {
  appId: string;
  serviceUrl: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
  extra?: Record<string, unknown>;
}

/** The claims of a token the Bot Framework channel (Teams) sends to a bot. */
export function channelClaims({ appId, serviceUrl, issuer = BOT_FRAMEWORK_ISSUER, audience = appId, expiresIn = 3600, extra = {} }: ChannelClaims): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    serviceurl: serviceUrl,
    nbf: Math.min(now, now + expiresIn) - 300,
    exp: now + expiresIn,
    iss: issuer,
    aud: audience,
    ...extra,
  };
}

/** Loopback OpenID configuration (`/.well-known/openidconfiguration`) and JWKS (`/keys`). */
export class OpenIdStub {
  private server?: Server;
  /** How many times each path was fetched. */
  readonly fetches: Record<string, number> = {};
  metadataUrl = '';

  constructor(private readonly keys: SigningKey[]) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      this.fetches[path] = (this.fetches[path] ?? 0) + 1;
      const base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
      if (path === '/.well-known/openidconfiguration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
        return;
      }
      if (path === '/keys') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: this.keys.map(jwk) }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.metadataUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/openidconfiguration`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function jwk(key: SigningKey) {
  const { n, e } = key.publicKey.export({ format: 'jwk' });
  return { kty: 'RSA', use: 'sig', kid: key.kid, n, e, endorsements: key.endorsements };
}

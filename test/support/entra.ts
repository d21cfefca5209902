import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newSigningKey, signJwt, type SigningKey } from './jwt';

/**
 * A loopback stand-in for Entra ID's OpenID metadata and keys, and tokens as Teams single sign-on gets them
 * for a tab (v1 access tokens: issuer https://sts.windows.net/<tenant>/, audience api://<domain>/<client id>).
 */
export class EntraStub {
  readonly key: SigningKey = newSigningKey([]);
  private server?: Server;
  metadataUrl = '';

  constructor(readonly tenantId: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
      if (req.url === '/v2.0/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', jwks_uri: `${base}/discovery/v2.0/keys` }));
        return;
      }
      if (req.url === '/discovery/v2.0/keys') {
        const { n, e } = this.key.publicKey.export({ format: 'jwk' });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: this.key.kid, n, e }] }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.metadataUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2.0/.well-known/openid-configuration`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A tab SSO token for `userId`; `claims` override any claim (issuer, audience, expiry…). */
  token(userId: string, audience: string, claims: Record<string, unknown> = {}, signingKey: Pick<SigningKey, 'kid' | 'privateKey'> = this.key): string {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      {
        iss: `https://sts.windows.net/${this.tenantId}/`,
        aud: audience,
        tid: this.tenantId,
        oid: userId,
        name: 'Test Person',
        scp: 'access_as_user',
        iat: now - 60,
        nbf: now - 60,
        exp: now + 3600,
        ...claims,
      },
      signingKey,
    );
  }
}

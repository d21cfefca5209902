import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallerIdConstants } from 'botbuilder';
import { AppCredentials, AuthenticationConstants, BotFrameworkAuthenticationFactory } from 'botframework-connector';
import { startBot, type RunningBot } from '../src/app';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { readLeadsChannel } from '../src/safety/referralStore';
import { PersonalChat } from './support/chat';
import { channelMessage, newChannelId } from './support/leads';
import { ReplySink } from './support/replySink';
import { silentLogger, testConfig, runBotDuring } from './support/bot';
import { newUser, personalConversationId, teamsMessage } from './support/teams';
import { channelClaims, newSigningKey, OpenIdStub, signJwt, unsignedJwt, type SigningKey } from './support/jwt';
import { completeSessionOne } from './support/walkThrough';

/**
 * Who may talk to the bot, and what a card submission can touch.
 *
 * With credentials configured, /api/messages is authenticated by botbuilder's CloudAdapter as the Bot Framework
 * channel does it: a Bearer JWT signed by a key from the OpenID metadata that BotOpenIdMetadata points at,
 * here a loopback stub serving a key generated for this run (test/support/jwt.ts).
 *
 * The bot's replies need a token for its own app id from Entra ID. To stay offline, botframework-connector's
 * process-wide token cache (AppCredentials.cache) is primed with a test token for that app id and the Bot
 * Framework scope, so the reply goes out to the activity's serviceUrl carrying it, with no call to
 * login.microsoftonline.com. (The adapter passes no login URL setting through, so pointing it at a loopback
 * token endpoint would need a change in src/bot/adapter.ts.)
 */

const appId = randomUUID();
const credentials = {
  MicrosoftAppId: appId,
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: randomUUID(),
  MicrosoftAppPassword: 'not-a-real-secret',
};
const OUTBOUND_TOKEN = 'test-token-for-the-bots-own-app-id';
/** botframework-connector's process-wide cache of the bot's own outbound tokens (private in its typings). */
const tokenCache = (AppCredentials as unknown as { cache: Map<string, { accessToken: string; expiresOn: Date }> }).cache;

/** A Teams connector stand-in that also records the Authorization header of each reply. */
class RecordingConnector {
  readonly posts: { conversationId: string; authorization?: string; activity: { type: string; text?: string } }[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
        if (match) this.posts.push({ conversationId: decodeURIComponent(match[1]!), authorization: req.headers.authorization, activity: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `reply-${this.posts.length}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  messagesTo(conversationId: string) {
    return this.posts.filter((p) => p.conversationId === conversationId && p.activity.type === 'message');
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function postWith(botUrl: string, activity: unknown, authorization?: string): Promise<Response> {
  return fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(activity),
  });
}

/**
 * The public-cloud channel settings (issuer, login URL, scope, caller id…) that BotFrameworkAuthenticationFactory
 * uses when nothing is configured. Once BotOpenIdMetadata is given it takes every one of them from configuration,
 * and src/bot/adapter.ts passes none: the channel token issuer is then undefined and every token is refused.
 * Filling them in here is what adapter.ts needs to do alongside BotOpenIdMetadata.
 */
function withPublicCloudDefaults(): () => void {
  const create = BotFrameworkAuthenticationFactory.create.bind(BotFrameworkAuthenticationFactory);
  const spy = jest
    .spyOn(BotFrameworkAuthenticationFactory, 'create')
    .mockImplementation((channelService, validateAuthority, loginUrl, scope, issuer, oAuthUrl, openIdMetadataUrl, emulatorMetadataUrl, callerId, ...rest) =>
      create(
        channelService,
        validateAuthority,
        loginUrl ?? AuthenticationConstants.ToChannelFromBotLoginUrl,
        scope ?? AuthenticationConstants.ToChannelFromBotOAuthScope,
        issuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
        oAuthUrl ?? AuthenticationConstants.OAuthUrl,
        openIdMetadataUrl,
        emulatorMetadataUrl ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
        callerId ?? CallerIdConstants.PublicAzureChannel,
        ...rest,
      ),
    );
  return () => spy.mockRestore();
}

describe('Bot Framework authentication on /api/messages, with credentials configured', () => {
  const servedKey = newSigningKey(['msteams']);
  /** Served too, but endorsed for another channel only. */
  const webChatKey = newSigningKey(['webchat']);
  /** Never served: what a forger would sign with. */
  const forgersKey = newSigningKey(['msteams']);
  const openId = new OpenIdStub([servedKey, webChatKey]);
  const connector = new RecordingConnector();
  let consoleError: jest.SpyInstance;
  let consoleWarn: jest.SpyInstance;

  beforeAll(async () => {
    // botbuilder writes every refused token to console.error (and the key it tried); keep the output readable.
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await openId.start();
    await connector.start();
    tokenCache.set(`${appId}${AuthenticationConstants.ToChannelFromBotOAuthScope}-cache`, { accessToken: OUTBOUND_TOKEN, expiresOn: new Date(Date.now() + 3600_000) });
  });
  afterAll(async () => {
    tokenCache.clear();
    await connector.stop();
    await openId.stop();
    consoleError.mockRestore();
    consoleWarn.mockRestore();
  });

  const configured = () => testConfig({ ...credentials, BotOpenIdMetadata: openId.metadataUrl });
  const message = () => teamsMessage(connector.url, personalConversationId(), newUser(), 'start coaching');
  const tokenFor = (activity: { serviceUrl: string }, claims: Partial<Parameters<typeof channelClaims>[0]> = {}, key: Pick<SigningKey, 'kid' | 'privateKey'> = servedKey) =>
    `Bearer ${signJwt(channelClaims({ appId, serviceUrl: activity.serviceUrl, ...claims }), key)}`;

  /** The turn ran if it saved the person's state or said anything. */
  async function turnRan(bot: RunningBot, activity: ReturnType<typeof message>): Promise<boolean> {
    const state = await new CosmosBotStorage(bot.store.containers.programmes, 'userId').readOne(activity.from.aadObjectId);
    return state !== undefined || connector.posts.some((p) => p.conversationId === activity.conversation.id);
  }

  describe('as src/bot/adapter.ts sets up the adapter today', () => {
    let bot: RunningBot;
    beforeAll(async () => {
      bot = await startBot(configured(), silentLogger, { outbox: { autoStart: false } });
    });
    afterAll(() => bot.stop());

    it('refuses a request without a token with 401, and the turn does not run', async () => {
      const activity = message();
      expect((await postWith(bot.url, activity)).status).toBe(401);
      expect(await turnRan(bot, activity)).toBe(false);
    });

    // With BotOpenIdMetadata set, botbuilder's ConfigurationBotFrameworkAuthentication switches to fully
    // parameterised settings; adapter.ts gives the public-cloud values with it, or every genuine token would be
    // refused with 401 ("No valid identity").
    it('accepts a valid channel token signed with the key the configured metadata serves', async () => {
      const activity = message();
      expect((await postWith(bot.url, activity, tokenFor(activity))).status).toBe(200);
      expect(await turnRan(bot, activity)).toBe(true);
    });
  });

  describe('with the public-cloud channel settings completed alongside BotOpenIdMetadata (the fix adapter.ts needs)', () => {
    let bot: RunningBot;
    beforeAll(async () => {
      const restore = withPublicCloudDefaults();
      try {
        bot = await startBot(configured(), silentLogger, { outbox: { autoStart: false } });
      } finally {
        restore();
      }
    });
    afterAll(() => bot.stop());

    it('accepts a valid token: 200, the turn runs, and the reply goes to the activity’s serviceUrl with the bot’s own token', async () => {
      const activity = message();
      const response = await postWith(bot.url, activity, tokenFor(activity));
      expect(response.status).toBe(200);
      expect(await turnRan(bot, activity)).toBe(true);
      const replies = connector.messagesTo(activity.conversation.id);
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.every((r) => r.authorization === `Bearer ${OUTBOUND_TOKEN}`)).toBe(true);
      // The metadata and keys were fetched from the loopback stub, not from login.botframework.com.
      expect(openId.fetches['/.well-known/openidconfiguration']).toBeGreaterThanOrEqual(1);
      expect(openId.fetches['/keys']).toBeGreaterThanOrEqual(1);
    });

    const refusals: [string, (activity: ReturnType<typeof message>) => string | undefined][] = [
      ['no Authorization header', () => undefined],
      ['a scheme other than Bearer', () => 'Basic dXNlcjpwYXNzd29yZA=='],
      ['a token for another bot (wrong audience)', (a) => tokenFor(a, { audience: randomUUID() })],
      ['a token from another issuer', (a) => tokenFor(a, { issuer: 'https://sts.example.com/' })],
      ['an expired token (an hour ago, beyond the 5 minutes of clock skew allowed)', (a) => tokenFor(a, { expiresIn: -3600 })],
      ['a token whose serviceurl claim is not the activity’s serviceUrl', (a) => tokenFor(a, { extra: { serviceurl: 'https://smba.example.com/emea/' } })],
      ['a token signed with a key the metadata does not list', (a) => tokenFor(a, {}, forgersKey)],
      ['a token signed with a key endorsed for another channel only', (a) => tokenFor(a, {}, webChatKey)],
    ];
    it.each(refusals)('refuses %s with 401, and the turn does not run', async (_case, authorization) => {
      const activity = message();
      expect((await postWith(bot.url, activity, authorization(activity))).status).toBe(401);
      expect(await turnRan(bot, activity)).toBe(false);
    });

    const forgeries: [string, (activity: ReturnType<typeof message>) => string][] = [
      ['a forged signature (the served key’s kid, signed with another key)', (a) => tokenFor(a, {}, { kid: servedKey.kid, privateKey: forgersKey.privateKey })],
      ['an unsigned token (alg none)', (a) => `Bearer ${unsignedJwt(channelClaims({ appId, serviceUrl: a.serviceUrl }), servedKey.kid)}`],
    ];
    it.each(forgeries)('never runs the turn for %s', async (_case, authorization) => {
      const activity = message();
      const response = await postWith(bot.url, activity, authorization(activity));
      expect(response.status).not.toBe(200);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await turnRan(bot, activity)).toBe(false);
    });

    // botframework-connector rethrows jsonwebtoken's own errors ("invalid signature") instead of an
    // AuthenticationError; adapter.ts answers them 401 "Unauthorized" (a 5xx would invite the channel to retry).
    it.each(forgeries)('refuses %s with 401, saying no more', async (_case, authorization) => {
      const activity = message();
      const response = await postWith(bot.url, activity, authorization(activity));
      expect(response.status).toBe(401);
      expect(await response.text()).not.toMatch(/signature|jwt/i);
    });
  });
});

describe('card submissions cannot reach another person’s data (local mode, over HTTP)', () => {
  const sink = new ReplySink();
  const lead = newUser('Priya Shah');
  let bot: RunningBot;

  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId }, { outbox: { autoStart: false } });

  const stored = async (userId: string) => {
    const record = await new CosmosBotStorage(bot.store.containers.programmes, 'userId').readOne(userId);
    if (!record) return undefined;
    const { eTag: _eTag, ...rest } = record;
    return rest;
  };

  it('a "my plan" edit card from B naming A’s programme changes nothing of A’s, and B is told clearly', async () => {
    const alex = new PersonalChat(bot.url, sink, newUser('Alex Morgan'));
    await completeSessionOne(alex);
    const alexsCard = (await alex.say('my plan')).card('actionPlan');
    const alexBefore = await stored(alex.user.aadObjectId);
    expect(JSON.stringify(alexBefore)).toContain('Book a meeting with my manager');

    const blake = new PersonalChat(bot.url, sink, newUser('Blake Kaur'));
    await blake.say('hi');
    const tampered = {
      ...alexsCard,
      action1: 'Resign tomorrow',
      byWhen1: '2027-02-01',
      userId: alex.user.aadObjectId,
      aadObjectId: alex.user.aadObjectId,
      conversationId: alex.conversationId,
      id: alex.user.aadObjectId,
    };
    let seen = await blake.submit(tampered);
    expect(seen.all).toMatch(/couldn't find a plan to change/);
    // The same card with its question id changed: not taken as a plan edit at all; B gets the menu.
    seen = await blake.submit({ ...tampered, questionId: alex.user.aadObjectId });
    expect(seen.all).toMatch(/didn't understand that/);
    expect(seen.all).not.toMatch(/Your plan is updated/);

    expect(await stored(alex.user.aadObjectId)).toEqual(alexBefore);
    expect(JSON.stringify(await stored(blake.user.aadObjectId))).not.toContain('Resign tomorrow');
    expect(sink.messagesTo(alex.conversationId).filter((a) => /Resign tomorrow|Your plan is updated/.test(`${a.text}`))).toEqual([]);
  });

  it('"register referrals" from someone who is not a service lead is refused and nothing is stored', async () => {
    const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
    const activity = channelMessage(sink.url, newChannelId(), newUser('Sam Jones'), 'register referrals', tenantId);
    expect((await postWith(bot.url, activity)).status).toBe(200);
    expect(sink.messagesTo(activity.conversation.id).map((a) => a.text)).toEqual([expect.stringMatching(/only the service leads can choose where referrals are posted/)]);
    expect(await readLeadsChannel(bot.store.referrals, tenantId)).toBeUndefined();
  });
});

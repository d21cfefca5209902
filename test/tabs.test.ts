/**
 * The Teams tabs over HTTP:
 * - token checks: no token, a forged signature, the wrong audience, issuer or tenant, an expired token or one
 *   without the access_as_user scope get 401 and a page that says so; a good one gets the view;
 * - role checks: the Service tab only for SERVICE_LEAD_IDS and viewers a lead added (403 otherwise);
 * - My coaching shows only the signed-in person's own data, and a plan saved there is the bot's "my plan";
 * - no page or card reveals a count below 5, over generated data full of small numbers;
 * - the CSP lets only Teams and Microsoft 365 frame the pages; local mode serves the mock user with a banner.
 */
import { randomUUID } from 'node:crypto';
import { startBot, type RunningBot } from '../src/app';
import { silentLogger, testConfig, runBotDuring } from './support/bot';
import { PersonalChat } from './support/chat';
import { EntraStub } from './support/entra';
import { newSigningKey } from './support/jwt';
import { ReplySink } from './support/replySink';
import { recordAll, simulatedEvents } from '../scripts/simulation';
import { completeSessionOne } from './support/walkThrough';
import { smallCountsIn, smallCountsInCard } from './support/smallCounts';

const tenantId = '6f1c2a9e-4b7d-4e35-9a21-5d8c0b3e7f10';
const clientId = '7d1f9b3a-2c4e-4f6a-8b0d-1e3f5a7c9b2d';
const domain = 'app-coachbot-test.azurewebsites.net';
const audience = `api://${domain}/${clientId}`;
const lead = randomUUID();
const staff = randomUUID();

async function get(url: string, token?: string) {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('tabs with Teams single sign-on', () => {
  const entra = new EntraStub(tenantId);
  let bot: RunningBot;

  beforeAll(async () => {
    await entra.start();
    bot = await startBot(
      testConfig({
        MicrosoftAppId: randomUUID(),
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppPassword: 'not-used-here',
        MicrosoftAppTenantId: tenantId,
        TAB_SSO_CLIENT_ID: clientId,
        TAB_DOMAIN: domain,
        TAB_SSO_OPENID_METADATA: entra.metadataUrl,
        SERVICE_LEAD_IDS: lead,
      }),
      silentLogger,
      { outbox: { autoStart: false }, jobs: { autoStart: false }, monthlyReports: { autoStart: false } },
    );
  });
  afterAll(async () => {
    await bot?.stop();
    await entra.stop();
  });

  it('serves the pages themselves to anyone (they hold no data), framed only by Teams and Microsoft 365', async () => {
    const page = await get(`${bot.url}/tabs/service`);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/Local mode/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/teams\.microsoft\.com https:\/\/\*\.teams\.microsoft\.com .*https:\/\/\*\.office\.com/);
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*;/);
  });

  it('refuses the data without a token, with a forged, expired, mis-addressed or unscoped one, with 401 and a page that says so', async () => {
    const forger = newSigningKey([], entra.key.kid);
    const bad: [string, string | undefined][] = [
      ['no token', undefined],
      ['not a JWT', 'hello'],
      ['forged signature', entra.token(staff, audience, {}, forger)],
      ['wrong audience', entra.token(staff, `api://${domain}/${randomUUID()}`)],
      ['another app on the same domain', entra.token(staff, 'api://evil.example/' + clientId)],
      ['wrong issuer', entra.token(staff, audience, { iss: 'https://sts.windows.net/another-tenant/' })],
      ['wrong tenant', entra.token(staff, audience, { tid: randomUUID() })],
      ['expired', entra.token(staff, audience, { exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 })],
      ['no access_as_user scope', entra.token(staff, audience, { scp: 'User.Read' })],
      ['no object id', entra.token(staff, audience, { oid: undefined })],
    ];
    for (const [why, token] of bad) {
      for (const path of ['/tabs/api/my-coaching', '/tabs/api/service', '/tabs/api/my-coaching/export']) {
        const response = await get(`${bot.url}${path}`, token);
        expect({ why, path, status: response.status }).toEqual({ why, path, status: 401 });
        expect(response.text).toMatch(/Not signed in/);
      }
    }
    const post = await fetch(`${bot.url}/tabs/api/my-coaching/delete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ confirm: 'yes' }) });
    expect(post.status).toBe(401);
  });

  it('accepts a good token, v1 or v2', async () => {
    expect((await get(`${bot.url}/tabs/api/my-coaching`, entra.token(staff, audience))).status).toBe(200);
    const v2 = entra.token(staff, clientId, { iss: `https://login.microsoftonline.com/${tenantId}/v2.0` });
    expect((await get(`${bot.url}/tabs/api/my-coaching`, v2)).status).toBe(200);
  });

  it('shows the Service tab to service leads and the viewers they add, and refuses everyone else with 403', async () => {
    const asStaff = await get(`${bot.url}/tabs/api/service`, entra.token(staff, audience));
    expect(asStaff.status).toBe(403);
    expect(asStaff.text).toMatch(/for service leads/);
    expect((await get(`${bot.url}/tabs/api/service`, entra.token(lead, audience))).status).toBe(200);
    await bot.serviceReports.changeViewer('add', { userId: staff, name: 'Commissioner' }, lead);
    expect((await get(`${bot.url}/tabs/api/service?period=4w`, entra.token(staff, audience))).status).toBe(200);
    await bot.serviceReports.changeViewer('remove', { userId: staff, name: 'Commissioner' }, lead);
    expect((await get(`${bot.url}/tabs/api/service`, entra.token(staff, audience))).status).toBe(403);
  });
});

describe('tabs in local mode (the Playground mock user)', () => {
  const sink = new ReplySink();
  const priya = { id: '29:mock-user-priya-shah', aadObjectId: '0d4e8f2a-6b1c-4a97-8e35-2f7c9b1d4a01', name: 'Priya Shah' };
  let bot: RunningBot;
  runBotDuring(sink, (b) => (bot = b), { SERVICE_LEAD_IDS: priya.aadObjectId }, { monthlyReports: { autoStart: false } });

  it('opens in a browser as the mock user, with a loud banner', async () => {
    const page = await get(`${bot.url}/tabs/my-coaching`);
    expect(page.text).toMatch(/Local mode: not signed in/);
    expect(page.text).toMatch(/Priya Shah/);
    expect(page.text).toMatch(/Not OK right now/);
  });

  it('shows only her own data, and a plan saved in the tab is what "my plan" shows in the chat', async () => {
    const other = new PersonalChat(bot.url, sink);
    await completeSessionOne(other, 'Someone else entirely');
    const chat = new PersonalChat(bot.url, sink, priya);
    await completeSessionOne(chat, 'Lead the ward huddles');
    const view = await get(`${bot.url}/tabs/api/my-coaching`);
    expect(view.text).toMatch(/Lead the ward huddles/);
    expect(view.text).toMatch(/Start of session 1/);
    expect(view.text).not.toMatch(/Someone else entirely/);

    const plan = { action1: 'Ask Sam to co-chair the Tuesday huddle', byWhen1: '2027-02-01', obstacle1: 'Rota gaps', overcome1: 'Plan it a week ahead' };
    const saved = await fetch(`${bot.url}/tabs/api/my-coaching/plan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
    expect(await saved.text()).toMatch(/Your plan is saved/);
    expect((await chat.say('my plan')).all).toMatch(/Ask Sam to co-chair the Tuesday huddle/);

    const empty = await fetch(`${bot.url}/tabs/api/my-coaching/plan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action1: '', obstacle1: 'x' }) });
    expect(await empty.text()).toMatch(/needs at least one action/);
    const badDate = await fetch(`${bot.url}/tabs/api/my-coaching/plan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action1: 'Do it', byWhen1: 'next Tuesday' }) });
    expect(await badDate.text()).toMatch(/dates must be real dates/);
    expect((await chat.say('my plan')).all).toMatch(/Ask Sam to co-chair the Tuesday huddle/);

    const exported = await get(`${bot.url}/tabs/api/my-coaching/export`);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    expect(JSON.parse(exported.text).userId).toBe(priya.aadObjectId);
  });

  it('reveals no count below 5 on any page or card, over generated data full of small numbers', async () => {
    const now = new Date();
    const events = simulatedEvents({ people: 37, months: 13, now, seed: 5, slotWeeks: 6 });
    await recordAll(bot.serviceEvents, events);
    for (const period of ['4w', '3m', '12m']) {
      const view = await get(`${bot.url}/tabs/api/service?period=${period}`);
      expect(view.status).toBe(200);
      expect(view.text).toMatch(/fewer than 5/);
      expect(smallCountsIn(view.text)).toEqual([]);
    }
    const report = await bot.serviceReports.report({ from: '2000-01-01', to: '2100-01-01' });
    const card = JSON.stringify(bot.serviceReports.card(report, 'all time').content);
    expect(smallCountsInCard(card)).toEqual([]);
  }, 180_000);
});


/**
 * Both tabs in a real browser (Debian's Chromium through playwright-core), against bots with generated data:
 * the figures on the Service page match the events; suppression holds on the rendered page; a plan edited in
 * My coaching saves and is the bot's "my plan"; a wrong token is refused and a good one accepted (Teams' own
 * library is replaced by a stand-in that hands the page a token); no console errors; and axe-core finds no
 * WCAG 2.2 AA violations. Every wait is for a condition (the view marks itself ready), never a fixed delay.
 */
import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { startBot, type RunningBot } from '../../src/app';
import { periodFor } from '../../src/serviceEvents/report';
import { showCount } from '../../src/serviceEvents/suppression';
import type { ServiceEventInput } from '../../src/serviceEvents/events';
import { PRIYA, seedTabDemo } from '../../scripts/tabDemo';
import { silentLogger, testConfig } from '../support/bot';
import { haveChromium, openBrowser } from '../support/browser';
import { PersonalChat } from '../support/chat';
import { EntraStub } from '../support/entra';
import { ReplySink } from '../support/replySink';
import { smallCountsIn } from '../support/smallCounts';

const runIt = haveChromium || process.env.CI ? describe : describe.skip;
if (!haveChromium && !process.env.CI) console.warn('Chromium not found at /usr/bin/chromium: browser tests skipped (apt-get install -y chromium).');

jest.setTimeout(240_000);

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Opens a tab page and waits until its view has loaded (or been refused). */
async function openTab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('#app[data-ready="true"]').waitFor({ state: 'attached', timeout: 60_000 });
}

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}

runIt('the tabs in Chromium, local mode', () => {
  const sink = new ReplySink();
  let bot: RunningBot;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let events: ServiceEventInput[];
  const now = new Date();

  beforeAll(async () => {
    await sink.start();
    bot = await startBot(testConfig({ SERVICE_LEAD_IDS: PRIYA.aadObjectId }), silentLogger, { monthlyReports: { autoStart: false } });
    events = await seedTabDemo(bot, { people: 60, months: 13, now, seed: 21, slotWeeks: 5 });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await sink.stop();
  });

  it('shows the Service figures the events add up to, with small numbers suppressed, no console errors and no WCAG 2.2 AA violations', async () => {
    const page = await browser.context.newPage();
    const errors = watchConsole(page);
    await openTab(page, `${bot.url}/tabs/service?period=12m`);
    await page.locator('canvas#chart-uptake').waitFor();

    // Counted from the events themselves: distinct people whose first start or completion is in the period.
    const { from, to } = periodFor('12m', now);
    const inPeriod = (e: ServiceEventInput) => {
      const day = e.at!.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
      return day >= from && day <= to;
    };
    const people = (kind: string, session: number) => new Set(events.filter((e) => e.kind === kind && (e as { session?: number }).session === session && inPeriod(e)).map((e) => e.person)).size;
    const figure = (label: string) => page.locator(`dd[data-figure="${label}"]`).innerText();
    expect(await figure('People who started session 1')).toBe(showCount(people('sessionStarted', 1)).text);
    expect(await figure('People who completed session 2')).toBe(showCount(people('sessionCompleted', 2)).text);
    const urgent = events.filter((e) => e.kind === 'referral' && e.level === 'urgent' && inPeriod(e)).length;
    expect(await figure('Urgent referrals')).toBe(showCount(urgent).text);

    expect(await page.locator('body').innerText()).toMatch(/fewer than 5/);
    expect(smallCountsIn(await page.content())).toEqual([]);
    expect(await axe(page)).toEqual([]);

    // The period links work as links.
    await page.getByRole('link', { name: 'Last 4 weeks' }).click();
    await page.locator('#app[data-ready="true"] a[aria-current="page"]', { hasText: 'Last 4 weeks' }).waitFor();
    expect(smallCountsIn(await page.content())).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('edits the plan in My coaching, which is then the bot\'s "my plan", with no console errors and no WCAG 2.2 AA violations', async () => {
    const page = await browser.context.newPage();
    const errors = watchConsole(page);
    await openTab(page, `${bot.url}/tabs/my-coaching`);
    expect(await page.locator('.local-banner').innerText()).toMatch(/Local mode/);
    expect(await page.locator('#support-heading').innerText()).toMatch(/Not OK right now/);
    expect(await page.locator('#app').innerText()).toMatch(/Feel confident leading the morning huddle/);
    await page.locator('canvas#chart-ratings').waitFor();
    expect(await axe(page)).toEqual([]);

    await page.getByLabel('What will you do?').first().fill('Chair Thursday’s huddle on my own');
    await page.getByRole('button', { name: 'Save my plan' }).click();
    await page.locator('#app[data-ready="true"] .notice', { hasText: 'Your plan is saved' }).waitFor();
    const chat = new PersonalChat(bot.url, sink, PRIYA);
    expect((await chat.say('my plan')).all).toMatch(/Chair Thursday’s huddle on my own/);

    // An empty plan is refused, as the card refuses it.
    for (const input of await page.getByLabel('What will you do?').all()) await input.fill('');
    await page.getByRole('button', { name: 'Save my plan' }).click();
    await page.locator('#app[data-ready="true"] .nhsuk-error-summary', { hasText: 'at least one action' }).waitFor();
    expect(await axe(page)).toEqual([]);

    // Change a booking's time, then cancel it.
    await page.getByRole('link', { name: /Change time/ }).first().click();
    await page.locator('#app[data-ready="true"] #change-heading').waitFor();
    await page.getByRole('button', { name: /Move here/ }).first().click();
    await page.locator('#app[data-ready="true"] .notice', { hasText: 'your session is now' }).waitFor();
    await page.getByRole('button', { name: /^Cancel/ }).first().click();
    await page.locator('#app[data-ready="true"] .notice', { hasText: 'Cancelled' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});

runIt('the tabs in Chromium, signed in through Teams', () => {
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const domain = 'app-coachbot-browser.azurewebsites.net';
  const entra = new EntraStub(tenantId);
  const person = randomUUID();
  let bot: RunningBot;
  let browser: { context: BrowserContext; close(): Promise<void> };

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
      }),
      silentLogger,
      { outbox: { autoStart: false }, jobs: { autoStart: false }, monthlyReports: { autoStart: false } },
    );
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await entra.stop();
  });

  /** Replaces teams-js with a stand-in whose getAuthToken gives `token`, as Teams would give the real one. */
  async function asTeamsWith(page: Page, token: string): Promise<void> {
    await page.route('**/tabs/static/teams.js', (route) =>
      route.fulfill({
        contentType: 'text/javascript',
        body: `window.microsoftTeams = { app: { initialize: function () { return Promise.resolve(); } }, authentication: { getAuthToken: function () { return Promise.resolve(${JSON.stringify(token)}); } } };`,
      }),
    );
  }

  it('refuses a wrong token with a page that says so', async () => {
    const page = await browser.context.newPage();
    await asTeamsWith(page, entra.token(person, `api://${domain}/${randomUUID()}`));
    const refused = page.waitForResponse((r) => r.url().includes('/tabs/api/my-coaching'));
    await openTab(page, `${bot.url}/tabs/my-coaching`);
    expect((await refused).status()).toBe(401);
    expect(await page.locator('#app').innerText()).toMatch(/Not signed in/);
    expect(await page.locator('.local-banner').count()).toBe(0);
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it('shows the person their own My coaching with a good token, with no console errors', async () => {
    const page = await browser.context.newPage();
    const errors = watchConsole(page);
    await asTeamsWith(page, entra.token(person, `api://${domain}/${clientId}`));
    await openTab(page, `${bot.url}/tabs/my-coaching`);
    expect(await page.locator('#app').innerText()).toMatch(/This is your own coaching/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

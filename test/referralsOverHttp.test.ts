import { startBot, type RunningBot } from '../src/app';
import { readReferral } from '../src/safety/referralStore';
import { recordReferral } from '../src/safety/referrals';
import { openStore } from '../src/store/store';
import { runBotDuring, silentLogger, testConfig } from './support/bot';
import { channelMessage, newChannelId, newReferralId, referralInput } from './support/leads';
import { cardText, ReplySink, type CapturedReply } from './support/replySink';
import { newUser, post } from './support/teams';

/**
 * The part of referrals to the service leads that crosses HTTP: the bot started over HTTP, the loopback Teams
 * connector (ReplySink) and the embedded Cosmos store. The bot's own sender makes one request to Teams per
 * attempt and reads Retry-After from Teams' answer; a card is a new post in the channel, not a reply in the thread
 * it was registered in; /healthz and /readyz report a missing leads' channel; the outbox runs with the server.
 * Everything else about referrals (cards, acknowledging, retries, reminders, two workers) is tested in process
 * in test/referrals.test.ts, and one referral end to end in test/urgentReferralEndToEnd.test.ts.
 */
const lead = newUser('Priya Shah');
const staff = newUser('Alex Morgan');

/** The posts the connector accepted that are this referral's card, with the id it gave each. */
function cardsFor(sink: ReplySink, referralId: string): (CapturedReply & { id: string })[] {
  return sink.replies.map((reply, i) => ({ ...reply, id: `reply-${i + 1}` })).filter((reply) => JSON.stringify(reply.activity.attachments ?? []).includes(referralId));
}

describe('a referral posted through the Teams connector', () => {
  const sink = new ReplySink();
  const clock = { t: Date.now() };
  let bot: RunningBot;
  // Only the outbox posts here (no monthly report, no job), and only when the test runs a pass.
  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId }, {
    outbox: { autoStart: false, now: () => clock.t, random: () => 0.5 },
    jobs: { autoStart: false },
    monthlyReports: { autoStart: false },
  });

  it('is one request per attempt, waits as long as Retry-After says, and is a new post in the channel', async () => {
    const tenantId = 'tenant-over-http';
    const channelId = newChannelId();
    expect((await post(bot.url, channelMessage(sink.url, channelId, lead, 'register referrals', tenantId))).status).toBe(200);
    clock.t = Date.now();
    const referral = await recordReferral(bot.store.referrals, newReferralId(), referralInput(staff, tenantId), new Date(clock.t));

    sink.injectResponses({ status: 429, headers: { 'Retry-After': '1' } });
    expect(await bot.outbox.runOnce()).toMatchObject({ failed: 1, delivered: 0 });
    // One request per attempt: the connector's own retries are not stacked under the outbox's.
    expect(sink.refused.map((r) => [r.conversationId, r.status])).toEqual([[channelId, 429]]);
    const waiting = (await readReferral(bot.store.referrals, referral.id))!.referral;
    expect(waiting.delivery).toMatchObject({ state: 'pending', attempts: 1, lastError: 'http-429', nextAttemptAt: new Date(clock.t + 1000).toISOString() });

    clock.t += 1000;
    expect(await bot.outbox.runOnce()).toMatchObject({ delivered: 1 });
    const cards = cardsFor(sink, referral.id);
    expect(cards).toHaveLength(1);
    // A new post in the channel itself: not a reply in the thread where the channel was registered.
    expect(cards[0]!.conversationId).toBe(channelId);
    expect(cards[0]!.replyToId).toBeUndefined();
    expect(cardText(cards[0]!.activity)).toMatch(/^Urgent referral/);
    expect((await readReferral(bot.store.referrals, referral.id))!.referral.delivery).toMatchObject({ state: 'delivered', channelActivityId: cards[0]!.id });
    expect(sink.refused).toHaveLength(1);
  });
});

describe('with no leads channel registered', () => {
  const sink = new ReplySink();
  let bot: RunningBot;
  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId }, { outbox: { autoStart: false } });

  it('reports a waiting referral in /healthz without failing liveness, and /readyz is not ready until a channel is registered', async () => {
    const healthz = async () => {
      const response = await fetch(`${bot.url}/healthz`);
      return { status: response.status, body: (await response.json()) as any };
    };
    expect(await healthz()).toMatchObject({ status: 200, body: { status: 'ok', problems: ['no-leads-channel'], referrals: { pending: 0, leadsChannelRegistered: false } } });

    await recordReferral(bot.store.referrals, newReferralId(), referralInput(staff, 'tenant-unregistered', { trigger: { source: 'checkIn', reasons: ['harm-self'] }, shown: ['crisis-signposting'] }));
    expect(await bot.outbox.runOnce()).toMatchObject({ noChannel: 1, delivered: 0 });
    expect(sink.replies).toEqual([]);

    const health = await healthz();
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', store: 'ok', problems: ['no-leads-channel'], referrals: { pending: 1, failed: 0, leadsChannelRegistered: false } });
    const notReady = await fetch(`${bot.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not ready', problems: ['no-leads-channel'] });

    await post(bot.url, channelMessage(sink.url, newChannelId(), lead, 'register referrals', 'tenant-unregistered'));
    expect(await bot.outbox.runOnce()).toMatchObject({ delivered: 1 });
    expect((await healthz()).body).toMatchObject({ status: 'ok', problems: [], referrals: { pending: 0, failed: 0, oldestPendingSeconds: 0, leadsChannelRegistered: true } });
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
  });
});

describe('the referral outbox in the running bot', () => {
  const sink = new ReplySink();
  beforeAll(() => sink.start());
  afterAll(() => sink.stop());

  it('runs on its own: started when the server listens, and stopped with it once the post in hand is recorded', async () => {
    const config = testConfig({ SERVICE_LEAD_IDS: lead.aadObjectId, OUTBOX_POLL_SECONDS: '1' });
    // The store outlives the bot, so what the outbox recorded can be read once it has stopped.
    const store = await openStore(config.store, silentLogger);
    try {
      const running = await startBot(config, silentLogger, { store });
      let referralId: string;
      try {
        const tenantId = 'tenant-running';
        await post(running.url, channelMessage(sink.url, newChannelId(), lead, 'register referrals', tenantId));
        referralId = (await recordReferral(store.referrals, newReferralId(), referralInput(staff, tenantId))).id;
        // Nobody runs a pass: the outbox's own loop posts it.
        await sink.received((reply) => JSON.stringify(reply.activity.attachments ?? []).includes(referralId));
      } finally {
        await running.stop();
      }
      expect(cardsFor(sink, referralId)).toHaveLength(1);
      expect((await readReferral(store.referrals, referralId))!.referral.delivery.state).toBe('delivered');
    } finally {
      await store.close();
    }
  });
});

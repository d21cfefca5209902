import { startBot, type RunningBot } from '../src/app';
import { createAdapter } from '../src/bot/adapter';
import { CloudAdapterSender } from '../src/proactive/sender';
import { ReferralOutbox } from '../src/safety/referralOutbox';
import { readLeadsChannel, readReferral, type StoredReferral } from '../src/safety/referralStore';
import { recordReferral, type NewReferral, type Referral } from '../src/safety/referrals';
import type { Store } from '../src/store/store';
import { silentLogger, testConfig, runBotDuring } from './support/bot';
import { cardExecute, cardSubmit, channelMessage, newChannelId, newReferralId } from './support/leads';
import { cardText, ReplySink, type CapturedReply } from './support/replySink';
import { newUser, personalConversationId, post, teamsMessage } from './support/teams';

/**
 * Referrals reach the service leads' channel and are acknowledged there: over HTTP to the bot, with the
 * loopback Teams connector (ReplySink) and the embedded Cosmos store. The outbox is driven with runOnce()
 * and an injected clock, so retries and reminders need no sleeping.
 */
const lead = newUser('Priya Shah');
const colleague = newUser('Sam Jones');
const staff = newUser('Alex Morgan');

interface Clock {
  t: number;
}

function referralInput(tenantId: string, overrides: Partial<NewReferral> = {}): NewReferral {
  return {
    tenantId,
    level: 'urgent',
    person: { userId: staff.aadObjectId, teamsId: staff.id, name: staff.name },
    trigger: { source: 'keywords', reasons: ['suicidal-ideation'] },
    shown: ['crisis-signposting', 'wellbeing-service'],
    consented: false,
    conversationType: 'personal',
    ...overrides,
  };
}

/** Every card the sink accepted for this referral, with the id the connector gave it. */
function cardsFor(sink: ReplySink, referralId: string): (CapturedReply & { id: string })[] {
  return sink.replies
    .map((reply, i) => ({ ...reply, id: `reply-${i + 1}` }))
    .filter((reply) => JSON.stringify(reply.activity.attachments ?? []).includes(referralId));
}

function actionsOf(card: any): any[] {
  return card.actions ?? [];
}

function textOfCard(card: unknown): string {
  return cardText({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] });
}

async function stored(store: Store, id: string): Promise<StoredReferral> {
  const found = await readReferral(store.referrals, id);
  if (!found) throw new Error(`referral ${id} not found`);
  return found.referral;
}

describe('referrals to the service leads', () => {
  const sink = new ReplySink();
  let bot: RunningBot;
  const adapters = () => new CloudAdapterSender(createAdapter({ appId: '', appType: 'UserAssignedMSI' }, silentLogger), '');
  /** A worker as another instance (or this one after a restart) would run it: its own adapter and instance id. */
  const outboxWith = (clock: Clock, safety: { repostAfterMs?: number } = {}) =>
    new ReferralOutbox({
      referrals: bot.store.referrals,
      sender: adapters(),
      safety: { repostAfterMs: 30 * 60_000, outboxPollMs: 1000, ...safety },
      logger: silentLogger,
      now: () => clock.t,
      random: () => 0.5,
    });
  const record = (clock: Clock, tenantId: string, overrides: Partial<NewReferral> = {}) =>
    recordReferral(bot.store.referrals, newReferralId(), referralInput(tenantId, overrides), new Date(clock.t));

  /** A lead registers a fresh channel for a fresh tenant; resolves with both. */
  async function registeredChannel(): Promise<{ tenantId: string; channelId: string }> {
    const tenantId = `tenant-${newReferralId().slice(0, 8)}`;
    const channelId = newChannelId();
    const response = await post(bot.url, channelMessage(sink.url, channelId, lead, 'register referrals', tenantId));
    expect(response.status).toBe(200);
    expect(await readLeadsChannel(bot.store.referrals, tenantId)).toBeDefined();
    return { tenantId, channelId };
  }

  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId }, { outbox: { autoStart: false } });
  afterEach(() => {
    sink.delayMs = 0;
  });

  describe('registering the leads channel', () => {
    it('is done by a service lead mentioning the bot in the channel, and confirmed', async () => {
      const tenantId = 'tenant-register';
      const channelId = newChannelId();
      const activity = channelMessage(sink.url, channelId, lead, 'Register referrals', tenantId);
      expect((await post(bot.url, activity)).status).toBe(200);

      const replies = sink.messagesTo(activity.conversation.id);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toMatch(/^Thank you\. I'll post referrals for your organisation in this channel/);
      expect(replies[0]!.text).toMatch(/never what they wrote/);

      const registration = await readLeadsChannel(bot.store.referrals, tenantId);
      expect(registration).toMatchObject({
        id: `leads-channel:${tenantId}`,
        docType: 'leadsChannel',
        tenantId,
        registeredBy: lead.aadObjectId,
        reference: { serviceUrl: sink.url, channelId: 'msteams', conversation: { id: channelId, conversationType: 'channel', tenantId } },
      });
      expect(registration!.reference.activityId).toBeUndefined();
    });

    it('is refused politely for anyone who is not a service lead, and nothing is stored', async () => {
      const tenantId = 'tenant-refused';
      const activity = channelMessage(sink.url, newChannelId(), colleague, 'register referrals', tenantId);
      await post(bot.url, activity);
      const replies = sink.messagesTo(activity.conversation.id);
      expect(replies.map((r) => r.text)).toEqual([expect.stringMatching(/^Sorry, only the service leads can choose where referrals are posted, so I haven't changed anything/)]);
      expect(await readLeadsChannel(bot.store.referrals, tenantId)).toBeUndefined();
    });

    it('explains, outside a channel, that it must be sent in the leads channel', async () => {
      const conversationId = personalConversationId();
      await post(bot.url, teamsMessage(sink.url, conversationId, lead, 'register referrals'));
      const replies = sink.messagesTo(conversationId);
      expect(replies.map((r) => r.text)).toEqual([expect.stringMatching(/please send "register referrals" there/)]);
      expect(await readLeadsChannel(bot.store.referrals, 'tenant-1')).toBeUndefined();
    });
  });

  describe('delivering a referral', () => {
    it('posts a recorded referral to the leads channel as a new post with the right card', async () => {
      const clock = { t: Date.now() };
      const { tenantId, channelId } = await registeredChannel();
      const referral = await record(clock, tenantId);

      const result = await outboxWith(clock).runOnce();
      expect(result.delivered).toBeGreaterThanOrEqual(1);

      const cards = cardsFor(sink, referral.id);
      expect(cards).toHaveLength(1);
      const [posted] = cards;
      // A new post in the channel itself: not a reply in the thread where the channel was registered.
      expect(posted!.conversationId).toBe(channelId);
      expect(posted!.replyToId).toBeUndefined();

      const card = posted!.activity.attachments![0]!.content;
      const text = cardText(posted!.activity);
      expect(text).toContain('Urgent referral');
      expect(text).toContain('Alex Morgan');
      expect(text).toContain('thoughts of suicide');
      expect(text).toContain('crisis and support contacts');
      expect(text).toContain('Not asked: urgent concerns are always passed on');
      expect(text).toMatch(/\(UK time\)/);
      const [chat, acknowledge] = actionsOf(card);
      expect(chat).toEqual({
        type: 'Action.OpenUrl',
        title: 'Chat with Alex Morgan',
        url: `https://teams.microsoft.com/l/chat/0/0?users=8%3Aorgid%3A${staff.aadObjectId}`,
      });
      expect(acknowledge).toMatchObject({
        type: 'Action.Execute',
        title: 'Acknowledge',
        verb: 'acknowledge',
        data: { card: 'referral', referralId: referral.id },
        fallback: { type: 'Action.Submit', data: { card: 'referral', verb: 'acknowledge', referralId: referral.id } },
      });

      const after = await stored(bot.store, referral.id);
      expect(after.delivery).toMatchObject({ state: 'delivered', channelActivityId: posted!.id, postedAt: new Date(clock.t).toISOString(), reposts: 0 });
      expect(after.delivery.claimedBy).toBeUndefined();
      expect(after.audit.map((a) => a.event)).toEqual([expect.stringMatching(/^recorded/), 'posted to the leads channel (attempt 1)']);

      // Nothing more is posted for it.
      await outboxWith(clock).runOnce();
      expect(cardsFor(sink, referral.id)).toHaveLength(1);
    });

    it('describes a check-in referral in plain words, with consent and the person saying the bot misunderstood', async () => {
      const clock = { t: Date.now() };
      const { tenantId } = await registeredChannel();
      const referral = await record(clock, tenantId, {
        level: 'wellbeing',
        trigger: { source: 'checkIn', reasons: ['phq4-anxiety', 'mystery-code'] },
        shown: ['wellbeing-service'],
        consented: true,
      });
      await bot.store.containers.referrals.items.upsert({ ...referral, personSaid: 'misunderstood' } satisfies Referral);
      await outboxWith(clock).runOnce();
      const text = cardText(cardsFor(sink, referral.id)[0]!.activity);
      expect(text).toContain('Wellbeing referral');
      expect(text).toContain('feeling nervous or unable to stop worrying on more than half the days and mystery code');
      expect(text).toContain('Their answers to the wellbeing check-in');
      expect(text).toContain('Yes, they agreed to this referral');
      expect(text).toContain('That the bot misunderstood what they meant');
    });
  });

  describe('acknowledging a referral', () => {
    async function delivered(): Promise<{ tenantId: string; channelId: string; referral: Referral; cardId: string }> {
      const clock = { t: Date.now() };
      const { tenantId, channelId } = await registeredChannel();
      const referral = await record(clock, tenantId);
      await outboxWith(clock).runOnce();
      const [card] = cardsFor(sink, referral.id);
      return { tenantId, channelId, referral, cardId: card!.id };
    }

    it('with the Acknowledge button (Action.Execute) updates the card for everyone and records who', async () => {
      const { tenantId, channelId, referral, cardId } = await delivered();
      const invoke = cardExecute(sink.url, channelId, cardId, lead, 'acknowledge', { card: 'referral', referralId: referral.id }, tenantId);
      const response = await post(bot.url, invoke);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { statusCode: number; type: string; value: any };
      expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
      expect(textOfCard(body.value)).toMatch(/Acknowledged by Priya Shah at \d\d:\d\d on /);
      expect(actionsOf(body.value).map((a) => a.type)).toEqual(['Action.OpenUrl']);

      const updates = sink.updates.filter((u) => u.activityId === cardId);
      expect(updates).toHaveLength(1);
      expect(updates[0]!.conversationId.startsWith(channelId)).toBe(true);
      const updatedCard = updates[0]!.activity.attachments![0]!.content;
      expect(textOfCard(updatedCard)).toContain('Acknowledged by Priya Shah');
      expect(actionsOf(updatedCard).some((a) => a.type === 'Action.Execute')).toBe(false);

      const after = await stored(bot.store, referral.id);
      expect(after.status).toBe('acknowledged');
      expect(after.acknowledged).toMatchObject({ by: lead.aadObjectId, byName: 'Priya Shah' });
      expect(after.audit.filter((a) => a.event === 'acknowledged')).toEqual([expect.objectContaining({ by: lead.aadObjectId })]);

      // Pressing it again (or a second lead pressing it) changes nothing.
      const again = await post(bot.url, { ...invoke, id: `${invoke.id}-again` });
      expect(((await again.json()) as { type: string }).type).toBe('application/vnd.microsoft.card.adaptive');
      const twice = await stored(bot.store, referral.id);
      expect(twice.acknowledged).toEqual(after.acknowledged);
      expect(twice.audit.filter((a) => a.event === 'acknowledged')).toHaveLength(1);
    });

    it('with the Submit fallback on older clients does the same and says so in the thread', async () => {
      const { tenantId, channelId, referral, cardId } = await delivered();
      const submit = cardSubmit(sink.url, channelId, cardId, lead, { card: 'referral', verb: 'acknowledge', referralId: referral.id }, tenantId);
      await post(bot.url, submit);
      expect(sink.messagesTo(submit.conversation.id).map((r) => r.text)).toEqual([
        "Thank you. I've marked this referral as acknowledged by you, so the other leads can see it's in hand.",
      ]);
      const updates = sink.updates.filter((u) => u.activityId === cardId);
      expect(updates).toHaveLength(1);
      expect(textOfCard(updates[0]!.activity.attachments![0]!.content)).toContain('Acknowledged by Priya Shah');
      expect((await stored(bot.store, referral.id)).status).toBe('acknowledged');
    });

    it('is refused for anyone who is not a service lead, and nothing changes', async () => {
      const { tenantId, channelId, referral, cardId } = await delivered();
      const invoke = cardExecute(sink.url, channelId, cardId, colleague, 'acknowledge', { card: 'referral', referralId: referral.id }, tenantId);
      const body = (await (await post(bot.url, invoke)).json()) as { type: string; value: string };
      expect(body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: expect.stringMatching(/^Sorry, only the service leads can acknowledge referrals/) });

      const submit = cardSubmit(sink.url, channelId, cardId, colleague, { card: 'referral', verb: 'acknowledge', referralId: referral.id }, tenantId);
      await post(bot.url, submit);
      expect(sink.messagesTo(submit.conversation.id).map((r) => r.text)).toEqual([expect.stringMatching(/^Sorry, only the service leads/)]);

      expect(sink.updates.filter((u) => u.activityId === cardId)).toEqual([]);
      const after = await stored(bot.store, referral.id);
      expect(after.status).toBe('open');
      expect(after.acknowledged).toBeUndefined();
    });

    it('answers a tampered or unknown referral id clearly and changes nothing', async () => {
      const { tenantId, channelId, referral, cardId } = await delivered();
      for (const referralId of ['../../botState/x', newReferralId(), 42]) {
        const invoke = cardExecute(sink.url, channelId, cardId, lead, 'acknowledge', { card: 'referral', referralId }, tenantId);
        const body = (await (await post(bot.url, invoke)).json()) as { type: string; value: string };
        expect(body.type).toBe('application/vnd.microsoft.activity.message');
        expect(body.value).toMatch(/^Sorry, I couldn't find that referral, so nothing has changed/);
      }
      const submit = cardSubmit(sink.url, channelId, cardId, lead, { card: 'referral', verb: 'acknowledge', referralId: 'nope' }, tenantId);
      await post(bot.url, submit);
      expect(sink.messagesTo(submit.conversation.id).map((r) => r.text)).toEqual([expect.stringMatching(/couldn't find that referral/)]);
      expect(sink.updates.filter((u) => u.activityId === cardId)).toEqual([]);
      expect((await stored(bot.store, referral.id)).status).toBe('open');
    });
  });

  describe('when Teams is not accepting posts', () => {
    it('retries after a 429 (honouring Retry-After) and a 503, across a restart, and posts one card', async () => {
      const clock = { t: Date.now() };
      const { tenantId, channelId } = await registeredChannel();
      const referral = await record(clock, tenantId);
      const first = outboxWith(clock);

      sink.injectResponses({ status: 429, headers: { 'Retry-After': '1' } });
      expect(await first.runOnce()).toMatchObject({ failed: 1, delivered: 0 });
      // One request per attempt: the connector's own retries are not stacked under the outbox's.
      expect(sink.refused.filter((r) => r.conversationId === channelId).map((r) => r.status)).toEqual([429]);
      let now = await stored(bot.store, referral.id);
      expect(now.delivery).toMatchObject({ state: 'pending', attempts: 1, lastError: 'http-429', nextAttemptAt: new Date(clock.t + 1000).toISOString() });
      expect(now.delivery.claimedBy).toBeUndefined();

      // Not due yet: nothing is tried.
      clock.t += 999;
      expect(await first.runOnce()).toMatchObject({ failed: 0, delivered: 0 });
      clock.t += 1;
      sink.injectResponses({ status: 503 });
      expect(await first.runOnce()).toMatchObject({ failed: 1 });
      now = await stored(bot.store, referral.id);
      // 2 s × 2^(2-1) with the jitter at its midpoint.
      expect(now.delivery).toMatchObject({ state: 'pending', attempts: 2, lastError: 'http-503', nextAttemptAt: new Date(clock.t + 4000).toISOString() });
      expect(cardsFor(sink, referral.id)).toEqual([]);

      // The worker restarts (a new instance on the same store) and carries on.
      const restarted = outboxWith(clock);
      clock.t += 4000;
      expect(await restarted.runOnce()).toMatchObject({ delivered: 1 });
      await first.runOnce();
      await restarted.runOnce();
      expect(cardsFor(sink, referral.id)).toHaveLength(1);
      now = await stored(bot.store, referral.id);
      expect(now.delivery).toMatchObject({ state: 'delivered', attempts: 0, channelActivityId: cardsFor(sink, referral.id)[0]!.id });
      expect(now.delivery.lastError).toBeUndefined();
      expect(now.audit.at(-1)!.event).toBe('posted to the leads channel (attempt 3)');
    });

    it('takes over a claim left by an instance that stopped, once the claim has run out', async () => {
      const clock = { t: Date.now() };
      const { tenantId } = await registeredChannel();
      const referral = await record(clock, tenantId);
      await bot.store.containers.referrals.items.upsert({
        ...referral,
        delivery: { ...referral.delivery, claimedBy: 'instance-that-died', claimedUntil: new Date(clock.t + 60_000).toISOString() },
      });
      const outbox = outboxWith(clock);
      expect(await outbox.runOnce()).toMatchObject({ skipped: 1, delivered: 0 });
      clock.t += 60_001;
      expect(await outbox.runOnce()).toMatchObject({ delivered: 1 });
      expect(cardsFor(sink, referral.id)).toHaveLength(1);
    });

    it('keeps an undeliverable referral (bot removed from the channel) and retries it much later, marked failed', async () => {
      const clock = { t: Date.now() };
      const { tenantId } = await registeredChannel();
      const referral = await record(clock, tenantId);
      sink.injectResponses({ status: 403 });
      await outboxWith(clock).runOnce();
      const after = await stored(bot.store, referral.id);
      expect(after.delivery).toMatchObject({ state: 'failed', attempts: 1, lastError: 'http-403' });
      expect(Date.parse(after.delivery.nextAttemptAt) - clock.t).toBe(15 * 60_000);
      clock.t += 15 * 60_000;
      await outboxWith(clock).runOnce();
      expect((await stored(bot.store, referral.id)).delivery.state).toBe('delivered');
      expect(cardsFor(sink, referral.id)).toHaveLength(1);
    });
  });

  it('delivers each of 20 referrals exactly once with two workers on one store', async () => {
    const clock = { t: Date.now() };
    const { tenantId } = await registeredChannel();
    const referrals = await Promise.all(Array.from({ length: 20 }, () => record(clock, tenantId)));
    sink.delayMs = 15;
    const [a, b] = [outboxWith(clock), outboxWith(clock)];
    const results = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    const mine = new Set(referrals.map((r) => r.id));
    for (const referral of referrals) expect(cardsFor(sink, referral.id)).toHaveLength(1);
    expect(results.reduce((sum, r) => sum + r.delivered, 0)).toBeGreaterThanOrEqual(mine.size);
    const states = await Promise.all(referrals.map((r) => stored(bot.store, r.id)));
    expect(states.map((s) => s.delivery.state)).toEqual(referrals.map(() => 'delivered'));
    // Every card id recorded is the one that was posted for that referral.
    expect(states.map((s) => s.delivery.channelActivityId)).toEqual(referrals.map((r) => cardsFor(sink, r.id)[0]!.id));
  });

  it('posts an unacknowledged urgent referral again after repostAfterMs, and updates every copy when acknowledged', async () => {
    const clock = { t: Date.now() };
    const { tenantId, channelId } = await registeredChannel();
    const urgent = await record(clock, tenantId);
    const acknowledged = await record(clock, tenantId);
    const wellbeing = await record(clock, tenantId, { level: 'wellbeing', consented: true, trigger: { source: 'checkIn', reasons: ['phq4-total'] } });
    // (Other tests' referrals share the store, so counts below are per referral, not per pass.)
    const outbox = outboxWith(clock, { repostAfterMs: 50 });
    await outbox.runOnce();
    for (const r of [urgent, acknowledged, wellbeing]) expect(cardsFor(sink, r.id)).toHaveLength(1);

    clock.t += 49;
    await outbox.runOnce();
    expect(cardsFor(sink, urgent.id)).toHaveLength(1);
    const ackCard = cardsFor(sink, acknowledged.id)[0]!;
    await post(bot.url, cardExecute(sink.url, channelId, ackCard.id, lead, 'acknowledge', { card: 'referral', referralId: acknowledged.id }, tenantId));

    clock.t += 1;
    expect((await outbox.runOnce()).reposted).toBeGreaterThanOrEqual(1);
    const copies = cardsFor(sink, urgent.id);
    expect(copies).toHaveLength(2);
    expect(cardText(copies[1]!.activity)).toMatch(/Reminder: nobody has acknowledged this yet/);
    expect(cardsFor(sink, acknowledged.id)).toHaveLength(1);
    expect(cardsFor(sink, wellbeing.id)).toHaveLength(1);
    const after = await stored(bot.store, urgent.id);
    expect(after.delivery).toMatchObject({ reposts: 1, channelActivityId: copies[1]!.id, earlierActivityIds: [copies[0]!.id], postedAt: new Date(clock.t).toISOString() });
    expect(after.audit.at(-1)!.event).toBe('reminder posted to the leads channel (1)');

    // Not again until another repostAfterMs has passed.
    await outbox.runOnce();
    expect(cardsFor(sink, urgent.id)).toHaveLength(2);

    await post(bot.url, cardExecute(sink.url, channelId, copies[1]!.id, lead, 'acknowledge', { card: 'referral', referralId: urgent.id }, tenantId));
    expect(sink.updates.filter((u) => u.activityId === copies[0]!.id || u.activityId === copies[1]!.id).map((u) => u.activityId).sort()).toEqual(
      [copies[0]!.id, copies[1]!.id].sort(),
    );
    clock.t += 1000;
    await outbox.runOnce();
    expect(cardsFor(sink, urgent.id)).toHaveLength(2);
    expect(cardsFor(sink, acknowledged.id)).toHaveLength(1);
    expect(cardsFor(sink, wellbeing.id)).toHaveLength(1);
  });

  it('lets the post in progress finish and be recorded when stopped', async () => {
    const clock = { t: Date.now() };
    const { tenantId } = await registeredChannel();
    const referral = await record(clock, tenantId);
    sink.delayMs = 300;
    const outbox = outboxWith(clock);
    outbox.start();
    // The claim is written just before the post goes out.
    const deadline = Date.now() + 25_000;
    while (!(await stored(bot.store, referral.id)).delivery.claimedBy && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cardsFor(sink, referral.id)).toEqual([]);
    await outbox.stop();
    expect(cardsFor(sink, referral.id)).toHaveLength(1);
    expect((await stored(bot.store, referral.id)).delivery).toMatchObject({ state: 'delivered', channelActivityId: cardsFor(sink, referral.id)[0]!.id });
  });

  it('runs on its own in the bot: started when the server listens, stopped with it', async () => {
    const running = await startBot(testConfig({ SERVICE_LEAD_IDS: lead.aadObjectId, OUTBOX_POLL_SECONDS: '1' }), silentLogger);
    try {
      const tenantId = 'tenant-running';
      await post(running.url, channelMessage(sink.url, newChannelId(), lead, 'register referrals', tenantId));
      const referral = await recordReferral(running.store.referrals, newReferralId(), referralInput(tenantId));
      // The outbox posts the card, then records it as delivered: wait for both, within the test's own timeout.
      const deliveredState = async () => (await readReferral(running.store.referrals, referral.id))!.referral.delivery.state;
      const deadline = Date.now() + 25_000;
      while ((cardsFor(sink, referral.id).length === 0 || (await deliveredState()) !== 'delivered') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(cardsFor(sink, referral.id)).toHaveLength(1);
      expect((await readReferral(running.store.referrals, referral.id))!.referral.delivery.state).toBe('delivered');
    } finally {
      await running.stop();
    }
  });
});

describe('with no leads channel registered', () => {
  const sink = new ReplySink();
  const lead = newUser('Jo Lead');
  let bot: RunningBot;
  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId }, { outbox: { autoStart: false } });

  it('keeps the referral pending, reports it in /healthz without failing liveness, and delivers once registered', async () => {
    const healthz = async () => {
      const response = await fetch(`${bot.url}/healthz`);
      return { status: response.status, body: (await response.json()) as any };
    };
    expect((await healthz()).body).toMatchObject({ status: 'ok', problems: ['no-leads-channel'], referrals: { pending: 0, leadsChannelRegistered: false } });

    const referral = await recordReferral(bot.store.referrals, newReferralId(), {
      tenantId: 'tenant-unregistered',
      level: 'urgent',
      person: { userId: staff.aadObjectId, teamsId: staff.id, name: staff.name },
      trigger: { source: 'checkIn', reasons: ['harm-self'] },
      shown: ['crisis-signposting'],
      consented: false,
      conversationType: 'personal',
    });
    expect(await bot.outbox.runOnce()).toMatchObject({ noChannel: 1, delivered: 0 });
    const waiting = (await readReferral(bot.store.referrals, referral.id))!.referral;
    expect(waiting.delivery).toMatchObject({ state: 'pending', attempts: 0 });
    expect(sink.replies).toEqual([]);

    const health = await healthz();
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', store: 'ok', problems: ['no-leads-channel'], referrals: { pending: 1, failed: 0, leadsChannelRegistered: false } });
    const notReady = await fetch(`${bot.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not ready', problems: ['no-leads-channel'] });

    const channelId = newChannelId();
    await post(bot.url, channelMessage(sink.url, channelId, lead, 'register referrals', 'tenant-unregistered'));
    expect(await bot.outbox.runOnce()).toMatchObject({ delivered: 1 });
    expect(sink.replies.filter((r) => r.conversationId === channelId && cardText(r.activity).includes('thoughts of being better off dead or of hurting themselves'))).toHaveLength(1);
    expect((await healthz()).body).toMatchObject({ status: 'ok', problems: [], referrals: { pending: 0, failed: 0, oldestPendingSeconds: 0, leadsChannelRegistered: true } });
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
  });
});

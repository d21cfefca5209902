import { referralProblems } from '../src/safety/referralOutbox';
import { readLeadsChannel, readReferral, type StoredReferral } from '../src/safety/referralStore';
import { recordReferral, type NewReferral, type Referral } from '../src/safety/referrals';
import { asReply, type Reply } from './support/inProcess';
import { InProcessBotWithCoaches, type Posted } from './support/inProcessCoaches';
import { InProcessLeadsChannel, LEADS_SERVICE_URL } from './support/inProcessLeads';
import { newReferralId, referralInput } from './support/leads';
import { card, expectReplies, says } from './support/transcript';
import { newUser } from './support/teams';

/**
 * Referrals reach the service leads' channel and are acknowledged there, in process: a lead's messages and button
 * presses go through the real turn pipeline (InProcessBotWithCoaches), referrals and the leads' channel are kept
 * in the memory twin of the store, and Teams is stood in for (InProcessTeams: every post and every replaced card
 * in order; refusals with 429, 503 or 403 when told). The outbox's passes are run by the test with runOnce() on
 * the workers' clock, held still and moved on by the test, so retries and reminders need no sleeping.
 *
 * What crosses HTTP (one request to Teams per attempt, Retry-After from Teams' answer, a new post rather than a
 * reply, /healthz and /readyz, the outbox starting and stopping with the server) is in referralsOverHttp.test.ts.
 */
const lead = newUser('Priya Shah');
const colleague = newUser('Sam Jones');
const staff = newUser('Alex Morgan');

const REGISTERED = says(/^Thank you\. I'll post referrals for your organisation in this channel from now on\.[\s\S]*never what they wrote/);
const ACKNOWLEDGED_BY_YOU = says("Thank you. I've marked this referral as acknowledged by you, so the other leads can see it's in hand.");
const URGENT_CARD = card(/^Urgent referral/);
const ACK = 'application/vnd.microsoft.card.adaptive';
const MESSAGE = 'application/vnd.microsoft.activity.message';

function actionsOf(content: any): any[] {
  return content.actions ?? [];
}

/** The text of a card as Teams shows it (headings, facts, button titles). */
function textOfCard(content: unknown): string {
  return asReply({ type: 'message', attachments: [{ contentType: ACK, content }] }).card;
}

const contentOf = (post: Reply): any => post.activity.attachments![0]!.content;

/** One bot in process with its store, Teams and the workers' clock, held still at the start of the test. */
function world() {
  const bot = new InProcessBotWithCoaches({ env: { SERVICE_LEAD_IDS: lead.aadObjectId } });
  bot.clock.holdAt(Date.now());
  const leads = new InProcessLeadsChannel(bot);
  const record = (overrides: Partial<NewReferral> = {}) =>
    recordReferral(bot.stores.referrals, newReferralId(), referralInput(staff, leads.tenantId, overrides), new Date(bot.clock.now()));
  const stored = async (id: string): Promise<StoredReferral> => {
    const found = await readReferral(bot.stores.referrals, id);
    if (!found) throw new Error(`referral ${id} not found`);
    return found.referral;
  };
  /** A lead registers the channel; the bot confirms in the thread. */
  const registered = async () => {
    expectReplies(await leads.say(lead, 'register referrals'), [REGISTERED]);
    return leads;
  };
  return { bot, leads, record, stored, registered, outbox: bot.referralOutbox };
}

describe('registering the leads channel', () => {
  it('is done by a service lead mentioning the bot in the channel, and confirmed', async () => {
    const { bot, leads } = world();
    expectReplies(await leads.say(lead, 'Register referrals'), [REGISTERED]);

    const registration = await readLeadsChannel(bot.stores.referrals, leads.tenantId);
    expect(registration).toMatchObject({
      id: `leads-channel:${leads.tenantId}`,
      docType: 'leadsChannel',
      tenantId: leads.tenantId,
      registeredBy: lead.aadObjectId,
      reference: { serviceUrl: LEADS_SERVICE_URL, channelId: 'msteams', conversation: { id: leads.channelId, conversationType: 'channel', tenantId: leads.tenantId } },
    });
    expect(registration!.reference.activityId).toBeUndefined();
  });

  it('is refused politely for anyone who is not a service lead, and nothing is stored', async () => {
    const { bot, leads } = world();
    expectReplies(await leads.say(colleague, 'register referrals'), [
      says(/^Sorry, only the service leads can choose where referrals are posted, so I haven't changed anything/),
    ]);
    expect(await readLeadsChannel(bot.stores.referrals, leads.tenantId)).toBeUndefined();
  });

  it('explains, outside a channel, that it must be sent in the leads channel', async () => {
    const { bot } = world();
    expectReplies(await bot.chat(lead).say('register referrals'), [says(/please send "register referrals" there/)]);
    expect(await readLeadsChannel(bot.stores.referrals, 'tenant-1')).toBeUndefined();
  });
});

describe('delivering a referral', () => {
  it('posts a recorded referral to the leads channel as a new post with the right card', async () => {
    const { bot, leads, record, stored, registered, outbox } = world();
    await registered();
    const referral = await record();

    expect(await outbox.runOnce()).toMatchObject({ delivered: 1, failed: 0 });

    // A new post in the channel itself (not a reply in the thread where the channel was registered), and only that.
    expectReplies(leads.posts(), [URGENT_CARD]);
    const [posted] = leads.cardsAbout(referral.id);
    expect(posted!.activity.replyToId).toBeUndefined();
    const text = posted!.card;
    expect(text).toContain('Alex Morgan');
    expect(text).toContain('thoughts of suicide');
    expect(text).toContain('crisis and support contacts');
    expect(text).toContain('Not asked: urgent concerns are always passed on');
    expect(text).toMatch(/\(UK time\)/);
    const [chat, acknowledge] = actionsOf(contentOf(posted!));
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

    const after = await stored(referral.id);
    expect(after.delivery).toMatchObject({ state: 'delivered', channelActivityId: posted!.id, postedAt: new Date(bot.clock.now()).toISOString(), reposts: 0 });
    expect(after.delivery.claimedBy).toBeUndefined();
    expect(after.audit.map((a) => a.event)).toEqual([expect.stringMatching(/^recorded/), 'posted to the leads channel (attempt 1)']);

    // Nothing more is posted for it.
    expect(await outbox.runOnce()).toMatchObject({ delivered: 0, reposted: 0 });
    expect(leads.posts()).toHaveLength(1);
  });

  it('describes a check-in referral in plain words, with consent and the person saying the bot misunderstood', async () => {
    const { bot, leads, record, registered, outbox } = world();
    await registered();
    const referral = await record({
      level: 'wellbeing',
      trigger: { source: 'checkIn', reasons: ['phq4-anxiety', 'mystery-code'] },
      shown: ['wellbeing-service'],
      consented: true,
    });
    const found = (await bot.stores.referrals.read(referral.id))!;
    expect(await bot.stores.referrals.replaceIfUnchanged({ ...found.doc, personSaid: 'misunderstood' } satisfies Referral, found.eTag)).toBeDefined();

    await outbox.runOnce();
    expectReplies(leads.posts(), [card(/^Wellbeing referral/)]);
    const text = leads.cardsAbout(referral.id)[0]!.card;
    expect(text).toContain('feeling nervous or unable to stop worrying on more than half the days and mystery code');
    expect(text).toContain('Their answers to the wellbeing check-in');
    expect(text).toContain('Yes, they agreed to this referral');
    expect(text).toContain('That the bot misunderstood what they meant');
  });
});

describe('acknowledging a referral', () => {
  /** A referral posted to a registered channel: its card is the one post there. */
  async function delivered() {
    const w = world();
    await w.registered();
    const referral = await w.record();
    await w.outbox.runOnce();
    const [posted] = w.leads.cardsAbout(referral.id);
    return { ...w, referral, posted: posted! };
  }

  it('with the Acknowledge button (Action.Execute) updates the card for everyone and records who', async () => {
    const { leads, stored, referral, posted } = await delivered();
    const pressed = await leads.execute(lead, posted.id, 'acknowledge', { card: 'referral', referralId: referral.id });
    expect(pressed.status).toBe(200);
    expectReplies(pressed.replies, []);
    expect(pressed.body).toMatchObject({ statusCode: 200, type: ACK });
    expect(textOfCard(pressed.body!.value)).toMatch(/Acknowledged by Priya Shah at \d\d:\d\d on /);
    expect(actionsOf(pressed.body!.value).map((a) => a.type)).toEqual(['Action.OpenUrl']);

    const updates = leads.replacementsOf(posted.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.conversationId.startsWith(leads.channelId)).toBe(true);
    expect(updates[0]!.card).toContain('Acknowledged by Priya Shah');
    expect(actionsOf(contentOf(updates[0]!)).some((a) => a.type === 'Action.Execute')).toBe(false);

    const after = await stored(referral.id);
    expect(after.status).toBe('acknowledged');
    expect(after.acknowledged).toMatchObject({ by: lead.aadObjectId, byName: 'Priya Shah' });
    expect(after.audit.filter((a) => a.event === 'acknowledged')).toEqual([expect.objectContaining({ by: lead.aadObjectId })]);

    // Pressing it again (or a second lead pressing it) changes nothing.
    const again = await leads.execute(lead, posted.id, 'acknowledge', { card: 'referral', referralId: referral.id });
    expect(again.body!.type).toBe(ACK);
    const twice = await stored(referral.id);
    expect(twice.acknowledged).toEqual(after.acknowledged);
    expect(twice.audit.filter((a) => a.event === 'acknowledged')).toHaveLength(1);
    expect(leads.posts()).toHaveLength(1);
  });

  it('with the Submit fallback on older clients does the same and says so in the thread', async () => {
    const { leads, stored, referral, posted } = await delivered();
    expectReplies(await leads.submit(lead, posted.id, { card: 'referral', verb: 'acknowledge', referralId: referral.id }), [ACKNOWLEDGED_BY_YOU]);
    const updates = leads.replacementsOf(posted.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.card).toContain('Acknowledged by Priya Shah');
    expect((await stored(referral.id)).status).toBe('acknowledged');
  });

  it('is refused for anyone who is not a service lead, and nothing changes', async () => {
    const { leads, stored, referral, posted } = await delivered();
    const pressed = await leads.execute(colleague, posted.id, 'acknowledge', { card: 'referral', referralId: referral.id });
    expect(pressed.body).toEqual({ statusCode: 200, type: MESSAGE, value: expect.stringMatching(/^Sorry, only the service leads can acknowledge referrals/) });
    expectReplies(pressed.replies, []);

    expectReplies(await leads.submit(colleague, posted.id, { card: 'referral', verb: 'acknowledge', referralId: referral.id }), [says(/^Sorry, only the service leads/)]);

    expect(leads.replacementsOf(posted.id)).toEqual([]);
    const after = await stored(referral.id);
    expect(after.status).toBe('open');
    expect(after.acknowledged).toBeUndefined();
  });

  it('answers a tampered or unknown referral id clearly and changes nothing', async () => {
    const { leads, stored, referral, posted } = await delivered();
    for (const referralId of ['../../botState/x', newReferralId(), 42]) {
      const pressed = await leads.execute(lead, posted.id, 'acknowledge', { card: 'referral', referralId });
      expect(pressed.body).toEqual({ statusCode: 200, type: MESSAGE, value: expect.stringMatching(/^Sorry, I couldn't find that referral, so nothing has changed/) });
    }
    expectReplies(await leads.submit(lead, posted.id, { card: 'referral', verb: 'acknowledge', referralId: 'nope' }), [says(/couldn't find that referral/)]);
    expect(leads.replacementsOf(posted.id)).toEqual([]);
    expect((await stored(referral.id)).status).toBe('open');
  });
});

describe('when Teams is not accepting posts', () => {
  it('retries after a 429 (honouring Retry-After) and a 503, across a restart, and posts one card', async () => {
    const { bot, leads, record, stored, registered, outbox: first } = world();
    await registered();
    const referral = await record();
    const attempted = () => bot.teams.refused.filter((r) => r.conversationId === leads.channelId).map((r) => r.status);

    bot.teams.refuseNextIn(leads.channelId, { status: 429, retryAfterSeconds: 1 });
    expect(await first.runOnce()).toMatchObject({ failed: 1, delivered: 0 });
    // One try per attempt.
    expect(attempted()).toEqual([429]);
    let now = await stored(referral.id);
    expect(now.delivery).toMatchObject({ state: 'pending', attempts: 1, lastError: 'http-429', nextAttemptAt: new Date(bot.clock.now() + 1000).toISOString() });
    expect(now.delivery.claimedBy).toBeUndefined();

    // Not due yet: nothing is tried.
    bot.clock.advance(999);
    expect(await first.runOnce()).toMatchObject({ failed: 0, delivered: 0 });
    expect(attempted()).toEqual([429]);
    bot.clock.advance(1);
    bot.teams.refuseNextIn(leads.channelId, { status: 503 });
    expect(await first.runOnce()).toMatchObject({ failed: 1 });
    expect(attempted()).toEqual([429, 503]);
    now = await stored(referral.id);
    // 2 s × 2^(2-1) with the jitter at its midpoint.
    expect(now.delivery).toMatchObject({ state: 'pending', attempts: 2, lastError: 'http-503', nextAttemptAt: new Date(bot.clock.now() + 4000).toISOString() });
    expect(leads.posts()).toEqual([]);

    // The worker restarts (a new instance on the same store) and carries on.
    const restarted = bot.anotherInstance().referralOutbox;
    bot.clock.advance(4000);
    expect(await restarted.runOnce()).toMatchObject({ delivered: 1 });
    await first.runOnce();
    await restarted.runOnce();
    expectReplies(leads.posts(), [URGENT_CARD]);
    expect(attempted()).toEqual([429, 503]);
    now = await stored(referral.id);
    expect(now.delivery).toMatchObject({ state: 'delivered', attempts: 0, channelActivityId: leads.cardsAbout(referral.id)[0]!.id });
    expect(now.delivery.lastError).toBeUndefined();
    expect(now.audit.at(-1)!.event).toBe('posted to the leads channel (attempt 3)');
  });

  it('takes over a claim left by an instance that stopped, once the claim has run out', async () => {
    const { bot, leads, record, registered, outbox } = world();
    await registered();
    const referral = await record();
    const found = (await bot.stores.referrals.read(referral.id))!;
    const claimed = { ...found.doc, delivery: { ...found.doc.delivery, claimedBy: 'instance-that-died', claimedUntil: new Date(bot.clock.now() + 60_000).toISOString() } };
    expect(await bot.stores.referrals.replaceIfUnchanged(claimed, found.eTag)).toBeDefined();

    expect(await outbox.runOnce()).toMatchObject({ skipped: 1, delivered: 0 });
    expect(leads.posts()).toEqual([]);
    bot.clock.advance(60_001);
    expect(await outbox.runOnce()).toMatchObject({ delivered: 1 });
    expect(leads.cardsAbout(referral.id)).toHaveLength(1);
  });

  it('keeps an undeliverable referral (bot removed from the channel) and retries it much later, marked failed', async () => {
    const { bot, leads, record, stored, registered, outbox } = world();
    await registered();
    const referral = await record();
    bot.teams.refuseNextIn(leads.channelId, { status: 403 });
    await outbox.runOnce();
    const after = await stored(referral.id);
    expect(after.delivery).toMatchObject({ state: 'failed', attempts: 1, lastError: 'http-403' });
    expect(Date.parse(after.delivery.nextAttemptAt) - bot.clock.now()).toBe(15 * 60_000);
    expect(leads.posts()).toEqual([]);

    bot.clock.advance(15 * 60_000);
    await bot.anotherInstance().referralOutbox.runOnce();
    expect((await stored(referral.id)).delivery.state).toBe('delivered');
    expect(leads.cardsAbout(referral.id)).toHaveLength(1);
  });
});

describe('two workers, reminders and stopping', () => {
  it('delivers each of 20 referrals exactly once with two workers on one store', async () => {
    const { bot, leads, record, stored, registered } = world();
    await registered();
    const referrals = await Promise.all(Array.from({ length: 20 }, () => record()));
    const [a, b] = [bot.referralOutbox, bot.anotherInstance().referralOutbox];

    const results = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    for (const referral of referrals) expect(leads.cardsAbout(referral.id)).toHaveLength(1);
    expect(leads.posts()).toHaveLength(20);
    expect(results.reduce((sum, r) => sum + r.delivered, 0)).toBe(20);
    // The two passes overlapped: each delivered some, and claims were lost to the other.
    expect(results[0]!.delivered > 0 && results[1]!.delivered > 0).toBe(true);
    expect(results.reduce((sum, r) => sum + r.skipped, 0)).toBeGreaterThan(0);

    const states = await Promise.all(referrals.map((r) => stored(r.id)));
    expect(states.map((s) => s.delivery.state)).toEqual(referrals.map(() => 'delivered'));
    // Every card id recorded is the one that was posted for that referral.
    expect(states.map((s) => s.delivery.channelActivityId)).toEqual(referrals.map((r) => leads.cardsAbout(r.id)[0]!.id));
  });

  it('posts an unacknowledged urgent referral again after repostAfterMs, and updates every copy when acknowledged', async () => {
    const { bot, leads, record, stored, registered, outbox } = world();
    const repostAfterMs = bot.config.safety.repostAfterMs;
    await registered();
    const urgent = await record();
    const acknowledged = await record();
    const wellbeing = await record({ level: 'wellbeing', consented: true, trigger: { source: 'checkIn', reasons: ['phq4-total'] } });
    /** Which referral each post in the channel is the card of, in order. */
    const postsAbout = () => leads.posts().map((p: Posted) => [urgent, acknowledged, wellbeing].find((r) => JSON.stringify(p.activity.attachments).includes(r.id))!.id);

    expect(await outbox.runOnce()).toMatchObject({ delivered: 3 });
    // Urgent first, then wellbeing.
    expect(postsAbout()).toEqual([urgent.id, acknowledged.id, wellbeing.id]);

    bot.clock.advance(repostAfterMs - 1);
    expect(await outbox.runOnce()).toMatchObject({ delivered: 0, reposted: 0 });
    const ackCard = leads.cardsAbout(acknowledged.id)[0]!;
    expect((await leads.execute(lead, ackCard.id, 'acknowledge', { card: 'referral', referralId: acknowledged.id })).body!.type).toBe(ACK);

    bot.clock.advance(1);
    expect(await outbox.runOnce()).toMatchObject({ delivered: 0, reposted: 1 });
    expect(postsAbout()).toEqual([urgent.id, acknowledged.id, wellbeing.id, urgent.id]);
    const copies = leads.cardsAbout(urgent.id);
    expect(copies[1]!.card).toMatch(/Reminder: nobody has acknowledged this yet/);
    const after = await stored(urgent.id);
    expect(after.delivery).toMatchObject({ reposts: 1, channelActivityId: copies[1]!.id, earlierActivityIds: [copies[0]!.id], postedAt: new Date(bot.clock.now()).toISOString() });
    expect(after.audit.at(-1)!.event).toBe('reminder posted to the leads channel (1)');

    // Not again until another repostAfterMs has passed.
    expect(await outbox.runOnce()).toMatchObject({ reposted: 0 });
    expect(leads.posts()).toHaveLength(4);

    // Acknowledging the reminder updates both copies, the first post and the reminder, in that order.
    await leads.execute(lead, copies[1]!.id, 'acknowledge', { card: 'referral', referralId: urgent.id });
    const replaced = bot.teams.updates.map((u) => u.activityId).filter((id) => id === copies[0]!.id || id === copies[1]!.id);
    expect(replaced).toEqual([copies[0]!.id, copies[1]!.id]);
    bot.clock.advance(repostAfterMs);
    expect(await outbox.runOnce()).toMatchObject({ delivered: 0, reposted: 0 });
    expect(postsAbout()).toEqual([urgent.id, acknowledged.id, wellbeing.id, urgent.id]);
  });

  it('lets the post in progress finish and be recorded when stopped', async () => {
    const { bot, leads, record, stored, registered, outbox } = world();
    await registered();
    const referral = await record();
    const held = bot.teams.holdNextIn(leads.channelId);
    outbox.start();
    await held.reached;
    // The claim is written just before the post goes out.
    expect((await stored(referral.id)).delivery.claimedBy).toBe(outbox.instanceId);
    expect(leads.posts()).toEqual([]);

    let stopped = false;
    const stopping = outbox.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    // stop() waits for the post in hand.
    expect(stopped).toBe(false);
    held.release();
    await stopping;
    expect(leads.cardsAbout(referral.id)).toHaveLength(1);
    expect((await stored(referral.id)).delivery).toMatchObject({ state: 'delivered', channelActivityId: leads.cardsAbout(referral.id)[0]!.id });
  });
});

describe('with no leads channel registered', () => {
  it('keeps the referral pending and untouched, reports it for /healthz, and delivers once registered', async () => {
    const { bot, leads, record, stored, outbox } = world();
    const backlog = async () => {
      const referrals = await outbox.backlog();
      return { referrals, problems: referralProblems(referrals) };
    };
    expect(await backlog()).toMatchObject({ problems: ['no-leads-channel'], referrals: { pending: 0, leadsChannelRegistered: false } });

    const referral = await record({ trigger: { source: 'checkIn', reasons: ['harm-self'] }, shown: ['crisis-signposting'] });
    expect(await outbox.runOnce()).toMatchObject({ noChannel: 1, delivered: 0 });
    expect((await stored(referral.id)).delivery).toMatchObject({ state: 'pending', attempts: 0 });
    expect(bot.teams.delivered).toEqual([]);
    expect(bot.teams.refused).toEqual([]);
    expect(await backlog()).toMatchObject({ problems: ['no-leads-channel'], referrals: { pending: 1, failed: 0, leadsChannelRegistered: false } });

    expectReplies(await leads.say(lead, 'register referrals'), [REGISTERED]);
    expect(await outbox.runOnce()).toMatchObject({ delivered: 1 });
    expectReplies(leads.posts(), [card('thoughts of being better off dead or of hurting themselves')]);
    expect(await backlog()).toEqual({ problems: [], referrals: { pending: 0, failed: 0, oldestPendingSeconds: 0, leadsChannelRegistered: true } });
  });
});

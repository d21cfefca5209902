import { Writable } from 'node:stream';
import { TestAdapter, type Activity } from 'botbuilder';
import type { Programme } from '../src/coaching/programme';
import { loadConfig } from '../src/config';
import { coachingControls } from '../src/documents/gateControls';
import { createLogger } from '../src/logger';
import { createRiskGate, type GateDecision } from '../src/safety/riskGate';
import { MemoryReferrals } from '../src/store/memoryReferrals';
import { readInbound } from '../src/turn/inbound';
import { silentLogger } from './support/bot';
import { asReply, InProcessBotWithStore, InProcessGroupChat, type InProcessChat, type Reply } from './support/inProcess';
import { allOf, card, expectReplies, says } from './support/transcript';
import { botAccount, newUser } from './support/teams';

/**
 * The risk gate, in process through the real turn pipeline, every reply in order: what the person sees, what
 * is stored (their document, and referrals in an embedded store), and what reaches the logs.
 */
describe('the risk gate', () => {
  let bot: InProcessBotWithStore;
  let logs = '';
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });

  beforeAll(async () => {
    bot = await InProcessBotWithStore.open({ logger: createLogger('debug', logStream) });
  });
  afterAll(() => bot.close());

  /** A 1:1 chat that shows the gate's direct question rather than answering it. */
  const newChat = () => {
    const chat = bot.chat();
    chat.answerDirectQuestions = false;
    return chat;
  };
  const stored = (chat: InProcessChat) => bot.state.readOne(chat.user.aadObjectId);
  const cleanCheckIn = { nervous: '0', worrying: '0', littleInterest: '0', down: '0', harmSelf: '0', harmOthers: 'no' };
  const GOAL_TERM = card('Is this something for the next few weeks, or a longer-term goal?', ['Next few weeks', 'Longer term']);
  const CRISIS = card(/^I'm really glad you told me\. You don't have to face this on your own\./, []);
  const ARE_YOU_SAFE = card('Are you safe right now?', ["Yes, I'm safe right now", "No, I'm not safe", "I'd rather not say"]);
  const SUPPORT = card(/^Support you can reach now/, ['Back to the menu']);

  it('stops coaching at once on an urgent message mid-stage, signposts, records a referral and asks if they are safe', async () => {
    const chat = newChat();
    await chat.startCoaching();
    expectReplies(await chat.say('Be more confident at work'), [GOAL_TERM]);
    const words = 'the rota is awful and honestly some nights I just want to end it all';
    let seen: Reply[] = await chat.say(words);

    expectReplies(seen, [CRISIS, ARE_YOU_SAFE]);
    const crisis = seen[0]!.card;
    expect(crisis).toMatch(/You don't have to face this on your own/);
    expect(crisis).toMatch(/call 999 or go to A&E now/);
    expect(crisis).toMatch(/NHS 111[\s\S]*option 2/);
    expect(crisis).toMatch(/116 123/);
    expect(crisis).toMatch(/SHOUT to 85258/);
    expect(crisis).toMatch(/Stress Support and Wellbeing service/);
    expect(crisis).toMatch(/I'm letting a service lead know/);
    expect(allOf(seen)).not.toMatch(/next few weeks/);

    const [referral] = await bot.referralsFor(chat.user);
    expect(referral).toMatchObject({ level: 'urgent', status: 'open', trigger: { source: 'keywords' }, delivery: { state: 'pending' } });
    expect(referral!.person.name).toBe(chat.user.name);
    expect(JSON.stringify(referral)).not.toContain('end it all');

    const state = await stored(chat);
    expect(state?.dialogState).toBeUndefined();
    expect((state?.programme as Programme).sessions['1']!.goal?.text).toBe('Be more confident at work');

    const notSafe = await chat.say("No, I'm not safe");
    expectReplies(notSafe, [says(/^Please call 999 now, or go to your nearest A&E\..*116 123/)]);
    // The danger may be the person next to them: how to call when talking isn't safe, and someone they trust.
    expect(notSafe[0]!.text).toMatch(/If it isn't safe to talk, call 999 from a mobile and press 55/);
    expect(notSafe[0]!.text).not.toMatch(/someone near you/);
    seen = await chat.say('start coaching');
    expectReplies(seen, [says(/^Coaching is stopped for now, because of what you told me earlier\./), SUPPORT]);
    expect(seen[1]!.card).toMatch(/116 123/);
    expect(await bot.referralsFor(chat.user)).toHaveLength(1);
    expect(logs).not.toContain('end it all');
    expect(logs).toMatch(/"level":"urgent"/);
  });

  it('someone in danger from another person gets the crisis response with the domestic abuse helpline second, and a referral that says so', async () => {
    const chat = newChat();
    await chat.startCoaching();
    expectReplies(await chat.say('Be more confident at work'), [GOAL_TERM]);
    const seen = await chat.say("he put his hands round my neck last night and I don't want to go home after my shift");

    expectReplies(seen, [CRISIS, ARE_YOU_SAFE]);
    const contacts = seen[0]!.card.split('\n');
    const at = (name: string) => contacts.findIndex((line) => line.startsWith(name));
    expect(at('Emergency services')).toBeGreaterThanOrEqual(0);
    expect(at('National Domestic Abuse Helpline')).toBe(at('Emergency services') + 2);
    expect(seen[0]!.card).toMatch(/0808 2000 247/);
    expect(at('National Domestic Abuse Helpline')).toBeLessThan(at('NHS 111'));

    const [referral] = await bot.referralsFor(chat.user);
    expect(referral).toMatchObject({ level: 'urgent', trigger: { source: 'keywords', reasons: ['danger-from-others'] } });
    expect(JSON.stringify(referral)).not.toContain('neck');
  });

  it('pauses coaching for stress, offers the wellbeing service with consent, and resumes only after a clean check-in', async () => {
    const chat = newChat();
    await chat.startCoaching();
    await chat.say('Get on top of my paperwork');
    let seen = await chat.say("I'm so stressed and anxious I can't sleep");
    expectReplies(seen, [card(/^It sounds like things are a lot at the moment\. Let's pause the coaching here\./, ['Yes, please ask them', 'No, thank you'])]);
    expect(seen[0]!.card).toMatch(/Stress Support and Wellbeing service is there for NHS staff/);
    expect(seen[0]!.card).toMatch(/Would you like me to ask the service to get in touch/);
    expect(await bot.referralsFor(chat.user)).toHaveLength(0);

    expectReplies(await chat.say('Yes, please ask them'), [
      says("Thank you. I've asked the service to get in touch with you. They'll see your name, not what you've written here."),
      says('When you feel ready to carry on with coaching, type "start coaching" and we will begin with a quick check-in.'),
    ]);
    const [referral] = await bot.referralsFor(chat.user);
    expect(referral).toMatchObject({ level: 'wellbeing', consented: true });

    expectReplies(await chat.say('start coaching'), [card(/^A quick check-in\nWelcome back\. Before we carry on, let's do a quick check-in\./, ['Send'])]);
    expectReplies(await chat.submit('checkIn', { ...cleanCheckIn, nervous: '3', worrying: '2' }), [
      card(/^Thank you for answering\. It sounds like things are hard at the moment, so let's pause the coaching for now\./, ['Yes, please ask them', 'No, thank you']),
    ]);
    expectReplies(await chat.say('No, thank you'), [
      says("That's fine. The details are there whenever you want them."),
      says('When you feel ready to carry on with coaching, type "start coaching" and we will begin with a quick check-in.'),
    ]);
    expectReplies(await chat.say('start coaching'), [card(/^A quick check-in/, ['Send'])]);
    expectReplies(await chat.submit('checkIn', cleanCheckIn), [
      says('Thank you for checking in.'),
      says('Welcome back. We were looking at what you want to work on for your goal "Get on top of my paperwork" (session 1, stage 1 of 7: What you want to work on).'),
      GOAL_TERM,
    ]);
  });

  it('believes someone who says it misunderstood, keeps the support in reach and asks once more, gently', async () => {
    const chat = newChat();
    await chat.startCoaching();
    expectReplies(await chat.say('I want to kill myself'), [CRISIS, ARE_YOU_SAFE]);
    const seen = await chat.say('sorry, I was joking, you misunderstood');
    expectReplies(seen, [
      says("Thank you for telling me, and I'm sorry if I read that wrongly. I'll leave these here, just in case they're ever useful:"),
      SUPPORT,
      card('Just so I know, gently: are you OK right now?', ["I'm OK", "I'd like some support"]),
    ]);
    expect(seen[1]!.card).toMatch(/116 123/);
    expectReplies(await chat.say("I'm OK"), [says('Thank you for letting me know. Whenever you want to carry on with coaching, type "start coaching" and we will start with a quick check-in.')]);
    const [referral] = await bot.referralsFor(chat.user);
    expect(referral).toMatchObject({ level: 'urgent', personSaid: 'misunderstood', status: 'open' });

    expectReplies(await chat.say('start coaching'), [card(/^A quick check-in\nBefore we carry on, let's do a quick check-in\./, ['Send'])]);
    expectReplies(await chat.submit('checkIn', cleanCheckIn), [
      says('Thank you for checking in.'),
      says('Welcome back. We were looking at what you want to work on (session 1, stage 1 of 7: What you want to work on).'),
      says(/What would you like to achieve\?$/),
    ]);
  });

  it('offers support and a check-in for "Not OK right now"; a yes to the self-harm item is urgent', async () => {
    const chat = newChat();
    const seen = await chat.say('Not OK right now');
    expectReplies(seen, [SUPPORT, card(/^A quick check-in\nIf you feel able to, this short check-in helps me point you to the right support\./, ['Send'])]);
    expect(seen[1]!.card).toMatch(/Thoughts that you would be better off dead, or of hurting yourself/);
    expect(seen[1]!.card).toMatch(/thoughts of harming someone else/);
    expectReplies(await chat.submit('checkIn', { ...cleanCheckIn, harmSelf: '1' }), [CRISIS, ARE_YOU_SAFE]);
    const [referral] = await bot.referralsFor(chat.user);
    expect(referral).toMatchObject({ level: 'urgent', trigger: { source: 'checkIn', reasons: ['harm-self'] } });
  });

  it('screens free text in a card: risk written in the action plan stops coaching and the plan is not saved', async () => {
    const chat = newChat();
    await chat.startCoaching();
    await chat.say('Cope with nights');
    const programme = (await stored(chat))!.programme as Programme;
    expect(programme.sessions['1']!.stage).toBe('goal');
    // A tampered or replayed plan card arriving now is screened first, whatever it claims to be.
    expectReplies(await chat.submitValue({ card: 'actionPlan', questionId: 'myPlan', action1: 'take all my tablets at once and not wake up' }), [CRISIS, ARE_YOU_SAFE]);
    expect(((await stored(chat))!.programme as Programme).sessions['1']!.actionPlan).toBeUndefined();
  });

  it('refuses an incomplete, stale or tampered check-in without changing anything', async () => {
    const chat = newChat();
    expectReplies(await chat.say('start coaching'), [card(/^A quick check-in/, ['Send'])]);
    expectReplies(await chat.submit('checkIn', { nervous: '0' }), [card(/^A quick check-in\nPlease answer each question, then press Send\./, ['Send'])]);
    expectReplies(await chat.submit('checkIn', { ...cleanCheckIn, questionId: 'an-old-card' }), [card(/^A quick check-in\nThat check-in card is an old one/, ['Send'])]);
    expectReplies(await chat.submit('checkIn', { ...cleanCheckIn, down: '7' }), [card(/^A quick check-in\nPlease answer each question, then press Send\./, ['Send'])]);
    expectReplies(await chat.submit('checkIn', cleanCheckIn), [
      says('Thank you for checking in.'),
      card('Welcome to staff coaching'),
      says(/seven short stages/),
      says(/What would you like to achieve\?$/),
    ]);
  });

  it('keeps the check-in private: in a group chat "Not OK right now" gives the contacts and points to a 1:1 chat', async () => {
    const seen = await new InProcessGroupChat(bot).overheard(newUser(), 'Not OK right now');
    expectReplies(seen, [SUPPORT, says(/private check-in.*1:1 chat/)]);
    expect(allOf(seen)).not.toMatch(/A quick check-in/);
  });

  it('in a group chat, screens every message but only answers what is addressed to it', async () => {
    const chat = new InProcessGroupChat(bot);
    expectReplies(await chat.overheard(newUser(), 'See you at handover'), []);
    expectReplies(await chat.overheard(newUser(), 'honestly I want to end my life'), [CRISIS, ARE_YOU_SAFE]);
  });

  it('responds in a group chat too', async () => {
    expectReplies(await new InProcessGroupChat(bot).overheard(newUser(), 'I keep thinking about hurting myself'), [CRISIS, ARE_YOU_SAFE]);
  });
});

describe('the risk gate and invokes', () => {
  const lead = newUser('Jo Lead');
  let bot: InProcessBotWithStore;
  beforeAll(async () => {
    bot = await InProcessBotWithStore.open({ env: { SERVICE_LEAD_IDS: lead.aadObjectId } });
  });
  afterAll(() => bot.close());

  const CRISIS = card(/^I'm really glad you told me\. You don't have to face this on your own\./, []);
  const ARE_YOU_SAFE = card('Are you safe right now?', ["Yes, I'm safe right now", "No, I'm not safe", "I'd rather not say"]);
  const executed = (data: Record<string, string>) => ({ action: { type: 'Action.Execute', verb: 'acknowledge', data }, trigger: 'manual' });

  /** The lead pressing Acknowledge (Action.Execute, an invoke) on a referral card in the leads' channel, with anything typed into the card. */
  const acknowledge = async (referralId: string, typed: Record<string, string> = {}) =>
    (
      await bot.run({
        type: 'invoke',
        name: 'adaptiveCard/action',
        channelId: 'msteams',
        from: lead,
        recipient: botAccount,
        conversation: { id: '19:leads@thread.tacv2;messageid=1', conversationType: 'channel', tenantId: 'tenant-1', isGroup: true, name: '' },
        channelData: { tenant: { id: 'tenant-1' }, team: { id: '19:leads-team@thread.tacv2' }, channel: { id: '19:leads@thread.tacv2' } },
        value: executed({ card: 'referral', referralId, ...typed }),
      })
    ).map(asReply);

  it("screens the free text an Action.Execute carries before any route: urgent words get the urgent response and the card's own action does not run", async () => {
    const staff = bot.chat();
    staff.answerDirectQuestions = false;
    expectReplies(await staff.say('some nights I just want to end it all'), [CRISIS, ARE_YOU_SAFE]);
    const [referral] = await bot.referralsFor(staff.user);

    expectReplies(await acknowledge(referral!.id, { comment: 'honestly I want to end my life too' }), [CRISIS, ARE_YOU_SAFE]);
    expect((await bot.referralsFor(staff.user))[0]).toMatchObject({ id: referral!.id, status: 'open' });
    expect(await bot.referralsFor(lead)).toEqual([expect.objectContaining({ level: 'urgent', trigger: expect.objectContaining({ source: 'keywords' }) })]);

    // The same button with nothing of concern typed into the card acknowledges the referral: its route runs.
    expectReplies(await acknowledge(referral!.id), []);
    expect((await bot.referralsFor(staff.user))[0]).toMatchObject({ id: referral!.id, status: 'acknowledged', acknowledged: { by: lead.aadObjectId } });
  });

  it('answers an invoke it has handled, so the card shows no error beside the replies; one with nothing typed passes untouched', async () => {
    const gate = createRiskGate({ safety: loadConfig({ PORT: '0' }).safety, referrals: new MemoryReferrals(), logger: silentLogger, coaching: coachingControls() });
    const invoke = (data: Record<string, string>) => ({
      type: 'invoke',
      name: 'adaptiveCard/action',
      channelId: 'msteams',
      from: newUser(),
      conversation: { id: 'a:1', conversationType: 'personal', tenantId: 'tenant-1', isGroup: false, name: '' },
      value: executed(data),
    });
    const run = async (activity: Partial<Activity>) => {
      const adapter = new TestAdapter();
      let decision: GateDecision | undefined;
      await adapter.processActivity(activity, async (context) => {
        decision = await gate(context, readInbound(context.activity), {});
      });
      return { decision, sent: adapter.activeQueue.map((a) => (a.type === 'invokeResponse' ? a.value : a.type)) };
    };
    expect(await run(invoke({ card: 'plan', note: 'I am going to kill myself tonight' }))).toEqual({ decision: 'handled', sent: ['message', 'message', { status: 200 }] });
    expect(await run(invoke({ card: 'plan' }))).toEqual({ decision: 'continue', sent: [] });
  });
});

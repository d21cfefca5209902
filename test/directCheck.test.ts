import type { Activity } from 'botbuilder';
import type { Programme } from '../src/coaching/programme';
import { lastQuestionIn } from '../src/safety/conversationMemory';
import { screenMessage } from '../src/safety/screenMessage';
import { InProcessBotWithStore, InProcessGroupChat, type InProcessChat, type Reply } from './support/inProcess';
import { channelMessage, newChannelId } from './support/leads';
import { cardText } from './support/replySink';
import { newUser } from './support/teams';
import { allOf, card, expectReplies, says } from './support/transcript';
import { checkLevelIn, DIRECT_QUESTION } from './support/warningSigns';
import { JobQueue } from '../src/booking/jobs';
import { pauseCoaching, type PersonDocument } from '../src/documents/person';
import { screenCardValue } from '../src/safety/screenMessage';
import { MemoryBookings } from '../src/store/memoryBookings';
import { MemoryJobs } from '../src/store/memoryJobs';
import { MyCoaching } from '../src/tabs/myCoaching';
import { silentLogger } from './support/bot';
import { sessionOneWithPlan } from './support/programmes';

/**
 * The `check` level, in process through the real turn pipeline, every reply in order: a message with warning
 * signs and no usual risk phrase gets a direct question instead of the next coaching question; "yes" brings
 * crisis signposting and a card in the leads' channel (posted straight after the turn, as the bot does);
 * "no" lets coaching carry on at the same question with no referral; from a group chat the question is asked
 * privately, in the person's own 1:1 chat. Referrals are kept in an embedded store. The same from a
 * coach-joined session, over HTTP to the leads' channel, is in test/urgentReferralEndToEnd.test.ts.
 */
const ANSWERS = ['Yes', 'Not sure', 'No', "I'd rather not say"];
const ASKED = card(new RegExp(`^Thank you for telling me\\. I'd like to ask you something directly, .*${DIRECT_QUESTION.source}`), ANSWERS);
const ARE_YOU_SAFE = card('Are you safe right now?', ["Yes, I'm safe right now", "No, I'm not safe", "I'd rather not say"]);

describe('the direct question (check level)', () => {
  const lead = newUser('Sam Lead');
  let bot: InProcessBotWithStore;
  let leadsChannelId: string;

  beforeAll(async () => {
    bot = await InProcessBotWithStore.open({ env: { SERVICE_LEAD_IDS: lead.aadObjectId }, sendReferralsNow: true });
    leadsChannelId = newChannelId();
    const registration = channelMessage('https://smba.example.invalid/', leadsChannelId, lead, 'register referrals', 'tenant-1');
    const registered = await bot.run(registration as unknown as Partial<Activity>);
    expect(registered.map((a) => a.text)).toEqual([expect.stringMatching(/^Thank you\. I'll post referrals for your organisation in this channel from now on\./)]);
  });
  afterAll(() => bot.close());

  const stored = (chat: InProcessChat) => bot.state.readOne(chat.user.aadObjectId);
  const activities = (replies: Reply[]) => replies.map((r) => r.activity) as Activity[];
  /** The cards posted in the leads' channel so far, as text. */
  const leadsCards = () => bot.sent.filter((s) => s.conversationId === leadsChannelId).map((s) => cardText(s.activity as Parameters<typeof cardText>[0]));

  /** What the person has said by then (their last three messages), which the gate reads with the question. */
  const midSessionHistory = ['start coaching', 'Lead handovers on my ward with confidence', 'Next few weeks'];
  /** Starts session 1 and answers up to "why this goal, and why now?", returning the replies that asked it. */
  async function midSession(chat: InProcessChat): Promise<Reply[]> {
    chat.answerDirectQuestions = false;
    await chat.startCoaching();
    await chat.say('Lead handovers on my ward with confidence');
    const asked = await chat.say('Next few weeks');
    expectReplies(asked, [says('Why this goal now, and not another?')]);
    return asked;
  }

  it('mid-session, asks directly instead of the next coaching question; "yes" brings crisis signposting and a card in the leads\' channel', async () => {
    const chat = bot.chat(newUser('Jo Patel'));
    const asked = await midSession(chat);
    const warning = checkLevelIn({ question: lastQuestionIn(activities(asked)), history: midSessionHistory });

    let seen = await chat.say(warning);
    expectReplies(seen, [ASKED]);
    expect(allOf(seen)).not.toMatch(/What are you hoping to get from our session/);
    const person = await stored(chat);
    expect((person?.safety as any).pending).toBe('directCheck');
    expect(JSON.stringify((person?.safety as any).checks)).not.toContain(warning);
    expect((person?.safety as any).heldInput).toEqual({ text: warning }); // held only until answered
    expect(await bot.referralsFor(chat.user)).toHaveLength(0);
    const cardsBefore = leadsCards().length;

    seen = await chat.say('Yes');
    expectReplies(seen, [card(/^Thank you for telling me\. I'm really glad you did, and you don't have to face this on your own\./, []), ARE_YOU_SAFE]);
    expect(seen[0]!.card).toMatch(/116 123/);
    expect(seen[0]!.card).toMatch(/letting a service lead know/);
    const [referral, ...others] = await bot.referralsFor(chat.user);
    expect(others).toHaveLength(0);
    expect(referral).toMatchObject({ level: 'urgent', trigger: { source: 'directCheck' } });
    expect(referral!.trigger.reasons).toContain('answer-yes');
    expect(JSON.stringify(referral)).not.toContain(warning);

    const posted = leadsCards().slice(cardsBefore);
    expect(posted).toEqual([expect.stringContaining('Jo Patel may need urgent support')]);
    expect(posted[0]).toMatch(/asked them directly/);
    expect(posted[0]).not.toContain(warning);
    const after = await stored(chat);
    expect((after?.safety as any).status).toBe('urgentStop');
    expect((after?.safety as any).checks.at(-1)).toMatchObject({ answer: 'yes', origin: 'personal' });
    expect(JSON.stringify(after?.safety)).not.toContain(warning);
  });

  it('for a milder message, "no" is believed: coaching carries on at the same question and no referral is sent', async () => {
    const chat = bot.chat(newUser('Chris Lowe'));
    const asked = await midSession(chat);
    const warning = checkLevelIn({ question: lastQuestionIn(activities(asked)), history: midSessionHistory });

    expectReplies(await chat.say(warning), [ASKED]);
    let seen = await chat.say('No');
    // Believed: coaching takes the words they typed as their answer to the question it was waiting on.
    expectReplies(seen, [says("Thank you for answering. Let's carry on."), says('What are you hoping to get from our session today?')]);
    // Check fatigue: warning signs alone, soon after a "no", bring a reminder of help, not the question again.
    const context = { question: lastQuestionIn(activities(seen)), history: ['Next few weeks', warning, 'No'] };
    const again = ['A reason to keep going', 'To feel less trapped', 'To feel something again', 'Some way to keep going'].find(
      (text) => screenMessage({ text, ...context }).level === 'check',
    );
    expect(again).toBeDefined();
    seen = await chat.say(again!);
    expectReplies(seen, [
      says('If anything changes, or things feel like too much, say "Not OK right now" and I\'ll show you who can help straight away.'),
      says('How will you know it has been useful to you?'),
    ]);
    expect(allOf(seen)).not.toMatch(DIRECT_QUESTION);
    expect(await bot.referralsFor(chat.user)).toHaveLength(0);
    const programme = (await stored(chat))?.programme as Programme;
    expect(programme.sessions['1']!.goal).toMatchObject({ text: 'Lead handovers on my ward with confidence', whyNow: warning });
  });

  it('a past attempt the writer says is long resolved gets the direct question, not the urgent response; "no" lets coaching carry on', async () => {
    const chat = bot.chat(newUser('Ade Okon'));
    await midSession(chat);
    const history = 'I tried to end my life. That was fourteen years ago and I have been well ever since, which is why I want to mentor new starters.';

    expectReplies(await chat.say(history), [ASKED]);
    expect(await bot.referralsFor(chat.user)).toHaveLength(0);
    expectReplies(await chat.say('No'), [says("Thank you for answering. Let's carry on."), says('What are you hoping to get from our session today?')]);
    expect(await bot.referralsFor(chat.user)).toHaveLength(0);
    const person = await stored(chat);
    expect((person?.safety as any).checks.at(-1)).toMatchObject({ answer: 'no', origin: 'personal', reasons: ['suicidal-ideation'] });
    expect(JSON.stringify(person?.safety)).not.toContain('fourteen years');
    expect(((person?.programme as Programme).sessions['1']!.goal as { whyNow?: string }).whyNow).toBe(history);
  });

  it('the same with distress named in the message: "no" brings the wellbeing offer, not the next question', async () => {
    const chat = bot.chat(newUser('Bea Okon'));
    await midSession(chat);
    const history = 'I tried to end my life. That was fourteen years ago and I have been well ever since, but the rota has me so stressed I cannot sleep.';

    expectReplies(await chat.say(history), [ASKED]);
    expectReplies(await chat.say('No'), [
      card(/^Thank you for answering\. It still sounds like things are a lot at the moment, so let's pause the coaching here\.\nThe Stress Support and Wellbeing service/, ['Yes, please ask them', 'No, thank you']),
    ]);
    expect(await bot.referralsFor(chat.user)).toHaveLength(0);
  });

  it('reads a typed answer, asks once more when it cannot, and takes a second unclear reply as "not sure"', async () => {
    const chat = bot.chat(newUser('Robin Hale'));
    const asked = await midSession(chat);
    expectReplies(await chat.say(checkLevelIn({ question: lastQuestionIn(activities(asked)), history: midSessionHistory })), [ASKED]);
    expectReplies(await chat.say('why are you asking me that'), [card(new RegExp(`^I need to be sure I understand you, .*${DIRECT_QUESTION.source}`), ANSWERS)]);
    expect(await bot.referralsFor(chat.user)).toHaveLength(0);
    expectReplies(await chat.say('hmm'), [card(/^Thank you for answering\. When I'm not sure someone is safe, I'd rather make sure they have support\./, []), ARE_YOU_SAFE]);
    const [referral] = await bot.referralsFor(chat.user);
    expect(referral!.trigger.reasons).toContain('answer-notSure');
  });

  it('asks directly when the check-in\'s own free text shows warning signs, though every answer was "not at all"', async () => {
    const chat = bot.chat(newUser('Sol Reyes'));
    chat.answerDirectQuestions = false;
    expectReplies(await chat.say('start coaching'), [card(/^A quick check-in\n/, ['Send'])]);
    const seen = await chat.submit('checkIn', { nervous: '0', worrying: '0', littleInterest: '0', down: '0', harmSelf: '0', harmOthers: 'no', anythingElse: checkLevelIn({}) });
    expectReplies(seen, [ASKED]);
    expect(await bot.referralsFor(chat.user)).toHaveLength(0);
  });

  it('in a group chat, asks privately in the person\'s 1:1 chat, and "no" there is believed and nothing is sent to the leads', async () => {
    const client = newUser('Lee Brennan');
    const clientChat = bot.chat(client);
    clientChat.answerDirectQuestions = false;
    await clientChat.say('hi'); // the client's own 1:1 chat with the bot
    const sentBefore = bot.sent.length;
    const cardsBefore = leadsCards().length;

    const inChat = await new InProcessGroupChat(bot).say(client, checkLevelIn({}));
    expectReplies(inChat, [says('A reminder for everyone here: if things feel hard, support is always there. Say "Not OK right now" to me in a 1:1 chat for a private check-in and the contacts.')]);
    expect(allOf(inChat)).not.toMatch(DIRECT_QUESTION);
    const privately = bot.sent.slice(sentBefore);
    expect(privately.map((s) => s.conversationId)).toEqual([clientChat.conversationId]);
    expect(cardText(privately[0]!.activity as Parameters<typeof cardText>[0])).toMatch(/in a group chat just now[\s\S]*Nobody else can see this chat[\s\S]*thoughts of suicide/);

    expectReplies(await clientChat.say('no'), [says(/^Thank you for answering/)]);
    expect(await bot.referralsFor(client)).toHaveLength(0);
    expect(leadsCards().slice(cardsBefore)).toEqual([]);
    const after = await stored(clientChat);
    expect((after?.safety as any).checks.at(-1)).toMatchObject({ answer: 'no', origin: 'groupChat' });
  });

  describe('in the My coaching tab\'s plan form (a web page: the gate never sees it)', () => {
    const myCoaching = () =>
      new MyCoaching({
        people: bot.state as never,
        bookings: new MemoryBookings(),
        referrals: bot.store.referrals,
        jobs: new JobQueue({ jobs: new MemoryJobs(), planCheckInDays: 14, logger: silentLogger }),
        deliverNow: async () => undefined,
        daysAhead: 14,
        events: { record: async () => undefined, forget: async () => undefined },
        logger: silentLogger,
        risk: { referrals: bot.store.referrals, sendReferralNow: bot.sendReferralNow, sender: bot.sender, safety: bot.safety, tenantId: 'tenant-1', pauseCoaching },
      });
    /** Someone who has chatted with the bot and made a plan in session 1. */
    async function withPlan(name: string) {
      const chat = bot.chat(newUser(name));
      chat.answerDirectQuestions = false;
      await chat.say('hi');
      const found = (await bot.state.readOne(chat.user.aadObjectId))!;
      const { eTag, ...doc } = found as PersonDocument & { eTag?: string };
      await bot.state.writeIfUnchanged(chat.user.aadObjectId, { ...doc, programme: sessionOneWithPlan() } as never, eTag);
      return { chat, tabUser: { userId: chat.user.aadObjectId, name } };
    }
    const RESOLVED_PAST = 'I tried to end my life. That was fourteen years ago and I have been well ever since.';
    const CLEAR_STATEMENT = 'I want to end my life before the audit is due';

    it('warning signs: the plan is saved, the direct question waits in their 1:1 chat, and "yes" there brings crisis signposting and the leads\' card', async () => {
      expect(screenCardValue({ text: RESOLVED_PAST }).level).toBe('check');
      const { chat, tabUser } = await withPlan('Ravi Kumar');
      const sentBefore = bot.sent.length;
      const cardsBefore = leadsCards().length;

      const page = await myCoaching().savePlan(tabUser, { action1: 'Mentor two new starters', obstacle1: RESOLVED_PAST, overcome1: 'Talk it through with my supervisor' });
      expect(page).toMatch(/Your plan is saved\. Something you wrote made me want to check in with you, so I&#39;ve sent you a private message in our chat in Teams\./);
      const privately = bot.sent.slice(sentBefore);
      expect(privately.map((s) => s.conversationId)).toEqual([chat.conversationId]);
      expect(cardText(privately[0]!.activity as Parameters<typeof cardText>[0])).toMatch(/in your action plan in the My coaching tab[\s\S]*Nobody else can see this chat[\s\S]*thoughts of suicide/);
      expect(await bot.referralsFor(chat.user)).toHaveLength(0);
      const person = (await stored(chat)) as PersonDocument;
      expect(person.programme!.sessions['1']!.actionPlan!.obstacles).toEqual([{ obstacle: RESOLVED_PAST, overcome: 'Talk it through with my supervisor' }]);
      expect((person.safety as any).directCheck).toMatchObject({ origin: 'tab', reasons: ['suicidal-ideation'] });

      const seen = await chat.say('Yes');
      expectReplies(seen, [card(/^Thank you for telling me\. I'm really glad you did/, []), ARE_YOU_SAFE]);
      const [referral, ...others] = await bot.referralsFor(chat.user);
      expect(others).toHaveLength(0);
      expect(referral).toMatchObject({ level: 'urgent', trigger: { source: 'directCheck' } });
      expect(leadsCards().slice(cardsBefore)).toEqual([expect.stringContaining('Ravi Kumar may need urgent support')]);
      expect(((await stored(chat))?.safety as any).checks.at(-1)).toMatchObject({ answer: 'yes', origin: 'tab' });
    });

    it('warning signs and "no" in the chat: believed, pointed to support, nothing sent to the leads', async () => {
      const { chat, tabUser } = await withPlan('Ola Ade');
      await myCoaching().savePlan(tabUser, { action1: 'Mentor two new starters', obstacle1: RESOLVED_PAST });
      expectReplies(await chat.say('No'), [says('Thank you for answering. The support contacts are here whenever you want them: just say "Not OK right now".')]);
      expect(await bot.referralsFor(chat.user)).toHaveLength(0);
      expect(((await stored(chat))?.safety as any).status).toBe('clear');
    });

    it('a clear statement: an urgent referral reaches the leads\' channel, coaching stops, and their chat gets the crisis card and "are you safe?"; saving again refers no one twice', async () => {
      expect(screenCardValue({ text: CLEAR_STATEMENT }).level).toBe('urgent');
      const { chat, tabUser } = await withPlan('Mina Shah');
      const sentBefore = bot.sent.length;
      const cardsBefore = leadsCards().length;

      const page = await myCoaching().savePlan(tabUser, { action1: CLEAR_STATEMENT });
      expect(page).toMatch(/Your plan is saved\. What you wrote makes me worried that you may not be safe, so I&#39;ve stopped our coaching for now and let a service lead know/);
      expect(page).toMatch(/They will see your name and that you may need support, not what you wrote\./);
      const [referral, ...others] = await bot.referralsFor(chat.user);
      expect(others).toHaveLength(0);
      expect(referral).toMatchObject({ level: 'urgent', conversationType: 'tab', trigger: { source: 'keywords', reasons: ['suicidal-ideation'] }, person: { name: 'Mina Shah', teamsId: chat.user.id } });
      expect(JSON.stringify(referral)).not.toContain('end my life');
      expect(leadsCards().slice(cardsBefore)).toEqual([expect.stringContaining('Mina Shah may need urgent support')]);
      expect(leadsCards().at(-1)).toMatch(/Words they wrote in their action plan, in the My coaching tab \(what they wrote is not shared\)/);
      const toChat = bot.sent.slice(sentBefore).filter((s) => s.conversationId === chat.conversationId).map((s) => cardText(s.activity as Parameters<typeof cardText>[0]));
      expect(toChat).toEqual([expect.stringMatching(/^Something you wrote in your action plan in the My coaching tab worried me\.[\s\S]*116 123[\s\S]*letting a service lead know/), expect.stringMatching(/^Are you safe right now\?/)]);
      const person = (await stored(chat)) as PersonDocument;
      expect(person.safety).toMatchObject({ status: 'urgentStop', pending: 'safeNow', referralIds: [referral!.id] });
      expect(person.programme!.paused).toBe(true);
      expect(person.programme!.sessions['1']!.actionPlan!.actions).toEqual([{ what: CLEAR_STATEMENT }]);

      expectReplies(await chat.say("Yes, I'm safe right now"), [says(/^I'm glad you're safe right now\./)]);
      expect(await myCoaching().savePlan(tabUser, { action1: CLEAR_STATEMENT })).toMatch(/let a service lead know/);
      expect(await bot.referralsFor(chat.user)).toHaveLength(1);
      expect(leadsCards().slice(cardsBefore)).toHaveLength(1);

      // Warning signs from someone already on the urgent path: pointed to the contacts, no question sent.
      const sentNow = bot.sent.length;
      expect(await myCoaching().savePlan(tabUser, { action1: 'Mentor two new starters', obstacle1: RESOLVED_PAST })).toMatch(/the people in &quot;Not OK right now&quot; are there for you/);
      expect(bot.sent.slice(sentNow)).toEqual([]);
    });

    it('a clear statement from someone who has never chatted with the bot is still referred, to their organisation\'s leads', async () => {
      const stranger = newUser('Dee Rowe');
      const cardsBefore = leadsCards().length;
      const page = await myCoaching().savePlan({ userId: stranger.aadObjectId, name: 'Dee Rowe' }, { action1: CLEAR_STATEMENT });
      expect(page).toMatch(/let a service lead know/);
      const [referral] = await bot.referralsFor(stranger);
      expect(referral).toMatchObject({ level: 'urgent', tenantId: 'tenant-1', conversationType: 'tab', person: { name: 'Dee Rowe' } });
      expect(leadsCards().slice(cardsBefore)).toEqual([expect.stringContaining('Dee Rowe may need urgent support')]);
    });
  });
});

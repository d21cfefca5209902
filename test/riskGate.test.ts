import { Writable } from 'node:stream';
import { startBot, type RunningBot } from '../src/app';
import type { Programme } from '../src/coaching/programme';
import { createLogger } from '../src/logger';
import type { Referral } from '../src/safety/referrals';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { PersonalChat } from './support/chat';
import { cardText, ReplySink } from './support/replySink';
import { testConfig } from './support/bot';
import { newUser, post, teamsMessage } from './support/teams';

/** The risk gate end to end: what the person sees, what is stored, and what reaches the logs. */
describe('the risk gate over /api/messages', () => {
  const sink = new ReplySink();
  let bot: RunningBot;
  let logs = '';
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });

  beforeAll(async () => {
    await sink.start();
    bot = await startBot(testConfig(), createLogger('debug', logStream));
  });
  afterAll(async () => {
    await bot.stop();
    await sink.stop();
  });

  const stored = async (chat: PersonalChat) => new CosmosBotStorage(bot.store.containers.programmes, 'userId').readOne(chat.user.aadObjectId);
  const referralsFor = async (chat: PersonalChat) =>
    (
      await bot.store.containers.referrals.items
        .query<Referral>({ query: 'SELECT * FROM c WHERE c.docType = "referral" AND c.person.userId = @u', parameters: [{ name: '@u', value: chat.user.aadObjectId }] })
        .fetchAll()
    ).resources;

  it('stops coaching at once on an urgent message mid-stage, signposts, records a referral and asks if they are safe', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    await chat.say('Be more confident at work');
    const words = 'the rota is awful and honestly some nights I just want to end it all';
    let seen = await chat.say(words);

    expect(seen.all).toMatch(/You don't have to face this on your own/);
    expect(seen.all).toMatch(/call 999 or go to A&E now/);
    expect(seen.all).toMatch(/NHS 111[\s\S]*option 2/);
    expect(seen.all).toMatch(/116 123/);
    expect(seen.all).toMatch(/SHOUT to 85258/);
    expect(seen.all).toMatch(/Stress Support and Wellbeing service/);
    expect(seen.all).toMatch(/I'm letting a service lead know/);
    expect(seen.all).toMatch(/Are you safe right now\?/);
    expect(seen.all).not.toMatch(/next few weeks/);

    const [referral] = await referralsFor(chat);
    expect(referral).toMatchObject({ level: 'urgent', status: 'open', trigger: { source: 'keywords' }, delivery: { state: 'pending' } });
    expect(referral!.person.name).toBe(chat.user.name);
    expect(JSON.stringify(referral)).not.toContain('end it all');

    const state = await stored(chat);
    expect(state?.dialogState).toBeUndefined();
    expect((state?.programme as Programme).sessions['1']!.goal?.text).toBe('Be more confident at work');

    seen = await chat.say("No, I'm not safe");
    expect(seen.all).toMatch(/Please call 999 now/);
    seen = await chat.say('start coaching');
    expect(seen.all).toMatch(/Coaching is stopped for now/);
    expect(seen.all).toMatch(/116 123/);
    expect(await referralsFor(chat)).toHaveLength(1);
    expect(logs).not.toContain('end it all');
    expect(logs).toMatch(/"level":"urgent"/);
  });

  it('pauses coaching for stress, offers the wellbeing service with consent, and resumes only after a clean check-in', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    await chat.say('Get on top of my paperwork');
    let seen = await chat.say("I'm so stressed and anxious I can't sleep");
    expect(seen.all).toMatch(/pause the coaching here/);
    expect(seen.all).toMatch(/Stress Support and Wellbeing service is there for NHS staff/);
    expect(seen.all).toMatch(/Would you like me to ask the service to get in touch/);
    expect(await referralsFor(chat)).toHaveLength(0);

    seen = await chat.say('Yes, please ask them');
    expect(seen.all).toMatch(/I've asked the service to get in touch/);
    const [referral] = await referralsFor(chat);
    expect(referral).toMatchObject({ level: 'wellbeing', consented: true });

    seen = await chat.say('start coaching');
    expect(seen.all).toMatch(/A quick check-in/);
    seen = await chat.checkIn(seen, { nervous: '3', worrying: '2' });
    expect(seen.all).toMatch(/let's pause the coaching for now/);
    seen = await chat.say('No, thank you');
    seen = await chat.say('start coaching');
    seen = await chat.checkIn(seen);
    expect(seen.all).toMatch(/Thank you for checking in/);
    expect(seen.all).toMatch(/next few weeks, or a longer-term goal/);
  });

  it('believes someone who says it misunderstood, keeps the support in reach and asks once more, gently', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    let seen = await chat.say('I want to kill myself');
    expect(seen.all).toMatch(/Are you safe right now\?/);
    seen = await chat.say('sorry, I was joking, you misunderstood');
    expect(seen.all).toMatch(/sorry if I read that wrongly/);
    expect(seen.all).toMatch(/116 123/);
    expect(seen.all).toMatch(/are you OK right now\?/);
    seen = await chat.say("I'm OK");
    expect(seen.all).toMatch(/start with a quick check-in/);
    const [referral] = await referralsFor(chat);
    expect(referral).toMatchObject({ level: 'urgent', personSaid: 'misunderstood', status: 'open' });

    seen = await chat.say('start coaching');
    seen = await chat.checkIn(seen);
    expect(seen.all).toMatch(/What would you like to achieve\?/);
  });

  it('offers support and a check-in for "Not OK right now"; a yes to the self-harm item is urgent', async () => {
    const chat = new PersonalChat(bot.url, sink);
    let seen = await chat.say('Not OK right now');
    expect(seen.all).toMatch(/Support you can reach now/);
    expect(seen.all).toMatch(/Thoughts that you would be better off dead, or of hurting yourself/);
    expect(seen.all).toMatch(/thoughts of harming someone else/);
    seen = await chat.checkIn(seen, { harmSelf: '1' });
    expect(seen.all).toMatch(/Are you safe right now\?/);
    const [referral] = await referralsFor(chat);
    expect(referral).toMatchObject({ level: 'urgent', trigger: { source: 'checkIn', reasons: ['harm-self'] } });
  });

  it('screens free text in a card: risk written in the action plan stops coaching and the plan is not saved', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    await chat.say('Cope with nights');
    const state = await stored(chat);
    const programme = state!.programme as Programme;
    expect(programme.sessions['1']!.stage).toBe('goal');
    // A tampered or replayed plan card arriving now is screened first, whatever it claims to be.
    const seen = await chat.submit({ card: 'actionPlan', questionId: 'myPlan', action1: 'take all my tablets at once and not wake up' });
    expect(seen.all).toMatch(/Are you safe right now\?/);
    expect(((await stored(chat))!.programme as Programme).sessions['1']!.actionPlan).toBeUndefined();
  });

  it('refuses an incomplete, stale or tampered check-in without changing anything', async () => {
    const chat = new PersonalChat(bot.url, sink);
    let seen = await chat.say('start coaching');
    const card = seen.card('checkIn');
    seen = await chat.submit({ ...card, nervous: '0' });
    expect(seen.all).toMatch(/Please answer each question/);
    seen = await chat.checkIn(seen, { questionId: 'an-old-card' });
    expect(seen.all).toMatch(/That check-in card is an old one/);
    seen = await chat.checkIn(seen, { down: '7' });
    expect(seen.all).toMatch(/Please answer each question/);
    seen = await chat.checkIn(seen);
    expect(seen.all).toMatch(/seven short stages/);
  });

  it('keeps the check-in private: in a group chat "Not OK right now" gives the contacts and points to a 1:1 chat', async () => {
    const activity = teamsMessage(sink.url, '19:ward7@thread.v2', newUser(), 'Not OK right now', {
      conversation: { id: '19:ward7@thread.v2', conversationType: 'groupChat', tenantId: 'tenant-1' },
    });
    await post(bot.url, activity);
    const texts = sink.messagesTo('19:ward7@thread.v2').map((a) => `${a.text ?? ''}${cardText(a)}`).join('\n');
    expect(texts).toMatch(/Support you can reach now/);
    expect(texts).toMatch(/private check-in[\s\S]*1:1 chat/);
    expect(texts).not.toMatch(/A quick check-in/);
  });

  it('in a group chat, screens every message but only answers what is addressed to it', async () => {
    const chat = { id: '19:quiet@thread.v2', conversationType: 'groupChat', tenantId: 'tenant-1' };
    await post(bot.url, teamsMessage(sink.url, chat.id, newUser(), 'See you at handover', { conversation: chat }));
    expect(sink.messagesTo(chat.id)).toEqual([]);
    await post(bot.url, teamsMessage(sink.url, chat.id, newUser(), 'honestly I want to end my life', { conversation: chat }));
    expect(sink.messagesTo(chat.id).map((a) => `${a.text ?? ''}${cardText(a)}`).join('\n')).toMatch(/Are you safe right now\?/);
  });

  it('responds in a group chat too', async () => {
    const user = newUser();
    const activity = teamsMessage(sink.url, '19:groupchat@thread.v2', user, 'I keep thinking about hurting myself', {
      conversation: { id: '19:groupchat@thread.v2', conversationType: 'groupChat', tenantId: 'tenant-1' },
    });
    await post(bot.url, activity);
    const texts = sink.messagesTo('19:groupchat@thread.v2').map((a) => `${a.text ?? ''}${cardText(a)}`);
    expect(texts.join('\n')).toMatch(/Are you safe right now\?/);
  });
});

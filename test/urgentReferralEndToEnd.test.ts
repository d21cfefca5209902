import type { RunningBot } from '../src/app';
import { lastQuestionIn } from '../src/safety/conversationMemory';
import { PersonalChat, type Seen } from './support/chat';
import { GroupChat } from './support/groupChat';
import { cardText, ReplySink } from './support/replySink';
import { runBotDuring } from './support/bot';
import { channelMessage, newChannelId } from './support/leads';
import { newUser, post } from './support/teams';
import { checkLevelIn, DIRECT_QUESTION } from './support/warningSigns';

/**
 * The whole safety path in one go: a lead registers the referrals channel; a staff member writes something
 * urgent in the middle of a coaching stage; coaching stops, they see the signposting, and the leads' channel
 * receives the referral card at its serviceUrl without anyone typing anything more.
 */
describe('an urgent message reaches the service leads', () => {
  const sink = new ReplySink();
  const lead = newUser('Helen Marsh');
  let bot: RunningBot;

  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId }, { outbox: { autoStart: false } });

  it('from a coaching stage in a 1:1 chat to a card in the leads channel', async () => {
    const channelId = newChannelId();
    await post(bot.url, channelMessage(sink.url, channelId, lead, 'register referrals', 'tenant-1'));

    const chat = new PersonalChat(bot.url, sink, newUser('Sam Patel'));
    await chat.startCoaching();
    await chat.say('Ask for a secondment');
    const seen = await chat.say("honestly I've been planning how to kill myself");
    expect(seen.all).toMatch(/I'm letting a service lead know/);
    expect(seen.all).toMatch(/Are you safe right now\?/);

    await bot.outbox.runOnce();
    const posted = sink.replies.filter((r) => r.conversationId === channelId && r.activity.type === 'message' && r.replyToId === undefined);
    expect(posted).toHaveLength(1);
    const text = cardText(posted[0]!.activity);
    expect(text).toMatch(/Urgent referral/);
    expect(text).toContain('Sam Patel');
    expect(text).toMatch(/Acknowledge/);
    expect(text).not.toContain('kill myself');

    await bot.outbox.runOnce();
    expect(sink.replies.filter((r) => r.conversationId === channelId && r.activity.type === 'message' && r.replyToId === undefined)).toHaveLength(1);
  });
});

/**
 * An urgent referral does not wait for the outbox's next pass: it is posted straight after the turn that made
 * it. The outbox polls only every five minutes here (its first pass runs at start-up, before there is anything
 * to send), far beyond the test's time limit, so the card can only have come from the turn.
 */
describe('an urgent referral is sent straight after its turn', () => {
  const sink = new ReplySink();
  const lead = newUser('Helen Marsh');
  let bot: RunningBot;

  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId, OUTBOX_POLL_SECONDS: '300' });

  /** Waits until `probe` finds something (polling, never a fixed sleep); the test's own time limit bounds it. */
  async function until<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('reaches the leads channel without a pass of the outbox', async () => {
    const channelId = newChannelId();
    await post(bot.url, channelMessage(sink.url, channelId, lead, 'register referrals', 'tenant-1'));

    const chat = new PersonalChat(bot.url, sink, newUser('Jo Reid'));
    await chat.startCoaching();
    const seen = await chat.say("honestly I've been planning how to kill myself");
    expect(seen.all).toMatch(/I'm letting a service lead know/);

    const posted = await until(() => {
      const cards = sink.replies.filter((r) => r.conversationId === channelId && r.activity.type === 'message' && r.replyToId === undefined);
      return cards.length > 0 ? cards : undefined;
    });
    expect(posted).toHaveLength(1);
    const text = cardText(posted[0]!.activity);
    expect(text).toMatch(/Urgent referral/);
    expect(text).toContain('Jo Reid');
    expect(text).not.toContain('kill myself');
    // And it is recorded as posted, so no pass will post it again.
    const recorded = await until(async () => (await bot.store.referrals.about(chat.user.aadObjectId)).find((r) => r.delivery.state === 'delivered'));
    expect(recorded.delivery.channelActivityId).toBeDefined();
    expect(recorded.level).toBe('urgent');
  });
});

/**
 * The direct question (the `check` level, test/directCheck.test.ts) from a coach-joined session in a group chat,
 * end to end: the bot reads the chat's members from Teams to start the session, asks the person privately in
 * their own 1:1 chat (the group chat sees only a neutral pointer), and their "yes" puts a card in the leads'
 * channel at its serviceUrl.
 */
describe('a "yes" to the direct question asked privately from a coach-joined session reaches the service leads', () => {
  const teams = new ReplySink();
  const lead = newUser('Sam Lead');
  const coach = newUser('Daniel Okafor');
  let bot: RunningBot;
  let leadsChannelId: string;

  runBotDuring(teams, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId, COACH_IDS: coach.aadObjectId, OUTBOX_POLL_SECONDS: '1' });

  const texts = (seen: Seen) => seen.activities.map((a) => [a.text ?? '', cardText(a)].join('\n').trim());
  /** Waits for a condition (polling, never a fixed sleep), failing after a generous limit. */
  async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const found = await probe();
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  const leadsCardAbout = (name: string) => () => teams.messagesTo(leadsChannelId).find((a) => cardText(a).includes(`${name} may need urgent support`));

  it('asks privately in the person\'s 1:1 chat; the chat sees only a neutral pointer; "yes" brings a card in the leads\' channel', async () => {
    leadsChannelId = newChannelId();
    expect((await post(bot.url, channelMessage(teams.url, leadsChannelId, lead, 'register referrals', 'tenant-1'))).status).toBe(200);
    const client = newUser('Amara Mensah');
    const clientChat = new PersonalChat(bot.url, teams, client);
    clientChat.answerDirectQuestions = false;
    await clientChat.say('hi'); // the client's own 1:1 chat with the bot
    const coachChat = new PersonalChat(bot.url, teams, coach);
    await coachChat.say('hi');
    const group = new GroupChat(bot.url, teams, [coach, client]);
    const started = await group.say(coach, 'start session', [client]);
    expect(started.all).toMatch(/Welcome to session 1/);
    const warning = checkLevelIn({ question: lastQuestionIn(started.activities) });
    const before = teams.messagesTo(clientChat.conversationId).length;
    const inChatBefore = teams.messagesTo(group.conversationId).length;
    const chatSince = () =>
      teams
        .messagesTo(group.conversationId)
        .slice(inChatBefore)
        .map((a) => `${a.text ?? ''}\n${cardText(a)}`)
        .join('\n');

    const seen = await group.say(client, warning);
    expect(texts(seen)).toEqual([expect.stringMatching(/^A reminder for everyone here: if things feel hard, support is always there/)]);
    expect(chatSince()).not.toMatch(DIRECT_QUESTION);
    expect(chatSince()).not.toMatch(/116 123/);
    const privately = teams.messagesTo(clientChat.conversationId).slice(before);
    expect(privately.map((a) => cardText(a))).toEqual([expect.stringMatching(/in a group chat just now[\s\S]*Nobody else can see this chat[\s\S]*thoughts of suicide/)]);
    expect(await bot.store.referrals.about(client.aadObjectId)).toHaveLength(0);

    const answer = await clientChat.say('Yes');
    expect(answer.all).toMatch(/Thank you for telling me/);
    expect(answer.all).toMatch(/Are you safe right now\?/);
    const [referral] = await bot.store.referrals.about(client.aadObjectId);
    expect(referral).toMatchObject({ level: 'urgent', trigger: { source: 'directCheck' } });
    await until('the referral card in the leads channel', leadsCardAbout('Amara Mensah'));
    expect(chatSince()).not.toMatch(/116 123/);
  });
});

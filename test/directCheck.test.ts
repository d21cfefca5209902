import { startBot, type RunningBot } from '../src/app';
import type { Programme } from '../src/coaching/programme';
import { lastQuestionIn } from '../src/safety/conversationMemory';
import type { Referral } from '../src/safety/referrals';
import { screenMessage } from '../src/safety/screenMessage';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { silentLogger, testConfig } from './support/bot';
import { PersonalChat, type Seen } from './support/chat';
import { GroupChat } from './support/groupChat';
import { channelMessage, newChannelId } from './support/leads';
import { cardText, ReplySink } from './support/replySink';
import { newUser, post } from './support/teams';

/**
 * The `check` level over /api/messages, as Teams sends it: a message with warning signs and no usual risk
 * phrase gets a direct question instead of the next coaching question; "yes" brings crisis signposting and a
 * card in the leads' channel; "no" lets coaching carry on at the same question with no referral; in a
 * coach-joined group chat the question is asked privately, in the person's own 1:1 chat.
 */

/** Warning signs without a clear statement (the test checks the screener reads them as `check`). */
const PREPARATION = "I've sorted my will and written a few letters for the kids, just in case";
const GIVING_AWAY = 'I have been giving a lot of my things away lately';
/** Other wordings with warning signs and no usual risk phrase; a group chat's test takes the first the screener reads as `check` there. */
const CANDIDATES = [
  GIVING_AWAY,
  PREPARATION,
  'Not sure I will be around to see it through',
  'A reason to keep going',
  'Might as well, not like I will be here for the next one',
  'I sorted out who gets the cat',
  'Honestly there might not be a six months for me',
  'To feel less trapped',
];
function checkLevelIn(context: { question?: string; history?: string[] }): string {
  const found = CANDIDATES.find((text) => {
    const r = screenMessage({ text, ...context });
    return r.level === 'check' && !r.distressed;
  });
  if (!found) throw new Error('none of the candidate messages screens as check here: add one that does');
  return found;
}
const DIRECT_QUESTION = /Are you having thoughts of suicide or of harming yourself, thoughts of harming someone else, or are you in danger from someone\?/;

describe('the direct question (check level) over /api/messages', () => {
  const teams = new ReplySink();
  const lead = newUser('Sam Lead');
  const coach = newUser('Daniel Okafor');
  let bot: RunningBot;
  let people: CosmosBotStorage;
  let leadsChannelId: string;

  beforeAll(async () => {
    await teams.start();
    bot = await startBot(
      testConfig({ SERVICE_LEAD_IDS: lead.aadObjectId, COACH_IDS: coach.aadObjectId, OUTBOX_POLL_SECONDS: '1' }),
      silentLogger,
    );
    people = new CosmosBotStorage(bot.store.containers.programmes, 'userId');
    leadsChannelId = newChannelId();
    expect((await post(bot.url, channelMessage(teams.url, leadsChannelId, lead, 'register referrals', 'tenant-1'))).status).toBe(200);
  });
  afterAll(async () => {
    await bot.stop();
    await teams.stop();
  });

  const referralsFor = async (userId: string) =>
    (
      await bot.store.containers.referrals.items
        .query<Referral>({ query: 'SELECT * FROM c WHERE c.docType = "referral" AND c.person.userId = @u', parameters: [{ name: '@u', value: userId }] })
        .fetchAll()
    ).resources;
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
  const leadsCardAbout = (name: string) => () =>
    teams.messagesTo(leadsChannelId).find((a) => cardText(a).includes(`${name} may need urgent support`));

  /** What the person has said by then (their last three messages), which the gate reads with the question. */
  const midSessionHistory = ['start coaching', 'Lead handovers on my ward with confidence', 'Next few weeks'];
  /** Starts session 1 and answers up to "why this goal, and why now?", returning what the bot last asked. */
  async function midSession(chat: PersonalChat): Promise<Seen> {
    chat.answerDirectQuestions = false;
    await chat.startCoaching();
    await chat.say('Lead handovers on my ward with confidence');
    const seen = await chat.say('Next few weeks');
    expect(seen.all).toMatch(/Why this goal now/);
    return seen;
  }

  it('mid-session, asks directly instead of the next coaching question; "yes" brings crisis signposting and a card in the leads\' channel', async () => {
    const chat = new PersonalChat(bot.url, teams, newUser('Jo Patel'));
    const asked = await midSession(chat);
    const warning = checkLevelIn({ question: lastQuestionIn(asked.activities), history: midSessionHistory });

    let seen = await chat.say(warning);
    expect(texts(seen)).toEqual([expect.stringMatching(DIRECT_QUESTION)]);
    expect(seen.all).toMatch(/Yes[\s\S]*Not sure[\s\S]*No[\s\S]*I'd rather not say/);
    expect(seen.all).not.toMatch(/What are you hoping to get from our session/);
    const person = await people.readOne(chat.user.aadObjectId);
    expect((person?.safety as any).pending).toBe('directCheck');
    expect(JSON.stringify((person?.safety as any).checks)).not.toContain(warning);
    expect((person?.safety as any).heldInput).toEqual({ text: warning }); // held only until answered
    expect(await referralsFor(chat.user.aadObjectId)).toHaveLength(0);

    seen = await chat.say('Yes');
    expect(seen.all).toMatch(/Thank you for telling me/);
    expect(seen.all).toMatch(/116 123/);
    expect(seen.all).toMatch(/letting a service lead know/);
    expect(seen.all).toMatch(/Are you safe right now\?/);
    const [referral] = await referralsFor(chat.user.aadObjectId);
    expect(referral).toMatchObject({ level: 'urgent', trigger: { source: 'directCheck' } });
    expect(referral!.trigger.reasons).toContain('answer-yes');
    expect(JSON.stringify(referral)).not.toContain(warning);

    const card = await until('the referral card in the leads channel', leadsCardAbout('Jo Patel'));
    expect(cardText(card)).toMatch(/asked them directly/);
    expect(cardText(card)).not.toContain(warning);
    const stored = await people.readOne(chat.user.aadObjectId);
    expect((stored?.safety as any).status).toBe('urgentStop');
    expect((stored?.safety as any).checks.at(-1)).toMatchObject({ answer: 'yes', origin: 'personal' });
    expect(JSON.stringify(stored?.safety)).not.toContain(warning);
  });

  it('for a milder message, "no" is believed: coaching carries on at the same question and no referral is sent', async () => {
    const chat = new PersonalChat(bot.url, teams, newUser('Chris Lowe'));
    const asked = await midSession(chat);
    const warning = checkLevelIn({ question: lastQuestionIn(asked.activities), history: midSessionHistory });

    let seen = await chat.say(warning);
    expect(texts(seen)).toEqual([expect.stringMatching(DIRECT_QUESTION)]);
    seen = await chat.say('No');
    // Believed: coaching takes the words they typed as their answer to the question it was waiting on.
    expect(texts(seen)).toEqual(["Thank you for answering. Let's carry on.", expect.stringMatching(/What are you hoping to get from our session today\?/)]);
    // Check fatigue: warning signs alone, soon after a "no", bring a reminder of help, not the question again.
    const context = { question: lastQuestionIn(seen.activities), history: ['Next few weeks', warning, 'No'] };
    const again = ['A reason to keep going', 'To feel less trapped', 'To feel something again', 'Some way to keep going'].find(
      (text) => screenMessage({ text, ...context }).level === 'check',
    );
    expect(again).toBeDefined();
    seen = await chat.say(again!);
    expect(texts(seen)[0]).toMatch(/^If anything changes, or things feel like too much, say "Not OK right now"/);
    expect(seen.all).not.toMatch(DIRECT_QUESTION);
    expect(seen.all).toMatch(/How will you know it has been useful to you\?/);
    expect(await referralsFor(chat.user.aadObjectId)).toHaveLength(0);
    const programme = (await people.readOne(chat.user.aadObjectId))?.programme as Programme;
    expect(programme.sessions['1']!.goal).toMatchObject({ text: 'Lead handovers on my ward with confidence', whyNow: warning });
  });

  it('reads a typed answer, asks once more when it cannot, and takes a second unclear reply as "not sure"', async () => {
    const chat = new PersonalChat(bot.url, teams, newUser('Robin Hale'));
    const asked = await midSession(chat);
    await chat.say(checkLevelIn({ question: lastQuestionIn(asked.activities), history: midSessionHistory }));
    let seen = await chat.say('why are you asking me that');
    expect(seen.all).toMatch(/I need to be sure I understand you/);
    expect(seen.all).toMatch(DIRECT_QUESTION);
    expect(await referralsFor(chat.user.aadObjectId)).toHaveLength(0);
    seen = await chat.say('hmm');
    expect(seen.all).toMatch(/I'd rather make sure they have support/);
    const [referral] = await referralsFor(chat.user.aadObjectId);
    expect(referral!.trigger.reasons).toContain('answer-notSure');
  });

  it('asks directly when the check-in\'s own free text shows warning signs, though every answer was "not at all"', async () => {
    const chat = new PersonalChat(bot.url, teams, newUser('Sol Reyes'));
    chat.answerDirectQuestions = false;
    const card = await chat.say('start coaching');
    const seen = await chat.checkIn(card, { anythingElse: checkLevelIn({}) });
    expect(texts(seen)).toEqual([expect.stringMatching(DIRECT_QUESTION)]);
    expect(await referralsFor(chat.user.aadObjectId)).toHaveLength(0);
  });

  it('in a coach-joined group chat, asks privately in the person\'s 1:1 chat; the chat sees only a neutral pointer', async () => {
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
    const chatSince = () => teams.messagesTo(group.conversationId).slice(inChatBefore).map((a) => `${a.text ?? ''}\n${cardText(a)}`).join('\n');

    const seen = await group.say(client, warning);
    expect(texts(seen)).toEqual([expect.stringMatching(/^A reminder for everyone here: if things feel hard, support is always there/)]);
    expect(chatSince()).not.toMatch(DIRECT_QUESTION);
    expect(chatSince()).not.toMatch(/116 123/);
    const privately = teams.messagesTo(clientChat.conversationId).slice(before);
    expect(privately.map((a) => cardText(a))).toEqual([expect.stringMatching(/in a group chat just now[\s\S]*Nobody else can see this chat[\s\S]*thoughts of suicide/)]);
    expect(await referralsFor(client.aadObjectId)).toHaveLength(0);

    const answer = await clientChat.say('Yes');
    expect(answer.all).toMatch(/Thank you for telling me/);
    expect(answer.all).toMatch(/Are you safe right now\?/);
    const [referral] = await referralsFor(client.aadObjectId);
    expect(referral).toMatchObject({ level: 'urgent', trigger: { source: 'directCheck' } });
    await until('the referral card in the leads channel', leadsCardAbout('Amara Mensah'));
    expect(chatSince()).not.toMatch(/116 123/);
  });

  it('in a group chat, "no" in the 1:1 chat is believed and nothing is sent to the leads', async () => {
    const client = newUser('Lee Brennan');
    const clientChat = new PersonalChat(bot.url, teams, client);
    clientChat.answerDirectQuestions = false;
    await clientChat.say('hi');
    const group = new GroupChat(bot.url, teams, [coach, client]);
    await group.say(client, checkLevelIn({}));
    const answer = await clientChat.say('no');
    expect(texts(answer)).toEqual([expect.stringMatching(/^Thank you for answering/)]);
    expect(await referralsFor(client.aadObjectId)).toHaveLength(0);
    const stored = await people.readOne(client.aadObjectId);
    expect((stored?.safety as any).checks.at(-1)).toMatchObject({ answer: 'no', origin: 'groupChat' });
  });
});

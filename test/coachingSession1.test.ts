import { startBot, type RunningBot } from '../src/app';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import type { Programme } from '../src/coaching/programme';
import { PersonalChat } from './support/chat';
import { ReplySink } from './support/replySink';
import { silentLogger, tempDataDir, testConfig } from './support/bot';
import { completeSessionOne } from './support/walkThrough';

/** A staff member working through session 1 on their own, end to end over HTTP with state in Cosmos. */
describe('self-guided session 1', () => {
  const sink = new ReplySink();
  let bot: RunningBot;
  const dataDir = tempDataDir();

  beforeAll(async () => {
    await sink.start();
    bot = await startBot(testConfig({ LOCAL_DATA_DIR: dataDir }), silentLogger);
  });
  afterAll(async () => {
    await bot.stop();
    await sink.stop();
  });

  const storedProgramme = async (chat: PersonalChat) =>
    (await new CosmosBotStorage(bot.store.containers.programmes, 'userId').readOne(chat.user.aadObjectId))?.programme as Programme;

  it('walks all seven stages, with a restart in the middle of stage 3, and stores the session', async () => {
    const chat = new PersonalChat(bot.url, sink);
    let seen = await chat.say('start coaching');
    expect(seen.all).toMatch(/A quick check-in/);
    seen = await chat.checkIn(seen);
    expect(seen.all).toMatch(/Thank you for checking in/);
    expect(seen.all).toMatch(/seven short stages/);
    expect(seen.all).toMatch(/What would you like to achieve\?/);

    // Stage 1: the goal.
    seen = await chat.say('Lead handovers on my ward with confidence ${user.name}');
    expect(seen.all).toMatch(/next few weeks, or a longer-term goal/);
    seen = await chat.say('Next few weeks');
    expect(seen.all).toMatch(/Why this goal now, and not another\?/);
    seen = await chat.say('A band 6 post is coming up and I want to be ready');
    expect(seen.all).toMatch(/What are you hoping to get from our session today\?/);
    seen = await chat.say('A clear first step');
    expect(seen.all).toMatch(/How will you know it has been useful to you\?/);
    seen = await chat.say('I would know what to do on Monday');
    expect(seen.all).toMatch(/a small miracle has happened/);
    seen = await chat.say("I don't know");
    expect(seen.all).toMatch(/Let's make it smaller/);
    seen = await chat.say('I would speak up at the start of handover without notes shaking');
    expect(seen.all).toMatch(/what might it cost you, or the people around you\?/);
    expect(seen.all).toContain('Lead handovers on my ward with confidence ${user.name}');
    seen = await chat.say('Some extra prep time in the evenings');
    expect(seen.all).toMatch(/Weighing that up/);
    seen = await chat.say('The benefits outweigh the costs');
    expect(seen.all).toMatch(/clear picture/);

    // Stage 2: scaling, answered with a tap on the card.
    const scaling = seen.card('scaling');
    expect(seen.all).toMatch(/On a scale of 1 to 10/);
    seen = await chat.submit({ ...scaling, scale: 4 });
    expect(seen.all).toMatch(/What puts you at 4 and not lower\?/);
    seen = await chat.say('I already lead the safety huddle on Mondays');
    expect(seen.all).toMatch(/At 5, what would you be doing differently that others would notice\?/);
    seen = await chat.say('I would volunteer for the night handover');

    // Stage 3: personal successes, "what else?" until no more.
    expect(seen.all).toMatch(/Think of a time you achieved something similar to your goal/);
    seen = await chat.say('I presented at the audit meeting last year');
    expect(seen.all).toMatch(/What else has gone well for you\?/);

    // The server restarts in the middle of stage 3; the person carries on where they were.
    await bot.stop();
    bot = await startBot(testConfig({ LOCAL_DATA_DIR: dataDir }), silentLogger);
    chat.botUrl = bot.url;

    seen = await chat.say('I trained two new HCAs');
    expect(seen.all).toMatch(/What other time comes to mind, however small\?/);
    // One tap on "That's all" ends the list.
    seen = await chat.submit({ say: "That's all" });
    expect(seen.all).toMatch(/a time, even briefly, when this wasn't a problem/);
    seen = await chat.say('When the charge nurse asked me directly I spoke up fine');
    expect(seen.all).toMatch(/What strengths or skills do you have now/);
    seen = await chat.say('Calm under pressure');
    seen = await chat.say('Organised');
    seen = await chat.say('no');
    expect(seen.all).toMatch(/What strengths have you used in the past/);
    seen = await chat.say('Public speaking from my time as a scout leader');
    expect(seen.all).toMatch(/What might you need to learn, or get better at/);
    seen = await chat.say('Structuring SBAR quickly');

    // Stage 4: success in others.
    expect(seen.all).toMatch(/Who do you know, or know of/);
    seen = await chat.say('Priya, our ward manager');
    expect(seen.all).toMatch(/What have you seen them do/);
    seen = await chat.say('She pauses and checks everyone has heard');
    expect(seen.all).toMatch(/Which parts of that could you do yourself/);
    seen = await chat.say('Most of it with practice');
    expect(seen.all).toMatch(/When might you get a chance, after this session, to ask them how they did it\?/);
    seen = await chat.say('At our next one-to-one');
    expect(seen.all).toMatch(/glad to be asked/);

    // Stage 5: acknowledgement in their own words.
    expect(seen.all).toMatch(/what else is around you that could help/);
    seen = await chat.say('My preceptor and the practice educator');
    expect(seen.all).toContain(`I was struck by what you've already done: "I presented at the audit meeting last year".`);
    expect(seen.all).toContain('You bring real strengths too, like "Calm under pressure" and "Organised".');
    expect(seen.all).toContain(`And you're not on your own: you have "My preceptor and the practice educator" around you.`);
    expect(seen.all).toMatch(/How might you do the same again, as you work towards "Lead handovers on my ward/);
    seen = await chat.say('Use my calm to slow the handover down');

    // Stage 6: the action plan card.
    expect(seen.all).toMatch(/Now let's turn this into action/);
    const plan = seen.card('actionPlan');
    seen = await chat.submit({ ...plan, action1: '', action2: '', action3: '' });
    expect(seen.all).toMatch(/at least one action/);
    seen = await chat.submit({
      ...plan,
      action1: 'Lead Tuesday night handover',
      byWhen1: '2026-12-01',
      action2: 'Ask Priya for ten minutes of feedback',
      byWhen2: '',
      obstacle1: 'Short staffing on the night',
      overcome1: 'Agree a backup with the charge nurse',
    });
    expect(seen.all).toMatch(/Your plan has 2 actions/);

    // Stage 7: re-scaling and the review card.
    expect(seen.all).toMatch(/where are you now with your goal\?/);
    expect(seen.all).toMatch(/At the start of this session you said 4/);
    seen = await chat.say('6');
    expect(seen.all).toMatch(/From 4 to 6/);
    expect(seen.all).toMatch(/Session 1 summary/);
    expect(seen.all).toMatch(/Start of session 1[\s\S]*End of session 1/);
    expect(seen.all).toContain('Lead Tuesday night handover');
    expect(seen.all).toMatch(/By Tuesday 1 December/);
    expect(seen.all).toContain('Agree a backup with the charge nurse');
    expect(seen.all).toMatch(/Keep in mind what works/);
    expect(seen.all).toMatch(/new goals/);
    seen = await chat.say('no');
    expect(seen.all).toMatch(/end of your first session/);

    const programme = await storedProgramme(chat);
    expect(programme.current).toBe(2);
    const s1 = programme.sessions['1']!;
    expect(s1.completedAt).toBeDefined();
    expect(s1.goal).toMatchObject({ text: 'Lead handovers on my ward with confidence ${user.name}', term: 'short', weighing: 'benefitsOutweigh' });
    expect(s1.goal?.sessionUseful).toBe('I would know what to do on Monday');
    expect(s1.othersSuccess?.canTalkToThem).toBe('At our next one-to-one');
    expect(s1.goal?.preferredFuture).toBe('I would speak up at the start of handover without notes shaking');
    expect(s1.scaling).toMatchObject({ before: 4, after: 6 });
    expect(s1.personalSuccess?.pastSuccesses).toEqual(['I presented at the audit meeting last year', 'I trained two new HCAs']);
    expect(s1.personalSuccess?.strengths).toEqual(['Calm under pressure', 'Organised']);
    expect(s1.actionPlan?.actions).toEqual([
      { what: 'Lead Tuesday night handover', byWhen: '2026-12-01' },
      { what: 'Ask Priya for ten minutes of feedback' },
    ]);
  });

  it('answers where am I, pause and my plan, and welcomes the person back where they left off', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    await chat.say('Get better at saying no to extra shifts');
    let seen = await chat.say('where am I');
    expect(seen.all).toMatch(/We were looking at what you want to work on for your goal "Get better at saying no to extra shifts"/);
    expect(seen.all).toMatch(/next few weeks, or a longer-term goal/);

    seen = await chat.say('pause');
    expect(seen.all).toMatch(/Paused\. Everything you have told me is kept/);
    seen = await chat.say('my plan');
    expect(seen.all).toMatch(/haven't made an action plan yet/);
    seen = await chat.say('something else');
    expect(seen.all).toMatch(/Welcome back\. We were looking at what you want to work on/);
    seen = await chat.say('start coaching');
    // Carrying on within a session does not ask for another check-in.
    expect(seen.all).not.toMatch(/A quick check-in/);
    expect(seen.all).toMatch(/next few weeks, or a longer-term goal/);
  });

  it('refuses a stale or out-of-range scaling card and keeps the question', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    for (const answer of ['Have a proper lunch break', 'Longer term', 'A new manager started', 'An idea', 'A next step', 'Calmer days', 'none', 'The benefits outweigh the costs']) {
      await chat.say(answer);
    }
    const programme = await storedProgramme(chat);
    expect(programme.sessions['1']!.stage).toBe('scaling');
    const last = await chat.say('where am I');
    expect(last.all).toMatch(/On a scale of 1 to 10/);
    const scaling = last.card('scaling');

    let seen = await chat.submit({ ...scaling, scale: 11 });
    expect(seen.all).toMatch(/Please tap a number from 1 to 10/);
    seen = await chat.submit({ ...scaling, questionId: 'from-an-old-card', scale: 3 });
    expect(seen.all).toMatch(/That card belongs to an earlier question/);
    seen = await chat.submit({ card: 'scaling' });
    expect(seen.all).toMatch(/Please tap a number from 1 to 10/);
    expect((await storedProgramme(chat)).sessions['1']!.scaling?.before).toBeUndefined();

    seen = await chat.say('7');
    expect(seen.all).toMatch(/What puts you at 7 and not lower\?/);
  });

  it('keeps a very long answer up to the bound and says so', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    const seen = await chat.say('x'.repeat(5000));
    expect(seen.all).toMatch(/kept the first 2,000 characters/);
    expect((await storedProgramme(chat)).sessions['1']!.goal?.text).toHaveLength(2000);
  });
});

describe('where am I between sessions', () => {
  it('says session 1 is finished and how to start session 2', async () => {
    const sink = await new ReplySink().start();
    const bot = await startBot(testConfig(), silentLogger, { outbox: { autoStart: false } });
    try {
      const chat = new PersonalChat(bot.url, sink);
      await completeSessionOne(chat);
      const seen = await chat.say('where am I');
      expect(seen.all).toMatch(/You've finished session 1, and your latest rating was 5 out of 10\. When you're ready for session 2, type "start coaching"\./);
    } finally {
      await bot.stop();
      await sink.stop();
    }
  });
});

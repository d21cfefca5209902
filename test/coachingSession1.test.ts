import { InProcessBot, InProcessChat, type Reply } from './support/inProcess';
import { allOf, card, expectReplies, says } from './support/transcript';
import { completeSessionOne } from './support/inProcessWalkThrough';

/**
 * A staff member working through session 1 on their own, in process through the real turn pipeline with state
 * in memory, every reply checked in order. The bot is replaced mid-session (a restart: only the stored state
 * carries over); test/turnPipeline.test.ts shows state surviving a real restart over HTTP.
 */
const cleanCheckIn = { nervous: '0', worrying: '0', littleInterest: '0', down: '0', harmSelf: '0', harmOthers: 'no' };
const GOAL_TERM = card('Is this something for the next few weeks, or a longer-term goal?', ['Next few weeks', 'Longer term']);
const SCALING = card('On a scale of 1 to 10');

describe('self-guided session 1', () => {
  it('walks all seven stages, with a restart in the middle of stage 3, and stores the session', async () => {
    const chat = new InProcessChat();
    expectReplies(await chat.say('start coaching'), [card('A quick check-in', ['Send'])]);
    let seen: Reply[] = await chat.submit('checkIn', cleanCheckIn);
    expectReplies(seen, [says('Thank you for checking in.'), card('Welcome to staff coaching'), says(/seven short stages/), says(/What would you like to achieve\?$/)]);

    // Stage 1: the goal.
    const goal = 'Lead handovers on my ward with confidence ${user.name}';
    expectReplies(await chat.say(goal), [GOAL_TERM]);
    expectReplies(await chat.say('Next few weeks'), [says('Why this goal now, and not another?')]);
    expectReplies(await chat.say('A band 6 post is coming up and I want to be ready'), [says('What are you hoping to get from our session today?')]);
    expectReplies(await chat.say('A clear first step'), [says('How will you know it has been useful to you?')]);
    expectReplies(await chat.say('I would know what to do on Monday'), [says(/a small miracle has happened/)]);
    expectReplies(await chat.say("I don't know"), [says(/Let's make it smaller/)]);
    seen = await chat.say('I would speak up at the start of handover without notes shaking');
    expectReplies(seen, [says(/what might it cost you, or the people around you\?$/)]);
    expect(seen[0]!.text).toContain(goal);
    expectReplies(await chat.say('Some extra prep time in the evenings'), [card(/^Weighing that up/)]);
    expectReplies(await chat.say('The benefits outweigh the costs'), [says(/clear picture/), SCALING]);

    // Stage 2: scaling, answered with a tap on the card.
    expectReplies(await chat.submit('scaling', { scale: 4 }), [says("You're at 4. What puts you at 4 and not lower?")]);
    expectReplies(await chat.say('I already lead the safety huddle on Mondays'), [says('At 5, what would you be doing differently that others would notice?')]);

    // Stage 3: personal successes, "what else?" until no more.
    expectReplies(await chat.say('I would volunteer for the night handover'), [says(/^Now let's look at what you've already done well/), says(/^Think of a time you achieved something similar to your goal/)]);
    expectReplies(await chat.say('I presented at the audit meeting last year'), [card('What else has gone well for you?', ["That's all"])]);

    // The bot restarts in the middle of stage 3; the person carries on where they were.
    chat.bot = new InProcessBot({ state: chat.bot.state });

    expectReplies(await chat.say('I trained two new HCAs'), [card('What other time comes to mind, however small?', ["That's all"])]);
    // One tap on "That's all" ends the list.
    expectReplies(await chat.tap("That's all"), [says(/a time, even briefly, when this wasn't a problem/)]);
    expectReplies(await chat.say('When the charge nurse asked me directly I spoke up fine'), [says(/^What strengths or skills do you have now/)]);
    expectReplies(await chat.say('Calm under pressure'), [card('What other strengths come to mind?', ["That's all"])]);
    expectReplies(await chat.say('Organised'), [card(/\?/, ["That's all"])]);
    expectReplies(await chat.say('no'), [says(/^What strengths have you used in the past/)]);
    expectReplies(await chat.say('Public speaking from my time as a scout leader'), [says(/^What might you need to learn, or get better at/)]);

    // Stage 4: success in others.
    expectReplies(await chat.say('Structuring SBAR quickly'), [says(/Who do you know, or know of/)]);
    expectReplies(await chat.say('Priya, our ward manager'), [says('What have you seen them do that made the difference?')]);
    expectReplies(await chat.say('She pauses and checks everyone has heard'), [says('Which parts of that could you do yourself, in your own way?')]);
    expectReplies(await chat.say('Most of it with practice'), [says('When might you get a chance, after this session, to ask them how they did it?')]);

    // Stage 5: acknowledgement in their own words.
    seen = await chat.say('At our next one-to-one');
    expectReplies(seen, [says(/glad to be asked/), says(/what else is around you that could help/)]);
    seen = await chat.say('My preceptor and the practice educator');
    expectReplies(seen, [says(/^I was struck by what you've already done/), says(/^How might you do the same again, as you work towards "Lead handovers on my ward/)]);
    expect(seen[0]!.text).toContain(`I was struck by what you've already done: "I presented at the audit meeting last year".`);
    expect(seen[0]!.text).toContain('You bring real strengths too, like "Calm under pressure" and "Organised".');
    expect(seen[0]!.text).toContain(`And you're not on your own: you have "My preceptor and the practice educator" around you.`);

    // Stage 6: the action plan card.
    expectReplies(await chat.say('Use my calm to slow the handover down'), [says(/Now let's turn this into action/), card(/./, ['Save my plan'])]);
    expectReplies(await chat.submit('actionPlan', { action1: '', action2: '', action3: '' }), [says(/at least one action/), card(/^Your action plan\nGoal: Lead handovers on my ward/, ['Save my plan'])]);
    seen = await chat.submit('actionPlan', {
      action1: 'Lead Tuesday night handover',
      byWhen1: '2026-12-01',
      action2: 'Ask Priya for ten minutes of feedback',
      byWhen2: '',
      obstacle1: 'Short staffing on the night',
      overcome1: 'Agree a backup with the charge nurse',
    });
    // Stage 7: re-scaling and the review card.
    expectReplies(seen, [says(/^Thank you\. Your plan has 2 actions/), says(/^We're nearly at the end of this session\./), card(/where are you now with your goal\?/)]);
    expect(seen[2]!.card).toMatch(/At the start of this session you said 4/);
    seen = await chat.say('6');
    expectReplies(seen, [says(/^From 4 to 6/), card('Session 1 summary'), says(/new goals/)]);
    const summary = seen[1]!.card;
    expect(summary).toMatch(/Start of session 1[\s\S]*End of session 1/);
    expect(summary).toContain('Lead Tuesday night handover');
    expect(summary).toMatch(/By Tuesday 1 December/);
    expect(summary).toContain('Agree a backup with the charge nurse');
    expect(summary).toMatch(/Keep in mind what works/);
    expectReplies(await chat.say('no'), [says(/end of your first session/)]);

    const programme = (await chat.programme())!;
    expect(programme.current).toBe(2);
    const s1 = programme.sessions['1']!;
    expect(s1.completedAt).toBeDefined();
    expect(s1.goal).toMatchObject({ text: goal, term: 'short', weighing: 'benefitsOutweigh' });
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
    const chat = new InProcessChat();
    await chat.startCoaching();
    await chat.say('Get better at saying no to extra shifts');
    expectReplies(await chat.say('where am I'), [says(/^We were looking at what you want to work on for your goal "Get better at saying no to extra shifts"/), GOAL_TERM]);
    expectReplies(await chat.say('pause'), [says(/^Paused\. Everything you have told me is kept/)]);
    expectReplies(await chat.say('my plan'), [says(/haven't made an action plan yet/)]);
    expectReplies(await chat.say('something else'), [says(/^Welcome back\. We were looking at what you want to work on/), card('Would you like to carry on?', ['Start or continue coaching'])]);
    const seen = await chat.say('start coaching');
    // Carrying on within a session does not ask for another check-in.
    expect(allOf(seen)).not.toMatch(/A quick check-in/);
    expectReplies(seen, [says(/^Welcome back\./), GOAL_TERM]);
  });

  it('refuses a stale or out-of-range scaling card and keeps the question', async () => {
    const chat = new InProcessChat();
    await chat.startCoaching();
    for (const answer of ['Have a proper lunch break', 'Longer term', 'A new manager started', 'An idea', 'A next step', 'Calmer days', 'none', 'The benefits outweigh the costs']) {
      await chat.say(answer);
    }
    expect((await chat.programme())!.sessions['1']!.stage).toBe('scaling');
    expectReplies(await chat.say('where am I'), [says(/^We were looking at/), SCALING]);

    expectReplies(await chat.submit('scaling', { scale: 11 }), [card(/Please tap a number from 1 to 10/)]);
    expectReplies(await chat.submit('scaling', { questionId: 'from-an-old-card', scale: 3 }), [says(/That card belongs to an earlier question/), card(/Please tap a number from 1 to 10/)]);
    expectReplies(await chat.submitValue({ card: 'scaling' }), [says(/^That card belongs to an earlier question/), card(/Please tap a number from 1 to 10/)]);
    expect((await chat.programme())!.sessions['1']!.scaling?.before).toBeUndefined();

    expectReplies(await chat.say('7'), [says("You're at 7. What puts you at 7 and not lower?")]);
  });

  it('keeps a very long answer up to the bound and says so', async () => {
    const chat = new InProcessChat();
    await chat.startCoaching();
    const seen = await chat.say('x'.repeat(5000));
    expectReplies(seen, [says(/kept the first 2,000 characters/), GOAL_TERM]);
    expect((await chat.programme())!.sessions['1']!.goal?.text).toHaveLength(2000);
  });
});

describe('where am I between sessions', () => {
  it('says session 1 is finished and how to start session 2', async () => {
    const chat = new InProcessChat();
    await completeSessionOne(chat);
    expectReplies(await chat.say('where am I'), [says(`You've finished session 1, and your latest rating was 5 out of 10. When you're ready for session 2, type "start coaching".`)]);
  });
});


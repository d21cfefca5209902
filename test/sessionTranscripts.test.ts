import { sameWords } from '../src/coaching/stages/review';
import { InProcessChat } from './support/inProcess';
import { card, expectReplies, says } from './support/transcript';

/**
 * Whole sessions 1 and 2 as a staff member would type and tap them, read reply by reply: the coach's voice
 * (one open question at a time, short "what else?" loops, acknowledgement in sentences, a final review that
 * lists each thing once) and the small things people type, mid-question and at the end of a session.
 * Driven in process through the real turn pipeline, risk gate first.
 */

/** Questions in a message, not counting any quoted words of the person's. */
const questionsIn = (text: string) => (text.replace(/"[^"]*"/g, '""').match(/\?/g) ?? []).length;
const wordsIn = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Plain messages of a whole chat (cards aside): the coach's voice as the person reads it. */
function messagesOf(chat: InProcessChat): string[] {
  return chat.transcript.filter((t) => !t.reply.hasCard).map((t) => t.reply.text);
}

/** The "what else?" follow-ups of a whole chat, in order: the cards that offer "That's all". */
function whatElseFollowUps(chat: InProcessChat): string[] {
  return chat.transcript.filter((t) => t.reply.buttons.join() === "That's all").map((t) => t.reply.card.split('\n')[0]!);
}

/** No plain message asks more than one question, none is over 80 words, and the median is under 25. */
function expectTheCoachsVoice(chat: InProcessChat): void {
  const messages = messagesOf(chat);
  expect(messages.filter((m) => questionsIn(m) > 1)).toEqual([]);
  expect(messages.filter((m) => wordsIn(m) > 80)).toEqual([]);
  const lengths = messages.map(wordsIn).sort((a, b) => a - b);
  const median = lengths.length % 2 ? lengths[(lengths.length - 1) / 2]! : (lengths[lengths.length / 2 - 1]! + lengths[lengths.length / 2]!) / 2;
  expect(median).toBeLessThan(25);
  expect(messages.filter((m) => /didn't understand/i.test(m))).toEqual([]);
}

const cleanCheckIn = { nervous: '0', worrying: '0', littleInterest: '0', down: '0', harmSelf: '0', harmOthers: 'no' };
const GOAL = 'Lead handovers on my ward with confidence';

describe('session 1, typed and tapped', () => {
  it('asks one open question at a time, keeps "what else?" short, acknowledges in sentences and answers the small things people type', async () => {
    const chat = new InProcessChat();
    expectReplies(await chat.say('start coaching'), [card('A quick check-in', ['Send'])]);
    expectReplies(await chat.submit('checkIn', cleanCheckIn), [
      says('Thank you for checking in.'),
      card('Welcome to staff coaching'),
      says(/^Let's begin\. There are seven short stages and I'll ask one question at a time\./),
      says("Let's start with what you'd like to work on. It might be something in your job, your career, or how you work with others. What would you like to achieve?"),
    ]);

    // Stage 1, with the small things people type at a question.
    expectReplies(await chat.say('what?'), [
      says(/^I mean something in your working life you'd like to change, achieve or get better at/),
      says(/What would you like to achieve\?$/),
    ]);
    expectReplies(await chat.say('ok'), [says('Take your time. A few words is plenty.')]);
    expectReplies(await chat.say('skip'), [says("Your goal shapes the rest of the session, so this is the one question I can't skip. A few words is plenty.")]);
    expectReplies(await chat.say('go back'), [says("There's no earlier answer I can take you back to from here, so let's carry on with this question.")]);
    expect((await chat.programme())!.sessions['1']!.goal?.text).toBeUndefined();

    expectReplies(await chat.say(GOAL), [card('Is this something for the next few weeks, or a longer-term goal?', ['Next few weeks', 'Longer term'])]);
    expectReplies(await chat.say("I don't understand"), [
      says('Some goals are about the next few weeks; others take months or longer. Tap the one that fits yours.'),
      card('Is this something for the next few weeks, or a longer-term goal?', ['Next few weeks', 'Longer term']),
    ]);
    expectReplies(await chat.tap('Next few weeks'), [says('Why this goal now, and not another?')]);
    expectReplies(await chat.say('A band 6 post is coming up and I want to be ready'), [says('What are you hoping to get from our session today?')]);
    expectReplies(await chat.say('thanks'), [says("You're welcome. Take your time. A few words is plenty.")]);
    expectReplies(await chat.say('A clear first step'), [says('How will you know it has been useful to you?')]);
    expectReplies(await chat.say('go back'), [says("OK, let's go back one question."), says('What are you hoping to get from our session today?')]);
    expect((await chat.programme())!.sessions['1']!.goal?.sessionHope).toBeUndefined();
    expectReplies(await chat.say('A clear first step for Monday'), [says('How will you know it has been useful to you?')]);
    expectReplies(await chat.say('I would know what to do at Monday handover'), [says(/a small miracle has happened.*What's different that tells you things have changed\? Include as much detail as you can\.$/)]);
    expectReplies(await chat.say('can you explain?'), [
      says("I'm asking you to picture things going well: not how you'd get there, just what would be different. Even one small detail helps."),
      says(/a small miracle has happened/),
    ]);
    expectReplies(await chat.say("I don't know"), [says(/^That's fine: it can be hard to picture\. Let's make it smaller\./)]);
    expectReplies(await chat.say('I would speak up at the start of handover without notes shaking'), [
      says(`Reaching a goal can have costs as well as benefits. Your goal is: "${GOAL}". If you reach it, what might it cost you, or the people around you?`),
    ]);
    expectReplies(await chat.say('Some extra prep time in the evenings'), [
      card('Weighing that up, how does it feel?', ['The benefits outweigh the costs', "I'm not sure", 'The costs outweigh the benefits']),
    ]);
    expectReplies(await chat.tap('The benefits outweigh the costs'), [says("Thank you. You've got a clear picture of where you want to get to."), card('On a scale of 1 to 10')]);

    // "maybe next week" at the scaling card: paused, nothing lost; "thanks" while paused; then back in.
    expectReplies(await chat.say('maybe next week'), [
      says('That\'s fine, there\'s no rush. I\'ve kept everything, and we\'ll pick up at this question: type "start coaching" whenever you\'re ready.'),
    ]);
    expect((await chat.programme())!.paused).toBe(true);
    expectReplies(await chat.say('thanks'), [says('You\'re welcome. Your place is kept: type "start coaching" whenever you\'d like to carry on.')]);
    expectReplies(await chat.say('start coaching'), [says(/^Welcome back\. We were looking at where you are on the scale of 1 to 10/), card('On a scale of 1 to 10')]);

    // Stage 2.
    expectReplies(await chat.submit('scaling', { scale: 4 }), [says("You're at 4. What puts you at 4 and not lower?")]);
    expectReplies(await chat.say('I already lead the safety huddle on Mondays'), [says('At 5, what would you be doing differently that others would notice?')]);

    // Stage 3: the first answer and two "what else?" follow-ups, worded differently, each with "That's all".
    expectReplies(await chat.say('I would volunteer for the night handover'), [
      says("Now let's look at what you've already done well, because it often holds the key to what comes next."),
      says(`Think of a time you achieved something similar to your goal ("${GOAL}"), at work or outside it. What did you do that went well?`),
    ]);
    expectReplies(await chat.say('I presented at the audit meeting last year'), [card('What else has gone well for you?', ["That's all"])]);
    expectReplies(await chat.say('I trained two new HCAs'), [card('What other time comes to mind, however small?', ["That's all"])]);
    expectReplies(await chat.say('I chaired the ward away day'), [
      says("Thank you. That's plenty to draw on, so let's move on."),
      says("Sometimes things go better without us noticing. Think of a time, even briefly, when this wasn't a problem or was a bit easier. What was different then?"),
    ]);
    expectReplies(await chat.say('When the charge nurse asked me directly I spoke up fine'), [says('What strengths or skills do you have now that could help you with this goal?')]);
    expectReplies(await chat.say('Calm under pressure'), [card('What other strengths come to mind?', ["That's all"])]);
    expectReplies(await chat.say('not yet'), [
      says("OK, let's leave it there."),
      says('What strengths have you used in the past, in another job or another part of your life, that you could bring back now?'),
    ]);
    expectReplies(await chat.say('skip'), [says("OK, let's leave that one."), says('What might you need to learn, or get better at, to reach your goal?')]);
    expectReplies(await chat.say('Structuring SBAR quickly'), [says(/^Let's think about other people now\. Who do you know, or know of, who has achieved something like your goal\?/)]);

    // Stage 4.
    expectReplies(await chat.say('Priya, our ward manager'), [says('What have you seen them do that made the difference?')]);
    expectReplies(await chat.say('She pauses and checks everyone has heard'), [says('Which parts of that could you do yourself, in your own way?')]);
    expectReplies(await chat.say('Most of it with practice'), [says('When might you get a chance, after this session, to ask them how they did it?')]);
    expectReplies(await chat.say('At our next one-to-one'), [
      says("That could be a real source of support. People who've done it before are often glad to be asked."),
      says(/^Beyond your own strengths, what else is around you that could help\?/),
    ]);

    // Stage 5: four of their own answers, in three sentences, then one question.
    const acknowledgement =
      'I was struck by what you\'ve already done: "I presented at the audit meeting last year". You bring real strengths too, like "Calm under pressure". ' +
      'And you\'re not on your own: you have "My preceptor and the practice educator" around you, and "Priya, our ward manager" to learn from.';
    expectReplies(await chat.say('My preceptor and the practice educator'), [says(acknowledgement), says(`How might you do the same again, as you work towards "${GOAL}"?`)]);
    expect(acknowledgement.split(/(?<=\.) /)).toHaveLength(3);

    // "bye" mid-question pauses; "start coaching" picks up at the same question.
    expectReplies(await chat.say('bye'), [says('Bye for now, and take care. I\'ve kept your place: type "start coaching" when you\'d like to carry on.')]);
    expectReplies(await chat.say('start coaching'), [says(/^Welcome back\. We were looking at the strengths and support you have to draw on/), says(acknowledgement), says(/^How might you do the same again/)]);
    expectReplies(await chat.say('Use my calm to slow the handover down'), [
      says(/^Now let's turn this into action\. What will you do to move towards your goal\? On the card, give each step a date if you can/),
      card('Your action plan', ['Save my plan']),
    ]);

    // Stage 6: "what?" and "later" at the plan card.
    expectReplies(await chat.say('what?'), [says(/^The card has room for up to three steps towards your goal/)]);
    expectReplies(await chat.say('later'), [says(/^That's fine, there's no rush\./)]);
    expectReplies(await chat.say('start coaching'), [says(/^Welcome back\. We were looking at your action plan/), says(/^Now let's turn this into action\./), card('Your action plan')]);
    expectReplies(
      await chat.submit('actionPlan', {
        action1: 'Lead Tuesday night handover',
        byWhen1: '2026-12-01',
        action2: 'Ask Priya for ten minutes of feedback',
        obstacle1: 'Short staffing on the night',
        overcome1: 'Agree a backup with the charge nurse',
      }),
      [says('Thank you. Your plan has 2 actions. You can look at it or change it at any time by typing "my plan".'), says("We're nearly at the end of this session. Let's look back at where you are now."), card('where are you now with your goal?')],
    );

    // Stage 7: "go back" from the re-scaling points to "my plan"; the summary; "not yet" to new goals.
    expectReplies(await chat.say('go back'), [says('Your plan is saved, and you can change it at any time: type "my plan". Let\'s carry on from here.')]);
    expectReplies(await chat.say('6'), [says("From 4 to 6. That's real movement."), card('Session 1 summary'), says("What new goals, if any, have come up that you'd like to note for the future?")]);
    expectReplies(await chat.say('not yet'), [says("That's fine. New goals often turn up later."), says(/^That's the end of your first session\./)]);

    // At the end of the session, the small things people type.
    const between: [string, string | RegExp][] = [
      ['not yet', /^That's fine: come back whenever suits you\./],
      ['later', /^That's fine: come back whenever suits you\./],
      ['maybe next week', /^That's fine: come back whenever suits you\./],
      ['thanks', 'You\'re welcome. Good luck with your plan, and type "start coaching" when you\'re ready for session 2.'],
      ['bye', "Bye for now, and take care. Session 2 is here whenever you're ready."],
      ['ok', /^Give your plan a try, and when you're ready for session 2, type "start coaching"\./],
      ['what?', /^You've finished session 1 of 2\./],
      ["I don't understand", /^You've finished session 1 of 2\./],
      ['can you explain?', /^You've finished session 1 of 2\./],
      ['skip', /^There's nothing to skip: session 1 is finished\./],
      ['go back', /^Session 1 is finished, so I can't reopen its questions, but everything is kept/],
    ];
    for (const [phrase, reply] of between) expectReplies(await chat.say(phrase), [says(reply)]);
    // An answer it cannot use says what would help here, not "Sorry, I didn't understand" and the whole menu.
    expectReplies(await chat.say('I did the first step already'), [card("Session 1 is finished, so I haven't kept that as an answer.", ['Start coaching', 'My plan'])]);

    const s1 = (await chat.programme())!.sessions['1']!;
    expect(s1.completedAt).toBeDefined();
    expect(s1.goal).toMatchObject({ text: GOAL, term: 'short', sessionHope: 'A clear first step for Monday', sessionUseful: 'I would know what to do at Monday handover' });
    expect(s1.personalSuccess).toMatchObject({
      pastSuccesses: ['I presented at the audit meeting last year', 'I trained two new HCAs', 'I chaired the ward away day'],
      strengths: ['Calm under pressure'],
      pastStrengths: '',
    });
    expect(s1.review?.newGoals).toBe('');
    expect(whatElseFollowUps(chat)).toEqual(['What else has gone well for you?', 'What other time comes to mind, however small?', 'What other strengths come to mind?']);
    expectTheCoachsVoice(chat);
    // The direct safety question is asked at most once a session of ordinary answers (the quiet window after a "no").
    expect(chat.directQuestions).toBeLessThanOrEqual(1);
  });
});

/** Session 1 answered plainly, each answer typed. */
async function walkSessionOne(chat: InProcessChat): Promise<void> {
  await chat.startCoaching();
  for (const answer of [GOAL, 'Next few weeks', 'A band 6 post is coming up', 'A clear first step', 'I would know what to do', 'I would speak up', 'Some extra prep time', 'The benefits outweigh the costs'])
    await chat.say(answer);
  await chat.submit('scaling', { scale: 4 });
  for (const answer of [
    'I already lead the safety huddle on Mondays',
    'I would volunteer for the night handover',
    'I presented at the audit meeting last year',
    "That's all",
    'When the charge nurse asked me directly I spoke up fine',
    'Calm under pressure',
    "That's all",
    'Public speaking from scouts',
    'Structuring SBAR quickly',
    'Priya, our ward manager',
    'She pauses and checks everyone has heard',
    'Most of it with practice',
    'At our next one-to-one',
    'My preceptor and the practice educator',
    'Use my calm to slow the handover down',
  ])
    await chat.say(answer);
  await chat.submit('actionPlan', { action1: 'Lead Tuesday night handover', byWhen1: '2026-12-01', obstacle1: 'Short staffing on the night', overcome1: 'Agree a backup with the charge nurse' });
  await chat.say('6');
  await chat.say('no');
}

describe('session 2, typed and tapped', () => {
  it('follows up, builds on session 1, and ends with a final review that lists each thing once', async () => {
    const chat = new InProcessChat();
    await walkSessionOne(chat);
    expect((await chat.programme())!.current).toBe(2);

    // The check-in comes first, and "skip" does not get round it.
    expectReplies(await chat.say('start coaching'), [card('Before each session I ask everyone the same few questions', ['Send'])]);
    expectReplies(await chat.say('what?'), [says(/^The check-in is a few quick questions I ask everyone before a session/)]);
    expectReplies(await chat.say('skip'), [says(/^I ask everyone the check-in before each session, so I can't skip it/)]);
    expect((await chat.programme())!.sessions['2']).toBeUndefined();
    expectReplies(await chat.submit('checkIn', cleanCheckIn), [
      says('Thank you for checking in.'),
      says(`Welcome to your second session. Last time you set a goal: "${GOAL}". How have things gone since then?`),
    ]);

    // Stage 1: "ok" answers "how have things gone?", and "not yet" is one of the plan card's own answers.
    expectReplies(await chat.say('ok'), [card('Have you been able to build on the plan you made?', ['Yes, mostly', 'Partly', 'Not really'])]);
    expectReplies(await chat.say('not yet'), [card('Which of these fits best right now?')]);
    expectReplies(await chat.tap("I'm still working on it, but it's a struggle"), [says("You've kept going even though it's been hard, and that matters. What got in the way?")]);
    expectReplies(await chat.say('Winter pressures'), [card('Would you like to reshape your plan for the same goal, so it feels more doable, or set a different goal?', ['Keep my goal, reshape the plan', 'Set a different goal'])]);
    expectReplies(await chat.tap('Keep my goal, reshape the plan'), [says("Good. We'll keep your goal and look for a way forward that fits better."), card('At the end of our first session you put yourself at 6.')]);
    expectReplies(await chat.say('go back'), [says("OK, let's go back one question."), card('Would you like to reshape your plan for the same goal')]);
    expectReplies(await chat.tap('Keep my goal, reshape the plan'), [says("Good. We'll keep your goal and look for a way forward that fits better."), card('On a scale of 1 to 10')]);

    // Stages 2 to 5, with some of the same things said as in session 1.
    expectReplies(await chat.submit('scaling', { scale: 5 }), [says("You're at 5. What puts you at 5 and not lower?")]);
    expectReplies(await chat.say('I already lead the safety huddle on Mondays.'), [says('At 6, what would you be doing differently that others would notice?')]);
    expectReplies(await chat.say('I would take the night handover'), [says(/^Now let's look at what you've already done well/), says(/^Think of a time you achieved something similar to your goal/)]);
    expectReplies(await chat.say('I presented at the audit meeting last year'), [card('What else has gone well for you?', ["That's all"])]);
    expectReplies(await chat.tap("That's all"), [says(/^Sometimes things go better without us noticing\./)]);
    expectReplies(await chat.say('when the charge nurse asked me directly, I spoke up fine'), [says('Last time you named these strengths: Calm under pressure. Which of these, or others, are helping you now?')]);
    expectReplies(await chat.say('I don’t understand'), [says(/^Strengths can be anything you're good at/), says(/^Last time you named these strengths/)]);
    expectReplies(await chat.say('calm under pressure'), [card('What other strengths come to mind?', ["That's all"])]);
    expectReplies(await chat.say('Organised'), [card('What else are you good at that could help?', ["That's all"])]);
    expectReplies(await chat.say('Listening'), [says("Thank you. That's plenty to draw on, so let's move on."), says(/^What strengths have you used in the past/)]);
    expectReplies(await chat.say('Public speaking from scouts'), [says('What might you need to learn, or get better at, to reach your goal?')]);
    expectReplies(await chat.say('Delegating'), [says('Last time you thought of "Priya, our ward manager". Who else has achieved something like your goal: a colleague, a manager, anyone you respect?')]);
    expectReplies(await chat.say('Priya, our ward manager'), [says('What have you seen them do that made the difference?')]);
    expectReplies(await chat.say('She asks for help early'), [says('Which parts of that could you do yourself, in your own way?')]);
    expectReplies(await chat.say('Asking early'), [says('When might you get a chance, after this session, to ask them how they did it?')]);
    expectReplies(await chat.say('Not really, she is very busy'), [says("That's fine. Noticing what they do, and trying some of it, is useful on its own."), says(/^Beyond your own strengths/)]);
    expectReplies(await chat.say('My preceptor and the practice educator.'), [
      says(
        'I was struck by what you\'ve already done: "I presented at the audit meeting last year". You bring real strengths too, like "calm under pressure" and "Organised". ' +
          'And you\'re not on your own: you have "My preceptor and the practice educator" around you.',
      ),
      says(`How might you do the same again, as you work towards "${GOAL}"?`),
    ]);

    // Stage 6: the plan from session 1, its obstacle written three times over.
    expectReplies(await chat.say('Ask for the backup plan at the huddle'), [says(/^Now let's turn this into action\. I've filled in your plan from last time/), card('Lead Tuesday night handover', ['Save my plan'])]);
    const sameObstacle = { obstacle1: 'Short staffing on the night', overcome1: 'Agree a backup with the charge nurse', obstacle2: 'short staffing on the night.', overcome2: 'Agree a backup with the charge nurse', obstacle3: 'Short staffing on the night', overcome3: 'agree a backup with the charge nurse!' };
    expectReplies(await chat.submit('actionPlan', sameObstacle), [says(/^Thank you\. Your plan has one action\./), says(/^We're nearly at the end of this session\./), card('At the start of this session you said 5.')]);

    // Stage 7: the final review.
    expectReplies(await chat.say('7'), [says("From 5 to 7. That's real movement."), says("This is our last session. Before I show you the summary: what's been most useful to you about working through this together?")]);
    const ending = await chat.say('Having the questions one at a time');
    expectReplies(ending, [card('Your coaching: a look back over both sessions'), says(/^Over these two sessions you've shown/), says("What new goals, if any, have come up that you'd like to note for the future?")]);
    const review = ending[0]!.card.split('\n').filter((line) => /\p{L}/u.test(line));
    const said = review.map(sameWords);
    expect(review.filter((_, i) => said.indexOf(said[i]!) !== i)).toEqual([]);
    for (const once of ['Calm under pressure', 'I presented at the audit meeting last year', 'When the charge nurse asked me directly I spoke up fine', 'I already lead the safety huddle on Mondays', 'My preceptor and the practice educator', 'Priya, our ward manager', 'Short staffing on the night', 'Agree a backup with the charge nurse']) {
      expect(said.filter((line) => line === sameWords(once))).toHaveLength(1);
    }
    expect(review).toEqual(expect.arrayContaining(['Your goal', GOAL, 'Organised', 'Listening', 'Public speaking from scouts', 'Having the questions one at a time']));
    expectReplies(await chat.say('none'), [says(/^That completes your coaching\./)]);

    // At the end of the last session, the small things people type.
    const finished: [string, string | RegExp][] = [
      ['not yet', "That's fine. Your plan and everything you've said are kept for whenever you want them."],
      ['later', "That's fine. Your plan and everything you've said are kept for whenever you want them."],
      ['maybe next week', "That's fine. Your plan and everything you've said are kept for whenever you want them."],
      ['thanks', "You're welcome. Take care, and all the best with what comes next."],
      ['bye', 'Goodbye, and take care. Your plan is here whenever you want it: type "my plan".'],
      ['ok', /^You've finished both sessions\. Type "my plan" to see your plan/],
      ['what?', /^You've finished both coaching sessions\./],
      ["I don't understand", /^You've finished both coaching sessions\./],
      ['can you explain?', /^You've finished both coaching sessions\./],
      ['skip', /^There's nothing left to skip/],
      ['go back', /^Both sessions are finished, so I can't reopen their questions/],
    ];
    for (const [phrase, reply] of finished) expectReplies(await chat.say(phrase), [says(reply)]);
    expectReplies(await chat.say('I did it'), [card("You've finished both sessions, so I haven't kept that as an answer.", ['My plan', 'Help'])]);

    const programme = (await chat.programme())!;
    expect(programme.completedAt).toBeDefined();
    expect(programme.sessions['2']).toMatchObject({ followUp: { howItWent: 'ok', builtOnPlan: 'notReally', progress: 'struggling', keepGoal: true } });
    expect(programme.sessions['2']!.actionPlan!.obstacles).toHaveLength(3);
    expect(whatElseFollowUps(chat).slice(-3)).toEqual(['What else has gone well for you?', 'What other strengths come to mind?', 'What else are you good at that could help?']);
    expectTheCoachsVoice(chat);
    // The direct safety question is asked at most once a session of ordinary answers (the quiet window after a "no").
    expect(chat.directQuestions).toBeLessThanOrEqual(1);
  });
});

describe('the small things people type and the risk gate', () => {
  it('"skip" and "go back" do not step round a pause for wellbeing or the check-in that ends it', async () => {
    const chat = new InProcessChat();
    await chat.startCoaching();
    expectReplies(await chat.say(GOAL), [card('Is this something for the next few weeks, or a longer-term goal?')]);
    const flagged = await chat.say("I'm so stressed and anxious I can't sleep");
    expect(flagged.map((r) => r.card).join('\n')).toMatch(/pause the coaching here[\s\S]*Would you like me to ask the service to get in touch/);

    expectReplies(await chat.say('skip'), [says(/^Coaching is paused for now, so there's nothing to skip\. When you feel ready, type "start coaching" and we'll begin with a quick check-in\.$/)]);
    expectReplies(await chat.say('go back'), [says(/^Coaching is paused for now, with every answer kept\./)]);
    expectReplies(await chat.say('No, thank you'), [says("That's fine. The details are there whenever you want them."), says(/^When you feel ready to carry on with coaching, type "start coaching"/)]);
    expectReplies(await chat.say('go back'), [says(/^Coaching is paused for now, with every answer kept\./)]);
    expectReplies(await chat.say('start coaching'), [card('A quick check-in')]);
    expectReplies(await chat.say('skip'), [says(/^Coaching is paused for now, so there's nothing to skip\./)]);

    const stored = await chat.store.readOne(chat.user.aadObjectId);
    expect(stored).toMatchObject({ safety: { status: 'wellbeingPause' }, programme: { paused: true } });
    expect((stored!.dialogState as { dialogStack?: unknown[] } | undefined)?.dialogStack ?? []).toEqual([]);
    expect((await chat.programme())!.sessions['1']!.goal?.text).toBe(GOAL);

    expectReplies(await chat.submit('checkIn', cleanCheckIn), [says('Thank you for checking in.'), says(/^Welcome back\./), card('Is this something for the next few weeks, or a longer-term goal?')]);
  });
});

import { InProcessChat, type Reply } from './support/inProcess';
import { answerStagesTwoToSeven, completeSessionOne } from './support/inProcessWalkThrough';
import { card, expectReplies, says } from './support/transcript';

/**
 * Session 2: follow-up and its three branches, stages built on session 1, and the final review. In process
 * through the real turn pipeline with state in memory, every reply checked in order.
 */
const cleanCheckIn = { nervous: '0', worrying: '0', littleInterest: '0', down: '0', harmSelf: '0', harmOthers: 'no' };
const WHICH_FITS = card('Which of these fits best right now?', [
  "I've reached my goal and I'm happy with it",
  "I'm still working on it, but it's a struggle",
  "I haven't moved on, but I'd like to keep going",
]);
const WHAT_TO_ACHIEVE = says(
  "Let's start with what you'd like to work on. It might be something in your job, your career, or how you work with others. What would you like to achieve?",
);
const GOAL_TERM = card('Is this something for the next few weeks, or a longer-term goal?', ['Next few weeks', 'Longer term']);
const SCALE = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

describe('self-guided session 2', () => {
  async function startSessionTwo(chat: InProcessChat): Promise<Reply[]> {
    expectReplies(await completeSessionOne(chat), [says(/^That's the end of your first session\./)]);
    expectReplies(await chat.say('start coaching'), [card(/^A quick check-in\nBefore each session I ask everyone the same few questions/, ['Send'])]);
    expectReplies(await chat.submit('checkIn', cleanCheckIn), [
      says('Thank you for checking in.'),
      says('Welcome to your second session. Last time you set a goal: "Get a clinical educator role". How have things gone since then?'),
    ]);
    expectReplies(await chat.say('Better than I expected'), [card('Have you been able to build on the plan you made?', ['Yes, mostly', 'Partly', 'Not really'])]);
    const seen = await chat.say('Partly');
    expectReplies(seen, [WHICH_FITS]);
    return seen;
  }

  it('goal met: celebrates, sets a new goal, and ends with a final review of both sessions', async () => {
    const chat = new InProcessChat();
    await startSessionTwo(chat);
    expectReplies(await chat.say("I've reached my goal and I'm happy with it"), [says(/^That's brilliant, well done\./), WHAT_TO_ACHIEVE]);
    let seen: Reply[] = [];
    for (const answer of ['Mentor a student nurse', 'Next few weeks', 'I enjoy teaching', 'A plan', 'I would feel ready', 'Students would ask for me', 'Some evenings', 'The benefits outweigh the costs']) {
      seen = await chat.say(answer);
    }
    expectReplies(seen, [
      says("Thank you. You've got a clear picture of where you want to get to."),
      card(/^Where are you now\?\nOn a scale of 1 to 10, .* where are you today with "Mentor a student nurse"\?\nAt the end of our first session you put yourself at 5\.\n/, SCALE),
    ]);
    seen = await answerStagesTwoToSeven(chat, { before: 6, after: 8 }, 'Ask the practice educator about mentoring');
    expectReplies(seen, [
      says("From 6 to 8. That's real movement."),
      says("This is our last session. Before I show you the summary: what's been most useful to you about working through this together?"),
    ]);
    seen = await chat.say('Having the questions one at a time');
    expectReplies(seen, [
      card(/^Your coaching: a look back over both sessions\n/, []),
      says(/^Over these two sessions you've shown/),
      says("What new goals, if any, have come up that you'd like to note for the future?"),
    ]);
    const review = seen[0]!.card;
    expect(review).toMatch(/Your first goal\nGet a clinical educator role/);
    expect(review).toMatch(/Your second goal\nMentor a student nurse/);
    expect(review).toMatch(/Start of session 1[\s\S]*End of session 1[\s\S]*Start of session 2[\s\S]*End of session 2/);
    expect(review).toContain('Having the questions one at a time');
    const chart = seen[0]!.activity.attachments!.find((x) => x.content.body?.some((b: any) => b.type === 'ColumnSet'));
    const widths = chart!.content.body.filter((b: any) => b.type === 'ColumnSet').map((row: any) => row.columns[1].items[0].columns[0].width);
    expect(widths).toEqual([3, 5, 6, 8]);
    expectReplies(await chat.say('no'), [says(/^That completes your coaching\./)]);

    const programme = (await chat.programme())!;
    expect(programme.completedAt).toBeDefined();
    expect(programme.sessions['2']).toMatchObject({ followUp: { progress: 'goalMet', builtOnPlan: 'partly' }, goal: { text: 'Mentor a student nurse' } });
  });

  it('struggling: explores what got in the way, keeps the goal and prefills the plan from session 1', async () => {
    const chat = new InProcessChat();
    await startSessionTwo(chat);
    expectReplies(await chat.say("I'm still working on it, but it's a struggle"), [says("You've kept going even though it's been hard, and that matters. What got in the way?")]);
    expectReplies(await chat.say('Winter pressures'), [
      card('Would you like to reshape your plan for the same goal, so it feels more doable, or set a different goal?', ['Keep my goal, reshape the plan', 'Set a different goal']),
    ]);
    expectReplies(await chat.say('Keep my goal, reshape the plan'), [
      says("Good. We'll keep your goal and look for a way forward that fits better."),
      card(/^Where are you now\?\nOn a scale of 1 to 10, .* where are you today with "Get a clinical educator role"\?/, SCALE),
    ]);
    await chat.submit('scaling', { scale: 4 });
    for (const answer of ['I kept going', 'Ask for help', 'Passed my course', 'no', 'Summer', 'Resilient', 'no', 'Teaching', 'Time management', 'A mentor', 'Plans', 'Yes', 'Yes, I could', 'My team']) {
      await chat.say(answer);
    }
    const seen = await chat.say('Be resilient');
    expectReplies(seen, [
      says("Now let's turn this into action. I've filled in your plan from last time: change whatever you like to make it more doable."),
      card(/^Your action plan\nGoal: Get a clinical educator role\n/, ['Save my plan']),
    ]);
    expect(JSON.stringify(seen[1]!.activity.attachments![0]!.content)).toContain('"value":"Book a meeting with my manager"');
    const programme = (await chat.programme())!;
    expect(programme.sessions['2']).toMatchObject({ followUp: { progress: 'struggling', whatGotInTheWay: 'Winter pressures', keepGoal: true }, goal: { text: 'Get a clinical educator role' } });
  });

  it('not moved on: acknowledges coming back and explores a goal afresh', async () => {
    const chat = new InProcessChat();
    await startSessionTwo(chat);
    expectReplies(await chat.say("I haven't moved on, but I'd like to keep going"), [
      says("Thank you for being honest about that, and for coming back: that takes commitment. Let's look afresh at what you'd like from your work or career now."),
      WHAT_TO_ACHIEVE,
    ]);
    expectReplies(await chat.say('Find a role with regular hours'), [GOAL_TERM]);
    const programme = (await chat.programme())!;
    expect(programme.sessions['2']).toMatchObject({ followUp: { progress: 'notMovedOn' }, goal: { text: 'Find a role with regular hours' } });
    expect(programme.sessions['1']!.goal?.text).toBe('Get a clinical educator role');
  });
});

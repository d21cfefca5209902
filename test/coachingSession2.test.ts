import type { RunningBot } from '../src/app';
import type { Programme } from '../src/coaching/programme';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { PersonalChat } from './support/chat';
import { ReplySink } from './support/replySink';
import { runBotDuring } from './support/bot';
import { answerStagesTwoToSeven, completeSessionOne } from './support/walkThrough';

/** Session 2: follow-up and its three branches, stages built on session 1, and the final review. */
describe('self-guided session 2', () => {
  const sink = new ReplySink();
  let bot: RunningBot;

  // A whole session 1 and 2 is more messages than one person may send in a minute, and this test types fast.
  runBotDuring(sink, (started) => (bot = started), { MESSAGES_PER_MINUTE_PER_PERSON: '1000' });

  const storedProgramme = async (chat: PersonalChat) =>
    (await new CosmosBotStorage(bot.store.containers.programmes, 'userId').readOne(chat.user.aadObjectId))?.programme as Programme;

  async function startSessionTwo(chat: PersonalChat) {
    const end = await completeSessionOne(chat);
    expect(end.all).toMatch(/end of your first session/);
    let seen = await chat.say('start coaching');
    expect(seen.all).toMatch(/Before each session I ask everyone the same few questions/);
    seen = await chat.checkIn(seen);
    expect(seen.all).toMatch(/Welcome to your second session\. Last time you set a goal: "Get a clinical educator role"/);
    await chat.say('Better than I expected');
    return chat.say('Partly');
  }

  it('goal met: celebrates, sets a new goal, and ends with a final review of both sessions', async () => {
    const chat = new PersonalChat(bot.url, sink);
    let seen = await startSessionTwo(chat);
    seen = await chat.say("I've reached my goal and I'm happy with it");
    expect(seen.all).toMatch(/That's brilliant, well done/);
    expect(seen.all).toMatch(/What would you like to achieve\?/);
    for (const answer of ['Mentor a student nurse', 'Next few weeks', 'I enjoy teaching', 'A plan', 'I would feel ready', 'Students would ask for me', 'Some evenings', 'The benefits outweigh the costs']) {
      seen = await chat.say(answer);
    }
    expect(seen.all).toMatch(/"Mentor a student nurse"/);
    expect(seen.all).toMatch(/At the end of our first session you put yourself at 5/);
    seen = await answerStagesTwoToSeven(chat, seen, { before: 6, after: 8 }, 'Ask the practice educator about mentoring');
    expect(seen.all).toMatch(/This is our last session/);
    seen = await chat.say('Having the questions one at a time');
    expect(seen.all).toMatch(/Your coaching: a look back over both sessions/);
    expect(seen.all).toMatch(/Your first goal\nGet a clinical educator role/);
    expect(seen.all).toMatch(/Your second goal\nMentor a student nurse/);
    expect(seen.all).toMatch(/Start of session 1[\s\S]*End of session 1[\s\S]*Start of session 2[\s\S]*End of session 2/);
    expect(seen.all).toContain('Having the questions one at a time');
    const chart = seen.activities.flatMap((a) => a.attachments ?? []).find((x) => x.content.body?.some((b: any) => b.type === 'ColumnSet'));
    const widths = chart!.content.body.filter((b: any) => b.type === 'ColumnSet').map((row: any) => row.columns[1].items[0].columns[0].width);
    expect(widths).toEqual([3, 5, 6, 8]);
    seen = await chat.say('no');
    expect(seen.all).toMatch(/That completes your coaching/);

    const programme = await storedProgramme(chat);
    expect(programme.completedAt).toBeDefined();
    expect(programme.sessions['2']).toMatchObject({ followUp: { progress: 'goalMet', builtOnPlan: 'partly' }, goal: { text: 'Mentor a student nurse' } });
  });

  it('struggling: explores what got in the way, keeps the goal and prefills the plan from session 1', async () => {
    const chat = new PersonalChat(bot.url, sink);
    let seen = await startSessionTwo(chat);
    seen = await chat.say("I'm still working on it, but it's a struggle");
    expect(seen.all).toMatch(/kept going even though it's been hard[\s\S]*What got in the way\?/);
    seen = await chat.say('Winter pressures');
    expect(seen.all).toMatch(/reshape your plan for the same goal/);
    seen = await chat.say('Keep my goal, reshape the plan');
    expect(seen.all).toMatch(/keep your goal/);
    expect(seen.all).toMatch(/On a scale of 1 to 10[\s\S]*"Get a clinical educator role"/);
    seen = await chat.submit({ ...seen.card('scaling'), scale: 4 });
    for (const answer of ['I kept going', 'Ask for help', 'Passed my course', 'no', 'Summer', 'Resilient', 'no', 'Teaching', 'Time management', 'A mentor', 'Plans', 'Yes', 'Yes, I could', 'My team']) {
      seen = await chat.say(answer);
    }
    seen = await chat.say('Be resilient');
    expect(seen.all).toMatch(/filled in your plan from last time/);
    const planCard = seen.activities.flatMap((a) => a.attachments ?? []).find((x) => JSON.stringify(x.content).includes('action1'));
    expect(JSON.stringify(planCard!.content)).toContain('"value":"Book a meeting with my manager"');
    const programme = await storedProgramme(chat);
    expect(programme.sessions['2']).toMatchObject({ followUp: { progress: 'struggling', whatGotInTheWay: 'Winter pressures', keepGoal: true }, goal: { text: 'Get a clinical educator role' } });
  });

  it('not moved on: acknowledges coming back and explores a goal afresh', async () => {
    const chat = new PersonalChat(bot.url, sink);
    let seen = await startSessionTwo(chat);
    seen = await chat.say("I haven't moved on, but I'd like to keep going");
    expect(seen.all).toMatch(/Thank you for being honest[\s\S]*What would you like to achieve\?/);
    seen = await chat.say('Find a role with regular hours');
    expect(seen.all).toMatch(/next few weeks, or a longer-term goal/);
    const programme = await storedProgramme(chat);
    expect(programme.sessions['2']).toMatchObject({ followUp: { progress: 'notMovedOn' }, goal: { text: 'Find a role with regular hours' } });
    expect(programme.sessions['1']!.goal?.text).toBe('Get a clinical educator role');
  });
});

/**
 * Whole stretches of the self-guided programme answered in the simplest way, in process, for tests that care
 * about what comes before or after them (the HTTP equivalents are in ./walkThrough.ts).
 */
import type { InProcessChat, Reply } from './inProcess';

/** Answers stages 2 to 7 from the scaling card: returns the replies to the last rating (the end-of-session question). */
export async function answerStagesTwoToSeven(chat: InProcessChat, scales: { before: number; after: number }, plan = 'Book a meeting with my manager'): Promise<Reply[]> {
  await chat.submit('scaling', { scale: scales.before });
  for (const answer of ['I turn up and try', 'I would ask for help sooner', 'I ran the flu clinic', 'no', 'Quiet weeks were easier', 'Patient', 'no', 'Running', 'Delegating', 'My team leader', 'She plans her week', 'Some of it', 'Maybe', 'My union rep']) {
    await chat.say(answer);
  }
  await chat.say('Use my patience');
  await chat.submit('actionPlan', { action1: plan, byWhen1: '2027-01-15', obstacle1: 'No time', overcome1: 'Block it in my diary' });
  return chat.say(String(scales.after));
}

/** A whole session 1, from "start coaching" to its last answer; returns the replies to that answer. */
export async function completeSessionOne(chat: InProcessChat, goal = 'Get a clinical educator role'): Promise<Reply[]> {
  await chat.startCoaching();
  for (const answer of [goal, 'Longer term', 'It is the right time', 'A direction', 'I would know my next step', 'I would be teaching', 'Less time with family', 'The benefits outweigh the costs']) {
    await chat.say(answer);
  }
  await answerStagesTwoToSeven(chat, { before: 3, after: 5 });
  return chat.say('no');
}

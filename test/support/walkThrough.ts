import type { PersonalChat, Seen } from './chat';

/** Answers stages 2 to 7 in the simplest way, for tests that care about what comes before or after. */
export async function answerStagesTwoToSeven(chat: PersonalChat, seen: Seen, scales: { before: number; after: number }, plan = 'Book a meeting with my manager'): Promise<Seen> {
  seen = await chat.submit({ ...seen.card('scaling'), scale: scales.before });
  for (const answer of ['I turn up and try', 'I would ask for help sooner', 'I ran the flu clinic', 'no', 'Quiet weeks were easier', 'Patient', 'no', 'Running', 'Delegating', 'My team leader', 'She plans her week', 'Some of it', 'Maybe', 'My union rep']) {
    seen = await chat.say(answer);
  }
  seen = await chat.say('Use my patience');
  seen = await chat.submit({ ...seen.card('actionPlan'), action1: plan, byWhen1: '2027-01-15', obstacle1: 'No time', overcome1: 'Block it in my diary' });
  return chat.say(String(scales.after));
}

export async function completeSessionOne(chat: PersonalChat, goal = 'Get a clinical educator role'): Promise<Seen> {
  await chat.startCoaching();
  let seen: Seen | undefined;
  for (const answer of [goal, 'Longer term', 'It is the right time', 'A direction', 'I would know my next step', 'I would be teaching', 'Less time with family', 'The benefits outweigh the costs']) {
    seen = await chat.say(answer);
  }
  seen = await answerStagesTwoToSeven(chat, seen!, { before: 3, after: 5 });
  return chat.say('no');
}

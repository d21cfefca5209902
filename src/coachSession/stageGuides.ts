// The coach's guide to each of the seven stages of the solution-focused model (shared/seeds: "Solution-Focused
// Coaching", Session 1 and Session 2): the aim of the stage, open questions it suggests, and what the coach
// notes of the client's answers for the summary. Session 2 differs at stage 1 (follow-up) and stage 7 (review of
// the final session); stages 2 to 6 "follow guidelines outlined for session 1".
import type { SessionNumber, SessionRecord, StageName } from '../coaching/programme';

/** One thing the coach notes of what the client says, and where it lives in the session record. */
export interface AnswerField {
  id: string;
  label: string;
  placeholder: string;
  read(record: SessionRecord): string | undefined;
  save(record: SessionRecord, text: string): void;
}

export interface StageGuide {
  aim: string;
  /** Open questions (why, when, where, how, who, tell me more), three to five. */
  questions: string[];
  answers: AnswerField[];
  /** One line for everyone in the chat: what this stage is about, in the client's terms. */
  forTheChat: string;
}

function answer<S extends 'goal' | 'followUp' | 'scaling' | 'othersSuccess' | 'acknowledgement' | 'review'>(
  id: string,
  label: string,
  placeholder: string,
  section: S,
  name: keyof NonNullable<SessionRecord[S]>,
): AnswerField {
  return {
    id,
    label,
    placeholder,
    read: (record) => {
      const value = (record[section] as Record<PropertyKey, unknown> | undefined)?.[name];
      return typeof value === 'string' ? value : undefined;
    },
    save: (record, text) => {
      record[section] = { ...(record[section] as object), [name]: text } as SessionRecord[S];
    },
  };
}

/** Successes and strengths are lists in the record (the self-guided stage asks "what else?"); here one box each. */
function listAnswer(id: 'pastSuccesses' | 'strengths', label: string, placeholder: string): AnswerField {
  return {
    id,
    label,
    placeholder,
    read: (record) => record.personalSuccess?.[id]?.join('\n'),
    save: (record, text) => {
      record.personalSuccess =
        id === 'strengths'
          ? { ...record.personalSuccess, strengths: [text], strengthsComplete: true }
          : { ...record.personalSuccess, pastSuccesses: [text], pastSuccessesComplete: true };
    },
  };
}

const goalAnswers: AnswerField[] = [
  answer('goal', 'Their goal', 'What they want to achieve, in their words', 'goal', 'text'),
  answer('whyNow', 'Why this goal, and why now', 'Why this goal rather than another, and why now', 'goal', 'whyNow'),
  answer('preferredFuture', 'Their preferred future', 'What is different when things are as they would like', 'goal', 'preferredFuture'),
  answer('costs', 'Costs of reaching the goal', 'To them and to others, and how these weigh against the benefits', 'goal', 'costs'),
];

const sessionOne: Record<StageName, StageGuide> = {
  goal: {
    aim:
      'Find out what the client wants to achieve: the goal, short or longer term, and why this goal now rather than another. Ask what they want from this session and how they will know it has been useful; help them picture their preferred future; and explore what reaching the goal might cost them and others, and whether the cost outweighs the benefits.',
    questions: [
      'What would you like to achieve? Why this goal, and why now?',
      'What would you like to get from today, and how will you know it has been useful?',
      'Imagine you wake up and a miracle has happened: things are just as you would like them to be. What is different, and what tells you things have changed?',
      'If you reach this goal, what might it cost you, or the people around you? How does that weigh against what you gain?',
      'Can you tell me more about that?',
    ],
    answers: goalAnswers,
    forTheChat: 'What you want to work on: your goal, why now, and what things would look like if you reached it.',
  },
  scaling: {
    aim:
      'Once the client has a clear picture of their goal, establish where they think they are now in relation to it, on a scale of 1 (the least close) to 10 (the goal completely reached). The scaling card is in the chat: only the client’s own tap counts.',
    questions: [
      'On a scale of 1 to 10, where are you today with your goal?',
      'What puts you at that number and not lower?',
      'What would one point higher look like? Who would notice?',
      'When have you been higher on this scale? What was different then?',
    ],
    answers: [answer('whyNotLower', 'What puts them there and not lower', 'What is already helping', 'scaling', 'whyNotLower')],
    forTheChat: 'Where you are now, on a scale of 1 to 10. Tap the card below: only your own answer counts.',
  },
  personalSuccess: {
    aim:
      'Look for times the client has succeeded with similar goals before, including "exceptions": things they achieved but may not recognise. Identify their skills and strengths now and in the past (some may need reactivating), and any they may need to learn. Recognising these builds a sense of their own efficacy.',
    questions: [
      'Tell me about a time you achieved something like this. How did you do it?',
      'When has this been less of a problem, or not a problem at all? What were you doing then?',
      'What skills and strengths helped you then? Which of them are you using now?',
      'What strengths have you had in the past that you could bring back?',
      'What might you need to learn to reach this goal?',
    ],
    answers: [
      listAnswer('pastSuccesses', 'Their past successes and exceptions', 'Times they managed something similar'),
      listAnswer('strengths', 'Their strengths and skills', 'Strengths now and in the past, and skills to learn'),
    ],
    forTheChat: 'Times you have succeeded before, and the strengths that helped you.',
  },
  othersSuccess: {
    aim:
      'Help the client identify role models or respected others who have achieved the same or a similar goal: what they have seen them do, and how far they could do the same. There may be a chance to talk to them afterwards; senior colleagues can be an ongoing source of support and advice.',
    questions: [
      'Who do you know who has achieved something like this?',
      'What have you seen them do that made the difference?',
      'How far could you do the same? What would you do your own way?',
      'Could you talk to them about how they did it? Who else could support you?',
    ],
    answers: [answer('roleModels', 'Their role models', 'Who, and what the client has seen them do', 'othersSuccess', 'roleModels')],
    forTheChat: 'People who have achieved something similar, and what you could learn from them.',
  },
  acknowledgement: {
    aim:
      'Take plenty of time to establish the resources the client has, personally and around them. Affirm the positive qualities identified in the session and give them context, so the client can think about how to use them in different situations.',
    questions: [
      'What do you have around you that could help: people, time, skills, support?',
      'I was impressed by the way you handled that. How might you do the same with this new task?',
      'Which of the strengths we have talked about could you use here, and how?',
      'Who or what has helped you most so far?',
    ],
    answers: [answer('resources', 'Their resources', 'Personal resources and support around them', 'acknowledgement', 'resources')],
    forTheChat: 'The strengths and support you have to draw on, and how you might use them.',
  },
  actionPlan: {
    aim:
      'Encourage the client to decide what they will now do to use the skills and qualities identified and move towards the goal, what obstacles there might be, and how they could overcome them. The action-plan card is in the chat: either of you can fill it in and save it.',
    questions: [
      'What will you do first, and by when?',
      'How will you use the strengths we have talked about?',
      'What might get in the way? How could you get past it?',
      'Who could help you keep going?',
    ],
    answers: [],
    forTheChat: 'What you will do, and what might get in the way. Either of you can fill in the plan below and save it.',
  },
  review: {
    aim:
      'Summarise for the client the strengths and positive qualities identified, what they have been doing that will help them move forward, role models who could guide them, and their plans for overcoming hurdles. Suggest they keep in mind what works for them. Repeat the scaling (the card is in the chat) so they can see where they are now. If risk came up, discuss it and explain the obligation to refer on. Note any new goals, and whether a follow-up session would help.',
    questions: [
      'Looking back over today, where are you now on the scale?',
      'What will you take away from this session?',
      'What works for you that you want to keep in mind?',
      'Have any new goals come up? Would a follow-up session help?',
    ],
    answers: [
      answer('keepInMind', 'What they want to keep in mind', 'What works for them, for future reference', 'review', 'keepInMind'),
      answer('newGoals', 'New goals', 'Any new goals that came up', 'review', 'newGoals'),
    ],
    forTheChat: 'A look back over the session, and where you are now on the scale.',
  },
};

const sessionTwo: Partial<Record<StageName, StageGuide>> = {
  goal: {
    aim:
      'Follow up on how things have gone since the first session. Has the client built on the ideas and plans? Are they satisfied with the original goal and ready for another? Still working on the plan but struggling (explore the hurdles and make the plan more doable, or develop another goal)? Or not moved on but still wanting coaching (find which goals they want to explore)? In every case, highlight and celebrate their development, successes and positive qualities. If they show high levels of anxiety, suggest the Stress Support and Wellbeing service instead of coaching.',
    questions: [
      'How have things gone since our first session?',
      'What have you built on from the plan you made? What are you pleased with?',
      'What got in the way? What would make the plan more doable?',
      'Are you happy with that goal, or is there another you would like to work on now?',
      'What would you like to get from today?',
    ],
    answers: [answer('howItWent', 'How things have gone since session 1', 'Progress, and what got in the way', 'followUp', 'howItWent'), ...goalAnswers],
    forTheChat: 'How things have gone since the first session, and what you want to work on now.',
  },
  review: {
    aim:
      'This is the final session. Summarise the client’s strengths and positive qualities, what they have been doing that will help them move forward, role models who could guide them, and their plans for overcoming hurdles; suggest they keep in mind what works for them. Repeat the scaling (the card is in the chat) so they can reappraise where they are against the first and second goals. Allow time to comment on your working relationship, and emphasise the qualities and strengths you have seen over the two sessions.',
    questions: [
      'Looking back over both sessions, where are you now on the scale?',
      'What has changed for you since we started?',
      'What works for you that you want to keep in mind?',
      'How has it been working together? What has been most useful?',
    ],
    answers: [
      answer('keepInMind', 'What they want to keep in mind', 'What works for them, for future reference', 'review', 'keepInMind'),
      answer('relationship', 'Working together', 'What they said about the coaching relationship', 'review', 'relationship'),
      answer('newGoals', 'New goals', 'Any new goals that came up', 'review', 'newGoals'),
    ],
    forTheChat: 'A look back over your coaching, and where you are now on the scale.',
  },
};

export function stageGuide(stage: StageName, session: SessionNumber): StageGuide {
  return (session === 2 ? sessionTwo[stage] : undefined) ?? sessionOne[stage];
}

/** What every guide card reminds the coach of (the model's aim: coaching is not a crisis or assessment service). */
export const supportReminder =
  'If the client seems very stressed or anxious, or speaks of harming themselves or others, stop the coaching and help them find support. If it is said in the chat, I will show the contacts there and tell you.';

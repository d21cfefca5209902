/**
 * The small things people type in a chat – "not yet", "later", "thanks", "bye", "ok", "what?", "skip",
 * "go back" – recognised when they are the whole message, and answered in context. At a question the prompt
 * answers them (src/coaching/atAPrompt.ts); outside a session this module does, by where the person is:
 * not started, part-way through a session, between sessions, finished, or with coaching paused for their
 * wellbeing. None of them starts or resumes coaching: only "start coaching" does, through the risk gate.
 */
import type { TurnContext } from 'botbuilder';
import { choiceCard } from '../turn/choices';
import { currentSession, whereWeWere, type Programme } from './programme';

export type EverydayWords = 'notYet' | 'later' | 'thanks' | 'bye' | 'ok' | 'explain' | 'skip' | 'back';

const phrases: Record<EverydayWords, string[]> = {
  notYet: ['not yet', 'no not yet', 'not just yet', 'not quite yet'],
  later: [
    'later', 'maybe later', 'later on', 'can we do this later', 'can i do this later', 'next week', 'maybe next week',
    'not now', 'not today', 'another time', 'some other time', 'another day', 'tomorrow', 'maybe tomorrow', 'not right now',
  ],
  thanks: ['thanks', 'thank you', 'thanks a lot', 'thank you so much', 'many thanks', 'cheers', 'ta', 'thx', 'ty', 'ok thanks', 'okay thanks', 'ok thank you', 'great thanks', 'lovely thanks'],
  bye: ['bye', 'goodbye', 'good bye', 'bye for now', 'bye bye', 'see you', 'see ya', 'see you later', 'see you soon', 'speak soon', 'cheerio', 'good night', 'night', 'ttyl', 'thanks bye', 'thank you bye', 'ok bye'],
  ok: ['ok', 'okay', 'okey', 'k', 'kk', 'fine', 'sure', 'alright', 'all right', 'right', 'cool', 'great', 'good', 'got it', 'understood', 'ok cool', 'noted', 'lovely', 'grand'],
  explain: [
    'what', 'huh', 'eh', 'sorry', 'pardon', 'come again', 'what do you mean', 'what does that mean', "i don't understand",
    'i do not understand', "don't understand", "i don't get it", "i'm confused", 'confused', 'explain', 'please explain',
    'can you explain', 'could you explain', 'can you explain that', 'could you explain that', 'can you explain please',
    'what do you mean by that', "not sure what you mean", "i'm not sure what you mean", 'i dont understand', 'dont understand',
    'what is this', 'what does this mean',
  ],
  skip: ['skip', 'skip it', 'skip this', 'skip this one', 'skip that', 'skip question', 'skip this question', 'next', 'next question', 'pass', 'move on', "i'd rather not say", 'rather not say'],
  back: ['go back', 'back', 'previous', 'previous question', 'undo', 'can we go back', 'can i go back', 'go back one', 'change my answer', 'change my last answer', 'last question'],
};

/** Lower case, straight apostrophes, no punctuation but apostrophes, no "please" or "sorry," around it. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(please|oh|um+|erm+|hmm+|ah+|sorry) (?=\S)/, '')
    .replace(/ (please|pls|then|thanks)$/, (m, word: string) => (word === 'thanks' ? m : ''))
    .trim();
}

const lookup = new Map<string, EverydayWords>(
  Object.entries(phrases).flatMap(([kind, words]) => words.map((w) => [normalise(w), kind as EverydayWords] as const)),
);

/** Which of the small things the message is, if it is one of them and nothing more. */
export function everydayWords(text: string): EverydayWords | undefined {
  if (text.length > 60) return undefined;
  return lookup.get(normalise(text));
}

/** The parts of the 1:1 chat's state these replies depend on (the risk gate's own state is only read). */
export interface WhereTheyAre {
  programme?: Programme;
  safety?: { status?: string; afterCheckIn?: string };
}

type Place = 'notStarted' | 'checkInWaiting' | 'wellbeingPause' | 'midSession' | 'betweenSessions' | 'finished';

function placeOf({ programme, safety }: WhereTheyAre): Place {
  if (safety?.status && safety.status !== 'clear') return 'wellbeingPause';
  if (safety?.afterCheckIn === 'startCoaching') return 'checkInWaiting';
  if (programme?.completedAt) return 'finished';
  const record = programme && currentSession(programme);
  if (record && !record.completedAt) return 'midSession';
  if (programme?.current === 2) return 'betweenSessions';
  return 'notStarted';
}

const START = 'type "start coaching"';

/** Replies outside a session; `explain` in the middle of a session is built from where they were. */
const replies: Record<Place, Record<Exclude<EverydayWords, 'notYet'>, string>> = {
  notStarted: {
    thanks: `You're welcome. Whenever you'd like to begin, ${START}.`,
    bye: `Bye for now, and take care. I'm here whenever you'd like to start: just ${START}.`,
    ok: `Whenever you're ready, ${START} and I'll ask you a few questions, one at a time.`,
    later: `That's fine, there's no rush. ${cap(START)} whenever you're ready.`,
    explain: `I offer solution-focused coaching: two sessions in which you set a goal for your work, notice what already helps and plan your next steps. ${cap(START)} to begin, or "help" for more.`,
    skip: `There's nothing to skip yet. ${cap(START)} whenever you'd like to begin.`,
    back: `There's nothing to go back to yet. ${cap(START)} whenever you'd like to begin.`,
  },
  checkInWaiting: {
    thanks: 'Thank you. When you\'re ready, answer the check-in above and press Send, and we\'ll begin.',
    bye: `Bye for now, and take care. When you'd like to start, ${START} and we'll begin with the check-in.`,
    ok: "When you're ready, answer the check-in above and press Send, and we'll begin.",
    later: `That's fine. When you're ready, ${START} and we'll begin with the check-in.`,
    explain: 'The check-in is a few quick questions I ask everyone before a session, so I can point you to support if you need it. Answer each one and press Send.',
    skip: "I ask everyone the check-in before each session, so I can't skip it, but it only takes a moment. Answer each question above and press Send.",
    back: "We haven't started the session yet. Answer the check-in above and press Send, and we'll begin.",
  },
  wellbeingPause: {
    thanks: "You're welcome. Take care of yourself; the support details above are there whenever you need them.",
    bye: 'Take care. If you need support at any time, type "Not OK right now".',
    ok: `Coaching is paused for now, with nothing lost. When you feel ready, ${START} and we'll begin with a quick check-in.`,
    later: `That's fine. Coaching is paused, with nothing lost. When you feel ready, ${START} and we'll begin with a quick check-in.`,
    explain: `Coaching is paused for now, with nothing lost, so you can look after yourself first. When you feel ready, ${START} and we'll begin with a quick check-in.`,
    skip: `Coaching is paused for now, so there's nothing to skip. When you feel ready, ${START} and we'll begin with a quick check-in.`,
    back: `Coaching is paused for now, with every answer kept. When you feel ready, ${START} and we'll begin with a quick check-in.`,
  },
  midSession: {
    thanks: `You're welcome. Your place is kept: ${START} whenever you'd like to carry on.`,
    bye: `Bye for now, and take care. Your place is kept: ${START} when you'd like to carry on.`,
    ok: `Whenever you're ready, ${START} and we'll carry on from where we were.`,
    later: `That's fine, there's no rush. Your place is kept: ${START} whenever you're ready.`,
    explain: '',
    skip: `We're paused at the moment. ${cap(START)} to carry on; then "skip" leaves out a question you'd rather not answer.`,
    back: `We're paused at the moment. ${cap(START)} to carry on; then "go back" takes you to the question before.`,
  },
  betweenSessions: {
    thanks: `You're welcome. Good luck with your plan, and ${START} when you're ready for session 2.`,
    bye: 'Bye for now, and take care. Session 2 is here whenever you\'re ready.',
    ok: `Give your plan a try, and when you're ready for session 2, ${START}. "My plan" shows your plan.`,
    later: `That's fine: come back whenever suits you. Your plan and answers are kept, and "start coaching" begins session 2.`,
    explain: 'You\'ve finished session 1 of 2. Between sessions, try the steps in your plan ("my plan" shows it). When you\'re ready, "start coaching" begins session 2.',
    skip: `There's nothing to skip: session 1 is finished. When you're ready for session 2, ${START}.`,
    back: 'Session 1 is finished, so I can\'t reopen its questions, but everything is kept: type "my plan" to see or change your plan.',
  },
  finished: {
    thanks: "You're welcome. Take care, and all the best with what comes next.",
    bye: 'Goodbye, and take care. Your plan is here whenever you want it: type "my plan".',
    ok: 'You\'ve finished both sessions. Type "my plan" to see your plan, or "help" to see what else I can do.',
    later: "That's fine. Your plan and everything you've said are kept for whenever you want them.",
    explain: 'You\'ve finished both coaching sessions. Your plan is kept: type "my plan" to see or change it, or "help" to see what else I can do.',
    skip: 'There\'s nothing left to skip: you\'ve finished both sessions. Type "my plan" to see your plan.',
    back: 'Both sessions are finished, so I can\'t reopen their questions, but everything is kept: type "my plan" to see or change your plan.',
  },
};

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Outside a session: answers the small things people type, and a message it cannot use where it knows what
 * would help (between sessions, after both, while paused for their wellbeing or before the check-in).
 * Returns false where the router's own reply fits better (the welcome back mid-session, the menu for
 * someone who has not started).
 */
export async function answerOutsideSession(context: TurnContext, where: WhereTheyAre, text: string): Promise<boolean> {
  const place = placeOf(where);
  const words = everydayWords(text);
  if (words) {
    const kind = words === 'notYet' ? 'later' : words;
    const record = where.programme && currentSession(where.programme);
    const reply =
      place === 'midSession' && kind === 'explain' && record
        ? `${whereWeWere(record.stage, record.number, record.goal?.text)} ${cap(START)} to carry on from there.`
        : replies[place][kind];
    await context.sendActivity({ type: 'message', text: reply, textFormat: 'plain' });
    return true;
  }
  switch (place) {
    case 'checkInWaiting':
      await context.sendActivity("To begin the session, answer the check-in above and press Send. If you'd rather start another time, that's fine too.");
      return true;
    case 'wellbeingPause':
      await context.sendActivity(
        `Coaching is paused for now, so I haven't kept that as an answer. When you feel ready, ${START}. If you need support now, type "Not OK right now".`,
      );
      return true;
    case 'betweenSessions':
      await context.sendActivity(
        choiceCard("Session 1 is finished, so I haven't kept that as an answer. When you're ready for session 2, tap \"Start coaching\".", [
          { title: 'Start coaching', value: 'start' },
          { title: 'My plan', value: 'plan' },
        ]),
      );
      return true;
    case 'finished':
      await context.sendActivity(
        choiceCard("You've finished both sessions, so I haven't kept that as an answer. Your plan is still here for you.", [
          { title: 'My plan', value: 'plan' },
          { title: 'Help', value: 'help' },
        ]),
      );
      return true;
    default:
      return false;
  }
}

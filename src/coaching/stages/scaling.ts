// Seed, Stage 2: "Scaling" – where the client is now, 1 (least close to the goal) to 10 (goal completely
// reached), then what puts them there and not lower, and what one point higher would look like.
import { MessageFactory, type Activity } from 'botbuilder';
import { WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { renderCard } from '../../cards/render';
import { noteAnswer, type QuestionHelp } from '../atAPrompt';
import { askText, parseScale, programmeOf, quote, SCALE_PROMPT, sessionOf } from '../dialogKit';
import { newQuestionId } from '../../turn/cards';
import { activeGoal, sessionRecord } from '../programme';
import { recordField } from '../recordFields';
import { noted, type Stage } from './stage';

const SCALING_STAGE = 'stage.scaling';

const scaling = {
  whyNotLower: recordField('scaling', 'whyNotLower'),
  onePointHigher: recordField('scaling', 'onePointHigher'),
};

/**
 * The scale's words, for the scaling card in a 1:1 chat and in a coach-joined session's chat alike (each
 * sentence here is completed by its caller: "On …" on their own, "Sam, on …" in the chat).
 */
export const scaleWording = {
  heading: 'Where are you now?',
  today: (goal: string | undefined) =>
    `a scale of 1 to 10, where 1 is the furthest from your goal and 10 is having completely reached it, where are you today${goal !== undefined ? ` with "${quote(goal, 120)}"` : ''}?`,
  now: 'the same scale of 1 to 10, where are you now with your goal?',
  atTheStart: (before: number) => `At the start of this session you said ${before}.`,
  /** What the rating at the review says, against the one at the start: on their own, and in the chat. */
  movement: (before: number, after: number) =>
    after > before
      ? { alone: `From ${before} to ${after}. That's real movement.`, inChat: `From ${before} to ${after}: that's real movement.` }
      : after === before
        ? { alone: `Still at ${after}, and now you have a plan to move from there.`, inChat: `Still at ${after}, and now you have a plan to move from there.` }
        : {
            alone: `You've gone from ${before} to ${after}. Sometimes seeing things more clearly feels like a step back; your plan gives you a way forward.`,
            inChat: `From ${before} to ${after}: sometimes seeing things more clearly feels like a step back, and your plan gives you a way forward.`,
          },
};

const scaleHelp: QuestionHelp = {
  kind: 'scale',
  explain: "1 means you're as far from your goal as you could be, and 10 means you've reached it completely. Tap the number that feels closest, or type it.",
};

/** Sends the scaling card and waits for a tap or a typed number. Used again at the review. */
export async function askForScale(step: WaterfallStepContext, question: string, previous: string) {
  const questionId = newQuestionId();
  const card = (q: string) => MessageFactory.attachment(renderCard('scaling', { heading: scaleWording.heading, question: q, previous, questionId }));
  return step.prompt(SCALE_PROMPT, {
    prompt: card(question),
    retryPrompt: card('Please tap a number from 1 to 10, or type one.'),
    validations: { questionId, help: scaleHelp },
  });
}

/** The rating from a scaling answer the prompt has already validated. */
export function scaleFrom(step: WaterfallStepContext): number {
  return parseScale(step.result as Partial<Activity>, '*') as number;
}

function scalingDialog(): WaterfallDialog {
  return new WaterfallDialog(SCALING_STAGE, [
    async (step) => {
      const record = sessionOf(step.context);
      if (record.scaling?.before !== undefined) return step.next();
      const programme = programmeOf(step.context);
      const lastTime = record.number === 2 ? sessionRecord(programme, 1)?.scaling : undefined;
      const previous =
        lastTime?.after !== undefined ? `At the end of our first session you put yourself at ${lastTime.after}.` : '';
      return askForScale(step, `On ${scaleWording.today(activeGoal(programme) ?? '')}`, previous);
    },
    async (step) => {
      const record = sessionOf(step.context);
      if (record.scaling?.before === undefined) {
        record.scaling = { ...record.scaling, before: scaleFrom(step) };
        noteAnswer(record, { section: 'scaling', name: 'before' });
      }
      return step.next();
    },
    ...askText({
      ...scaling.whyNotLower,
      question: (step) => {
        const x = sessionOf(step.context).scaling!.before!;
        return x === 1
          ? "You've put yourself at 1. That's an honest place to start. What has helped you keep going, even so?"
          : `You're at ${x}. What puts you at ${x} and not lower?`;
      },
      help: { explain: "I'm asking what's already working: what you're doing, or what's around you, that means you're not lower on the scale." },
    }),
    ...askText({
      ...scaling.onePointHigher,
      question: (step) => {
        const x = sessionOf(step.context).scaling!.before!;
        return x >= 10
          ? "You're at 10. What will help you stay there?"
          : `At ${x + 1}, what would you be doing differently that others would notice?`;
      },
      help: { explain: "Picture yourself one step further on. I mean the small, everyday things you'd be doing that you aren't doing now." },
    }),
    async (step) => step.endDialog(),
  ]);
}

export const scalingStage: Stage = {
  dialogId: SCALING_STAGE,
  dialogs: () => [scalingDialog()],
  guide: {
    aim:
      'Once the client has a clear picture of their goal, establish where they think they are now in relation to it, on a scale of 1 (the least close) to 10 (the goal completely reached). The scaling card is in the chat: only the client’s own tap counts.',
    questions: [
      'On a scale of 1 to 10, where are you today with your goal?',
      'What puts you at that number and not lower?',
      'What would one point higher look like? Who would notice?',
      'When have you been higher on this scale? What was different then?',
    ],
    answers: [noted('whyNotLower', 'What puts them there and not lower', 'What is already helping', scaling.whyNotLower)],
    forTheChat: 'Where you are now, on a scale of 1 to 10. Tap the card below: only your own answer counts.',
  },
};

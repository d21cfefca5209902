// Seed, Stage 2: "Scaling" – where the client is now, 1 (least close to the goal) to 10 (goal completely
// reached), then what puts them there and not lower, and what one point higher would look like.
import { MessageFactory, type Activity } from 'botbuilder';
import { WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { renderCard } from '../../cards/render';
import { noteAnswer, type QuestionHelp } from '../atAPrompt';
import { askText, field, newQuestionId, parseScale, programmeOf, quote, SCALE_PROMPT, sessionOf } from '../dialogKit';
import { activeGoal, sessionRecord } from '../programme';

export const SCALING_STAGE = 'stage.scaling';
export const RESCALING = 'stage.review.rescale';

const scaleHelp: QuestionHelp = {
  kind: 'scale',
  explain: "1 means you're as far from your goal as you could be, and 10 means you've reached it completely. Tap the number that feels closest, or type it.",
};

/** Sends the scaling card and waits for a tap or a typed number. Used again at the review. */
export async function askForScale(step: WaterfallStepContext, heading: string, question: string, previous: string) {
  const questionId = newQuestionId();
  const card = (q: string) => MessageFactory.attachment(renderCard('scaling', { heading, question: q, previous, questionId }));
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

export function scalingStage(): WaterfallDialog {
  return new WaterfallDialog(SCALING_STAGE, [
    async (step) => {
      const record = sessionOf(step.context);
      if (record.scaling?.before !== undefined) return step.next();
      const programme = programmeOf(step.context);
      const lastTime = record.number === 2 ? sessionRecord(programme, 1)?.scaling : undefined;
      const previous =
        lastTime?.after !== undefined ? `At the end of our first session you put yourself at ${lastTime.after}.` : '';
      return askForScale(
        step,
        'Where are you now?',
        `On a scale of 1 to 10, where 1 is the furthest from your goal and 10 is having completely reached it, where are you today with "${quote(activeGoal(programme), 120)}"?`,
        previous,
      );
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
      ...field('scaling', 'whyNotLower'),
      question: (step) => {
        const x = sessionOf(step.context).scaling!.before!;
        return x === 1
          ? "You've put yourself at 1. That's an honest place to start. What has helped you keep going, even so?"
          : `You're at ${x}. What puts you at ${x} and not lower?`;
      },
      help: { explain: "I'm asking what's already working: what you're doing, or what's around you, that means you're not lower on the scale." },
    }),
    ...askText({
      ...field('scaling', 'onePointHigher'),
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

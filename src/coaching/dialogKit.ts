/**
 * What every stage is built from: the prompts (typed words or card taps), the two waterfall steps that ask
 * one question and keep its answer, choice cards, and quoting the person's own words back safely.
 */
import type { Activity } from 'botbuilder';
import {
  type DialogSet,
  type PromptValidatorContext,
  type WaterfallStep,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { asWritten } from '../turn/cards';
import { choiceCard, recogniseChoice, type ChoiceOption } from '../turn/choices';
import { clipAnswer } from './answers';
import { actionPlanSubmission, scalingSubmission, submissionHeader, type ActionPlanSubmission } from './cardSubmissions';
import { CoachingPrompt, noteAnswer, wasSkipped, type QuestionHelp } from './atAPrompt';
import type { LastAnswer, SessionRecord } from './programme';
import { sessionOf } from './turnData';

export { attachCoachingSection, programmeOf, sessionOf, type CoachingSection } from './turnData';

export const TEXT_PROMPT = 'answer.text';
export const CHOICE_PROMPT = 'answer.choice';
export const SCALE_PROMPT = 'answer.scale';
export const PLAN_PROMPT = 'answer.plan';

/** A rating from a tap on the scaling card or a typed number; '*' accepts a card for any question. */
export function parseScale(activity: Partial<Activity>, questionId: string): number | 'stale' | undefined {
  const header = submissionHeader(activity.value);
  if (header) {
    if (header.card !== 'scaling' || (questionId !== '*' && header.questionId !== questionId)) return 'stale';
    const parsed = scalingSubmission.safeParse(activity.value);
    return parsed.success ? parsed.data.scale : undefined;
  }
  const match = /^\s*(\d{1,2})\s*(?:\/\s*10|out of 10)?\s*[.!]?\s*$/i.exec(activity.text ?? '');
  const n = match ? Number(match[1]) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 10 ? n : undefined;
}

export function parsePlan(activity: Partial<Activity>, questionId: string): ActionPlanSubmission | 'stale' | 'noAction' | undefined {
  const header = submissionHeader(activity.value);
  if (!header) return undefined;
  if (header.card !== 'actionPlan' || (header.questionId !== questionId && questionId !== '*')) return 'stale';
  const parsed = actionPlanSubmission.safeParse(activity.value);
  if (!parsed.success) return undefined;
  if (!parsed.data.action1 && !parsed.data.action2 && !parsed.data.action3) return 'noAction';
  return parsed.data;
}

const staleCard = "That card belongs to an earlier question, so I haven't used it. Here's where we are now:";

/**
 * Registers the prompts every stage uses. Each recognises typed words as well as taps on a card, and answers
 * the small things people type at a question (src/coaching/atAPrompt.ts); `sessionDialogId` is begun again
 * when "go back" takes an answer back.
 */
export function addPrompts(dialogs: DialogSet, sessionDialogId: string): void {
  const choiceOf = (activity: Partial<Activity>, validations: unknown) =>
    recogniseChoice(activity.text ?? '', (validations as { options: ChoiceOption<string>[] }).options) !== undefined;
  const scaleOf = (activity: Partial<Activity>, validations: unknown) =>
    typeof parseScale(activity, (validations as { questionId: string }).questionId) === 'number';
  dialogs.add(
    new CoachingPrompt(
      TEXT_PROMPT,
      async (prompt: PromptValidatorContext<Partial<Activity>>) => {
        const activity = prompt.recognized.value ?? {};
        if (submissionHeader(activity.value)) {
          await prompt.context.sendActivity(staleCard);
          return false;
        }
        return clipAnswer(activity.text ?? '').text.length > 0;
      },
      () => false,
      sessionDialogId,
    ),
  );
  dialogs.add(
    new CoachingPrompt(
      CHOICE_PROMPT,
      async (prompt: PromptValidatorContext<Partial<Activity>>) => {
        const activity = prompt.recognized.value ?? {};
        if (submissionHeader(activity.value)) await prompt.context.sendActivity(staleCard);
        return choiceOf(activity, prompt.options.validations);
      },
      choiceOf,
      sessionDialogId,
    ),
  );
  dialogs.add(
    new CoachingPrompt(
      SCALE_PROMPT,
      async (prompt: PromptValidatorContext<Partial<Activity>>) => {
        const { questionId } = prompt.options.validations as { questionId: string };
        const scale = parseScale(prompt.recognized.value ?? {}, questionId);
        if (scale === 'stale') await prompt.context.sendActivity(staleCard);
        return typeof scale === 'number';
      },
      scaleOf,
      sessionDialogId,
    ),
  );
  dialogs.add(
    new CoachingPrompt(
      PLAN_PROMPT,
      async (prompt: PromptValidatorContext<Partial<Activity>>) => {
        const { questionId } = prompt.options.validations as { questionId: string };
        const plan = parsePlan(prompt.recognized.value ?? {}, questionId);
        if (plan === 'stale') await prompt.context.sendActivity(staleCard);
        if (plan === 'noAction') await prompt.context.sendActivity('Please add at least one action: one small step is enough.');
        if (plan === undefined) await prompt.context.sendActivity('To carry on, fill in your plan on the card and press "Save my plan".');
        return typeof plan === 'object';
      },
      () => false,
      sessionDialogId,
    ),
  );
}

/** The step result when a question was answered before (so it was not asked this time). */
const ALREADY_ANSWERED = Symbol('alreadyAnswered');

/** What a question says to "what?", "skip" and the like (its kind is known from the prompt it uses). */
export type Help = Omit<QuestionHelp, 'kind'>;

/**
 * Two waterfall steps for one open question: ask it unless the session already holds an answer (so a
 * stage re-entered after a restart, a pause or in a new chat carries on at the first unanswered question),
 * then keep the answer (empty if the person skipped it) and note it as the last one, for "go back".
 */
export function askText(spec: {
  answered: (record: SessionRecord) => boolean;
  question: (step: WaterfallStepContext) => string | Promise<string>;
  save: (record: SessionRecord, answer: string, step: WaterfallStepContext) => void | Promise<void>;
  answerRef: Omit<LastAnswer, 'stage'>;
  help: Help;
  retry?: string;
}): WaterfallStep[] {
  return [
    async (step) => {
      if (spec.answered(sessionOf(step.context))) return step.next(ALREADY_ANSWERED);
      return step.prompt(TEXT_PROMPT, {
        prompt: await spec.question(step),
        retryPrompt: spec.retry ?? 'Take your time. Could you put that into a few words for me?',
        validations: { help: { kind: 'text', ...spec.help } satisfies QuestionHelp },
      });
    },
    ...keepText(spec),
  ];
}

/** The step that keeps a text answer: for askText, and after a question a stage asks in its own way. */
export function keepText(spec: { save: (record: SessionRecord, answer: string, step: WaterfallStepContext) => void | Promise<void>; answerRef: Omit<LastAnswer, 'stage'> }): WaterfallStep[] {
  return [
    async (step) => {
      if (step.result !== ALREADY_ANSWERED && step.result !== undefined) {
        const { text, clipped } = clipAnswer(wasSkipped(step.result) ? '' : ((step.result as Partial<Activity>).text ?? ''));
        if (clipped) await step.context.sendActivity("That's a long answer, so I've kept the first 2,000 characters of it.");
        const record = sessionOf(step.context);
        await spec.save(record, text, step);
        noteAnswer(record, spec.answerRef);
      }
      return step.next();
    },
  ];
}

export function askChoice<V extends string>(spec: {
  answered: (record: SessionRecord) => boolean;
  question: (step: WaterfallStepContext) => string;
  options: ChoiceOption<V>[];
  save: (record: SessionRecord, answer: V, step: WaterfallStepContext) => void | Promise<void>;
  answerRef: Omit<LastAnswer, 'stage'>;
  help: Help;
}): WaterfallStep[] {
  return [
    async (step) => {
      if (spec.answered(sessionOf(step.context))) return step.next(ALREADY_ANSWERED);
      const card = choiceCard(spec.question(step), spec.options);
      return step.prompt(CHOICE_PROMPT, {
        prompt: card,
        retryPrompt: choiceCard('Sorry, I didn\'t catch which one. Tap one of these, or type it:', spec.options),
        validations: { options: spec.options, help: { kind: 'choice', ...spec.help } satisfies QuestionHelp },
      });
    },
    async (step) => {
      if (step.result !== ALREADY_ANSWERED) {
        const value = recogniseChoice((step.result as Partial<Activity>).text ?? '', spec.options)!;
        const record = sessionOf(step.context);
        await spec.save(record, value, step);
        noteAnswer(record, spec.answerRef);
      }
      return step.next();
    },
  ];
}

/** A short quotation of the person's own words for reflections ("…" when cut), safe to show in a card. */
export function quote(text: string | undefined, max = 160): string {
  if (!text) return '';
  const oneLine = text.replace(/\s+/g, ' ').trim().replace(/\.+$/, '');
  return asWritten(oneLine.length <= max ? oneLine : `${Array.from(oneLine).slice(0, max - 1).join('').trimEnd()}…`);
}

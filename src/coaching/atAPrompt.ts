/**
 * The coaching prompts, and what they do with the small things people type while a question waits
 * ("what?", "ok", "thanks", "skip", "go back", "later", "bye"): each is answered in the words of that
 * question instead of being kept as its answer. The risk gate has already screened the message before any
 * prompt sees it, so none of this can step around it.
 */
import type { Activity } from 'botbuilder';
import {
  ActivityPrompt,
  DialogTurnStatus,
  type DialogContext,
  type DialogTurnResult,
  type PromptOptions,
  type PromptValidator,
} from 'botbuilder-dialogs';
import { submissionHeader } from './cardSubmissions';
import { everydayWords, type EverydayWords } from './everydayWords';
import type { LastAnswer, SessionRecord } from './programme';
import { programmeOf, sessionOf } from './turnData';

export type PromptKind = 'text' | 'list' | 'choice' | 'scale' | 'plan';

/** What a prompt knows about its question, for answering the small things people type. */
export interface QuestionHelp {
  kind: PromptKind;
  /** The question put another way, for "what?" or "can you explain?". */
  explain: string;
  /** Why this question cannot be left out, said to "skip". Without it, "skip" leaves the answer empty. */
  cannotSkip?: string;
  /** Where "not yet", "later" or "skip" means there is nothing to add (an empty answer), what to say then. */
  nothingToAdd?: string;
  /** "ok", "fine" and "good" answer this question ("how have things gone?"). */
  okIsAnAnswer?: boolean;
}

/** The result of a prompt the person chose to skip: an answer with no words. */
export const skippedAnswer = { type: 'message', text: '', skipped: true } as const;

export function wasSkipped(result: unknown): boolean {
  return (result as { skipped?: unknown } | undefined)?.skipped === true;
}

/** Notes the answer just kept, so "go back" can ask its question again. */
export function noteAnswer(record: SessionRecord, answer: Omit<LastAnswer, 'stage'>): void {
  record.lastAnswer = { stage: record.stage, ...answer };
}

const okLine: Record<PromptKind, string> = {
  text: 'Take your time. A few words is plenty.',
  list: 'Take your time. If nothing else comes to mind, tap "That\'s all".',
  choice: "Take your time, and tap the one that fits best when you're ready.",
  scale: "Take your time, and tap the number that feels closest when you're ready.",
  plan: 'Take your time. When your plan is ready, press "Save my plan" on the card.',
};

/** Said to "skip" where the question cannot be left out ("skip" closes a "what else?" list before this). */
const cannotSkip: Record<Exclude<PromptKind, 'list'>, string> = {
  text: "I need an answer to this one to carry on. A few words is plenty.",
  choice: "This one helps me know where to go next, so I can't skip it. Tap the one that fits best: there's no wrong answer.",
  scale: "I need a number to carry on, so I can't skip this one. Tap the one that feels closest: there's no wrong answer.",
  plan: 'Your plan needs at least one action before we move on. One small step is enough.',
};

/** Does this message already answer the question as it stands (a choice's words, a number)? */
export type Recognises = (activity: Partial<Activity>, validations: unknown) => boolean;

/**
 * An ActivityPrompt that first looks for the small things people type. A choice's own words and a number on
 * the scale are answers, never small talk; everything else goes to the prompt's validator as before.
 */
export class CoachingPrompt extends ActivityPrompt {
  constructor(
    dialogId: string,
    validator: PromptValidator<Partial<Activity>>,
    private readonly recognises: Recognises,
    /** The session dialog, begun again after "go back" at the question before. */
    private readonly sessionDialogId: string,
  ) {
    super(dialogId, validator);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const instance = dc.activeDialog!;
    const options = instance.state.options as PromptOptions;
    const help = (options.validations as { help?: QuestionHelp } | undefined)?.help;
    const activity = dc.context.activity;
    const words = help && activity.type === 'message' && !submissionHeader(activity.value) ? everydayWords(activity.text ?? '') : undefined;
    if (!help || !words || this.recognises(activity, options.validations)) return super.continueDialog(dc);
    if (words === 'ok' && help.okIsAnAnswer) return super.continueDialog(dc);
    return this.answer(dc, words, help, instance.state as { state: object; options: PromptOptions });
  }

  private async answer(dc: DialogContext, words: EverydayWords, help: QuestionHelp, state: { state: object; options: PromptOptions }): Promise<DialogTurnResult> {
    const say = (text: string) => dc.context.sendActivity({ type: 'message', text, textFormat: 'plain' });
    const waitHere: DialogTurnResult = { status: DialogTurnStatus.waiting };
    const nothingToAdd = help.nothingToAdd !== undefined && (words === 'notYet' || words === 'later' || words === 'skip');
    if (nothingToAdd || (help.kind === 'list' && (words === 'notYet' || words === 'skip'))) {
      await say(help.nothingToAdd ?? "OK, let's leave it there.");
      return dc.endDialog(skippedAnswer);
    }
    switch (words) {
      case 'explain':
        await say(help.explain);
        if (help.kind !== 'plan') await this.onPrompt(dc.context, state.state, state.options, false);
        return waitHere;
      case 'ok':
        await say(okLine[help.kind]);
        return waitHere;
      case 'thanks':
        await say(`You're welcome. ${okLine[help.kind]}`);
        return waitHere;
      case 'skip':
        if (help.cannotSkip !== undefined || help.kind !== 'text') {
          await say(help.cannotSkip ?? cannotSkip[help.kind as Exclude<PromptKind, 'list'>]);
          return waitHere;
        }
        await say("OK, let's leave that one.");
        return dc.endDialog(skippedAnswer);
      case 'back':
        return this.goBack(dc, say);
      case 'notYet':
      case 'later':
      case 'bye':
        programmeOf(dc.context).paused = true;
        await dc.cancelAllDialogs();
        await say(
          words === 'bye'
            ? 'Bye for now, and take care. I\'ve kept your place: type "start coaching" when you\'d like to carry on.'
            : 'That\'s fine, there\'s no rush. I\'ve kept everything, and we\'ll pick up at this question: type "start coaching" whenever you\'re ready.',
        );
        return { status: DialogTurnStatus.cancelled };
    }
  }

  /** Takes back the last answer in this session and asks its question again. */
  private async goBack(dc: DialogContext, say: (text: string) => Promise<unknown>): Promise<DialogTurnResult> {
    const record = sessionOf(dc.context);
    const last = record.lastAnswer;
    if (!last) {
      await say("There's no earlier answer I can take you back to from here, so let's carry on with this question.");
      return { status: DialogTurnStatus.waiting };
    }
    if (last.section === 'actionPlan') {
      await say('Your plan is saved, and you can change it at any time: type "my plan". Let\'s carry on from here.');
      return { status: DialogTurnStatus.waiting };
    }
    const taken = takeBack(record, last);
    await say(taken ? `OK, I've taken "${taken.length > 80 ? `${taken.slice(0, 79)}…` : taken}" off the list.` : "OK, let's go back one question.");
    await dc.cancelAllDialogs();
    return dc.beginDialog(this.sessionDialogId);
  }
}

/**
 * Removes the last answer from the record and puts the session back at its stage, so the session dialog
 * asks that question again (every question is asked only while unanswered). Returns a list item taken off.
 */
export function takeBack(record: SessionRecord, last: LastAnswer): string | undefined {
  const part = (record[last.section] ?? {}) as Record<string, unknown>;
  let taken: string | undefined;
  if (last.list) {
    const items = [...((part[last.name] as string[] | undefined) ?? [])];
    if (last.list === 'item') taken = items.pop();
    part[last.name] = items;
    part[`${last.name}Complete`] = false;
  } else {
    delete part[last.name];
  }
  (record as unknown as Record<string, unknown>)[last.section] = part;
  // Keeping the goal from session 1 copied it into this session: choosing again starts from no goal.
  if (last.section === 'followUp' && last.name === 'keepGoal') delete record.goal;
  record.stage = last.stage;
  delete record.lastAnswer;
  return taken;
}

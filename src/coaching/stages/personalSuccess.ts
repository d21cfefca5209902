// Seed, Stage 3: "Discovering instances of personal success" – past successes at similar goals, exceptions
// the client may not have noticed, current strengths, past strengths to reactivate, skills to acquire.
import { WaterfallDialog } from 'botbuilder-dialogs';
import { clipAnswer, saysNoMore } from '../answers';
import { noteAnswer, wasSkipped, type QuestionHelp } from '../atAPrompt';
import { askText, choiceCard, field, programmeOf, quote, sessionOf, TEXT_PROMPT } from '../dialogKit';
import { sessionRecord, type SessionRecord } from '../programme';

export const PERSONAL_SUCCESS_STAGE = 'stage.personalSuccess';
const WHAT_ELSE = 'stage.personalSuccess.whatElse';
/** The first answer and at most two "what else?" follow-ups: after this many the list closes itself. */
const MAX_ITEMS = 3;

type ListName = 'pastSuccesses' | 'strengths';
interface WhatElseOptions {
  list: ListName;
}

const firstQuestions: Record<ListName, (record: SessionRecord, lastTime?: SessionRecord) => string> = {
  pastSuccesses: (record) =>
    `Think of a time you achieved something similar to your goal ("${quote(record.goal?.text, 80)}"), at work or outside it. What did you do that went well?`,
  strengths: (_record, lastTime) =>
    lastTime?.personalSuccess?.strengths?.length
      ? `Last time you named these strengths: ${lastTime.personalSuccess.strengths.map((s) => quote(s, 60)).join('; ')}. Which of these, or others, are helping you now?`
      : 'What strengths or skills do you have now that could help you with this goal?',
};

const explainFirst: Record<ListName, string> = {
  pastSuccesses: "It doesn't have to be the same goal: any time you managed something a bit like it, such as learning a new skill or handling a tricky situation, counts.",
  strengths: "Strengths can be anything you're good at: staying calm, being organised, listening well, knowing your patients.",
};
const explainMore: Record<ListName, string> = {
  pastSuccesses: 'Any other time something went well for you, at work or outside it, counts, however small. If nothing comes to mind, tap "That\'s all".',
  strengths: 'Any other strength or skill counts, however small. If nothing comes to mind, tap "That\'s all".',
};

/** The follow-ups, worded differently each time and for each list. */
const whatElsePrompts: Record<ListName, [string, string]> = {
  pastSuccesses: ['What else has gone well for you?', 'What other time comes to mind, however small?'],
  strengths: ['What other strengths come to mind?', 'What else are you good at that could help?'],
};

function listOf(record: SessionRecord, list: ListName): { items: string[]; complete: boolean } {
  const ps = record.personalSuccess ?? {};
  return list === 'pastSuccesses'
    ? { items: ps.pastSuccesses ?? [], complete: ps.pastSuccessesComplete ?? false }
    : { items: ps.strengths ?? [], complete: ps.strengthsComplete ?? false };
}

function setList(record: SessionRecord, list: ListName, items: string[], complete: boolean): void {
  record.personalSuccess =
    list === 'pastSuccesses'
      ? { ...record.personalSuccess, pastSuccesses: items, pastSuccessesComplete: complete }
      : { ...record.personalSuccess, strengths: items, strengthsComplete: complete };
}

/** Asks for one thing, then "what else?" until the person says there is no more, at most twice. */
function whatElseDialog(): WaterfallDialog {
  return new WaterfallDialog(WHAT_ELSE, [
    async (step) => {
      const { list } = step.options as WhatElseOptions;
      const record = sessionOf(step.context);
      const { items, complete } = listOf(record, list);
      if (complete || items.length >= MAX_ITEMS) {
        setList(record, list, items, true);
        return step.endDialog();
      }
      const lastTime = record.number === 2 ? sessionRecord(programmeOf(step.context), 1) : undefined;
      // After the first answer, a button lets the person say there is no more with one tap.
      const first = items.length === 0;
      const prompt = first
        ? firstQuestions[list](record, lastTime)
        : choiceCard(whatElsePrompts[list][items.length - 1]!, [{ title: "That's all", value: 'done' }]);
      const help: QuestionHelp = first ? { kind: 'text', explain: explainFirst[list] } : { kind: 'list', explain: explainMore[list] };
      return step.prompt(TEXT_PROMPT, { prompt, retryPrompt: 'Take your time. A few words is plenty.', validations: { help } });
    },
    async (step) => {
      const { list } = step.options as WhatElseOptions;
      const record = sessionOf(step.context);
      const { items } = listOf(record, list);
      const skipped = wasSkipped(step.result);
      const said = clipAnswer(skipped ? '' : ((step.result as { text?: string }).text ?? ''));
      if (skipped || saysNoMore(said.text)) {
        setList(record, list, items, true);
        noteAnswer(record, { section: 'personalSuccess', name: list, list: 'closed' });
        // A skipped first question has had its reply from the prompt.
        if (items.length === 0 && !skipped) await step.context.sendActivity("That's OK. Sometimes these are easier to spot later on.");
        return step.endDialog();
      }
      if (said.clipped) await step.context.sendActivity("That's a long answer, so I've kept the first 2,000 characters of it.");
      const more = [...items, said.text];
      const complete = more.length >= MAX_ITEMS;
      setList(record, list, more, complete);
      noteAnswer(record, { section: 'personalSuccess', name: list, list: 'item' });
      if (complete) {
        await step.context.sendActivity("Thank you. That's plenty to draw on, so let's move on.");
        return step.endDialog();
      }
      return step.replaceDialog(WHAT_ELSE, step.options);
    },
  ]);
}

export function personalSuccessStage(): WaterfallDialog[] {
  const stage = new WaterfallDialog(PERSONAL_SUCCESS_STAGE, [
    async (step) => {
      const record = sessionOf(step.context);
      if (!record.personalSuccess) {
        await step.context.sendActivity("Now let's look at what you've already done well, because it often holds the key to what comes next.");
        record.personalSuccess = {};
      }
      return step.beginDialog(WHAT_ELSE, { list: 'pastSuccesses' } satisfies WhatElseOptions);
    },
    ...askText({
      ...field('personalSuccess', 'exceptions'),
      question: () =>
        "Sometimes things go better without us noticing. Think of a time, even briefly, when this wasn't a problem or was a bit easier. What was different then?",
      help: { explain: "Even on hard days there are moments that go a little better. I'm asking about one of those, and what was different about it." },
    }),
    async (step) => step.beginDialog(WHAT_ELSE, { list: 'strengths' } satisfies WhatElseOptions),
    ...askText({
      ...field('personalSuccess', 'pastStrengths'),
      question: () => 'What strengths have you used in the past, in another job or another part of your life, that you could bring back now?',
      help: { explain: 'Think of another job, a hobby, volunteering or home: something you were good at there that might help here.' },
    }),
    ...askText({
      ...field('personalSuccess', 'skillsToLearn'),
      question: () => 'What might you need to learn, or get better at, to reach your goal?',
      help: { explain: 'I mean a skill, some knowledge or a habit that would help. If nothing comes to mind, that\'s fine: just say so.' },
    }),
    async (step) => step.endDialog(),
  ]);
  return [stage, whatElseDialog()];
}

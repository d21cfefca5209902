// Seed, Stage 3: "Discovering instances of personal success" – past successes at similar goals, exceptions
// the client may not have noticed, current strengths, past strengths to reactivate, skills to acquire.
import { WaterfallDialog } from 'botbuilder-dialogs';
import { clipAnswer, saysNoMore } from '../answers';
import { noteAnswer, wasSkipped, type QuestionHelp } from '../atAPrompt';
import { askText, programmeOf, quote, sessionOf, TEXT_PROMPT } from '../dialogKit';
import { choiceCard } from '../../turn/choices';
import { sessionRecord, type SessionRecord } from '../programme';
import { answerList, recordField, type AnswerList } from '../recordFields';
import type { GuideAnswer, Stage } from './stage';

const PERSONAL_SUCCESS_STAGE = 'stage.personalSuccess';
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

const lists: Record<ListName, AnswerList> = {
  pastSuccesses: answerList('pastSuccesses'),
  strengths: answerList('strengths'),
};

const personalSuccess = {
  exceptions: recordField('personalSuccess', 'exceptions'),
  pastStrengths: recordField('personalSuccess', 'pastStrengths'),
  skillsToLearn: recordField('personalSuccess', 'skillsToLearn'),
};

/** Asks for one thing, then "what else?" until the person says there is no more, at most twice. */
function whatElseDialog(): WaterfallDialog {
  return new WaterfallDialog(WHAT_ELSE, [
    async (step) => {
      const { list } = step.options as WhatElseOptions;
      const record = sessionOf(step.context);
      const items = lists[list].items(record);
      if (lists[list].complete(record) || items.length >= MAX_ITEMS) {
        lists[list].set(record, items, true);
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
      const items = lists[list].items(record);
      const skipped = wasSkipped(step.result);
      const said = clipAnswer(skipped ? '' : ((step.result as { text?: string }).text ?? ''));
      if (skipped || saysNoMore(said.text)) {
        lists[list].set(record, items, true);
        noteAnswer(record, { section: 'personalSuccess', name: list, list: 'closed' });
        // A skipped first question has had its reply from the prompt.
        if (items.length === 0 && !skipped) await step.context.sendActivity("That's OK. Sometimes these are easier to spot later on.");
        return step.endDialog();
      }
      if (said.clipped) await step.context.sendActivity("That's a long answer, so I've kept the first 2,000 characters of it.");
      const more = [...items, said.text];
      const complete = more.length >= MAX_ITEMS;
      lists[list].set(record, more, complete);
      noteAnswer(record, { section: 'personalSuccess', name: list, list: 'item' });
      if (complete) {
        await step.context.sendActivity("Thank you. That's plenty to draw on, so let's move on.");
        return step.endDialog();
      }
      return step.replaceDialog(WHAT_ELSE, step.options);
    },
  ]);
}

function personalSuccessDialogs(): WaterfallDialog[] {
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
      ...personalSuccess.exceptions,
      question: () =>
        "Sometimes things go better without us noticing. Think of a time, even briefly, when this wasn't a problem or was a bit easier. What was different then?",
      help: { explain: "Even on hard days there are moments that go a little better. I'm asking about one of those, and what was different about it." },
    }),
    async (step) => step.beginDialog(WHAT_ELSE, { list: 'strengths' } satisfies WhatElseOptions),
    ...askText({
      ...personalSuccess.pastStrengths,
      question: () => 'What strengths have you used in the past, in another job or another part of your life, that you could bring back now?',
      help: { explain: 'Think of another job, a hobby, volunteering or home: something you were good at there that might help here.' },
    }),
    ...askText({
      ...personalSuccess.skillsToLearn,
      question: () => 'What might you need to learn, or get better at, to reach your goal?',
      help: { explain: 'I mean a skill, some knowledge or a habit that would help. If nothing comes to mind, that\'s fine: just say so.' },
    }),
    async (step) => step.endDialog(),
  ]);
  return [stage, whatElseDialog()];
}

/** In a coach-joined session the coach notes each list in one box, and the list is then complete. */
function noteList(list: ListName, label: string, placeholder: string): GuideAnswer {
  return {
    id: list,
    label,
    placeholder,
    read: (record) => record.personalSuccess?.[list]?.join('\n'),
    save: (record, text) => lists[list].set(record, [text], true),
  };
}

export const personalSuccessStage: Stage = {
  dialogId: PERSONAL_SUCCESS_STAGE,
  dialogs: personalSuccessDialogs,
  guide: {
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
      noteList('pastSuccesses', 'Their past successes and exceptions', 'Times they managed something similar'),
      noteList('strengths', 'Their strengths and skills', 'Strengths now and in the past, and skills to learn'),
    ],
    forTheChat: 'Times you have succeeded before, and the strengths that helped you.',
  },
};

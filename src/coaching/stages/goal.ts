// Seed, Session 1, Stage 1: "What does the 'client' want to work on?" – the goal, why now, what they want
// from the session and how they will know it was useful, the preferred future (miracle question) and the
// costs of reaching the goal.
import { WaterfallDialog } from 'botbuilder-dialogs';
import { saysDontKnow } from '../answers';
import { askChoice, askText, keepText, quote, sessionOf, TEXT_PROMPT, type Help } from '../dialogKit';
import type { QuestionHelp } from '../atAPrompt';
import { recordField } from '../recordFields';
import { noted, type GuideAnswer, type Stage } from './stage';

export const GOAL_STAGE = 'stage.goal';

const goal = {
  text: recordField('goal', 'text'),
  term: recordField('goal', 'term'),
  whyNow: recordField('goal', 'whyNow'),
  sessionHope: recordField('goal', 'sessionHope'),
  sessionUseful: recordField('goal', 'sessionUseful'),
  preferredFuture: recordField('goal', 'preferredFuture'),
  costs: recordField('goal', 'costs'),
  weighing: recordField('goal', 'weighing'),
};

/** What the coach notes of the goal; session 2 notes it again after the follow-up. */
export const goalAnswers: GuideAnswer[] = [
  noted('goal', 'Their goal', 'What they want to achieve, in their words', goal.text),
  noted('whyNow', 'Why this goal, and why now', 'Why this goal rather than another, and why now', goal.whyNow),
  noted('preferredFuture', 'Their preferred future', 'What is different when things are as they would like', goal.preferredFuture),
  noted('costs', 'Costs of reaching the goal', 'To them and to others, and how these weigh against the benefits', goal.costs),
];

const miracleQuestion =
  "Here's a question that can help. Imagine you wake up tomorrow and, overnight, a small miracle has happened: things at work are just as you'd like them to be, and what's been bothering you is resolved. What's different that tells you things have changed? Include as much detail as you can.";

const miracleHelp: Help = {
  explain: "I'm asking you to picture things going well: not how you'd get there, just what would be different. Even one small detail helps.",
};

function goalDialog(): WaterfallDialog {
  return new WaterfallDialog(GOAL_STAGE, [
    ...askText({
      ...goal.text,
      question: () =>
        "Let's start with what you'd like to work on. It might be something in your job, your career, or how you work with others. What would you like to achieve?",
      help: {
        explain: 'I mean something in your working life you\'d like to change, achieve or get better at: for example, "speak up more in team meetings" or "apply for a band 6 post".',
        cannotSkip: "Your goal shapes the rest of the session, so this is the one question I can't skip. A few words is plenty.",
      },
    }),
    ...askChoice({
      ...goal.term,
      question: () => 'Is this something for the next few weeks, or a longer-term goal?',
      options: [
        { title: 'Next few weeks', value: 'short', words: ['short', 'short term', 'soon', 'weeks'] },
        { title: 'Longer term', value: 'longer', words: ['long', 'long term', 'longer', 'months', 'years'] },
      ],
      help: { explain: 'Some goals are about the next few weeks; others take months or longer. Tap the one that fits yours.' },
    }),
    ...askText({
      ...goal.whyNow,
      question: () => 'Why this goal now, and not another?',
      help: { explain: "I'm asking what makes this goal matter to you at the moment: what's happening now that makes it the one to work on." },
    }),
    ...askText({
      ...goal.sessionHope,
      question: () => 'What are you hoping to get from our session today?',
      help: { explain: 'For example, a clearer idea of your goal, a first step to take, or simply time to think it through.' },
    }),
    ...askText({
      ...goal.sessionUseful,
      question: () => 'How will you know it has been useful to you?',
      help: { explain: 'Think about the end of our session: what would you notice, or have, that tells you it was worth your time.' },
    }),
    // The miracle question, with a gentle second way in for "I don't know".
    async (step) => {
      const record = sessionOf(step.context);
      if (record.goal?.preferredFuture !== undefined) return step.next();
      return step.prompt(TEXT_PROMPT, {
        prompt: miracleQuestion,
        retryPrompt: 'Take your time. What would you notice first?',
        validations: { help: { kind: 'text', ...miracleHelp } satisfies QuestionHelp },
      });
    },
    async (step) => {
      const record = sessionOf(step.context);
      if (record.goal?.preferredFuture !== undefined) return step.next();
      const said = (step.result as { text?: string } | undefined)?.text ?? '';
      if (saysDontKnow(said)) {
        return step.prompt(TEXT_PROMPT, {
          prompt:
            "That's fine: it can be hard to picture. Let's make it smaller. Think of a good day at work, a little better than today. What's one thing you'd notice, or someone else would notice about you?",
          validations: { help: { kind: 'text', ...miracleHelp } satisfies QuestionHelp },
        });
      }
      return step.next(step.result);
    },
    ...keepText(goal.preferredFuture),
    ...askText({
      ...goal.costs,
      question: (step) =>
        `Reaching a goal can have costs as well as benefits. Your goal is: "${quote(sessionOf(step.context).goal?.text, 100)}". If you reach it, what might it cost you, or the people around you?`,
      help: { explain: 'Reaching a goal can change things: your time, your energy, or how others see you. I mean anything you, or people around you, might give up.' },
    }),
    ...askChoice({
      ...goal.weighing,
      question: () => 'Weighing that up, how does it feel?',
      options: [
        { title: 'The benefits outweigh the costs', value: 'benefitsOutweigh', words: ['benefits', 'yes', 'worth it'] },
        { title: "I'm not sure", value: 'unsure', words: ['not sure', 'unsure', 'maybe', "don't know"] },
        { title: 'The costs outweigh the benefits', value: 'costsOutweigh', words: ['costs', 'no', 'not worth it'] },
      ],
      help: { explain: 'Think about what reaching your goal would bring, and what it might cost. Tap the one that fits best: "I\'m not sure" is fine too.' },
    }),
    async (step) => {
      const record = sessionOf(step.context);
      if (record.goal?.weighing === 'costsOutweigh') {
        await step.context.sendActivity(
          "That's really worth knowing, and it's good you've noticed it now. Let's look at the goal again: you might reshape it so the cost is smaller, or choose something else.",
        );
        record.goal = {};
        // The goal's answers are gone, so there is no answer to go back to.
        delete record.lastAnswer;
        return step.replaceDialog(GOAL_STAGE);
      }
      const reply =
        record.goal?.weighing === 'unsure'
          ? "That's fair. We'll keep the costs in mind as we go, and you can change the goal later if you want to."
          : "Thank you. You've got a clear picture of where you want to get to.";
      await step.context.sendActivity(reply);
      return step.endDialog();
    },
  ]);
}

export const goalStage: Stage = {
  dialogId: GOAL_STAGE,
  dialogs: () => [goalDialog()],
  guide: {
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
};

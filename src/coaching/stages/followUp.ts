// Seed, Session 2, Stage 1: follow up on how things have progressed: built on the plan? satisfied with the
// goal and ready for another? still trying but struggling (reshape the plan or set another goal)? not moved
// on but still wanting coaching (which employment goals now)? In every case, celebrate progress.
import { WaterfallDialog } from 'botbuilder-dialogs';
import { askChoice, askText, programmeOf, quote, sessionOf } from '../dialogKit';
import { sessionRecord } from '../programme';
import { recordField } from '../recordFields';
import { GOAL_STAGE, goalAnswers, goalStage } from './goal';
import { noted, type Stage } from './stage';

const FOLLOW_UP_STAGE = 'stage.followUp';

const followUp = {
  howItWent: recordField('followUp', 'howItWent'),
  builtOnPlan: recordField('followUp', 'builtOnPlan'),
  progress: recordField('followUp', 'progress'),
  whatGotInTheWay: recordField('followUp', 'whatGotInTheWay'),
  keepGoal: recordField('followUp', 'keepGoal'),
};

function followUpDialog(): WaterfallDialog {
  return new WaterfallDialog(FOLLOW_UP_STAGE, [
    ...askText({
      ...followUp.howItWent,
      question: (step) => {
        const first = sessionRecord(programmeOf(step.context), 1);
        return `Welcome to your second session. Last time you set a goal: "${quote(first?.goal?.text, 120)}". How have things gone since then?`;
      },
      help: {
        explain: "Tell me anything that's happened with your goal or your plan since we last spoke, good or not so good.",
        okIsAnAnswer: true,
      },
    }),
    ...askChoice({
      ...followUp.builtOnPlan,
      question: () => 'Have you been able to build on the plan you made?',
      options: [
        { title: 'Yes, mostly', value: 'mostly', words: ['yes', 'yeah', 'mostly'] },
        { title: 'Partly', value: 'partly', words: ['a bit', 'some', 'sort of', 'partly'] },
        { title: 'Not really', value: 'notReally', words: ['no', 'not yet', 'not really'] },
      ],
      help: { explain: 'I mean the steps in the plan you made at the end of session 1. Tap the one that fits best: "Partly" is fine too.' },
    }),
    ...askChoice({
      ...followUp.progress,
      question: () => 'Which of these fits best right now?',
      options: [
        { title: "I've reached my goal and I'm happy with it", value: 'goalMet', words: ['reached', 'done it', 'achieved'] },
        { title: "I'm still working on it, but it's a struggle", value: 'struggling', words: ['struggling', 'still working', 'struggle'] },
        { title: "I haven't moved on, but I'd like to keep going", value: 'notMovedOn', words: ['not moved on', "haven't moved", 'stuck'] },
      ],
      help: { explain: 'This tells me where to start today. Tap the one closest to how things are with your goal.' },
    }),
    async (step) => {
      const record = sessionOf(step.context);
      const progress = record.followUp?.progress;
      if (record.goal?.text !== undefined) return step.next();
      if (progress === 'goalMet') {
        await step.context.sendActivity(
          "That's brilliant, well done. Reaching a goal you set yourself is worth celebrating, so take a moment to notice what you did to get there. Now let's find what's next for you.",
        );
        return step.beginDialog(GOAL_STAGE);
      }
      if (progress === 'notMovedOn') {
        await step.context.sendActivity(
          "Thank you for being honest about that, and for coming back: that takes commitment. Let's look afresh at what you'd like from your work or career now.",
        );
        return step.beginDialog(GOAL_STAGE);
      }
      return step.next();
    },
    ...askText({
      ...followUp.whatGotInTheWay,
      answered: (r) => r.goal?.text !== undefined || followUp.whatGotInTheWay.answered(r),
      question: () =>
        "You've kept going even though it's been hard, and that matters. What got in the way?",
      help: { explain: 'Think about what made it harder: time, other people, other demands at work, or something else.' },
    }),
    ...askChoice({
      answerRef: followUp.keepGoal.answerRef,
      answered: (r) => r.goal?.text !== undefined || followUp.keepGoal.answered(r),
      question: () => 'Would you like to reshape your plan for the same goal, so it feels more doable, or set a different goal?',
      options: [
        { title: 'Keep my goal, reshape the plan', value: 'keep', words: ['keep', 'same goal', 'reshape'] },
        { title: 'Set a different goal', value: 'change', words: ['different', 'new goal', 'change'] },
      ],
      save: (r, answer) => followUp.keepGoal.save(r, answer === 'keep'),
      help: { explain: 'You can keep the same goal and make the plan easier to do, or choose a new goal to work on. Tap the one you\'d like.' },
    }),
    async (step) => {
      const record = sessionOf(step.context);
      if (record.goal?.text !== undefined) return step.endDialog();
      if (record.followUp?.keepGoal) {
        const first = sessionRecord(programmeOf(step.context), 1);
        record.goal = { ...first?.goal };
        await step.context.sendActivity("Good. We'll keep your goal and look for a way forward that fits better.");
        return step.endDialog();
      }
      return step.beginDialog(GOAL_STAGE);
    },
    async (step) => step.endDialog(),
  ]);
}

/** Session 2 opens with the follow-up instead of a fresh goal; the goal stage's dialog is begun from it. */
export const followUpStage: Stage = {
  dialogId: FOLLOW_UP_STAGE,
  dialogs: () => [followUpDialog(), ...goalStage.dialogs()],
  guide: {
    aim:
      'Follow up on how things have gone since the first session. Has the client built on the ideas and plans? Are they satisfied with the original goal and ready for another? Still working on the plan but struggling (explore the hurdles and make the plan more doable, or develop another goal)? Or not moved on but still wanting coaching (find which goals they want to explore)? In every case, highlight and celebrate their development, successes and positive qualities. If they show high levels of anxiety, suggest the Stress Support and Wellbeing service instead of coaching.',
    questions: [
      'How have things gone since our first session?',
      'What have you built on from the plan you made? What are you pleased with?',
      'What got in the way? What would make the plan more doable?',
      'Are you happy with that goal, or is there another you would like to work on now?',
      'What would you like to get from today?',
    ],
    answers: [noted('howItWent', 'How things have gone since session 1', 'Progress, and what got in the way', followUp.howItWent), ...goalAnswers],
    forTheChat: 'How things have gone since the first session, and what you want to work on now.',
  },
};

// Seed, Stage 6: "Action and Obstacles" – the actions the client will take to use the skills and qualities
// identified, the obstacles there might be and how these can be overcome. Editable later from "my plan".
import { MessageFactory, type Activity } from 'botbuilder';
import { WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { DateTime } from 'luxon';
import { renderCard } from '../../cards/render';
import type { ActionPlanSubmission } from '../cardSubmissions';
import { noteAnswer, type QuestionHelp } from '../atAPrompt';
import { parsePlan, PLAN_PROMPT, programmeOf, sessionOf } from '../dialogKit';
import { asWritten, newQuestionId } from '../../turn/cards';
import { activeGoal, latestPlan, type ActionPlan, type Programme } from '../programme';
import type { Stage } from './stage';

const ACTION_PLAN_STAGE = 'stage.actionPlan';

/** The action-plan card, filled with a plan to edit (or blank). */
export function actionPlanCard(programme: Programme, plan: ActionPlan | undefined, questionId: string, heading: string, submitTitle: string) {
  const a = plan?.actions ?? [];
  const o = plan?.obstacles ?? [];
  return MessageFactory.attachment(
    renderCard('actionPlan', {
      heading,
      goal: asWritten(activeGoal(programme) ?? ''),
      submitTitle,
      questionId,
      action1: a[0]?.what ?? '',
      byWhen1: a[0]?.byWhen ?? '',
      action2: a[1]?.what ?? '',
      byWhen2: a[1]?.byWhen ?? '',
      action3: a[2]?.what ?? '',
      byWhen3: a[2]?.byWhen ?? '',
      obstacle1: o[0]?.obstacle ?? '',
      overcome1: o[0]?.overcome ?? '',
      obstacle2: o[1]?.obstacle ?? '',
      overcome2: o[1]?.overcome ?? '',
      obstacle3: o[2]?.obstacle ?? '',
      overcome3: o[2]?.overcome ?? '',
    }),
  );
}

export function planFromSubmission(s: ActionPlanSubmission, now: Date): ActionPlan {
  const actions = ([1, 2, 3] as const)
    .map((i) => ({ what: s[`action${i}`], byWhen: s[`byWhen${i}`] || undefined }))
    .filter((a) => a.what);
  const obstacles = ([1, 2, 3] as const)
    .map((i) => ({ obstacle: s[`obstacle${i}`], overcome: s[`overcome${i}`] }))
    .filter((o) => o.obstacle || o.overcome);
  return { actions, obstacles, updatedAt: now.toISOString() };
}

/**
 * A changed plan from "my plan" in the chat or the My coaching tab: it replaces the plan of the latest session
 * that has one. Undefined (nothing changed) when there is no plan yet.
 */
export function reviseLatestPlan(programme: Programme | undefined, s: ActionPlanSubmission, now: Date): ActionPlan | undefined {
  const latest = programme && latestPlan(programme);
  const session = latest && programme.sessions[`${latest.session}`];
  if (!session) return undefined;
  session.actionPlan = planFromSubmission(s, now);
  return session.actionPlan;
}

/** "one action", "3 actions": how a saved plan is told back, on their own and in a coach-joined session. */
export function actionCount(count: number): string {
  return count === 1 ? 'one action' : `${count} actions`;
}

/** "by Friday 5 December" in Europe/London, for reading a plan back. */
export function byWhenLabel(isoDate: string | undefined): string {
  if (!isoDate) return 'No date yet';
  const date = DateTime.fromISO(isoDate, { zone: 'Europe/London' });
  return date.isValid ? `By ${date.setLocale('en-GB').toFormat('cccc d LLLL')}` : 'No date yet';
}

const planHelp: QuestionHelp = {
  kind: 'plan',
  explain: 'The card has room for up to three steps towards your goal, each with a date if you like, and for anything that might get in the way. One small step is enough.',
};

function actionPlanDialog(): WaterfallDialog {
  return new WaterfallDialog(ACTION_PLAN_STAGE, [
    async (step: WaterfallStepContext) => {
      const record = sessionOf(step.context);
      if (record.actionPlan) return step.next();
      const programme = programmeOf(step.context);
      const carriedOver = record.number === 2 ? latestPlan(programme)?.plan : undefined;
      await step.context.sendActivity(
        carriedOver
          ? "Now let's turn this into action. I've filled in your plan from last time: change whatever you like to make it more doable."
          : "Now let's turn this into action. What will you do to move towards your goal? On the card, give each step a date if you can, and note anything that might get in the way, with how you could get past it.",
      );
      const questionId = newQuestionId();
      const card = actionPlanCard(programme, carriedOver, questionId, 'Your action plan', 'Save my plan');
      return step.prompt(PLAN_PROMPT, { prompt: card, retryPrompt: card, validations: { questionId, help: planHelp } });
    },
    async (step) => {
      const record = sessionOf(step.context);
      if (!record.actionPlan) {
        const submission = parsePlan(step.result as Partial<Activity>, '*') as ActionPlanSubmission;
        record.actionPlan = planFromSubmission(submission, new Date());
        noteAnswer(record, { section: 'actionPlan', name: 'actions' });
        const count = record.actionPlan.actions.length;
        await step.context.sendActivity(
          `Thank you. Your plan has ${actionCount(count)}. You can look at it or change it at any time by typing "my plan".`,
        );
      }
      return step.endDialog();
    },
  ]);
}

export const actionPlanStage: Stage = {
  dialogId: ACTION_PLAN_STAGE,
  dialogs: () => [actionPlanDialog()],
  guide: {
    aim:
      'Encourage the client to decide what they will now do to use the skills and qualities identified and move towards the goal, what obstacles there might be, and how they could overcome them. The action-plan card is in the chat: either of you can fill it in and save it.',
    questions: [
      'What will you do first, and by when?',
      'How will you use the strengths we have talked about?',
      'What might get in the way? How could you get past it?',
      'Who could help you keep going?',
    ],
    // The plan is kept from the card in the chat, not noted by the coach.
    answers: [],
    forTheChat: 'What you will do, and what might get in the way. Either of you can fill in the plan below and save it.',
  },
};

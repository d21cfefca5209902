import { DialogSet, WaterfallDialog, type DialogState } from 'botbuilder-dialogs';
import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { schedulePlanCheckIn } from '../booking/jobs';
import { recordServiceEvent } from '../serviceEvents/events';
import { addPrompts, programmeOf, sessionOf } from './dialogKit';
import { sessionRecord, stageOrder, stageTitles, type Programme, type SessionRecord, type StageName, type SessionNumber } from './programme';
import { ACKNOWLEDGEMENT_STAGE, acknowledgementStage } from './stages/acknowledgement';
import { ACTION_PLAN_STAGE, actionPlanStage } from './stages/actionPlan';
import { FOLLOW_UP_STAGE, followUpStage } from './stages/followUp';
import { GOAL_STAGE, goalStage } from './stages/goal';
import { OTHERS_SUCCESS_STAGE, othersSuccessStage } from './stages/othersSuccess';
import { PERSONAL_SUCCESS_STAGE, personalSuccessStage } from './stages/personalSuccess';
import { REVIEW_STAGE, reviewStage } from './stages/review';
import { SCALING_STAGE, scalingStage } from './stages/scaling';

export const COACHING_SESSION = 'coaching.session';

/** The dialog for each stage; session 2 opens with the follow-up instead of a fresh goal. */
function stageDialog(stage: StageName, session: SessionNumber): string {
  if (stage === 'goal') return session === 1 ? GOAL_STAGE : FOLLOW_UP_STAGE;
  return {
    scaling: SCALING_STAGE,
    personalSuccess: PERSONAL_SUCCESS_STAGE,
    othersSuccess: OTHERS_SUCCESS_STAGE,
    acknowledgement: ACKNOWLEDGEMENT_STAGE,
    actionPlan: ACTION_PLAN_STAGE,
    review: REVIEW_STAGE,
  }[stage];
}

/**
 * One coaching session: the seven stages in order, each a dialog of its own shared by both sessions.
 * The session's place is kept in its record, so it can be picked up again from any chat.
 */
function sessionDialog(): WaterfallDialog {
  return new WaterfallDialog(COACHING_SESSION, [
    async (step) => {
      const programme = programmeOf(step.context);
      if (programme.completedAt) {
        await step.context.sendActivity("You've completed both coaching sessions. Type \"my plan\" to see your plan, or \"start again\" to begin a new session.");
        return step.endDialog();
      }
      const key = `${programme.current}` as const;
      if (!programme.sessions[key]) {
        recordServiceEvent(step.context, { kind: 'sessionStarted', session: programme.current, mode: 'self' });
        recordServiceEvent(step.context, { kind: 'stageReached', session: programme.current, mode: 'self', stage: 'goal' });
      }
      const record = (programme.sessions[key] ??= { number: programme.current, startedAt: new Date().toISOString(), stage: 'goal' });
      programme.paused = false;
      return step.beginDialog(stageDialog(record.stage, record.number));
    },
    async (step) => {
      const programme = programmeOf(step.context);
      const record = sessionOf(step.context);
      const next = stageOrder[stageOrder.indexOf(record.stage) + 1];
      recordRatings(step.context, programme, record);
      if (next) {
        record.stage = next;
        recordServiceEvent(step.context, { kind: 'stageReached', session: record.number, mode: 'self', stage: next });
        return step.replaceDialog(COACHING_SESSION);
      }
      record.completedAt = new Date().toISOString();
      recordServiceEvent(step.context, { kind: 'sessionCompleted', session: record.number, mode: 'self' });
      if (record.number === 1) {
        programme.current = 2;
        await schedulePlanCheckIn(step.context, programme);
        await step.context.sendActivity(
          "That's the end of your first session. Thank you for the thought you've put in. Give your plan a try, and when you're ready, come back for session 2: just type \"start coaching\". Take care until then.",
        );
      } else {
        programme.completedAt = record.completedAt;
        await step.context.sendActivity('That completes your coaching. It has been good to work with you. I wish you well with what comes next.');
      }
      return step.endDialog();
    },
  ]);
}

/** The ratings a stage just finished with: the start of the session after scaling, its end after the review. */
function recordRatings(context: TurnContext, programme: Programme, record: SessionRecord): void {
  const scaling = record.scaling;
  if (record.stage === 'scaling' && scaling?.before !== undefined) {
    recordServiceEvent(context, { kind: 'scaling', session: record.number, mode: 'self', point: 'start', value: scaling.before });
  }
  if (record.stage === 'review' && scaling?.after !== undefined) {
    const firstRating = sessionRecord(programme, 1)?.scaling?.before;
    recordServiceEvent(context, { kind: 'scaling', session: record.number, mode: 'self', point: 'end', value: scaling.after, ...(firstRating !== undefined ? { firstRating } : {}) });
  }
}

export function coachingDialogs(dialogState: StatePropertyAccessor<DialogState>): DialogSet {
  const dialogs = new DialogSet(dialogState);
  addPrompts(dialogs, COACHING_SESSION);
  [goalStage(), followUpStage(), scalingStage(), ...personalSuccessStage(), othersSuccessStage(), acknowledgementStage(), actionPlanStage(), reviewStage(), sessionDialog()].forEach(
    (d) => dialogs.add(d),
  );
  return dialogs;
}

/** A dialog state accessor over the turn's own state object (no BotState: the pipeline saves it). */
export function dialogStateIn(data: { dialogState?: DialogState }): StatePropertyAccessor<DialogState> {
  return {
    get: async (_context: TurnContext, fallback?: DialogState) => (data.dialogState ??= fallback ?? { dialogStack: [] }),
    set: async (_context: TurnContext, value: DialogState) => {
      data.dialogState = value;
    },
    delete: async () => {
      delete data.dialogState;
    },
  };
}

/** "We were looking at role models for your goal to …": where the person is, in one line. */
export function whereWeWere(stage: StageName, session: SessionNumber, goal: string | undefined): string {
  const focus: Record<StageName, string> = {
    goal: session === 1 ? 'what you want to work on' : 'how things have gone since your first session',
    scaling: 'where you are on the scale of 1 to 10',
    personalSuccess: 'your own past successes and strengths',
    othersSuccess: 'role models and what you have seen them do',
    acknowledgement: 'the strengths and support you have to draw on',
    actionPlan: 'your action plan',
    review: 'a review of the session',
  };
  const goalPart = goal ? ` for your goal "${goal.length > 100 ? `${goal.slice(0, 99)}…` : goal}"` : '';
  return `We were looking at ${focus[stage]}${goalPart} (session ${session}, stage ${stageOrder.indexOf(stage) + 1} of 7: ${stageTitles[stage]}).`;
}

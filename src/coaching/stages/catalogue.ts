/**
 * The stage catalogue: the seven stages of each session, in order, for both ways of coaching. Session 2 opens
 * with the follow-up instead of a fresh goal and ends with the review of the final session; stages 2 to 6
 * "follow guidelines outlined for session 1".
 */
import type { Dialog } from 'botbuilder-dialogs';
import type { SessionNumber, StageName } from '../programme';
import { acknowledgementStage } from './acknowledgement';
import { actionPlanStage } from './actionPlan';
import { followUpStage } from './followUp';
import { goalStage } from './goal';
import { othersSuccessStage } from './othersSuccess';
import { personalSuccessStage } from './personalSuccess';
import { finalReviewStage, reviewStage } from './review';
import { scalingStage } from './scaling';
import type { Stage } from './stage';

const sessionOne: Record<StageName, Stage> = {
  goal: goalStage,
  scaling: scalingStage,
  personalSuccess: personalSuccessStage,
  othersSuccess: othersSuccessStage,
  acknowledgement: acknowledgementStage,
  actionPlan: actionPlanStage,
  review: reviewStage,
};

const sessionTwo: Record<StageName, Stage> = { ...sessionOne, goal: followUpStage, review: finalReviewStage };

export function stageOf(name: StageName, session: SessionNumber): Stage {
  return (session === 1 ? sessionOne : sessionTwo)[name];
}

/** Every stage's dialogs for both sessions, each once. */
export function stageDialogs(): Dialog[] {
  const byId = new Map<string, Dialog>();
  for (const stage of [...Object.values(sessionOne), ...Object.values(sessionTwo)]) {
    for (const dialog of stage.dialogs()) if (!byId.has(dialog.id)) byId.set(dialog.id, dialog);
  }
  return [...byId.values()];
}

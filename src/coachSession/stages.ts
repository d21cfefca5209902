import { MessageFactory, type TurnContext } from 'botbuilder';
import { renderCard } from '../cards/render';
import { newQuestionId } from '../turn/cards';
import { stageOrder, stageTitles, type Programme, type StageName } from '../coaching/programme';
import { actionPlanCard } from '../coaching/stages/actionPlan';
import { scaleWording } from '../coaching/stages/scaling';
import type { CoachSessionServices } from './services';
import { stageGuide } from './stageGuides';
import type { CoachJoinedSession } from './state';
import { sendGuideLater } from './toCoach';
import { recordServiceEvent } from '../serviceEvents/events';

/**
 * Moving a coach-joined session to a stage: the chat sees the stage (with the coach's controls) and, at stage 2
 * and the review, the scaling card for the client, at stage 6 the action-plan card for both; the coach gets
 * the stage guide privately.
 */
export async function enterStage(context: TurnContext, session: CoachJoinedSession, stage: StageName, services: CoachSessionServices): Promise<void> {
  session.record.stage = stage;
  delete session.confirmingEnd;
  recordServiceEvent(context, { kind: 'stageReached', session: session.number, mode: 'coach', stage, person: session.client.id });
  const index = stageOrder.indexOf(stage);
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard('sessionStage', {
        heading: `Stage ${index + 1} of 7: ${stageTitles[stage]}`,
        about: stageGuide(stage, session.number).forTheChat,
        who: `${session.coach.name} guides the session: only they can move it on or end it.`,
        nextTitle: stage === 'review' ? 'Finish and show the summary' : 'Next stage',
        canGoBack: index > 0,
        sessionId: session.id,
        stage,
      }),
    ),
  );
  if (stage === 'scaling' || stage === 'review') await sendScale(context, session, stage);
  if (stage === 'actionPlan') await sendPlan(context, session);
  sendGuideLater(context, session, stage, services);
}

async function sendScale(context: TurnContext, session: CoachJoinedSession, stage: 'scaling' | 'review'): Promise<void> {
  session.scaleQuestionId = newQuestionId();
  const name = session.client.name;
  const goal = session.record.goal?.text;
  const before = session.record.scaling?.before;
  const question =
    stage === 'scaling' ? `${name}, on ${scaleWording.today(goal || undefined)}` : `${name}, looking back over this session: on ${scaleWording.now}`;
  const previous =
    stage === 'review' && before !== undefined
      ? scaleWording.atTheStart(before)
      : stage === 'scaling' && before !== undefined
        ? `You said ${before} earlier: tap again to change it.`
        : '';
  await context.sendActivity(
    MessageFactory.attachment(renderCard('scaling', { heading: scaleWording.heading, question, previous, questionId: session.scaleQuestionId })),
  );
}

async function sendPlan(context: TurnContext, session: CoachJoinedSession): Promise<void> {
  session.planQuestionId = newQuestionId();
  await context.sendActivity(
    actionPlanCard(programmeOfSession(session), session.record.actionPlan, session.planQuestionId, `${session.client.name}'s action plan`, 'Save the plan'),
  );
}

/**
 * The session as a programme holding only this session, for the self-guided cards (action plan, review).
 * The client's earlier sessions are left out: they may have been self-guided and private to the client.
 */
export function programmeOfSession(session: CoachJoinedSession): Programme {
  return { startedAt: session.startedAt, current: session.number, sessions: { [`${session.number}`]: session.record } };
}

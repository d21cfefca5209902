/**
 * What goes to the coach alone, in their own 1:1 chat with the bot (the conversation reference kept in their
 * person document), as proactive messages sent once the turn is saved.
 */
import { MessageFactory, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import { renderCard } from '../cards/render';
import { stageOrder, stageTitles, type StageName } from '../coaching/programme';
import { afterTurnSaved } from '../turn/afterSave';
import { errorFields } from '../logger';
import type { CoachSessionServices } from './services';
import { stageGuide, supportReminder } from './stageGuides';
import { firstName, type CoachJoinedSession } from './state';

/** Whether the coach has a 1:1 chat with the bot to receive the guides in. */
export async function coachCanBeReached(coachId: string, services: CoachSessionServices): Promise<boolean> {
  return !!(await referenceOf(coachId, services));
}

/** The stage guide card for the stage, filled with what the coach has noted so far. */
export function stageGuideCard(session: CoachJoinedSession, stage: StageName): Partial<Activity> {
  const guide = stageGuide(stage, session.number);
  const first = firstName(session.client.name);
  return MessageFactory.attachment(
    renderCard('stageGuide', {
      heading: `Stage ${stageOrder.indexOf(stage) + 1} of 7: ${stageTitles[stage]}`,
      subheading: `Session ${session.number} with ${session.client.name}. Only you can see this card.`,
      aim: guide.aim,
      questions: guide.questions.map((text) => ({ text })),
      answersHeading: `What ${first} says (it goes into the summary ${first} sees at the end)`,
      answers: guide.answers.map((a) => ({ id: a.id, label: a.label, placeholder: a.placeholder, value: a.read(session.record) ?? '' })),
      notes: session.privateNotes[stage] ?? '',
      privacy: `Your private notes are for you alone: they are never shown in the chat or saved to ${first}'s coaching. Blank boxes leave what is saved as it is. ${supportReminder}`,
      sessionId: session.id,
      stage,
      chat: session.chat,
    }),
  );
}

/**
 * Sends the stage guide to the coach once the turn is saved. If Teams will not take it, the chat is told
 * (without any of the guide's content) so the coach knows to open their 1:1 chat and ask again.
 */
export function sendGuideLater(context: TurnContext, session: CoachJoinedSession, stage: StageName, services: CoachSessionServices): void {
  const card = stageGuideCard(session, stage);
  const coach = session.coach;
  afterTurnSaved(context, async (turn) => {
    if (await tellCoach(coach.id, card, services)) return;
    await turn.sendActivity(
      `${coach.name}, I couldn't send you the private guide for this stage. Say hi to me in a 1:1 chat, then say "guide" here and I'll send it again.`,
    );
  });
}

/** Tells the coach privately once the turn is saved; nothing is said in the chat if it cannot be delivered. */
export function tellCoachLater(context: TurnContext, coachId: string, activity: Partial<Activity>, services: CoachSessionServices): void {
  afterTurnSaved(context, async () => {
    await tellCoach(coachId, activity, services);
  });
}

async function tellCoach(coachId: string, activity: Partial<Activity>, services: CoachSessionServices): Promise<boolean> {
  try {
    const reference = await referenceOf(coachId, services);
    if (!reference) throw Object.assign(new Error('no conversation reference'), { code: 'no-reference' });
    await services.sender.send(reference, activity);
    return true;
  } catch (err) {
    services.logger.warn({ coachId, err: errorFields(err) }, 'could not reach the coach in their 1:1 chat');
    return false;
  }
}

async function referenceOf(userId: string, services: CoachSessionServices): Promise<Partial<ConversationReference> | undefined> {
  return (await services.people.readOne(userId))?.conversationReference;
}

import { MessageFactory, type TurnContext } from 'botbuilder';
import { renderCard } from '../cards/render';
import { stageOrder, stageTitles, type Programme, type SessionRecord } from '../coaching/programme';
import { reviewCardData } from '../coaching/stages/review';
import type { CoachingSection } from '../coaching/turnData';
import { stateDocument, updateIfUnchanged, type Decision } from '../persistence/conditionalUpdate';
import type { CoachSessionServices } from './services';
import { programmeOfSession } from './stages';
import { firstName, type CoachJoinedSession, type CoachSessionSection, type SaveOutcome } from './state';
import { tellCoachLater } from './toCoach';
import { recordServiceEvent } from '../serviceEvents/events';

/**
 * The end of a coach-joined session (after stage 7, or "end session" confirmed): the review card goes to the
 * chat, the session's record is saved to the client's programme exactly as a self-guided session would be,
 * the coach is sent their private notes in their 1:1 chat, and the session leaves the chat's state.
 */
export async function endSession(context: TurnContext, data: CoachSessionSection, session: CoachJoinedSession, services: CoachSessionServices): Promise<void> {
  const record: SessionRecord = { ...session.record, stage: 'review', completedAt: new Date().toISOString() };
  // Saved before the chat's own state: if that save then conflicts, the turn runs again and finds it saved.
  const saved = await saveToClientProgramme(session.client.id, record, services, async (programme) => {
    recordCoachedSessionEnd(context, session, programme);
    await services.onSessionCompleted(context, { personId: session.client.id, session: session.number, programme });
  });
  services.logger.info({ sessionId: session.id, session: session.number, outcome: saved }, 'coach-joined session ended');

  await context.sendActivity(MessageFactory.attachment(renderCard('review', reviewCardData(programmeOfSession({ ...session, record }), false))));
  const first = firstName(session.client.name);
  await context.sendActivity(
    saved === 'alreadyComplete'
      ? `That's the end of this session. ${first}'s session ${session.number} was already complete in their own coaching, so I have kept that one and not saved this summary over it.`
      : session.number === 1
        ? `That's the end of session 1. Thank you both. ${first}, this summary is saved to your own coaching: in a 1:1 chat with me, "my plan" shows your plan, and "start coaching" takes you on to session 2 whenever you are ready, on your own or with a coach.`
        : `That completes ${first}'s coaching. Thank you both. ${first}, this summary is saved to your own coaching: in a 1:1 chat with me, "my plan" shows your plan.`,
  );
  const notes = privateNotesText(session);
  tellCoachLater(
    context,
    session.coach.id,
    MessageFactory.text(
      `Session ${session.number} with ${session.client.name} has ended and its summary is ${saved === 'alreadyComplete' ? 'not saved (their session was already complete)' : `saved to ${first}'s coaching`}.` +
        (notes ? `\n\nYour private notes, for you alone (they were not shown in the chat or saved to ${first}'s coaching, and I no longer keep them):\n\n${notes}` : ''),
    ),
    services,
  );
  delete data.coachSession;
}

/** Service events for the end of a coach-joined session: the closing rating (with the client's first) and the completion. */
function recordCoachedSessionEnd(context: TurnContext, session: CoachJoinedSession, programme: Programme): void {
  const person = session.client.id;
  const after = session.record.scaling?.after;
  const firstRating = programme.sessions['1']?.scaling?.before;
  if (after !== undefined) {
    recordServiceEvent(context, { kind: 'scaling', session: session.number, mode: 'coach', point: 'end', value: after, person, ...(firstRating !== undefined ? { firstRating } : {}) });
  }
  recordServiceEvent(context, { kind: 'sessionCompleted', session: session.number, mode: 'coach', person });
}

/**
 * Writes the session into the client's person document (through its named operation), conditional on its
 * eTag, reading it again and retrying when it changed in between (a conflict from the store), such as the
 * client chatting with the bot 1:1 at the same moment. Creates the document if the client has never used the bot.
 */
export async function saveToClientProgramme(
  clientId: string,
  record: SessionRecord,
  services: Pick<CoachSessionServices, 'people' | 'takeCoachJoinedSession' | 'logger'>,
  onSaved?: (programme: Programme) => Promise<void>,
): Promise<SaveOutcome> {
  let saved: Programme | undefined;
  const { result } = await updateIfUnchanged(
    stateDocument(services.people, clientId),
    {
      name: 'save coach-joined session',
      apply: (stored): Decision<CoachingSection, SaveOutcome> => {
        const client = stored ?? {};
        const outcome = services.takeCoachJoinedSession(client, record);
        if (outcome !== 'saved') return { keep: outcome };
        saved = client.programme;
        return { write: client, result: outcome };
      },
    },
    { onConflict: (attempt) => services.logger.info({ attempt }, "client's programme changed while saving a coach-joined session; trying again") },
  );
  if (result === 'saved') await onSaved?.(saved!);
  return result;
}

function privateNotesText(session: CoachJoinedSession): string {
  return stageOrder
    .filter((stage) => session.privateNotes[stage])
    .map((stage) => `Stage ${stageOrder.indexOf(stage) + 1}, ${stageTitles[stage]}: ${session.privateNotes[stage]}`)
    .join('\n\n');
}

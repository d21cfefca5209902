/**
 * The risk gate's controls over coaching (CoachingControls in src/safety/riskGate.ts), carried out on the
 * turn's document by its owners: in a 1:1 chat the person's coaching pauses; in a group chat a coach-joined
 * session there moves to support. Each is a no-op on the other kind of document, which has no such section.
 */
import type { TurnContext } from 'botbuilder';
import type { CoachSessionServices } from '../coachSession/services';
import { moveCoachSessionToSupport } from '../coachSession/support';
import type { CoachingControls } from '../safety/riskGate';
import type { ConversationDocument } from './conversation';
import { chatDocument } from './chat';
import { isConfirmingDeletion, pauseCoaching, personDocument, startsNewSession } from './person';

export function coachingControls(coachSessions?: CoachSessionServices): CoachingControls<ConversationDocument> {
  return {
    pause(context: TurnContext, doc: ConversationDocument, level: 'urgent' | 'wellbeing') {
      pauseCoaching(personDocument(doc));
      if (coachSessions) moveCoachSessionToSupport(context, chatDocument(doc), level, coachSessions);
    },
    startsNewSession: (doc) => startsNewSession(personDocument(doc)),
    confirmingDeletion: (doc) => isConfirmingDeletion(personDocument(doc)),
  };
}

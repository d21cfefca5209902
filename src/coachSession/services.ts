import type { CoachRoles } from '../booking/coachDirectory';
import type { OnSessionCompleted } from '../coaching/session';
import type { Logger } from '../logger';
import type { ProactiveSender } from '../proactive/sender';
import type { Chats, People } from '../persistence/versioned';

/** What coach-joined sessions need from the rest of the bot. */
export interface CoachSessionServices {
  /** Everyone's 1:1 state (programmes): the client's programme, the coach's conversation reference. */
  people: People;
  /** Conversation state (botState): a group chat's session, updated from the coach's 1:1 when they save a guide. */
  chats: Chats;
  sender: ProactiveSender;
  /** Who the coaches are (COACH_IDS and the leads' coach directory). */
  roles: CoachRoles;
  /** What a completed session sets off (the plan check-in after session 1), as for a self-guided one. */
  onSessionCompleted: OnSessionCompleted;
  logger: Logger;
}

/**
 * Built once at start-up (src/app.ts) and given to both the router (the session in group chats) and the risk
 * gate (which pauses a session and tells its coach when it responds to risk in that chat).
 */
export function createCoachSessions(parts: {
  people: People;
  chats: Chats;
  sender: ProactiveSender;
  roles: CoachRoles;
  onSessionCompleted: OnSessionCompleted;
  logger: Logger;
}): CoachSessionServices {
  return { ...parts, logger: parts.logger.child({ feature: 'coachSession' }) };
}

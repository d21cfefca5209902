import type { CoachRoles } from '../booking/coachDirectory';
import type { SessionRecord } from '../coaching/programme';
import type { OnSessionCompleted } from '../coaching/session';
import type { CoachingSection } from '../coaching/turnData';
import type { Logger } from '../logger';
import type { ReachSection } from '../proactive/reach';
import type { ProactiveSender } from '../proactive/sender';
import type { Chats, People } from '../persistence/versioned';
import type { SafetySection } from '../safety/riskGate';
import type { CoachSessionSection, SaveOutcome } from './state';

/** What coach-joined sessions need from the rest of the bot. */
export interface CoachSessionServices {
  /** Everyone's 1:1 state (programmes): the client's programme and safety, the coach's conversation reference. */
  people: People<CoachingSection & SafetySection & ReachSection>;
  /**
   * What a finished session does to the client's own document: the person document's named operation
   * (src/documents/person.ts takeCoachJoinedSession), given at start-up because that room sits above this one.
   */
  takeCoachJoinedSession(client: CoachingSection, record: SessionRecord): SaveOutcome;
  /** Conversation state (botState): a group chat's session, updated from the coach's 1:1 when they save a guide. */
  chats: Chats<CoachSessionSection & SafetySection>;
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
export function createCoachSessions(parts: CoachSessionServices): CoachSessionServices {
  return { ...parts, logger: parts.logger.child({ feature: 'coachSession' }) };
}

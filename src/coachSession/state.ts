/**
 * A coach-joined session lives in the group chat's own document (src/documents/chat.ts composes this room's
 * section, kept in botState under the conversation key) while it runs. At the end its record is saved to the
 * client's programme and the session is removed from the chat's document, private notes and all.
 */
import type { SessionNumber, SessionRecord, StageName } from '../coaching/programme';

export interface Participant {
  /** Entra object id: the key of their person document in `programmes`. */
  id: string;
  /** Teams user id (29:…), as it appears in `from.id` and in mentions. */
  teamsId: string;
  name: string;
}

export type CoachSessionStatus = 'active' | 'support';

export interface CoachJoinedSession {
  id: string;
  number: SessionNumber;
  /** `support`: the risk gate responded in this chat; the session is paused and asks nothing more. */
  status: CoachSessionStatus;
  startedAt: string;
  coach: Participant;
  client: Participant;
  /** The group chat's state key (the turn pipeline's conversation key), also carried by the guide cards. */
  chat: string;
  /** The summary being built, in the same shape as a self-guided session; saved to the client's programme. */
  record: SessionRecord;
  /** The coach's own notes, per stage: never shown in the chat, never copied to the client's programme. */
  privateNotes: Partial<Record<StageName, string>>;
  /** The scaling and action-plan cards in play in the chat: a card from an earlier question is stale. */
  scaleQuestionId?: string;
  planQuestionId?: string;
  /** The coach said "end session": waiting for their yes or no. */
  confirmingEnd?: boolean;
  supportSince?: string;
}

/** This room's section of a group chat's document. */
export interface CoachSessionSection {
  coachSession?: CoachJoinedSession;
}

/** What saving a finished session into the client's own document came to (src/documents/person.ts takeCoachJoinedSession). */
export type SaveOutcome = 'saved' | 'alreadySaved' | 'alreadyComplete';

export function sessionIn(data: CoachSessionSection): CoachJoinedSession | undefined {
  const session = data.coachSession;
  return session && typeof session === 'object' && typeof session.id === 'string' ? session : undefined;
}

/** "Sam" from "Sam Patel", for the chat's friendlier lines. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

/**
 * The document kept for a group chat or channel (botState container, keyed by the conversation key): the
 * common sections, and the coach-joined session running there (its section is src/coachSession/state.ts's).
 */
import type { CoachSessionSection } from '../coachSession/state';
import type { ConversationDocument } from './conversation';

export interface ChatDocument extends ConversationDocument, CoachSessionSection {}

/** A turn in a group chat or channel reads the chat's document (the turn pipeline's state location). */
export function chatDocument(stored: ConversationDocument): ChatDocument {
  return stored;
}

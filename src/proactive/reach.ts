/**
 * The reach section of the person's document (src/documents/person.ts composes it and its operations write it,
 * from the personal chat): how to reach someone outside a turn of theirs. Declared here, below every room
 * that sends to a person later (booking notices, a coach's guides, a private direct question), so each can
 * read it.
 */
import type { ConversationReference } from 'botbuilder';

export interface ReachSection {
  /** The 1:1 conversation reference, kept so others' booking news and private checks can reach this person. */
  conversationReference?: Partial<ConversationReference>;
  /** Their sign-in name, for filling in Teams meeting links; looked up once per chat. */
  upn?: string;
}

/**
 * What every stored conversation document has, the person's (src/documents/person.ts) and a chat's
 * (src/documents/chat.ts) alike: the risk gate's safety section, and the turn pipeline's own bookkeeping.
 * Field names are stored names: they never change, so documents written by an earlier version still read.
 */
import type { SafetySection } from '../safety/riskGate';

/** The turn pipeline's bookkeeping (src/bot/turnPipeline.ts). */
export interface MetaSection {
  /** When the bot first welcomed this person or chat. */
  welcomedAt?: string;
  /** Set when the person asked for their data to be deleted: the turn deletes the document instead of saving it. */
  erase?: true;
  /** Activities this document has already answered (hashed ids), within the dedupe window. */
  processed?: { id: string; at: number }[];
}

export interface ConversationDocument extends MetaSection, SafetySection {
  /** Fields this version does not know (a document written by a test's own logic, say) are kept as they are. */
  [field: string]: unknown;
}

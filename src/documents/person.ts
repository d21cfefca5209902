/**
 * The person document: everything the bot keeps about a person from their 1:1 chats (programmes container,
 * keyed by their Entra object id), so their programme and place in it follow them into any new chat. It is
 * one document in sections, each with an owner:
 *
 * - coaching (src/coaching/turnData.ts): their programme and their place in the session dialog;
 * - safety (src/safety/riskGate.ts): the risk gate's state and what it remembers to screen the next message;
 * - reach (src/proactive/reach.ts; written by the personal chat): how to reach them later, for booking news
 *   and private checks;
 * - pending (the personal chat): a question of the chat's own waiting for its answer;
 * - meta (the turn pipeline): welcome, dedupe, erase.
 *
 * Each section's type is declared by its owner's room, below this one, so that the rooms that read a section
 * of someone's document (booking, the coach-joined session, the gate) can name it without importing this
 * room, which sits above them. One owner does not edit another's fields: it calls the named operations below
 * (the coach-joined session and the gate through their ports, given at start-up). Export and delete
 * (./yourData.ts, the My coaching tab) read this same type. Stored field names never change.
 */
import type { ConversationReference } from 'botbuilder';
import { currentSession, newProgramme, type SessionRecord } from '../coaching/programme';
import type { CoachingSection } from '../coaching/turnData';
import type { SaveOutcome } from '../coachSession/state';
import type { ReachSection } from '../proactive/reach';
import type { ConversationDocument } from './conversation';

export type Confirmation = 'startAgain' | 'deleteData';

export interface PendingSection {
  /** "Start again?" or "Delete your data?" asked, waiting for yes or no. */
  pendingConfirmation?: Confirmation;
  /** The export whose file consent card is out (only that one is honoured). */
  pendingExport?: string;
}

export interface PersonDocument extends ConversationDocument, CoachingSection, ReachSection, PendingSection {
  /** When they last wrote: after a long time away a greeting brings a "welcome back". */
  lastMessageAt?: string;
}

/** A turn in a 1:1 chat reads the person's document (the turn pipeline's state location). */
export function personDocument(stored: ConversationDocument): PersonDocument {
  return stored;
}

/** Coaching stops where it is: the dialog is ended and any question of the chat's dropped; every answer stays. */
export function pauseCoaching(doc: PersonDocument): void {
  delete doc.dialogState;
  delete doc.pendingConfirmation;
  if (doc.programme) doc.programme.paused = true;
}

/**
 * A finished coach-joined session takes its place in the person's programme as a self-guided one would: a
 * session they began on their own is replaced by it (their place in it dropped, with any question of the
 * chat's), and one already complete is kept.
 */
export function takeCoachJoinedSession(doc: PersonDocument, record: SessionRecord): SaveOutcome {
  const programme = (doc.programme ??= newProgramme(new Date()));
  const key = `${record.number}` as const;
  const existing = programme.sessions[key];
  if (existing?.completedAt && existing.startedAt === record.startedAt) return 'alreadySaved';
  if (existing?.completedAt) return 'alreadyComplete';
  programme.sessions[key] = record;
  programme.paused = false;
  if (record.number === 1) programme.current = 2;
  else programme.completedAt = record.completedAt;
  delete doc.dialogState;
  delete doc.pendingConfirmation;
  return 'saved';
}

/** The person asked to pause: the programme says so (the dialog is ended by its owner). */
export function notePaused(doc: PersonDocument): void {
  if (doc.programme) doc.programme.paused = true;
}

/** Whether "start coaching" begins a session (rather than carrying one on): before each, the gate's check-in. */
export function startsNewSession(doc: PersonDocument): boolean {
  const programme = doc.programme;
  if (!programme) return true;
  const record = currentSession(programme);
  return !record || !!record.completedAt;
}

/** The current session is cleared to begin again. */
export function clearCurrentSession(doc: PersonDocument): void {
  const programme = doc.programme;
  if (programme) delete programme.sessions[`${programme.current}`];
}

export function askToConfirm(doc: PersonDocument, what: Confirmation): void {
  doc.pendingConfirmation = what;
}

/** The confirmation that was waiting, if any; it is answered (or dropped) by this message either way. */
export function takeConfirmation(doc: PersonDocument): Confirmation | undefined {
  const waiting = doc.pendingConfirmation;
  delete doc.pendingConfirmation;
  return waiting;
}

export function isConfirmingDeletion(doc: PersonDocument): boolean {
  return doc.pendingConfirmation === 'deleteData';
}

export function awaitExport(doc: PersonDocument, exportId: string): void {
  doc.pendingExport = exportId;
}

/** Whether this is the export the person asked for; it is then no longer pending. */
export function takeExport(doc: PersonDocument, exportId: string | undefined): boolean {
  if (!doc.pendingExport || exportId !== doc.pendingExport) return false;
  delete doc.pendingExport;
  return true;
}

/** Notes a message now; returns how long they had been away (0 the first time). */
export function noteMessage(doc: PersonDocument, now: Date): number {
  const awayFor = doc.lastMessageAt ? now.getTime() - Date.parse(doc.lastMessageAt) : 0;
  doc.lastMessageAt = now.toISOString();
  return awayFor;
}

/** Whether the reference is a new chat (or service address) for this person. */
export function reachChanged(doc: PersonDocument, reference: Partial<ConversationReference>): boolean {
  const known = doc.conversationReference;
  return known?.conversation?.id !== reference.conversation?.id || known?.serviceUrl !== reference.serviceUrl;
}

export function rememberReach(doc: PersonDocument, reference: Partial<ConversationReference>): void {
  doc.conversationReference = {
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    conversation: reference.conversation,
    bot: reference.bot,
    user: reference.user,
  };
}

export function rememberSignInName(doc: PersonDocument, upn: string): void {
  doc.upn = upn;
}

/**
 * What is left of the document once the person has asked for their data to be deleted: nothing, or, while an
 * urgent referral is open, one note that coaching is stopped (so it cannot restart without the service).
 */
export function keptAfterErasure(doc: PersonDocument, now: Date): PersonDocument | undefined {
  const safety = doc.safety;
  if (safety?.status !== 'urgentStop') return undefined;
  return { welcomedAt: now.toISOString(), safety: { status: 'urgentStop', since: safety.since, flaggedBy: safety.flaggedBy, referralIds: safety.referralIds } };
}

/**
 * Erases the document in place, as the turn pipeline then stores it: deleted, or reduced to the note above.
 * Returns whether the safety note was kept.
 */
export function erasePerson(doc: PersonDocument, now: Date): boolean {
  const kept = keptAfterErasure(doc, now);
  for (const key of Object.keys(doc)) delete doc[key];
  if (kept) {
    Object.assign(doc, kept);
    return true;
  }
  doc.erase = true;
  return false;
}

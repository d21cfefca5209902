/**
 * The coaching section of the person's document (src/documents/person.ts composes it), owned here: their
 * programme and their place in the session dialog. The router attaches it to the turn, and the dialogs and
 * prompts read it from there (their own session record above all).
 */
import type { TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { currentSession, newProgramme, type Programme, type SessionRecord } from './programme';

export interface CoachingSection {
  programme?: Programme;
  dialogState?: DialogState;
}
const COACHING_SECTION = Symbol('coachingSection');

export function attachCoachingSection(context: TurnContext, section: CoachingSection): void {
  context.turnState.set(COACHING_SECTION, section);
}

export function programmeOf(context: TurnContext): Programme {
  const section = context.turnState.get(COACHING_SECTION) as CoachingSection | undefined;
  if (!section) throw new Error('coaching section not attached to the turn');
  section.programme ??= newProgramme(new Date());
  return section.programme;
}

/** The session in progress. The session dialog creates it before any stage runs. */
export function sessionOf(context: TurnContext): SessionRecord {
  const record = currentSession(programmeOf(context));
  if (!record) throw new Error('no session in progress');
  return record;
}

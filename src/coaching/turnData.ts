/**
 * The person's coaching data for the turn in hand: the router attaches their programme to the turn, and the
 * dialogs and prompts read it from there (their own session record above all).
 */
import type { TurnContext } from 'botbuilder';
import { currentSession, newProgramme, type Programme, type SessionRecord } from './programme';

export interface CoachingData {
  programme?: Programme;
}
const COACHING_DATA = Symbol('coachingData');

export function attachCoachingData(context: TurnContext, data: CoachingData): void {
  context.turnState.set(COACHING_DATA, data);
}

export function programmeOf(context: TurnContext): Programme {
  const data = context.turnState.get(COACHING_DATA) as CoachingData | undefined;
  if (!data) throw new Error('coaching data not attached to the turn');
  data.programme ??= newProgramme(new Date());
  return data.programme;
}

/** The session in progress. The session dialog creates it before any stage runs. */
export function sessionOf(context: TurnContext): SessionRecord {
  const record = currentSession(programmeOf(context));
  if (!record) throw new Error('no session in progress');
  return record;
}

/**
 * Work with effects outside the turn's own state (a message to someone else, a service event) that must
 * happen once, and only if the turn is saved: the turn pipeline (src/bot/turnPipeline.ts) runs it after the
 * save and the replies, never for an attempt that is run again.
 */
import type { TurnContext } from 'botbuilder';

/** Given the turn's own context, whose replies now go straight out. */
export type AfterSave = (turn: TurnContext) => Promise<void>;

const AFTER_SAVE = Symbol('afterSave');

export function afterTurnSaved(context: TurnContext, work: AfterSave): void {
  const queue = context.turnState.get(AFTER_SAVE) as AfterSave[] | undefined;
  if (!queue) throw new Error('afterTurnSaved called outside a turn');
  queue.push(work);
}

/** Whether `work` is the last thing queued so far in this attempt at the turn (so that what follows it in order may join it). */
export function queuedLast(context: TurnContext, work: AfterSave): boolean {
  const queue = context.turnState.get(AFTER_SAVE) as AfterSave[] | undefined;
  return queue !== undefined && queue[queue.length - 1] === work;
}

/** For the pipeline: a fresh queue for one attempt at a turn, run once that attempt is saved. */
export function collectAfterSave(context: TurnContext): AfterSave[] {
  const queue: AfterSave[] = [];
  context.turnState.set(AFTER_SAVE, queue);
  return queue;
}

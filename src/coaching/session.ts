/**
 * The self-guided session: the seven stages of the catalogue in order, in a dialog set built once at start-up
 * with what the session's completion sets off (src/app.ts composes it), and read on each turn from the
 * person's own document.
 */
import { DialogContext, DialogSet, WaterfallDialog, type DialogStateManagerConfiguration } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import { recordServiceEvent } from '../serviceEvents/events';
import { addPrompts, attachCoachingSection, programmeOf, sessionOf, type CoachingSection } from './dialogKit';
import { sessionRecord, stageOrder, type Programme, type SessionRecord, type SessionNumber } from './programme';
import { stageDialogs, stageOf } from './stages/catalogue';

export const COACHING_SESSION = 'coaching.session';

/** A session just completed, on their own or with a coach. */
export interface SessionCompleted {
  /** Whose programme it is: their Entra object id, the key of their person document. */
  personId: string;
  session: SessionNumber;
  /** The programme as saved with the session in it. */
  programme: Programme;
}

/** What a completed session sets off beyond the coaching itself, such as the plan check-in after session 1. */
export type OnSessionCompleted = (context: TurnContext, completed: SessionCompleted) => Promise<void>;

/**
 * One coaching session: the seven stages in order, each a dialog of its own shared by both sessions.
 * The session's place is kept in its record, so it can be picked up again from any chat.
 */
function sessionDialog(onSessionCompleted: OnSessionCompleted): WaterfallDialog {
  return new WaterfallDialog(COACHING_SESSION, [
    async (step) => {
      const programme = programmeOf(step.context);
      if (programme.completedAt) {
        await step.context.sendActivity("You've completed both coaching sessions. Type \"my plan\" to see your plan, or \"start again\" to begin a new session.");
        return step.endDialog();
      }
      const key = `${programme.current}` as const;
      if (!programme.sessions[key]) {
        recordServiceEvent(step.context, { kind: 'sessionStarted', session: programme.current, mode: 'self' });
        recordServiceEvent(step.context, { kind: 'stageReached', session: programme.current, mode: 'self', stage: 'goal' });
      }
      const record = (programme.sessions[key] ??= { number: programme.current, startedAt: new Date().toISOString(), stage: 'goal' });
      programme.paused = false;
      return step.beginDialog(stageOf(record.stage, record.number).dialogId);
    },
    async (step) => {
      const programme = programmeOf(step.context);
      const record = sessionOf(step.context);
      const next = stageOrder[stageOrder.indexOf(record.stage) + 1];
      recordRatings(step.context, programme, record);
      if (next) {
        record.stage = next;
        recordServiceEvent(step.context, { kind: 'stageReached', session: record.number, mode: 'self', stage: next });
        return step.replaceDialog(COACHING_SESSION);
      }
      record.completedAt = new Date().toISOString();
      recordServiceEvent(step.context, { kind: 'sessionCompleted', session: record.number, mode: 'self' });
      const { from } = step.context.activity;
      if (record.number === 1) programme.current = 2;
      else programme.completedAt = record.completedAt;
      await onSessionCompleted(step.context, { personId: from.aadObjectId ?? from.id, session: record.number, programme });
      if (record.number === 1) {
        await step.context.sendActivity(
          "That's the end of your first session. Thank you for the thought you've put in. Give your plan a try, and when you're ready, come back for session 2: just type \"start coaching\". Take care until then.",
        );
      } else {
        await step.context.sendActivity('That completes your coaching. It has been good to work with you. I wish you well with what comes next.');
      }
      return step.endDialog();
    },
  ]);
}

/** The ratings a stage just finished with: the start of the session after scaling, its end after the review. */
function recordRatings(context: TurnContext, programme: Programme, record: SessionRecord): void {
  const scaling = record.scaling;
  if (record.stage === 'scaling' && scaling?.before !== undefined) {
    recordServiceEvent(context, { kind: 'scaling', session: record.number, mode: 'self', point: 'start', value: scaling.before });
  }
  if (record.stage === 'review' && scaling?.after !== undefined) {
    const firstRating = sessionRecord(programme, 1)?.scaling?.before;
    recordServiceEvent(context, { kind: 'scaling', session: record.number, mode: 'self', point: 'end', value: scaling.after, ...(firstRating !== undefined ? { firstRating } : {}) });
  }
}

/**
 * Where botbuilder-dialogs looks in the turn state for the memory scopes of a new dialog context (its own string):
 * without them there, every turn's context builds them anew from the registered components.
 */
const STATE_CONFIGURATION = 'DialogStateManagerConfiguration';

/** The self-guided coaching dialogs, built once with what a completed session sets off. */
export class CoachingDialogs {
  private readonly dialogs = new DialogSet();
  /** The memory scopes the first dialog context built (they hold no state of their own), shared by every turn after it. */
  private stateConfiguration?: DialogStateManagerConfiguration;

  constructor(effects: { onSessionCompleted: OnSessionCompleted }) {
    addPrompts(this.dialogs, COACHING_SESSION);
    for (const dialog of [...stageDialogs(), sessionDialog(effects.onSessionCompleted)]) this.dialogs.add(dialog);
  }

  /** This turn's dialog context, on the person's programme and their place in the dialogs (kept in their document). */
  contextFor(context: TurnContext, section: CoachingSection): DialogContext {
    attachCoachingSection(context, section);
    if (this.stateConfiguration) context.turnState.set(STATE_CONFIGURATION, this.stateConfiguration);
    const dc = new DialogContext(this.dialogs, context, (section.dialogState ??= { dialogStack: [] }));
    this.stateConfiguration ??= dc.state.configuration;
    return dc;
  }
}

import type { TurnContext } from 'botbuilder';
import { afterTurnSaved, queuedLast, type AfterSave } from '../turn/afterSave';
import type { StageName } from '../coachingModel/stages';

/**
 * De-identified service events: each thing the service needs to count, with no name, id or text. A person is
 * named only to the recorder (`person`, their Entra object id), which turns it into a keyed pseudonym and
 * never stores it; nothing a person typed is ever part of an event.
 */
export type Mode = 'self' | 'coach';
export type SessionNo = 1 | 2;
/** A check-in's result (`check`: warning signs, asked directly; kept for when the gate has that level). */
export type CheckInLevel = 'none' | 'check' | 'wellbeing' | 'urgent';
export type DirectCheckAnswer = 'yes' | 'notSure' | 'no' | 'ratherNot';
export type DirectCheckOrigin = 'personal' | 'groupChat' | 'tab';
export type SlotChange = 'published' | 'booked' | 'cancelledByStaff' | 'cancelledByCoach' | 'withdrawn';
/** What an event needs of a coaching slot (src/booking/slots.ts): its status and when it starts. */
interface SlotState {
  status: string;
  start: string;
}

export type ServiceEvent =
  | { kind: 'sessionStarted'; session: SessionNo; mode: Mode }
  | { kind: 'stageReached'; session: SessionNo; mode: Mode; stage: StageName }
  | { kind: 'sessionCompleted'; session: SessionNo; mode: Mode }
  /**
   * A rating on the scale at the start or end of a session. At the end, `firstRating` is the same person's
   * rating at the start of session 1 (when there is one), so the change can be counted without linking events.
   */
  | { kind: 'scaling'; session: SessionNo; mode: Mode; point: 'start' | 'end'; value: number; firstRating?: number }
  | { kind: 'checkIn'; level: CheckInLevel }
  | { kind: 'directCheck'; answer: DirectCheckAnswer; origin: DirectCheckOrigin }
  /** `categories`: the trigger's reason codes (keyword categories or check-in items), never wording. */
  | { kind: 'referral'; level: 'wellbeing' | 'urgent'; trigger: 'keywords' | 'checkIn' | 'directCheck'; categories: string[] }
  | { kind: 'referralAcknowledged'; level: 'wellbeing' | 'urgent'; delaySeconds: number }
  | { kind: 'referralReposted'; level: 'wellbeing' | 'urgent' }
  /** A coaching slot changed. It is counted on the slot's own date (`slotStart`), for utilisation by week. */
  | { kind: 'slot'; change: SlotChange; slotStart: string };

export type ServiceEventKind = ServiceEvent['kind'];

/** What a caller gives: the event, and optionally whose it is (an Entra object id, pseudonymised at once) and when. */
export type ServiceEventInput = ServiceEvent & { person?: string; at?: Date };

/** Anything that records events: the recorder (src/serviceEvents/recorder.ts) or a test's list. */
export interface ServiceEventSink {
  record(event: ServiceEventInput): Promise<void>;
  /** Several events at once, as recording them one after another in this order would (the recorder's is cheaper). */
  recordAll?(events: ServiceEventInput[]): Promise<void>;
  /** Breaks the link between a person and their pseudonym ("delete my data"). */
  forget?(person: string): Promise<void>;
  /** Stores whatever is waiting to be stored (the recorder writes behind). */
  flush?(): Promise<void>;
}

const SINK = Symbol('serviceEvents');

/** Makes the recorder reachable from anywhere in a turn (src/app.ts does this for every turn). */
export function provideServiceEvents(context: TurnContext, sink: ServiceEventSink): void {
  context.turnState.set(SINK, sink);
}

/**
 * Records one event: the single call every part of the bot uses.
 *
 * - Given a turn's context, the event is recorded only once the turn is saved (a turn run again after a
 *   conflict records it once; a failed turn records nothing), and the person defaults to whoever sent the
 *   activity. Events recorded one after another in a turn are stored together, in order, after the work
 *   queued before them. Without a recorder in the turn (tests that drive the pipeline alone) it does nothing.
 * - Given a recorder (background workers), it records now.
 * Recording never fails the caller: a store problem is logged by the recorder and the event is lost.
 */
export function recordServiceEvent(target: TurnContext | ServiceEventSink | undefined, event: ServiceEventInput): Promise<void> | undefined {
  if (!target) return undefined;
  if ('activity' in target) {
    const sink = target.turnState.get(SINK) as ServiceEventSink | undefined;
    if (!sink) return undefined;
    const from = target.activity.from;
    const person = 'person' in event ? event.person : aboutAPerson(event.kind) ? from?.aadObjectId : undefined;
    const input: ServiceEventInput = { ...event, person, at: event.at ?? new Date() };
    try {
      afterTurnSavedWithTheRest(target, sink, input);
      return undefined;
    } catch {
      // Outside the turn pipeline (a handler called directly by a test): record straight away.
      return sink.record(input);
    }
  }
  return target.record(event);
}

const TURN_EVENTS = Symbol('turnEvents');

/** Queues the event after the turn's save, joining the events queued just before it, if nothing came in between. */
function afterTurnSavedWithTheRest(context: TurnContext, sink: ServiceEventSink, input: ServiceEventInput): void {
  const last = context.turnState.get(TURN_EVENTS) as { sink: ServiceEventSink; inputs: ServiceEventInput[]; work: AfterSave } | undefined;
  if (last && last.sink === sink && queuedLast(context, last.work)) {
    last.inputs.push(input);
    return;
  }
  const inputs = [input];
  const work: AfterSave = async () => {
    if (sink.recordAll) return sink.recordAll(inputs);
    for (const one of inputs) await sink.record(one);
  };
  afterTurnSaved(context, work);
  context.turnState.set(TURN_EVENTS, { sink, inputs, work });
}

/** Kinds that are about one person (counted as distinct people where it matters); the rest are about the service. */
export function aboutAPerson(kind: ServiceEventKind): boolean {
  return kind !== 'slot' && kind !== 'referralAcknowledged' && kind !== 'referralReposted';
}

/** "delete my data": once the turn is saved, the person's pseudonym record goes (see ServiceEventRecorder.forget). */
export function forgetServicePerson(context: TurnContext, person: string): void {
  const sink = context.turnState.get(SINK) as ServiceEventSink | undefined;
  if (!sink?.forget) return;
  afterTurnSaved(context, () => sink.forget!(person));
}

/** The slot event for a change from `before` to `after` (a booking, a cancellation by either side, a withdrawal). */
export function slotEvent(before: SlotState | undefined, after: SlotState): ServiceEventInput | undefined {
  const change: SlotChange | undefined =
    !before ? 'published'
    : before.status === 'free' && after.status === 'booked' ? 'booked'
    : before.status === 'free' && after.status === 'withdrawn' ? 'withdrawn'
    : before.status === 'booked' && after.status === 'free' ? 'cancelledByStaff'
    : before.status === 'booked' && after.status === 'withdrawn' ? 'cancelledByCoach'
    : undefined;
  return change ? { kind: 'slot', change, slotStart: after.start } : undefined;
}

/** Records a slot change (see slotEvent), if it was one. */
export function recordSlotChange(target: TurnContext | ServiceEventSink | undefined, before: SlotState | undefined, after: SlotState): Promise<void> | undefined {
  const event = slotEvent(before, after);
  return event ? recordServiceEvent(target, event) : undefined;
}

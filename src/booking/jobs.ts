import { randomUUID } from 'node:crypto';
import type { Container, ItemDefinition } from '@azure/cosmos';
import type { Activity, ConversationReference, TurnContext } from 'botbuilder';
import type { BookingSettings } from '../config';
import { afterTurnSaved } from '../turn/afterSave';
import type { Programme } from '../coaching/programme';
import { errorFields, type Logger } from '../logger';
import { PassLoop } from '../proactive/passLoop';
import { backoffMs, classifySendError, type ProactiveSender, type SendError } from '../proactive/sender';
import { statusOf, type CosmosBotStorage } from '../store/cosmosBotStorage';
import {
  bookedNotice,
  cancelledNotice,
  coachChangedTimeNotice,
  notShared,
  planCheckInMessage,
  programmeForCoach,
  reminderMessage,
  unreachableNotice,
} from './jobMessages';
import { freeSlots, type Slot } from './slots';
import type { Bookings } from './bookingsPort';

/**
 * Stored jobs: booking notices, reminders 24 hours and 15 minutes before a session, and the plan check-in
 * some days after session 1. One document per job in the `jobs` container, with a deterministic id, so
 * enqueueing the same job twice (a turn run again, a retried request) creates it once.
 *
 * The JobWorker (any number of instances on one store) sends what is due:
 * 1. finds pending jobs with nextAttemptAt <= now;
 * 2. claims each with a replace conditional on the eTag it read (claimedBy, claimedUntil = now + 60 s);
 *    a 412 means another worker got there first: skip. A live claim is skipped too;
 * 3. works out the message at send time from ids (a reminder for a booking that no longer stands, or a
 *    check-in for someone already in session 2, is cancelled instead of sent) and posts it to the
 *    recipient's stored 1:1 conversation reference through the ProactiveSender;
 * 4. records the outcome with a conditional replace (re-applied to a fresh copy if it was cancelled meanwhile).
 *
 * Failures: throttling and service errors (429, 5xx, timeouts) are retried with backoff (2 s × 2^(n-1),
 * capped at 10 minutes, ±20 % jitter) or after Teams' Retry-After, up to MAX_ATTEMPTS and never past the
 * job's expiry (a reminder after the session has started is no use). Refusals (401, 403, 404: the bot is
 * not installed, or is blocked) and a person with no stored conversation make the job `undeliverable` at
 * once, never retried; for a booking, the other person is then told once that they could not be reached.
 *
 * Exactly once between workers: a job is only sent under a successful claim. The window that cannot be
 * closed is a crash (or the store failing) after Teams accepted a message and before it is recorded: the
 * claim runs out and the job is sent again. A duplicate reminder, never a lost one.
 */

export type JobKind = 'bookingNotice' | 'reminder24h' | 'reminder15m' | 'planCheckIn';
export type JobState = 'pending' | 'sent' | 'cancelled' | 'undeliverable';
export type Side = 'coach' | 'staff';
/** What a booking job was about, for telling the other side what could not be passed on. */
export type JobPurpose = 'booked' | 'reminder' | 'cancelled' | 'moved' | 'coachChangedTime';

/** A booking as a job renders it: ids, the two names as Teams gave them, and the times. Nothing anyone wrote. */
export interface BookingRef {
  slotId: string;
  coachId: string;
  coachName: string;
  staffId: string;
  staffName: string;
  start: string;
  end: string;
  bookedAt: string;
  /** Sign-in names of both people, where known, to fill in the Teams meeting form. */
  attendees?: string[];
}

export type NoticePayload =
  | { notice: 'booked'; booking: BookingRef }
  | { notice: 'cancelled'; by: Side; booking: BookingRef }
  | { notice: 'moved'; booking: BookingRef; from: Pick<BookingRef, 'start' | 'end'> }
  | { notice: 'coachChangedTime'; booking: BookingRef }
  | { notice: 'unreachable'; booking: BookingRef; unreachable: Side; about: JobPurpose };
export interface ReminderPayload {
  booking: BookingRef;
  to: Side;
}
export interface PlanCheckInPayload {
  /** Identifies the programme: a check-in for a programme since deleted or restarted is not sent. */
  programmeStartedAt: string;
}

interface JobFields {
  id: string;
  docType: 'job';
  recipientUserId: string;
  dueAt: string;
  state: JobState;
  attempts: number;
  nextAttemptAt: string;
  /** After this the job is pointless (the session has started or ended): cancelled rather than sent. */
  expiresAt: string;
  createdAt: string;
  claimedBy?: string;
  claimedUntil?: string;
  /** A short code ("http-429", "no-reference", "booking-changed"), never text. */
  lastError?: string;
  finishedAt?: string;
  activityId?: string;
  /** Seconds a finished job is kept (the container's defaultTtl is -1: pending jobs never expire). */
  ttl?: number;
}
export type Job = JobFields &
  (
    | { kind: 'bookingNotice'; payload: NoticePayload }
    | { kind: 'reminder24h' | 'reminder15m'; payload: ReminderPayload }
    | { kind: 'planCheckIn'; payload: PlanCheckInPayload }
  );
type StoredJob = Job & ItemDefinition;

export const CLAIM_MS = 60_000;
export const MAX_ATTEMPTS = 10;
/** Finished jobs are kept this long for support questions, then Cosmos TTL removes them. */
export const FINISHED_TTL_SECONDS = 30 * 24 * 3600;
const REMINDERS = [
  { kind: 'reminder24h', beforeMs: 24 * 3600_000 },
  { kind: 'reminder15m', beforeMs: 15 * 60_000 },
] as const;
const PLAN_CHECK_IN_VALID_DAYS = 7;
const DAY_MS = 24 * 3600_000;

// --- ids and documents (pure) -----------------------------------------------------------------------

/** Cosmos ids may not contain / \ ? #. */
const safe = (part: string) => part.replace(/[/\\?#]/g, '_');
const bookingKey = (b: Pick<BookingRef, 'slotId' | 'bookedAt'>) => `${safe(b.slotId)}:${b.bookedAt}`;

export const jobIds = {
  reminder: (kind: 'reminder24h' | 'reminder15m', b: Pick<BookingRef, 'slotId' | 'bookedAt'>, to: Side) =>
    `${kind === 'reminder24h' ? 'reminder-24h' : 'reminder-15m'}:${bookingKey(b)}:${to}`,
  notice: (notice: NoticePayload['notice'], b: Pick<BookingRef, 'slotId' | 'bookedAt'>) => `notice-${notice}:${bookingKey(b)}`,
  unreachable: (b: Pick<BookingRef, 'slotId' | 'bookedAt'>, side: Side) => `unreachable:${bookingKey(b)}:${side}`,
  planCheckIn: (userId: string, programmeStartedAt: string) => `plan-check-in:${safe(userId)}:${programmeStartedAt}`,
};

/** Every job a booking may have that is only worth sending while the booking stands. */
export function jobIdsOfBooking(b: Pick<BookingRef, 'slotId' | 'bookedAt'>): string[] {
  const reminders = REMINDERS.flatMap(({ kind }) => (['coach', 'staff'] as const).map((to) => jobIds.reminder(kind, b, to)));
  return [...reminders, jobIds.notice('booked', b), jobIds.notice('moved', b)];
}

export function bookingRef(slot: Slot): BookingRef {
  if (!slot.booking) throw new Error('slot is not booked');
  return {
    slotId: slot.id,
    coachId: slot.coachId,
    coachName: slot.coachName,
    staffId: slot.booking.staffId,
    staffName: slot.booking.staffName,
    start: slot.start,
    end: slot.end,
    bookedAt: slot.booking.bookedAt,
    attendees: [slot.booking.staffUpn, slot.coachUpn].filter((upn): upn is string => !!upn),
  };
}

type NewJob = Pick<Job, 'id' | 'kind' | 'payload' | 'recipientUserId'> & { dueAt: Date; expiresAt: Date };

export function newJob({ id, kind, payload, recipientUserId, dueAt, expiresAt }: NewJob, now: Date): Job {
  return {
    id,
    docType: 'job',
    kind,
    payload,
    recipientUserId,
    dueAt: dueAt.toISOString(),
    nextAttemptAt: dueAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    state: 'pending',
    attempts: 0,
    createdAt: now.toISOString(),
  } as Job;
}

/** Reminders 24 hours and 15 minutes before, to both people; none whose time has already passed. */
export function reminderJobs(b: BookingRef, now: Date): Job[] {
  const start = Date.parse(b.start);
  return REMINDERS.flatMap(({ kind, beforeMs }) => {
    const dueAt = start - beforeMs;
    if (dueAt <= now.getTime()) return [];
    return (['coach', 'staff'] as const).map((to) =>
      newJob(
        {
          id: jobIds.reminder(kind, b, to),
          kind,
          payload: { booking: b, to },
          recipientUserId: to === 'coach' ? b.coachId : b.staffId,
          dueAt: new Date(dueAt),
          expiresAt: new Date(start),
        },
        now,
      ),
    );
  });
}

/** A notice about a booking, due now, to the side it concerns; pointless once the session has ended. */
export function noticeJob(payload: NoticePayload, now: Date): Job {
  const b = payload.booking;
  const to: Side =
    payload.notice === 'cancelled' ? (payload.by === 'coach' ? 'staff' : 'coach')
    : payload.notice === 'coachChangedTime' ? 'staff'
    : payload.notice === 'unreachable' ? (payload.unreachable === 'coach' ? 'staff' : 'coach')
    : 'coach';
  const id = payload.notice === 'unreachable' ? jobIds.unreachable(b, payload.unreachable) : jobIds.notice(payload.notice, b);
  return newJob({ id, kind: 'bookingNotice', payload, recipientUserId: to === 'coach' ? b.coachId : b.staffId, dueAt: now, expiresAt: new Date(b.end) }, now);
}

export function planCheckInJob(userId: string, programme: Pick<Programme, 'startedAt'>, days: number, now: Date): Job {
  const dueAt = new Date(now.getTime() + days * DAY_MS);
  return newJob(
    {
      id: jobIds.planCheckIn(userId, programme.startedAt),
      kind: 'planCheckIn',
      payload: { programmeStartedAt: programme.startedAt },
      recipientUserId: userId,
      dueAt,
      expiresAt: new Date(dueAt.getTime() + PLAN_CHECK_IN_VALID_DAYS * DAY_MS),
    },
    now,
  );
}

/** How long to wait before attempt `attempts + 1`, given `attempts` (≥ 1) have failed; Teams' Retry-After wins. */
export function retryDelayMs(attempts: number, error: Pick<SendError, 'retryAfterMs'>, random: () => number = Math.random): number {
  if (error.retryAfterMs !== undefined) return Math.max(error.retryAfterMs, 500);
  return backoffMs(attempts, random);
}

export type FailureStep = { state: 'pending'; attempts: number; nextAttemptAt: string } | { state: 'undeliverable'; attempts: number };

/** After a failed send: try again later, or give up (refused, too many attempts, or the next try would be too late). */
export function afterFailure(job: Pick<Job, 'attempts' | 'expiresAt'>, error: Pick<SendError, 'kind' | 'retryAfterMs'>, now: number, random: () => number = Math.random): FailureStep {
  const attempts = job.attempts + 1;
  if (error.kind === 'later' || attempts >= MAX_ATTEMPTS) return { state: 'undeliverable', attempts };
  const at = now + retryDelayMs(attempts, error, random);
  if (at >= Date.parse(job.expiresAt)) return { state: 'undeliverable', attempts };
  return { state: 'pending', attempts, nextAttemptAt: new Date(at).toISOString() };
}

/** What a booking job was about, and which side it was for; undefined for jobs with no other side to tell. */
export function bookingSideOf(job: Job): { booking: BookingRef; side: Side; about: JobPurpose } | undefined {
  if (job.kind === 'planCheckIn') return undefined;
  if (job.kind === 'bookingNotice' && job.payload.notice === 'unreachable') return undefined;
  const booking = job.payload.booking;
  const side: Side = job.recipientUserId === booking.coachId ? 'coach' : 'staff';
  const about: JobPurpose = job.kind === 'bookingNotice' ? (job.payload as Exclude<NoticePayload, { notice: 'unreachable' }>).notice : 'reminder';
  return { booking, side, about };
}

// --- enqueueing ---------------------------------------------------------------------------------------

export interface JobQueueOptions {
  jobs: Container;
  planCheckInDays: number;
  logger: Logger;
  /** Sends these jobs now if they are due (the worker's deliverNow); without it they wait for the next pass. */
  deliverNow?: (ids: string[]) => Promise<void>;
}

/**
 * Writes jobs, idempotently by id. Booking changes call it inside the turn, alongside the booking's own
 * write, then hand the new notices to the worker once the turn is saved (deliverAfterTurn), so the person
 * who acted hears first and the other side straight after, with the worker's retries behind it.
 */
export class JobQueue {
  private readonly log: Logger;

  constructor(private readonly options: JobQueueOptions) {
    this.log = options.logger.child({ component: 'jobQueue' });
  }

  /** Creates each job unless one with its id exists already; resolves with the ids of all of them. */
  async add(jobs: Job[]): Promise<string[]> {
    for (const job of jobs) {
      try {
        await this.options.jobs.items.create(job);
        this.log.debug({ jobId: job.id, kind: job.kind, dueAt: job.dueAt }, 'job enqueued');
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
    }
    return jobs.map((j) => j.id);
  }

  /** Cancels whichever of these jobs are still pending; resolves with the ids it cancelled. */
  async cancel(ids: string[], reason: string, now: Date = new Date()): Promise<string[]> {
    const cancelled: string[] = [];
    for (const id of ids) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const found = await readJob(this.options.jobs, id);
        if (!found || found.job.state !== 'pending') break;
        // A claim in progress is left in place: the worker re-reads the booking before sending, and its
        // record of a send it did make is re-applied over this.
        const next: Job = { ...found.job, state: 'cancelled', lastError: reason, finishedAt: now.toISOString(), ttl: FINISHED_TTL_SECONDS };
        if ((await replaceIfUnchanged(this.options.jobs, next, found.etag)) !== undefined) {
          cancelled.push(id);
          break;
        }
      }
    }
    if (cancelled.length) this.log.debug({ jobIds: cancelled, reason }, 'jobs cancelled');
    return cancelled;
  }

  /** A new booking: tell the coach, and remind both. */
  async booked(b: BookingRef, now: Date = new Date()): Promise<string[]> {
    return this.add([noticeJob({ notice: 'booked', booking: b }, now), ...reminderJobs(b, now)]);
  }

  /**
   * A cancelled booking: its reminders go, and the other side is told, unless it was the coach who was
   * never told of the booking in the first place (their notice was still waiting).
   */
  async cancelled(b: BookingRef, by: Side, now: Date = new Date()): Promise<string[]> {
    const unsent = await this.cancel(jobIdsOfBooking(b), 'booking-cancelled', now);
    if (by === 'staff' && unsent.includes(jobIds.notice('booked', b))) return [];
    return this.add([noticeJob({ notice: 'cancelled', by, booking: b }, now)]);
  }

  /** The staff member moved their booking: reminders move with it; the coach (or each coach) is told. */
  async moved(from: BookingRef, to: BookingRef, now: Date = new Date()): Promise<string[]> {
    const unsent = await this.cancel(jobIdsOfBooking(from), 'booking-moved', now);
    const oldCoachKnew = !unsent.includes(jobIds.notice('booked', from));
    const notices: Job[] = [];
    if (from.coachId === to.coachId) {
      notices.push(noticeJob(oldCoachKnew ? { notice: 'moved', booking: to, from } : { notice: 'booked', booking: to }, now));
    } else {
      if (oldCoachKnew) notices.push(noticeJob({ notice: 'cancelled', by: 'staff', booking: from }, now));
      notices.push(noticeJob({ notice: 'booked', booking: to }, now));
    }
    return this.add([...notices, ...reminderJobs(to, now)]);
  }

  /** The coach changed the time: the booking is cancelled and the staff member offered the next free times. */
  async coachChangedTime(b: BookingRef, now: Date = new Date()): Promise<string[]> {
    await this.cancel(jobIdsOfBooking(b), 'coach-changed-time', now);
    return this.add([noticeJob({ notice: 'coachChangedTime', booking: b }, now)]);
  }

  /** "How is your plan going?" planCheckInDays after session 1. Never throws: a lost check-in must not break the session. */
  async planCheckIn(userId: string, programme: Programme, now: Date = new Date()): Promise<void> {
    try {
      const [id] = await this.add([planCheckInJob(userId, programme, this.options.planCheckInDays, now)]);
      this.log.info({ jobId: id, userId }, 'plan check-in scheduled');
    } catch (err) {
      this.log.error({ err: errorFields(err), userId }, 'could not schedule the plan check-in');
    }
  }

  /** Once this turn is saved (and its replies sent), sends these jobs if they are due. */
  deliverAfterTurn(context: TurnContext, ids: string[]): void {
    const deliverNow = this.options.deliverNow;
    if (!deliverNow || ids.length === 0) return;
    afterTurnSaved(context, () => deliverNow(ids).catch((err) => this.log.warn({ err: errorFields(err) }, 'immediate delivery failed; the worker will retry')));
  }
}

const JOB_QUEUE = Symbol('jobQueue');

/** Makes the job queue reachable from this turn's logic (the composition root calls it for every turn). */
export function provideJobQueue(context: TurnContext, queue: JobQueue): void {
  context.turnState.set(JOB_QUEUE, queue);
}

/**
 * Called where session 1 is completed: schedules the plan check-in for the person in this 1:1 chat (or the
 * given person). Idempotent per programme, so a turn run again schedules it once.
 */
export async function schedulePlanCheckIn(context: TurnContext, programme: Programme, userId?: string): Promise<void> {
  const queue = context.turnState.get(JOB_QUEUE) as JobQueue | undefined;
  const { activity } = context;
  const person = userId ?? (activity.conversation?.conversationType === 'personal' ? (activity.from?.aadObjectId ?? activity.from?.id) : undefined);
  if (!queue || !person) return;
  await queue.planCheckIn(person, programme);
}

// --- the worker -----------------------------------------------------------------------------------------

export interface JobWorkerOptions {
  jobs: Container;
  bookings: Bookings;
  /** Everyone's 1:1 state: the conversation reference to send to, and the programme a coach may see. */
  people: CosmosBotStorage;
  sender: ProactiveSender;
  booking: Pick<BookingSettings, 'daysAhead' | 'jobPollMs'>;
  logger: Logger;
  instanceId?: string;
  /** Milliseconds since the epoch; tests move it on instead of sleeping. */
  now?: () => number;
  /** In [0, 1); for the jitter. */
  random?: () => number;
  claimMs?: number;
}

export interface JobPassResult {
  sent: number;
  retrying: number;
  undeliverable: number;
  cancelled: number;
  /** Not due, claimed by another worker, or changed since it was read. */
  skipped: number;
}

interface PersonDoc {
  programme?: Programme;
  conversationReference?: Partial<ConversationReference>;
}

type Prepared = { activity: Partial<Activity> } | { skip: string };

export class JobWorker {
  readonly instanceId: string;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly claimMs: number;
  private readonly log: Logger;
  private readonly loop: PassLoop<JobPassResult>;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: JobWorkerOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.claimMs = options.claimMs ?? CLAIM_MS;
    this.log = options.logger.child({ component: 'jobWorker', instanceId: this.instanceId });
    this.loop = new PassLoop(
      () => this.runPass(),
      () => this.options.booking.jobPollMs,
      (err) => this.log.error({ err: errorFields(err) }, 'job worker pass failed'),
    );
  }

  /** Runs a pass now and then every jobPollMs until stop(). */
  start(): void {
    this.loop.start();
  }

  /** Stops polling; resolves once the pass and any immediate deliveries in progress have finished. */
  stop(): Promise<void> {
    return this.loop.stop([...this.inFlight]);
  }

  /** One pass over every due job; passes on one instance never overlap. */
  runOnce(): Promise<JobPassResult> {
    return this.loop.runOnce();
  }

  /** Sends these jobs now if they are due and unclaimed (a booking's notices, straight after the turn). */
  async deliverNow(ids: string[]): Promise<JobPassResult> {
    const work = (async () => {
      const result = emptyResult();
      const queue = [...ids];
      for (let i = 0; i < queue.length && !this.loop.stopping; i += 1) {
        const found = await readJob(this.options.jobs, queue[i]!);
        if (!found) continue;
        await this.processCounting({ ...found.job, _etag: found.etag }, result, queue);
      }
      return result;
    })();
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async runPass(): Promise<JobPassResult> {
    const result = emptyResult();
    const started = this.now();
    const { resources } = await this.options.jobs.items
      .query<StoredJob>({
        query: "SELECT * FROM c WHERE c.docType = 'job' AND c.state = 'pending' AND c.nextAttemptAt <= @now",
        parameters: [{ name: '@now', value: new Date(started).toISOString() }],
      })
      .fetchAll();
    const queue = resources.sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt));
    const followUps: string[] = [];
    for (const job of queue) {
      if (this.loop.stopping) break;
      await this.processCounting(job, result, followUps);
    }
    // Jobs this pass created ("I couldn't reach them") go out now too.
    for (let i = 0; i < followUps.length && !this.loop.stopping; i += 1) {
      const found = await readJob(this.options.jobs, followUps[i]!);
      if (found) await this.processCounting({ ...found.job, _etag: found.etag }, result, followUps);
    }
    if (queue.length > 0) this.log.debug({ ...result, ms: this.now() - started }, 'job worker pass');
    return result;
  }

  private async processCounting(job: StoredJob, result: JobPassResult, followUps: string[]): Promise<void> {
    try {
      const { outcome, created } = await this.process(job);
      result[outcome] += 1;
      followUps.push(...created);
    } catch (err) {
      // The store failing mid-way: the job stays as it was (or claimed, until the claim runs out).
      result.skipped += 1;
      this.log.error({ err: errorFields(err), jobId: job.id, kind: job.kind }, 'job worker could not process a job');
    }
  }

  private async process(found: StoredJob): Promise<{ outcome: keyof JobPassResult; created: string[] }> {
    const skipped = { outcome: 'skipped' as const, created: [] };
    const now = this.now();
    if (found.state !== 'pending' || Date.parse(found.nextAttemptAt) > now) return skipped;
    if (found.claimedUntil && Date.parse(found.claimedUntil) > now) return skipped;
    const log = this.log.child({ jobId: found.id, kind: found.kind, recipientUserId: found.recipientUserId });

    // 1. Claim, on the eTag read: if anything changed since, someone else got there first.
    const claimed: Job = { ...withoutSystemFields(found), claimedBy: this.instanceId, claimedUntil: new Date(now + this.claimMs).toISOString() };
    const etag = await replaceIfUnchanged(this.options.jobs, claimed, found._etag ?? '');
    if (etag === undefined) return skipped;

    if (now >= Date.parse(claimed.expiresAt)) {
      await this.finish(claimed, etag, { state: 'cancelled', lastError: 'expired' }, log);
      log.info('job expired before it could be sent');
      return { outcome: 'cancelled', created: [] };
    }

    // 2. Work out the message now, from the current booking and programme.
    const recipient = (await this.options.people.readOne(claimed.recipientUserId)) as PersonDoc | undefined;
    const prepared = await this.prepare(claimed, recipient);
    if ('skip' in prepared) {
      await this.finish(claimed, etag, { state: 'cancelled', lastError: prepared.skip }, log);
      log.info({ reason: prepared.skip }, 'job no longer needed; cancelled');
      return { outcome: 'cancelled', created: [] };
    }
    const reference = recipient?.conversationReference;
    if (!reference?.serviceUrl || !reference.conversation?.id) return this.undeliverable(claimed, etag, 'no-reference', claimed.attempts, log);

    // 3. Send.
    const started = this.now();
    let activityId: string;
    try {
      activityId = await this.options.sender.send(reference, prepared.activity);
    } catch (err) {
      const error = classifySendError(err, this.now());
      const step = afterFailure(claimed, error, this.now(), this.random);
      if (step.state === 'undeliverable') return this.undeliverable(claimed, etag, error.code, step.attempts, log);
      log.warn({ attempts: step.attempts, code: error.code, retryAt: step.nextAttemptAt, ms: this.now() - started }, 'job send failed; will retry');
      await this.finish(claimed, etag, { state: 'pending', attempts: step.attempts, nextAttemptAt: step.nextAttemptAt, lastError: error.code }, log);
      return { outcome: 'retrying', created: [] };
    }

    // 4. Record.
    await this.finish(claimed, etag, { state: 'sent', activityId, attempts: claimed.attempts + 1 }, log);
    log.info({ ms: this.now() - started, attempts: claimed.attempts + 1 }, 'job sent');
    return { outcome: 'sent', created: [] };
  }

  private async prepare(job: Job, recipient: PersonDoc | undefined): Promise<Prepared> {
    const now = this.now();
    switch (job.kind) {
      case 'planCheckIn': {
        const programme = recipient?.programme;
        if (!programme || programme.startedAt !== job.payload.programmeStartedAt || !programme.sessions['1']?.completedAt) return { skip: 'programme-changed' };
        if (programme.sessions['2'] || programme.completedAt) return { skip: 'session-2-started' };
        return { activity: planCheckInMessage() };
      }
      case 'reminder24h':
      case 'reminder15m': {
        if (!(await this.bookingStands(job.payload.booking))) return { skip: 'booking-changed' };
        return { activity: reminderMessage(job.kind, job.payload.to, job.payload.booking, now) };
      }
      case 'bookingNotice': {
        const payload = job.payload;
        switch (payload.notice) {
          case 'booked':
          case 'moved': {
            const slot = await this.bookingStands(payload.booking);
            if (!slot) return { skip: 'booking-changed' };
            const sharing = slot.booking?.shareProgramme ? await this.sharedProgramme(payload.booking.staffId) : notShared;
            return { activity: bookedNotice(payload.booking, sharing, payload.notice === 'moved' ? payload.from : undefined) };
          }
          case 'cancelled':
            return { activity: cancelledNotice(payload.booking, payload.by) };
          case 'coachChangedTime': {
            const { daysAhead } = this.options.booking;
            const free = (await freeSlots(this.options.bookings, daysAhead, new Date(now), payload.booking.staffId)).slice(0, 10);
            return { activity: coachChangedTimeNotice(payload.booking, free, daysAhead) };
          }
          case 'unreachable':
            return { activity: unreachableNotice(payload.booking, payload.unreachable, payload.about) };
        }
      }
    }
  }

  /** The slot, if it is still booked as this booking (same person, same booking time). */
  private async bookingStands(b: BookingRef): Promise<Slot | undefined> {
    try {
      const resource = (await this.options.bookings.read<Slot>(b.slotId, b.coachId))?.doc;
      return resource?.status === 'booked' && resource.booking?.staffId === b.staffId && resource.booking.bookedAt === b.bookedAt ? resource : undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  private async sharedProgramme(staffId: string): Promise<string> {
    const staff = (await this.options.people.readOne(staffId)) as PersonDoc | undefined;
    return staff?.programme ? programmeForCoach(staff.programme) : 'Shared, but there is nothing to show yet';
  }

  /** Refused, unreachable or out of time: never retried. For a booking, the other person is told once. */
  private async undeliverable(claimed: Job, etag: string, code: string, attempts: number, log: Logger): Promise<{ outcome: 'undeliverable'; created: string[] }> {
    await this.finish(claimed, etag, { state: 'undeliverable', attempts, lastError: code }, log);
    const about = bookingSideOf(claimed);
    log.warn({ code, attempts, tellOtherSide: !!about }, 'job undeliverable: the recipient could not be reached in Teams');
    if (!about) return { outcome: 'undeliverable', created: [] };
    const now = new Date(this.now());
    if (now.getTime() >= Date.parse(about.booking.end)) return { outcome: 'undeliverable', created: [] };
    const notice = noticeJob({ notice: 'unreachable', booking: about.booking, unreachable: about.side, about: about.about }, now);
    try {
      await this.options.jobs.items.create(notice);
      return { outcome: 'undeliverable', created: [notice.id] };
    } catch (err) {
      // 409: the other side has already been told about this person and this booking.
      if (statusOf(err) !== 409) log.error({ err: errorFields(err) }, 'could not enqueue the notice to the other side');
      return { outcome: 'undeliverable', created: [] };
    }
  }

  /**
   * Records the outcome over the claimed copy. If the job changed meanwhile (cancelled while it was being
   * sent), the outcome is re-applied to the fresh copy as long as the claim is still ours; a retry never
   * brings a cancelled job back. Store failures are retried a few times; after that the claim runs out.
   */
  private async finish(claimed: Job, etag: string, outcome: Partial<Job> & { state: JobState }, log: Logger): Promise<void> {
    const finishedAt = new Date(this.now()).toISOString();
    const apply = (current: Job): Job | undefined => {
      if (current.claimedBy !== this.instanceId || current.claimedUntil !== claimed.claimedUntil) return undefined;
      const base: Job = { ...current, claimedBy: undefined, claimedUntil: undefined };
      if (outcome.state === 'pending') return current.state === 'pending' ? ({ ...base, ...outcome } as Job) : base;
      return { ...base, ...outcome, finishedAt, ttl: FINISHED_TTL_SECONDS } as Job;
    };
    let current: { job: Job; etag: string } | undefined = { job: claimed, etag };
    for (let attempt = 1; current && attempt <= 6; attempt += 1) {
      try {
        const next = apply(current.job);
        if (!next) return;
        if ((await replaceIfUnchanged(this.options.jobs, next, current.etag)) !== undefined) return;
        current = await readJob(this.options.jobs, claimed.id);
      } catch (err) {
        if (attempt >= 4) {
          log.error({ err: errorFields(err) }, 'could not record the job outcome; it may be sent again');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }
}

function emptyResult(): JobPassResult {
  return { sent: 0, retrying: 0, undeliverable: 0, cancelled: 0, skipped: 0 };
}

async function readJob(jobs: Container, id: string): Promise<{ job: Job; etag: string } | undefined> {
  try {
    const { resource, etag } = await jobs.item(id, id).read<StoredJob>();
    if (!resource || resource.docType !== 'job') return undefined;
    return { job: withoutSystemFields(resource), etag: etag ?? resource._etag ?? '' };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** Replaces the job only if it still has `etag`; resolves with the new eTag, or undefined when someone else changed it first. */
async function replaceIfUnchanged(jobs: Container, job: Job, etag: string): Promise<string | undefined> {
  try {
    const { etag: next, resource } = await jobs.item(job.id, job.id).replace<StoredJob>(dropUndefined(job), { accessCondition: { type: 'IfMatch', condition: etag } });
    return next ?? resource?._etag ?? '';
  } catch (err) {
    const status = statusOf(err);
    if (status === 412 || status === 404) return undefined;
    throw err;
  }
}

function withoutSystemFields(job: StoredJob): Job {
  const { _rid: _r, _self: _s, _etag: _e, _ts: _t, _attachments: _a, ...rest } = job as StoredJob & Record<string, unknown>;
  return rest as Job;
}

function dropUndefined(job: Job): Job {
  return JSON.parse(JSON.stringify(job)) as Job;
}

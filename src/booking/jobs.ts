import type { Activity, TurnContext } from 'botbuilder';
import type { BookingSettings } from '../config';
import { afterTurnSaved } from '../turn/afterSave';
import type { Programme } from '../coaching/programme';
import type { CoachingSection } from '../coaching/turnData';
import { updateIfUnchanged } from '../persistence/conditionalUpdate';
import type { People, Versioned } from '../persistence/versioned';
import { errorFields, type Logger } from '../logger';
import { ClaimedOutbox, type Claimed } from '../proactive/outbox';
import type { ReachSection } from '../proactive/reach';
import { backoffMs, type ProactiveSender, type SendError } from '../proactive/sender';
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
import type { Jobs } from './jobsPort';

/**
 * Stored jobs: booking notices, reminders 24 hours and 15 minutes before a session, and the plan check-in
 * some days after session 1. One document per job in the `jobs` container, with a deterministic id, so
 * enqueueing the same job twice (a turn run again, a retried request) creates it once.
 *
 * The JobWorker is the jobs' policy of the claimed outbox (src/proactive/outbox.ts, which claims, sends and
 * records); any number of instances on one store send what is due:
 * 1. finds pending jobs with nextAttemptAt <= now;
 * 2. claims each with a replace conditional on the eTag it read (claimedBy, claimedUntil = now + 60 s);
 *    a conflict means another worker got there first: skip. A live claim is skipped too;
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
export { CLAIM_MS } from '../proactive/outbox';
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
  jobs: Jobs;
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
      if ((await this.options.jobs.create(job)) === 'created') this.log.debug({ jobId: job.id, kind: job.kind, dueAt: job.dueAt }, 'job enqueued');
    }
    return jobs.map((j) => j.id);
  }

  /** Cancels whichever of these jobs are still pending; resolves with the ids it cancelled. */
  async cancel(ids: string[], reason: string, now: Date = new Date()): Promise<string[]> {
    const cancelled: string[] = [];
    for (const id of ids) {
      const { changed } = await updateIfUnchanged(jobDocument(this.options.jobs, id), {
        name: 'cancel job',
        // A claim in progress is left in place: the worker re-reads the booking before sending, and its
        // record of a send it did make is re-applied over this.
        apply: (job) =>
          job?.state === 'pending' ? { write: { ...job, state: 'cancelled' as const, lastError: reason, finishedAt: now.toISOString(), ttl: FINISHED_TTL_SECONDS }, result: undefined } : { keep: undefined },
      });
      if (changed) cancelled.push(id);
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

// --- the worker -----------------------------------------------------------------------------------------

export interface JobWorkerOptions {
  jobs: Jobs;
  bookings: Bookings;
  /** Everyone's own document: the conversation reference to send to, and the programme a coach may see. */
  people: People<CoachingSection & ReachSection>;
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

type Prepared = { activity: Partial<Activity> } | { skip: string };
type Outcome = { outcome: keyof JobPassResult; created: string[] };

export class JobWorker {
  private readonly random: () => number;
  private readonly engine: ClaimedOutbox<Job, JobPassResult>;

  constructor(private readonly options: JobWorkerOptions) {
    this.random = options.random ?? Math.random;
    this.engine = new ClaimedOutbox<Job, JobPassResult>({
      component: 'jobWorker',
      items: options.jobs,
      claimOf: (job) => (job.claimedBy && job.claimedUntil ? { by: job.claimedBy, until: job.claimedUntil } : undefined),
      withClaim: (job, claim) => ({ ...job, claimedBy: claim?.by, claimedUntil: claim?.until }),
      sender: options.sender,
      logger: options.logger,
      pass: () => this.runPass(),
      pollMs: () => options.booking.jobPollMs,
      instanceId: options.instanceId,
      now: options.now,
      claimMs: options.claimMs,
    });
  }

  get instanceId(): string {
    return this.engine.instanceId;
  }

  /** Runs a pass now and then every jobPollMs until stop(). */
  start(): void {
    this.engine.start();
  }

  /** Stops polling; resolves once the pass and any immediate deliveries in progress have finished. */
  stop(): Promise<void> {
    return this.engine.stop();
  }

  /** One pass over every due job; passes on one instance never overlap. */
  runOnce(): Promise<JobPassResult> {
    return this.engine.runOnce();
  }

  /** Sends these jobs now if they are due and unclaimed (a booking's notices, straight after the turn). */
  deliverNow(ids: string[]): Promise<JobPassResult> {
    return this.engine.track(async () => {
      const result = emptyResult();
      await this.processIds([...ids], result);
      return result;
    });
  }

  private async runPass(): Promise<JobPassResult> {
    const result = emptyResult();
    const started = this.engine.now();
    const queue = await this.options.jobs.due(new Date(started).toISOString());
    const followUps: string[] = [];
    for (const found of queue) {
      if (this.engine.stopping) break;
      await this.processCounting(found, result, followUps);
    }
    // Jobs this pass created ("I couldn't reach them") go out now too.
    await this.processIds(followUps, result);
    if (queue.length > 0) this.engine.log.debug({ ...result, ms: this.engine.now() - started }, 'job worker pass');
    return result;
  }

  /** Processes jobs by id, in order, including any they create on the way. */
  private async processIds(queue: string[], result: JobPassResult): Promise<void> {
    for (let i = 0; i < queue.length && !this.engine.stopping; i += 1) {
      const found = await this.options.jobs.read(queue[i]!);
      if (found) await this.processCounting(found, result, queue);
    }
  }

  private async processCounting(found: Versioned<Job>, result: JobPassResult, followUps: string[]): Promise<void> {
    try {
      const { outcome, created } = await this.process(found);
      result[outcome] += 1;
      followUps.push(...created);
    } catch (err) {
      // The store failing mid-way: the job stays as it was (or claimed, until the claim runs out).
      result.skipped += 1;
      this.engine.log.error({ err: errorFields(err), jobId: found.doc.id, kind: found.doc.kind }, 'job worker could not process a job');
    }
  }

  private async process(found: Versioned<Job>): Promise<Outcome> {
    const skipped = { outcome: 'skipped' as const, created: [] };
    const { engine } = this;
    const now = engine.now();
    if (found.doc.state !== 'pending' || Date.parse(found.doc.nextAttemptAt) > now) return skipped;
    const log = engine.log.child({ jobId: found.doc.id, kind: found.doc.kind, recipientUserId: found.doc.recipientUserId });

    // 1. Claim, on the eTag read: if anything changed since, someone else got there first.
    const claimed = await engine.claim(found);
    if (!claimed) return skipped;
    const job = claimed.item;

    if (now >= Date.parse(job.expiresAt)) {
      await this.finish(claimed, { state: 'cancelled', lastError: 'expired' }, log);
      log.info('job expired before it could be sent');
      return { outcome: 'cancelled', created: [] };
    }

    // 2. Work out the message now, from the current booking and programme.
    const recipient = await this.options.people.readOne(job.recipientUserId);
    const prepared = await this.prepare(job, recipient);
    if ('skip' in prepared) {
      await this.finish(claimed, { state: 'cancelled', lastError: prepared.skip }, log);
      log.info({ reason: prepared.skip }, 'job no longer needed; cancelled');
      return { outcome: 'cancelled', created: [] };
    }
    const reference = recipient?.conversationReference;
    if (!reference?.serviceUrl || !reference.conversation?.id) return this.undeliverable(claimed, 'no-reference', job.attempts, log);

    // 3. Send.
    const started = engine.now();
    const sent = await engine.send(reference, prepared.activity);
    if ('error' in sent) {
      const step = afterFailure(job, sent.error, engine.now(), this.random);
      if (step.state === 'undeliverable') return this.undeliverable(claimed, sent.error.code, step.attempts, log);
      log.warn({ attempts: step.attempts, code: sent.error.code, retryAt: step.nextAttemptAt, ms: engine.now() - started }, 'job send failed; will retry');
      await this.finish(claimed, { state: 'pending', attempts: step.attempts, nextAttemptAt: step.nextAttemptAt, lastError: sent.error.code }, log);
      return { outcome: 'retrying', created: [] };
    }

    // 4. Record.
    await this.finish(claimed, { state: 'sent', activityId: sent.activityId, attempts: job.attempts + 1 }, log);
    log.info({ ms: engine.now() - started, attempts: job.attempts + 1 }, 'job sent');
    return { outcome: 'sent', created: [] };
  }

  private async prepare(job: Job, recipient: CoachingSection | undefined): Promise<Prepared> {
    const now = this.engine.now();
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
    const resource = (await this.options.bookings.read<Slot>(b.slotId, b.coachId))?.doc;
    return resource?.status === 'booked' && resource.booking?.staffId === b.staffId && resource.booking.bookedAt === b.bookedAt ? resource : undefined;
  }

  private async sharedProgramme(staffId: string): Promise<string> {
    const staff = await this.options.people.readOne(staffId);
    return staff?.programme ? programmeForCoach(staff.programme) : 'Shared, but there is nothing to show yet';
  }

  /** Refused, unreachable or out of time: never retried. For a booking, the other person is told once. */
  private async undeliverable(claimed: Claimed<Job>, code: string, attempts: number, log: Logger): Promise<Outcome> {
    await this.finish(claimed, { state: 'undeliverable', attempts, lastError: code }, log);
    const about = bookingSideOf(claimed.item);
    log.warn({ code, attempts, tellOtherSide: !!about }, 'job undeliverable: the recipient could not be reached in Teams');
    if (!about) return { outcome: 'undeliverable', created: [] };
    const now = new Date(this.engine.now());
    if (now.getTime() >= Date.parse(about.booking.end)) return { outcome: 'undeliverable', created: [] };
    const notice = noticeJob({ notice: 'unreachable', booking: about.booking, unreachable: about.side, about: about.about }, now);
    try {
      // 'exists': the other side has already been told about this person and this booking.
      return { outcome: 'undeliverable', created: (await this.options.jobs.create(notice)) === 'created' ? [notice.id] : [] };
    } catch (err) {
      log.error({ err: errorFields(err) }, 'could not enqueue the notice to the other side');
      return { outcome: 'undeliverable', created: [] };
    }
  }

  /**
   * Records the outcome over the claimed copy. If the job changed meanwhile (cancelled while it was being
   * sent), the outcome is re-applied to the fresh copy as long as the claim is still ours; a retry never
   * brings a cancelled job back.
   */
  private async finish(claimed: Claimed<Job>, outcome: Partial<Job> & { state: JobState }, log: Logger): Promise<void> {
    const { engine } = this;
    const finishedAt = new Date(engine.now()).toISOString();
    await engine.record(claimed, `record job ${outcome.state}`, (current) => {
      if (!engine.stillOurs(current, claimed)) return undefined;
      const base = engine.released(current);
      if (outcome.state === 'pending') return current.state === 'pending' ? ({ ...base, ...outcome } as Job) : base;
      return { ...base, ...outcome, finishedAt, ttl: FINISHED_TTL_SECONDS } as Job;
    }, log);
  }
}

function emptyResult(): JobPassResult {
  return { sent: 0, retrying: 0, undeliverable: 0, cancelled: 0, skipped: 0 };
}

/** One job as a VersionedDocument for the conditional update (a change never creates a job). */
function jobDocument(jobs: Jobs, id: string) {
  return {
    read: () => jobs.read(id),
    write: async (job: Job, eTag: string | undefined) => (eTag === undefined ? undefined : jobs.replaceIfUnchanged(job, eTag)),
  };
}

import { SendError } from '../proactive/sender';
import { afterFailure, bookingSideOf, jobIds, jobIdsOfBooking, MAX_ATTEMPTS, noticeJob, planCheckInJob, reminderJobs, retryDelayMs, type BookingRef } from './jobs';

const booking: BookingRef = {
  slotId: 'slot-1',
  coachId: 'coach-1',
  coachName: 'Daniel Okafor',
  staffId: 'staff-1',
  staffName: 'Amara Mensah',
  start: '2026-12-02T10:00:00.000Z',
  end: '2026-12-02T11:00:00.000Z',
  bookedAt: '2026-11-24T12:00:00.000Z',
};
const hour = 3600_000;
const at = (iso: string) => new Date(iso);

describe('reminder jobs for a booking', () => {
  it('are 24 hours and 15 minutes before, to both people, with ids that are the same however often they are made', () => {
    const jobs = reminderJobs(booking, at('2026-11-24T12:00:00Z'));
    expect(jobs.map((j) => [j.kind, j.recipientUserId, j.dueAt])).toEqual([
      ['reminder24h', 'coach-1', '2026-12-01T10:00:00.000Z'],
      ['reminder24h', 'staff-1', '2026-12-01T10:00:00.000Z'],
      ['reminder15m', 'coach-1', '2026-12-02T09:45:00.000Z'],
      ['reminder15m', 'staff-1', '2026-12-02T09:45:00.000Z'],
    ]);
    expect(jobs.every((j) => j.state === 'pending' && j.attempts === 0 && j.nextAttemptAt === j.dueAt && j.expiresAt === booking.start)).toBe(true);
    expect(reminderJobs(booking, at('2026-11-25T08:00:00Z')).map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect(jobs.map((j) => j.id)).toEqual(jobIdsOfBooking(booking).slice(0, 4));
    // A new booking of the same slot (after a cancellation) is a different booking with its own jobs.
    expect(reminderJobs({ ...booking, bookedAt: '2026-11-26T09:00:00.000Z' }, at('2026-11-26T09:00:00Z'))[0]!.id).not.toBe(jobs[0]!.id);
  });

  it('skip a reminder whose time has already passed', () => {
    expect(reminderJobs(booking, at('2026-12-01T18:00:00Z')).map((j) => j.kind)).toEqual(['reminder15m', 'reminder15m']);
    expect(reminderJobs(booking, at('2026-12-02T09:50:00Z'))).toEqual([]);
  });
});

describe('notice jobs', () => {
  it('go to the other side of the change, due now, and are pointless after the session', () => {
    const now = at('2026-11-24T12:00:00Z');
    expect(noticeJob({ notice: 'booked', booking }, now).recipientUserId).toBe('coach-1');
    expect(noticeJob({ notice: 'cancelled', by: 'staff', booking }, now).recipientUserId).toBe('coach-1');
    expect(noticeJob({ notice: 'cancelled', by: 'coach', booking }, now).recipientUserId).toBe('staff-1');
    expect(noticeJob({ notice: 'coachChangedTime', booking }, now).recipientUserId).toBe('staff-1');
    const unreachable = noticeJob({ notice: 'unreachable', booking, unreachable: 'coach', about: 'reminder' }, now);
    expect(unreachable).toMatchObject({ id: jobIds.unreachable(booking, 'coach'), recipientUserId: 'staff-1', dueAt: now.toISOString(), expiresAt: booking.end });
  });

  it('know the other side of a booking job, except for the "couldn\'t reach" notice itself and check-ins', () => {
    const now = at('2026-11-24T12:00:00Z');
    const [toCoach, toStaff] = reminderJobs(booking, now);
    expect(bookingSideOf(toCoach!)).toEqual({ booking, side: 'coach', about: 'reminder' });
    expect(bookingSideOf(toStaff!)).toEqual({ booking, side: 'staff', about: 'reminder' });
    expect(bookingSideOf(noticeJob({ notice: 'booked', booking }, now))).toEqual({ booking, side: 'coach', about: 'booked' });
    expect(bookingSideOf(noticeJob({ notice: 'unreachable', booking, unreachable: 'coach', about: 'booked' }, now))).toBeUndefined();
    expect(bookingSideOf(planCheckInJob('staff-1', { startedAt: '2026-11-01T00:00:00.000Z' }, 14, now))).toBeUndefined();
  });

  it('make Cosmos-safe ids', () => {
    expect(jobIds.planCheckIn('29:a/b?c#d\\e', '2026-11-01T00:00:00.000Z')).toBe('plan-check-in:29:a_b_c_d_e:2026-11-01T00:00:00.000Z');
  });
});

describe('the plan check-in job', () => {
  it('is due the configured number of days later and is one per programme', () => {
    const job = planCheckInJob('staff-1', { startedAt: '2026-11-01T00:00:00.000Z' }, 14, at('2026-11-10T09:00:00Z'));
    expect(job).toMatchObject({ kind: 'planCheckIn', recipientUserId: 'staff-1', dueAt: '2026-11-24T09:00:00.000Z', expiresAt: '2026-12-01T09:00:00.000Z' });
    expect(planCheckInJob('staff-1', { startedAt: '2026-11-01T00:00:00.000Z' }, 14, at('2026-11-12T09:00:00Z')).id).toBe(job.id);
  });
});

describe('after a failed send', () => {
  const job = { attempts: 0, expiresAt: '2026-12-02T10:00:00.000Z' };
  const now = Date.parse('2026-11-24T12:00:00Z');

  it('backs off exponentially with ±20 % jitter up to 10 minutes, or waits as long as Teams asked', () => {
    const retryable = new SendError('retryable', 'http-503', 503);
    expect(retryDelayMs(1, retryable, () => 0.5)).toBe(2000);
    expect(retryDelayMs(3, retryable, () => 0.5)).toBe(8000);
    expect(retryDelayMs(1, retryable, () => 0)).toBe(1600);
    expect(retryDelayMs(1, retryable, () => 0.999999)).toBe(2400);
    expect(retryDelayMs(30, retryable, () => 0.5)).toBe(600_000);
    expect(retryDelayMs(1, new SendError('retryable', 'http-429', 429, 7000), () => 0)).toBe(7000);
  });

  it('retries throttling and service errors, and never retries a refusal', () => {
    expect(afterFailure(job, new SendError('retryable', 'http-429', 429, 5000), now)).toEqual({ state: 'pending', attempts: 1, nextAttemptAt: new Date(now + 5000).toISOString() });
    for (const status of [401, 403, 404]) expect(afterFailure(job, new SendError('later', `http-${status}`, status), now)).toEqual({ state: 'undeliverable', attempts: 1 });
  });

  it('gives up after MAX_ATTEMPTS, or when the next try would come after the job is any use', () => {
    const failing = new SendError('retryable', 'http-500', 500);
    expect(afterFailure({ ...job, attempts: MAX_ATTEMPTS - 1 }, failing, now).state).toBe('undeliverable');
    expect(afterFailure({ ...job, expiresAt: new Date(now + 1000).toISOString() }, failing, now, () => 0.5).state).toBe('undeliverable');
    expect(afterFailure({ ...job, expiresAt: new Date(now + hour).toISOString() }, failing, now, () => 0.5).state).toBe('pending');
  });
});

import { openStore, type Store } from '../store/store';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { MemoryBookings } from '../store/memoryBookings';
import { withRacingReads } from '../../test/support/racingReads';
import type { Bookings, BookingsDocument } from './bookingsPort';
import { bookSlot, changeSlot, freeSlots, publishAvailability, slotLabel, type Slot } from './slots';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const coach = { id: 'coach-aad-1', name: 'Daniel Okafor' };
const now = new Date('2026-11-24T12:00:00Z');

describe('slots in the bookings container', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore(loadConfig({ LOCAL_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'slots-')) }).store, createLogger('silent'));
  });
  afterAll(() => store.close());

  it('keeps 10:00 London time across the spring clock change and skips a time that does not exist', async () => {
    const weekly = await publishAvailability(store.bookings, coach, { card: 'availability', date: '2027-03-21', time: '10:00', minutes: 60, weeks: 1 }, now);
    expect(weekly.created.map((s) => s.start)).toEqual(['2027-03-21T10:00:00.000Z', '2027-03-28T09:00:00.000Z']);
    expect(weekly.created.map(slotLabel)).toEqual(['Sun 21 Mar, 10:00–11:00', 'Sun 28 Mar, 10:00–11:00']);

    const gap = await publishAvailability(store.bookings, coach, { card: 'availability', date: '2027-03-28', time: '01:30', minutes: 30, weeks: 0 }, now);
    expect(gap.created).toEqual([]);
    expect(gap.skipped).toEqual([{ localStart: '2027-03-28 01:30', why: 'noSuchTime' }]);
  });

  it('keeps 09:30 London time across the autumn clock change, and refuses the past and overlaps', async () => {
    const autumn = await publishAvailability(store.bookings, coach, { card: 'availability', date: '2027-10-24', time: '09:30', minutes: 45, weeks: 1 }, now);
    expect(autumn.created.map((s) => s.start)).toEqual(['2027-10-24T08:30:00.000Z', '2027-10-31T09:30:00.000Z']);
    const again = await publishAvailability(store.bookings, coach, { card: 'availability', date: '2027-10-24', time: '10:00', minutes: 30, weeks: 0 }, now);
    expect(again.skipped).toEqual([{ localStart: '2027-10-24 10:00', why: 'overlaps' }]);
    const past = await publishAvailability(store.bookings, coach, { card: 'availability', date: '2026-11-20', time: '10:00', minutes: 30, weeks: 0 }, now);
    expect(past.skipped).toEqual([{ localStart: '2026-11-20 10:00', why: 'past' }]);
  });

  it('lets exactly one of two simultaneous bookings have a slot, and frees it again when the staff member cancels', async () => {
    const { created } = await publishAvailability(store.bookings, coach, { card: 'availability', date: '2026-11-30', time: '14:00', minutes: 60, weeks: 0 }, now);
    const slot = created[0]!;
    const booking = (staffId: string) => ({ staffId, staffName: staffId, bookedAt: now.toISOString(), shareProgramme: false });
    const outcomes = await Promise.all([
      bookSlot(store.bookings, coach.id, slot.id, booking('staff-a'), now),
      bookSlot(store.bookings, coach.id, slot.id, booking('staff-b'), now),
    ]);
    expect(outcomes.filter((o) => 'booked' in o)).toHaveLength(1);
    expect(outcomes.filter((o) => 'taken' in o)).toHaveLength(1);
    expect((await freeSlots(store.bookings, 14, now)).map((s) => s.id)).not.toContain(slot.id);

    const winner = (outcomes.find((o) => 'booked' in o) as { booked: { booking: { staffId: string } } }).booked.booking.staffId;
    const loser = winner === 'staff-a' ? 'staff-b' : 'staff-a';
    expect(await changeSlot(store.bookings, coach.id, slot.id, { id: loser, asCoach: false }, 'cancel', now)).toEqual({ notAllowed: true });
    const cancelled = await changeSlot(store.bookings, coach.id, slot.id, { id: winner, asCoach: false }, 'cancel', now);
    expect('changed' in cancelled && cancelled.changed.status).toBe('free');
    expect((await freeSlots(store.bookings, 14, now)).map((s) => s.id)).toContain(slot.id);
  });

  it('shows only the next 14 days', async () => {
    const soon = await publishAvailability(store.bookings, coach, { card: 'availability', date: '2026-12-01', time: '08:00', minutes: 30, weeks: 3 }, now);
    const listed = (await freeSlots(store.bookings, 14, now)).map((s) => s.id);
    expect(listed).toContain(soon.created[0]!.id);
    expect(listed).toContain(soon.created[1]!.id);
    expect(listed).not.toContain(soon.created[2]!.id);
  });
});

describe('changing a slot someone else is changing at the same moment (memory twin)', () => {
  /** Memory bookings where, just after each of the first `times` reads, the coach's sign-in name is saved on the slot by another turn. */
  function racing(times: number) {
    const bookings = new MemoryBookings();
    const { port: racingBookings, raced } = withRacingReads(bookings as Bookings, 'read', times, async (found, race) => {
      expect(await bookings.replaceIfUnchanged({ ...found!.doc, coachUpn: `daniel${race}@trust.example` } as BookingsDocument, found!.eTag)).toBe('saved');
    });
    return { bookings, racingBookings, raced };
  }

  async function bookedSlot(bookings: Bookings): Promise<Slot> {
    const { created } = await publishAvailability(bookings, coach, { card: 'availability', date: '2026-11-30', time: '14:00', minutes: 60, weeks: 0 }, now);
    const booked = await bookSlot(bookings, coach.id, created[0]!.id, { staffId: 'staff-a', staffName: 'Staff A', bookedAt: now.toISOString(), shareProgramme: false }, now);
    if (!('booked' in booked)) throw new Error('not booked');
    return booked.booked;
  }

  it('cancels on a fresh copy after a conflict, keeping the other change', async () => {
    const { bookings, racingBookings, raced } = racing(1);
    const slot = await bookedSlot(bookings);
    const cancelled = await changeSlot(racingBookings, coach.id, slot.id, { id: 'staff-a', asCoach: false }, 'cancel', now);
    expect(raced()).toBe(1);
    expect('changed' in cancelled && cancelled.changed.status).toBe('free');
    const stored = (await bookings.read<Slot>(slot.id, coach.id))!.doc;
    expect(stored).toMatchObject({ status: 'free', coachUpn: 'daniel1@trust.example' });
    expect(stored.booking).toBeUndefined();
    expect(stored.history.map((h) => h.event)).toEqual(['published', 'booked', 'cancelled by staff']);
  });

  it('refuses as not allowed, and leaves the booking as it is, when the slot keeps changing', async () => {
    const { bookings, racingBookings, raced } = racing(Infinity);
    const slot = await bookedSlot(bookings);
    expect(await changeSlot(racingBookings, coach.id, slot.id, { id: 'staff-a', asCoach: false }, 'cancel', now)).toEqual({ notAllowed: true });
    expect(raced()).toBe(3);
    expect((await bookings.read<Slot>(slot.id, coach.id))!.doc).toMatchObject({ status: 'booked', booking: { staffId: 'staff-a' } });
  });
});

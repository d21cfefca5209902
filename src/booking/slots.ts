import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { updateIfUnchanged, UpdateConflictError, type Decision } from '../persistence/conditionalUpdate';
import { bookingDocument, type Bookings } from './bookingsPort';
import { wholeNumberInput } from '../coaching/cardSubmissions';

/**
 * Coaches' availability and bookings: one document per slot in the `bookings` container, partitioned by
 * coach. A slot is booked by an eTag-conditional replace, so of two people choosing it at once exactly one
 * gets it. Times are stored in UTC and always shown in Europe/London, which luxon keeps right across the
 * clock changes.
 */
export const LONDON = 'Europe/London';

export interface Booking {
  staffId: string;
  staffName: string;
  bookedAt: string;
  /** The staff member's choice: may the coach see their programme so far? Default no. */
  shareProgramme: boolean;
  /** For the meeting link's attendees, when Teams told the bot their sign-in name. */
  staffUpn?: string;
}

export interface Slot {
  id: string;
  docType: 'slot';
  coachId: string;
  coachName: string;
  /** For the meeting link's attendees, when Teams told the bot the coach's sign-in name. */
  coachUpn?: string;
  start: string;
  end: string;
  status: 'free' | 'booked' | 'withdrawn';
  booking?: Booking;
  history: { at: string; event: string; by: string }[];
}

export const availabilitySubmission = z.object({
  card: z.literal('availability'),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Please choose a date.'),
  time: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'Please choose a start time.'),
  minutes: wholeNumberInput.pipe(z.number().min(15, 'Sessions are at least 15 minutes.').max(240, 'Sessions are at most 4 hours.')),
  weeks: wholeNumberInput.pipe(z.number().min(0).max(12, 'You can repeat for up to 12 weeks.')),
});
export type AvailabilityRequest = z.infer<typeof availabilitySubmission>;

/** "Tue 2 Dec, 10:00–11:00" in London time. */
export function slotLabel(slot: Pick<Slot, 'start' | 'end'>): string {
  const start = DateTime.fromISO(slot.start).setZone(LONDON).setLocale('en-GB');
  const end = DateTime.fromISO(slot.end).setZone(LONDON);
  return `${start.toFormat('ccc d LLL, HH:mm')}–${end.toFormat('HH:mm')}`;
}

export interface PublishResult {
  created: Slot[];
  /** Weeks skipped, with why: in the past, a time that does not exist that day (clock change), or overlapping. */
  skipped: { localStart: string; why: 'past' | 'noSuchTime' | 'overlaps' }[];
}

export async function publishAvailability(
  bookings: Bookings,
  coach: { id: string; name: string; upn?: string },
  request: AvailabilityRequest,
  now: Date = new Date(),
): Promise<PublishResult> {
  const existing = await slotsOfCoach(bookings, coach.id);
  const result: PublishResult = { created: [], skipped: [] };
  const time = request.time.slice(0, 5);
  for (let week = 0; week <= request.weeks; week += 1) {
    const day = DateTime.fromISO(request.date, { zone: LONDON }).plus({ weeks: week });
    const local = DateTime.fromISO(`${day.toISODate()}T${time}`, { zone: LONDON });
    const localStart = `${day.toISODate()} ${time}`;
    // Luxon moves a time inside the spring-forward gap to a later hour; such a start does not exist.
    if (!local.isValid || local.toFormat('HH:mm') !== time) {
      result.skipped.push({ localStart, why: 'noSuchTime' });
      continue;
    }
    const start = local.toUTC();
    const end = start.plus({ minutes: request.minutes });
    if (start.toMillis() <= now.getTime()) {
      result.skipped.push({ localStart, why: 'past' });
      continue;
    }
    const overlaps = existing.some((s) => s.status !== 'withdrawn' && Date.parse(s.start) < end.toMillis() && Date.parse(s.end) > start.toMillis());
    if (overlaps) {
      result.skipped.push({ localStart, why: 'overlaps' });
      continue;
    }
    const slot: Slot = {
      id: `slot-${randomUUID()}`,
      docType: 'slot',
      coachId: coach.id,
      coachName: coach.name,
      ...(coach.upn ? { coachUpn: coach.upn } : {}),
      start: start.toISO()!,
      end: end.toISO()!,
      status: 'free',
      history: [{ at: now.toISOString(), event: 'published', by: coach.id }],
    };
    await bookings.create(slot);
    existing.push(slot);
    result.created.push(slot);
  }
  return result;
}

export async function slotsOfCoach(bookings: Bookings, coachId: string): Promise<Slot[]> {
  return (await bookings.slotsOfCoach(coachId)).sort(byStart);
}

/** Free slots from now until `days` ahead, soonest first. */
export async function freeSlots(bookings: Bookings, days: number, now: Date = new Date(), excludeCoach?: string): Promise<Slot[]> {
  const until = DateTime.fromJSDate(now).plus({ days }).toUTC().toISO()!;
  return (await bookings.freeSlotsStarting(now.toISOString(), until)).filter((s) => s.coachId !== excludeCoach).sort(byStart);
}

export async function bookingsOfStaff(bookings: Bookings, staffId: string, now: Date = new Date()): Promise<Slot[]> {
  return (await bookings.bookedSlotsOf(staffId, now.toISOString())).sort(byStart);
}

export type BookOutcome = { booked: Slot } | { taken: true } | { notFound: true };

/** Books a free slot for the staff member; exactly one of two simultaneous bookings wins. */
export async function bookSlot(bookings: Bookings, coachId: string, slotId: string, booking: Booking, now: Date = new Date()): Promise<BookOutcome> {
  const stored = await bookings.read<Slot>(slotId, coachId);
  if (!stored || stored.doc.docType !== 'slot') return { notFound: true };
  const { doc: resource, eTag } = stored;
  if (resource.status !== 'free' || Date.parse(resource.start) <= now.getTime()) return { taken: true };
  const booked: Slot = {
    ...resource,
    status: 'booked',
    booking,
    history: [...resource.history, { at: now.toISOString(), event: 'booked', by: booking.staffId }],
  };
  return (await bookings.replaceIfUnchanged(booked, eTag)) === 'saved' ? { booked } : { taken: true };
}

export type ChangeOutcome = { changed: Slot; before: Slot } | { notAllowed: true } | { notFound: true };

/** Tries of a change to a slot before it is refused as not allowed (someone else keeps changing it). */
const SLOT_CHANGE_ATTEMPTS = 3;

/**
 * Cancels a booking (by the staff member: the slot is free again; by the coach: the slot is withdrawn) or
 * withdraws a free slot (coach only). Conditional on the eTag, tried again on a fresh copy after a race.
 */
export async function changeSlot(
  bookings: Bookings,
  coachId: string,
  slotId: string,
  by: { id: string; asCoach: boolean },
  action: 'cancel' | 'withdraw',
  now: Date = new Date(),
): Promise<ChangeOutcome> {
  try {
    const { result } = await updateIfUnchanged(
      bookingDocument<Slot>(bookings, slotId, coachId),
      {
        name: `${action} slot`,
        apply: (resource): Decision<Slot, ChangeOutcome> => {
          if (!resource || resource.docType !== 'slot') return { keep: { notFound: true } };
          const isTheCoach = by.asCoach && resource.coachId === by.id;
          const isTheStaff = resource.booking?.staffId === by.id;
          let next: Slot;
          if (action === 'withdraw' && isTheCoach && resource.status === 'free') {
            next = { ...resource, status: 'withdrawn' };
          } else if (action === 'cancel' && resource.status === 'booked' && (isTheCoach || isTheStaff)) {
            const { booking: _cancelled, ...rest } = resource;
            next = { ...rest, status: isTheCoach ? 'withdrawn' : 'free' };
          } else {
            return { keep: { notAllowed: true } };
          }
          next.history = [...resource.history, { at: now.toISOString(), event: action === 'withdraw' ? 'withdrawn' : isTheCoach ? 'cancelled by coach' : 'cancelled by staff', by: by.id }];
          return { write: next, result: { changed: next, before: resource } };
        },
      },
      { attempts: SLOT_CHANGE_ATTEMPTS },
    );
    return result;
  } catch (err) {
    if (err instanceof UpdateConflictError) return { notAllowed: true };
    throw err;
  }
}

function byStart(a: Slot, b: Slot): number {
  return a.start.localeCompare(b.start);
}

/** A link that opens Teams' meeting scheduling form filled in with both people, the time and a subject. */
export function meetingLink(slot: Pick<Slot, 'start' | 'end'>, attendees: string[]): string {
  const params = new URLSearchParams({
    subject: 'Coaching session',
    startTime: slot.start,
    endTime: slot.end,
    content: 'Solution-focused coaching session booked through the staff coaching bot.',
  });
  if (attendees.length) params.set('attendees', attendees.join(','));
  return `https://teams.microsoft.com/l/meeting/new?${params.toString()}`;
}

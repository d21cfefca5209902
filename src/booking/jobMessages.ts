import { MessageFactory, type Activity } from 'botbuilder';
import { DateTime } from 'luxon';
import { renderCard, type CardData } from '../cards/render';
import { activeGoal, latestPlan, latestScale, type Programme } from '../coaching/programme';
import { asWritten } from '../turn/cards';
import type { BookingRef, JobPurpose, Side } from './jobs';
import { LONDON, meetingLink, slotLabel, type Slot } from './slots';

/**
 * What the job worker says, worked out when a job is sent (so it is never stale): reminders, booking
 * notices, "I couldn't reach them" and the plan check-in. Pure functions of ids, names, times and the
 * clock; the only coaching content is what a staff member agreed to share with their coach.
 */

/** The confirmation card both people get: when, with whom, what is shared, and a Teams meeting link. */
export function bookedCard(slot: Pick<BookingRef, 'slotId' | 'coachId' | 'start' | 'end' | 'attendees'>, heading: string, withWhom: string, sharing: string): CardData['booked'] {
  return { heading, when: slotLabel(slot), withWhom, sharing, meetingLink: meetingLink(slot, slot.attendees ?? []), slotId: slot.slotId, coachId: slot.coachId };
}

/** What a coach may see when the staff member agreed: the goal, the latest rating and the plan's actions. */
export function programmeForCoach(programme: Programme): string {
  const parts = [`Goal: ${asWritten(activeGoal(programme) ?? 'not set yet')}`];
  const scale = latestScale(programme);
  if (scale !== undefined) parts.push(`latest rating ${scale}/10`);
  const plan = latestPlan(programme);
  if (plan) parts.push(`action plan: ${plan.plan.actions.map((a) => asWritten(a.what)).join('; ')}`);
  return parts.join('; ');
}

export const notShared = 'Not shared: the staff member chose to keep it private';

/** "today (Tue 2 Dec, 10:00–11:00)", "tomorrow (…)" or "on Tue 2 Dec, 10:00–11:00", by London dates. */
export function whenFromNow(booking: Pick<BookingRef, 'start' | 'end'>, now: number): string {
  const label = slotLabel(booking);
  const days = DateTime.fromISO(booking.start)
    .setZone(LONDON)
    .startOf('day')
    .diff(DateTime.fromMillis(now).setZone(LONDON).startOf('day'), 'days').days;
  if (Math.round(days) === 0) return `today (${label})`;
  if (Math.round(days) === 1) return `tomorrow (${label})`;
  return `on ${label}`;
}

export function reminderMessage(kind: 'reminder24h' | 'reminder15m', to: Side, booking: BookingRef, now: number): Partial<Activity> {
  const other = to === 'staff' ? booking.coachName : booking.staffName;
  const change = to === 'staff' ? 'type "my bookings" to change the time or cancel' : 'type "my slots" to change the time or cancel';
  if (kind === 'reminder24h') {
    const session = to === 'staff' ? `your coaching session with ${other} is` : `you have a coaching session with ${other}`;
    return text(`A reminder: ${session} ${whenFromNow(booking, now)}, UK time. If you can no longer make it, ${change}.`);
  }
  const minutes = Math.max(1, Math.round((Date.parse(booking.start) - now) / 60_000));
  const times = `${DateTime.fromISO(booking.start).setZone(LONDON).toFormat('HH:mm')}–${DateTime.fromISO(booking.end).setZone(LONDON).toFormat('HH:mm')}`;
  return text(`Your coaching session with ${other} starts in ${minutes === 1 ? '1 minute' : `${minutes} minutes`} (${times}, UK time). Join the Teams meeting from your calendar when you're ready.`);
}

/** To the coach: a new booking, or a booking moved to a new time, with what the staff member shares. */
export function bookedNotice(booking: BookingRef, sharing: string, from?: Pick<BookingRef, 'start' | 'end'>): Partial<Activity> {
  if (!from) return MessageFactory.attachment(renderCard('booked', bookedCard(booking, 'A coaching session has been booked with you', booking.staffName, sharing)));
  return MessageFactory.attachment(
    renderCard('booked', bookedCard(booking, 'A coaching session has moved to a new time', booking.staffName, sharing)),
    `${booking.staffName} has moved their coaching session from ${slotLabel(from)} to ${slotLabel(booking)}.`,
  );
}

export function cancelledNotice(booking: BookingRef, by: Side): Partial<Activity> {
  return text(
    by === 'coach'
      ? `Your coach ${booking.coachName} has had to cancel your session on ${slotLabel(booking)}. I'm sorry. Type "book a coach" to find another time.`
      : `${booking.staffName} has cancelled their coaching session on ${slotLabel(booking)}. The time is free for others to book again.`,
  );
}

/** To the staff member when their coach changed the time: the booking is cancelled, here are the next free times. */
export function coachChangedTimeNotice(booking: BookingRef, free: Slot[], daysAhead: number): Partial<Activity> {
  const intro = free.length
    ? `${booking.coachName} can't do ${slotLabel(booking)} after all, so that booking is cancelled. I'm sorry about the change. Here are the next free times: choose one to book (UK time).`
    : `${booking.coachName} can't do ${slotLabel(booking)} after all, so that booking is cancelled. I'm sorry about the change. There are no free times in the next ${daysAhead} days just now: type "book a coach" in a few days to look again.`;
  return MessageFactory.attachment(
    renderCard('slots', {
      heading: 'Your coach needs to change your session time',
      intro,
      rows: free.map((s) => ({ label: `${slotLabel(s)} with ${s.coachName}`, buttonTitle: 'Book', action: 'book' as const, slotId: s.id, coachId: s.coachId })),
    }),
  );
}

/** To one person when the bot could not reach the other in Teams about their booking. */
export function unreachableNotice(booking: BookingRef, unreachable: Side, about: JobPurpose): Partial<Activity> {
  const name = unreachable === 'coach' ? booking.coachName : booking.staffName;
  const label = slotLabel(booking);
  const purpose: Record<JobPurpose, string> = {
    booked: `to tell them about your booking on ${label}`,
    reminder: `to remind them about your session on ${label}`,
    cancelled: `to tell them the session on ${label} is cancelled`,
    moved: `to tell them about the new time, ${label}`,
    coachChangedTime: `to offer them another time instead of ${label}`,
  };
  return text(
    `I couldn't reach ${name} in Teams ${purpose[about]}. They may not have the coaching app installed, or may have blocked it. Please let them know another way, such as a Teams chat or an email.`,
  );
}

export const planCheckInOptions = [
  { title: 'Start session 2', words: 'start coaching' },
  { title: 'Book a coach', words: 'book a coach' },
];

export function planCheckInMessage(): Partial<Activity> {
  return MessageFactory.attachment(
    renderCard('menu', { heading: 'How is your plan going?', options: planCheckInOptions }),
    "Hello again. It's been a little while since your first coaching session. When you're ready, session 2 looks at how your plan has gone: what has helped and what got in the way. Or you can talk it through with a coach.",
  );
}

function text(words: string): Partial<Activity> {
  return { type: 'message', text: words, textFormat: 'plain' };
}

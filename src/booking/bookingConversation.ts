import type { Bookings } from './bookingsPort';
import { MessageFactory, type TurnContext } from 'botbuilder';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { BookingSettings } from '../config';
import { isCoach } from './coachDirectory';
import { renderCard, type CardData } from '../cards/render';
import type { Command } from '../turn/commands';
import type { Logger } from '../logger';
import type { ProactiveSender } from '../proactive/sender';
import type { ReachSection } from '../proactive/reach';
import { bookedCard } from './jobMessages';
import { recordSlotChange } from '../serviceEvents/events';
import { bookingRef, type JobQueue } from './jobs';
import {
  availabilitySubmission,
  bookingsOfStaff,
  bookSlot,
  changeSlot,
  freeSlots,
  LONDON,
  publishAvailability,
  slotLabel,
  slotsOfCoach,
  type Slot,
} from './slots';

/**
 * Booking a coach from a 1:1 chat: coaches publish, list and withdraw availability; staff see free times,
 * book one (choosing whether the coach may see their coaching so far), change its time or cancel it; a coach
 * can cancel a booked time or give it up for another. The other side is told in their own 1:1 chat, and
 * both are reminded, through stored jobs (src/booking/jobs.ts) written in the same turn as the booking
 * change. Coach-only actions check the role every time, not only when a card is shown.
 */
export interface BookingServices {
  bookings: Bookings;
  booking: BookingSettings;
  sender: ProactiveSender;
  /** Notices and reminders to send, retried by the job worker. */
  jobs: JobQueue;
  logger: Logger;
}

const id = z.string().min(1).max(120);
const slotAction = z
  .object({
    card: z.literal('slots'),
    /** reschedule: show new times for a booking (staff) or give the booked time up (coach); moveTo: a new time picked. */
    action: z.enum(['book', 'withdraw', 'cancel', 'reschedule', 'moveTo']),
    slotId: id,
    coachId: id,
    fromSlotId: id.optional(),
    fromCoachId: id.optional(),
  })
  .refine((v) => v.action !== 'moveTo' || (v.fromSlotId && v.fromCoachId), 'a new time needs the booking it replaces');
type SlotButton = z.infer<typeof slotAction>;
const confirmBooking = z.object({ card: z.literal('bookingConfirm'), slotId: id, coachId: id, shareProgramme: z.enum(['true', 'false']).default('false') });
const MAX_ROWS = 10;

export const bookingCommands = ['bookCoach', 'myBookings', 'publishAvailability', 'mySlots'] as const satisfies readonly Command[];
/** The cards booking sends, whose submissions come back here. */
export const bookingCards = ['availability', 'slots', 'bookingConfirm'] as const;

export { isCoach } from './coachDirectory';

/** Handles booking words and booking cards; false when the activity is not about booking. */
export async function respondToBooking(context: TurnContext, data: ReachSection, command: Command | undefined, services: BookingServices): Promise<boolean> {
  const activity = context.activity;
  const me = { id: activity.from.aadObjectId ?? activity.from.id, name: activity.from.name ?? 'A member of staff', upn: data.upn };
  const card = (activity.value as { card?: unknown } | undefined)?.card;
  if (card === 'availability') return publish(context, me, services);
  if (card === 'slots') return slotPressed(context, me, services);
  if (card === 'bookingConfirm') return confirm(context, me, services);
  if (!command || !(bookingCommands as readonly Command[]).includes(command)) return false;
  switch (command) {
    case 'bookCoach':
      await showFreeSlots(context, me, services, 'Free coaching times', 'Choose a time that suits you. Times are UK time.');
      return true;
    case 'myBookings': {
      const mine = await bookingsOfStaff(services.bookings, me.id);
      await sendSlots(
        context,
        'Your bookings',
        mine.length ? 'You can change the time of a booking or cancel it here; your coach will be told.' : "You don't have any coaching sessions booked. Type \"book a coach\" to find a time.",
        mine.map((s) => ({ ...row(s, 'cancel', `${slotLabel(s)} with ${s.coachName}`, 'Cancel'), changeTitle: 'Change time' })),
      );
      return true;
    }
    case 'publishAvailability':
      if (!(await coachOnly(context, me, services))) return true;
      await context.sendActivity(MessageFactory.attachment(renderCard('availability', { date: DateTime.now().setZone(LONDON).plus({ days: 1 }).toISODate()! })));
      return true;
    case 'mySlots': {
      if (!(await coachOnly(context, me, services))) return true;
      const now = Date.now();
      const upcoming = (await slotsOfCoach(services.bookings, me.id)).filter((s) => s.status !== 'withdrawn' && Date.parse(s.end) > now);
      await sendSlots(
        context,
        'Your availability',
        upcoming.length
          ? 'Free times can be withdrawn. Booked ones can be cancelled, or changed: the staff member is told and offered the next free times.'
          : 'You have no upcoming times. Type "publish availability" to add some.',
        upcoming.map((s) =>
          s.status === 'free'
            ? row(s, 'withdraw', `${slotLabel(s)}: free`, 'Withdraw')
            : { ...row(s, 'cancel', `${slotLabel(s)}: booked by ${s.booking?.staffName}`, 'Cancel'), changeTitle: 'Change time' },
        ),
      );
      return true;
    }
  }
  return false;
}

async function coachOnly(context: TurnContext, me: { id: string }, services: BookingServices): Promise<boolean> {
  if (await isCoach(me.id, services)) return true;
  services.logger.warn({ userId: me.id }, 'coach-only action refused');
  await context.sendActivity('Only coaches can do that. If you are a coach, ask a service lead to add you.');
  return false;
}

async function publish(context: TurnContext, me: Person, services: BookingServices): Promise<boolean> {
  if (!(await coachOnly(context, me, services))) return true;
  const parsed = availabilitySubmission.safeParse(context.activity.value);
  if (!parsed.success) {
    await context.sendActivity(`I couldn't publish that: ${parsed.error.issues[0]?.message ?? 'please check the card'} Nothing has been changed.`);
    return true;
  }
  const result = await publishAvailability(services.bookings, me, parsed.data);
  const why = { past: 'already past', noSuchTime: "doesn't exist that day (the clocks change)", overlaps: 'overlaps a time you already have' };
  const lines = [
    result.created.length ? `Published ${result.created.length === 1 ? '1 slot' : `${result.created.length} slots`}: ${result.created.map(slotLabel).join('; ')}.` : 'Nothing was published.',
    ...result.skipped.map((s) => `Skipped ${s.localStart}: ${why[s.why]}.`),
  ];
  services.logger.info({ coachId: me.id, created: result.created.length, skipped: result.skipped.length }, 'availability published');
  for (const slot of result.created) recordSlotChange(context, undefined, slot);
  await context.sendActivity(lines.join('\n'));
  return true;
}

async function slotPressed(context: TurnContext, me: Person, services: BookingServices): Promise<boolean> {
  const parsed = slotAction.safeParse(context.activity.value);
  if (!parsed.success) {
    await context.sendActivity("That button didn't send what I expected, so nothing has changed. Type \"book a coach\" to start again.");
    return true;
  }
  const button = parsed.data;
  switch (button.action) {
    case 'book':
      return offerToBook(context, me, services, button);
    case 'reschedule':
      return changeTime(context, me, services, button);
    case 'moveTo':
      return moveBooking(context, me, services, { slotId: button.fromSlotId!, coachId: button.fromCoachId! }, button);
    case 'withdraw':
    case 'cancel':
      return cancelOrWithdraw(context, me, services, button);
  }
}

/** Who pressed or typed; the sign-in name fills in the meeting link when Teams has told the bot it. */
type Person = { id: string; name: string; upn?: string };
type SlotKey = Pick<SlotButton, 'slotId' | 'coachId'>;

async function offerToBook(context: TurnContext, me: Person, services: BookingServices, { slotId, coachId }: SlotKey): Promise<boolean> {
  const slot = await readSlot(services, { slotId, coachId });
  if (!slot || slot.status !== 'free') {
    await showFreeSlots(context, me, services, 'That time has just gone', 'Sorry, someone else has just booked that time. Here are the next free ones:');
    return true;
  }
  await context.sendActivity(MessageFactory.attachment(renderCard('bookingConfirm', { label: slotLabel(slot), coachName: slot.coachName, slotId, coachId })));
  return true;
}

async function cancelOrWithdraw(context: TurnContext, me: Person, services: BookingServices, { action, slotId, coachId }: SlotButton): Promise<boolean> {
  const asCoach = await isCoach(me.id, services);
  if (action === 'withdraw' && !(await coachOnly(context, me, services))) return true;
  const outcome = await changeSlot(services.bookings, coachId, slotId, { id: me.id, asCoach }, action === 'withdraw' ? 'withdraw' : 'cancel');
  if (!('changed' in outcome)) {
    await context.sendActivity(couldNotChange);
    return true;
  }
  recordSlotChange(context, outcome.before, outcome.changed);
  const { before } = outcome;
  if (action === 'withdraw') {
    await context.sendActivity(`Withdrawn: ${slotLabel(before)}.`);
    return true;
  }
  const byCoach = asCoach && before.coachId === me.id;
  await context.sendActivity(`Cancelled: ${slotLabel(before)}${byCoach ? ` with ${before.booking?.staffName}` : ` with ${before.coachName}`}. I'll let ${byCoach ? 'them' : 'your coach'} know.`);
  services.jobs.deliverAfterTurn(context, await services.jobs.cancelled(bookingRef(before), byCoach ? 'coach' : 'staff'));
  return true;
}

/**
 * "Change time" on a booking. The staff member is shown free times to move to. The coach gives the time up:
 * the booking is cancelled and the staff member is sent the next free times to book from.
 */
async function changeTime(context: TurnContext, me: Person, services: BookingServices, key: SlotKey): Promise<boolean> {
  const slot = await readSlot(services, key);
  if (!slot || slot.status !== 'booked' || !slot.booking) {
    await context.sendActivity(couldNotChange);
    return true;
  }
  if (slot.coachId === me.id && (await isCoach(me.id, services))) {
    const outcome = await changeSlot(services.bookings, key.coachId, key.slotId, { id: me.id, asCoach: true }, 'cancel');
    if (!('changed' in outcome)) {
      await context.sendActivity(couldNotChange);
      return true;
    }
    recordSlotChange(context, outcome.before, outcome.changed);
    const { before } = outcome;
    await context.sendActivity(
      `Cancelled your session on ${slotLabel(before)} with ${before.booking?.staffName}. I'll send them the next free times so they can choose another. Type "publish availability" to add more times.`,
    );
    services.jobs.deliverAfterTurn(context, await services.jobs.coachChangedTime(bookingRef(before)));
    return true;
  }
  if (slot.booking.staffId !== me.id) {
    await context.sendActivity(couldNotChange);
    return true;
  }
  await showNewTimes(context, me, services, slot, 'Choose a new time', `Your session is ${slotLabel(slot)} with ${slot.coachName}. Choose a new time (UK time): I'll book it, then free your current time and let your coach know.`);
  return true;
}

/** Moves a staff member's booking: the new time is booked first (so two people racing for it cannot both win), then the old one freed. */
async function moveBooking(context: TurnContext, me: Person, services: BookingServices, from: SlotKey, to: SlotKey): Promise<boolean> {
  const old = await readSlot(services, from);
  if (!old || old.status !== 'booked' || old.booking?.staffId !== me.id) {
    await context.sendActivity("I couldn't change that booking: it may already have been cancelled or changed. Type \"my bookings\" to see what you have.");
    return true;
  }
  if (to.coachId.toLowerCase() === me.id.toLowerCase()) {
    await context.sendActivity("You can't book a session with yourself.");
    return true;
  }
  const outcome = await bookSlot(services.bookings, to.coachId, to.slotId, { staffId: me.id, staffName: me.name, bookedAt: new Date().toISOString(), shareProgramme: old.booking.shareProgramme, ...(me.upn ? { staffUpn: me.upn } : {}) });
  if (!('booked' in outcome)) {
    await showNewTimes(context, me, services, old, 'That time has just gone', `Sorry, someone else has just booked that time. Your booking on ${slotLabel(old)} is unchanged. Here are the next free times:`);
    return true;
  }
  const next = bookingRef(outcome.booked);
  recordSlotChange(context, { status: 'free', start: next.start }, outcome.booked);
  const released = await changeSlot(services.bookings, from.coachId, from.slotId, { id: me.id, asCoach: false }, 'cancel');
  if ('changed' in released) recordSlotChange(context, released.before, released.changed);
  // If the old booking changed meanwhile (the coach cancelled it), the new one is simply a new booking.
  const ids = 'changed' in released ? await services.jobs.moved(bookingRef(released.before), next) : await services.jobs.booked(next);
  services.logger.info({ fromSlotId: from.slotId, slotId: next.slotId, coachId: next.coachId, staffId: me.id }, 'coaching session moved');
  const sharing = old.booking.shareProgramme ? 'Shared with your coach' : 'Not shared';
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard('booked', bookedCard(next, 'Your coaching session has moved', next.coachName, sharing)),
      'changed' in released ? `Done: your session is now ${slotLabel(next)}, and ${slotLabel(old)} is free again. I'll let your coach know.` : `Your new time, ${slotLabel(next)}, is booked. Your earlier booking had already changed, so there was nothing to free.`,
    ),
  );
  services.jobs.deliverAfterTurn(context, ids);
  return true;
}

async function confirm(context: TurnContext, me: Person, services: BookingServices): Promise<boolean> {
  const parsed = confirmBooking.safeParse(context.activity.value);
  if (!parsed.success) {
    await context.sendActivity("That booking card didn't send what I expected, so nothing has been booked. Type \"book a coach\" to try again.");
    return true;
  }
  const { slotId, coachId } = parsed.data;
  const shareProgramme = parsed.data.shareProgramme === 'true';
  if (coachId.toLowerCase() === me.id.toLowerCase()) {
    await context.sendActivity("You can't book a session with yourself.");
    return true;
  }
  const outcome = await bookSlot(services.bookings, coachId, slotId, { staffId: me.id, staffName: me.name, bookedAt: new Date().toISOString(), shareProgramme, ...(me.upn ? { staffUpn: me.upn } : {}) });
  if (!('booked' in outcome)) {
    await showFreeSlots(context, me, services, 'That time has just gone', "Sorry, someone else has just booked that time. Here are the next free ones:");
    return true;
  }
  const booking = bookingRef(outcome.booked);
  recordSlotChange(context, { status: 'free', start: booking.start }, outcome.booked);
  services.logger.info({ slotId, coachId, staffId: me.id, shareProgramme }, 'coaching session booked');
  await context.sendActivity(MessageFactory.attachment(renderCard('booked', bookedCard(booking, 'Your coaching session is booked', booking.coachName, shareProgramme ? 'Shared with your coach' : 'Not shared'))));
  // The coach's notice and both reminders are stored with the booking; the notice goes once this turn is saved.
  services.jobs.deliverAfterTurn(context, await services.jobs.booked(booking));
  return true;
}

const couldNotChange = "I couldn't change that time: it may already have changed, or it isn't yours. Nothing has been changed.";

async function readSlot(services: BookingServices, { slotId, coachId }: SlotKey): Promise<Slot | undefined> {
  const resource = (await services.bookings.read<Slot>(slotId, coachId))?.doc;
  return resource?.docType === 'slot' ? resource : undefined;
}

/** Free times a staff member can move their booking to (not with themselves). */
async function showNewTimes(context: TurnContext, me: Person, services: BookingServices, from: Slot, heading: string, intro: string): Promise<void> {
  const free = (await freeSlots(services.bookings, services.booking.daysAhead, new Date(), me.id)).slice(0, MAX_ROWS);
  await sendSlots(
    context,
    heading,
    free.length ? intro : `There are no other free coaching times in the next ${services.booking.daysAhead} days, so your booking on ${slotLabel(from)} is unchanged. Please check again in a few days.`,
    free.map((s) => ({ ...row(s, 'moveTo', `${slotLabel(s)} with ${s.coachName}`, 'Move here'), fromSlotId: from.id, fromCoachId: from.coachId })),
  );
}

async function showFreeSlots(context: TurnContext, me: { id: string }, services: BookingServices, heading: string, intro: string): Promise<void> {
  const free = (await freeSlots(services.bookings, services.booking.daysAhead, new Date(), me.id)).slice(0, MAX_ROWS);
  await sendSlots(
    context,
    heading,
    free.length ? intro : `There are no free coaching times in the next ${services.booking.daysAhead} days. Please check again in a few days.`,
    free.map((s) => row(s, 'book', `${slotLabel(s)} with ${s.coachName}`, 'Book')),
  );
}

function row(slot: Slot, action: SlotButton['action'], label: string, buttonTitle: string): CardData['slots']['rows'][number] {
  return { label, buttonTitle, action, slotId: slot.id, coachId: slot.coachId };
}

async function sendSlots(context: TurnContext, heading: string, intro: string, rows: CardData['slots']['rows']): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(renderCard('slots', { heading, intro, rows })));
}

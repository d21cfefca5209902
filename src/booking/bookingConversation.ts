import type { Container } from '@azure/cosmos';
import { MessageFactory, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { BookingSettings } from '../config';
import { isCoach } from './coachDirectory';
import { renderCard, type CardData } from '../cards/render';
import type { Command } from '../bot/commands';
import { afterTurnSaved } from '../bot/turnPipeline';
import { activeGoal, latestPlan, latestScale, type Programme } from '../coaching/programme';
import { errorFields, type Logger } from '../logger';
import type { ProactiveSender } from '../proactive/sender';
import type { CosmosBotStorage } from '../store/cosmosBotStorage';
import {
  availabilitySubmission,
  bookingsOfStaff,
  bookSlot,
  changeSlot,
  freeSlots,
  LONDON,
  meetingLink,
  publishAvailability,
  slotLabel,
  slotsOfCoach,
  type Slot,
} from './slots';

/**
 * Booking a coach from a 1:1 chat: coaches publish, list and withdraw availability; staff see free times,
 * book one (choosing whether the coach may see their coaching so far) and cancel; the other side is told in
 * their own 1:1 chat. Coach-only actions check the role every time, not only when a card is shown.
 */
export interface BookingServices {
  bookings: Container;
  booking: BookingSettings;
  /** Everyone's 1:1 state (for the conversation reference of the person to tell). */
  people: CosmosBotStorage;
  sender: ProactiveSender;
  logger: Logger;
}

interface PersonData {
  programme?: Programme;
  conversationReference?: Partial<ConversationReference>;
}

const id = z.string().min(1).max(120);
const slotAction = z.object({ card: z.literal('slots'), action: z.enum(['book', 'withdraw', 'cancel']), slotId: id, coachId: id });
const confirmBooking = z.object({ card: z.literal('bookingConfirm'), slotId: id, coachId: id, shareProgramme: z.enum(['true', 'false']).default('false') });
const MAX_ROWS = 10;

export const bookingCommands = new Set<Command>(['bookCoach', 'myBookings', 'publishAvailability', 'mySlots']);

export { isCoach } from './coachDirectory';

/** Handles booking words and booking cards; false when the activity is not about booking. */
export async function respondToBooking(context: TurnContext, data: PersonData, command: Command | undefined, services: BookingServices): Promise<boolean> {
  const activity = context.activity;
  const me = { id: activity.from.aadObjectId ?? activity.from.id, name: activity.from.name ?? 'A member of staff' };
  const card = (activity.value as { card?: unknown } | undefined)?.card;
  if (card === 'availability') return publish(context, me, services);
  if (card === 'slots') return slotPressed(context, me, services);
  if (card === 'bookingConfirm') return confirm(context, me, data, services);
  if (!command || !bookingCommands.has(command)) return false;
  switch (command) {
    case 'bookCoach':
      await showFreeSlots(context, me, services, 'Free coaching times', 'Choose a time that suits you. Times are UK time.');
      return true;
    case 'myBookings': {
      const mine = await bookingsOfStaff(services.bookings, me.id);
      await sendSlots(context, 'Your bookings', mine.length ? 'You can cancel a booking here; your coach will be told.' : "You don't have any coaching sessions booked. Type \"book a coach\" to find a time.", mine.map((s) => row(s, 'cancel', `${slotLabel(s)} with ${s.coachName}`, 'Cancel')));
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
        upcoming.length ? 'Free times can be withdrawn; booked ones cancelled (the staff member is told).' : 'You have no upcoming times. Type "publish availability" to add some.',
        upcoming.map((s) => (s.status === 'free' ? row(s, 'withdraw', `${slotLabel(s)}: free`, 'Withdraw') : row(s, 'cancel', `${slotLabel(s)}: booked by ${s.booking?.staffName}`, 'Cancel'))),
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

async function publish(context: TurnContext, me: { id: string; name: string }, services: BookingServices): Promise<boolean> {
  if (!(await coachOnly(context, me, services))) return true;
  const parsed = availabilitySubmission.safeParse(context.activity.value);
  if (!parsed.success) {
    await context.sendActivity(`I couldn't publish that: ${parsed.error.issues[0]?.message ?? 'please check the card'} Nothing has been changed.`);
    return true;
  }
  const result = await publishAvailability(services.bookings, me, parsed.data);
  const why = { past: 'already past', noSuchTime: "doesn't exist that day (the clocks change)", overlaps: 'overlaps a time you already have' };
  const lines = [
    result.created.length ? `Published ${result.created.length === 1 ? 'one time' : `${result.created.length} times`}: ${result.created.map(slotLabel).join('; ')}.` : 'Nothing was published.',
    ...result.skipped.map((s) => `Skipped ${s.localStart}: ${why[s.why]}.`),
  ];
  services.logger.info({ coachId: me.id, created: result.created.length, skipped: result.skipped.length }, 'availability published');
  await context.sendActivity(lines.join('\n'));
  return true;
}

async function slotPressed(context: TurnContext, me: { id: string; name: string }, services: BookingServices): Promise<boolean> {
  const parsed = slotAction.safeParse(context.activity.value);
  if (!parsed.success) {
    await context.sendActivity("That button didn't send what I expected, so nothing has changed. Type \"book a coach\" to start again.");
    return true;
  }
  const { action, slotId, coachId } = parsed.data;
  if (action === 'book') {
    const { resource: slot } = await services.bookings.item(slotId, coachId).read<Slot>();
    if (!slot || slot.docType !== 'slot' || slot.status !== 'free') {
      await showFreeSlots(context, me, services, 'That time has just gone', "Sorry, someone else has just booked that time. Here are the next free ones:");
      return true;
    }
    await context.sendActivity(MessageFactory.attachment(renderCard('bookingConfirm', { label: slotLabel(slot), coachName: slot.coachName, slotId, coachId })));
    return true;
  }
  const asCoach = await isCoach(me.id, services);
  if (action === 'withdraw' && !(await coachOnly(context, me, services))) return true;
  const outcome = await changeSlot(services.bookings, coachId, slotId, { id: me.id, asCoach }, action);
  if (!('changed' in outcome)) {
    await context.sendActivity("I couldn't change that time: it may already have changed, or it isn't yours. Nothing has been changed.");
    return true;
  }
  const { before } = outcome;
  if (action === 'withdraw') {
    await context.sendActivity(`Withdrawn: ${slotLabel(before)}.`);
    return true;
  }
  const byCoach = asCoach && before.coachId === me.id;
  await context.sendActivity(`Cancelled: ${slotLabel(before)}${byCoach ? ` with ${before.booking?.staffName}` : ` with ${before.coachName}`}. I'll let ${byCoach ? 'them' : 'your coach'} know.`);
  const otherId = byCoach ? before.booking!.staffId : before.coachId;
  const notice = byCoach
    ? `Your coach ${before.coachName} has had to cancel your session on ${slotLabel(before)}. I'm sorry. Type "book a coach" to find another time.`
    : `${before.booking?.staffName} has cancelled their coaching session on ${slotLabel(before)}. The time is free for others to book again.`;
  tellLater(context, otherId, { type: 'message', text: notice }, services, byCoach ? 'the staff member' : 'your coach');
  return true;
}

async function confirm(context: TurnContext, me: { id: string; name: string }, data: PersonData, services: BookingServices): Promise<boolean> {
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
  const outcome = await bookSlot(services.bookings, coachId, slotId, { staffId: me.id, staffName: me.name, bookedAt: new Date().toISOString(), shareProgramme });
  if (!('booked' in outcome)) {
    await showFreeSlots(context, me, services, 'That time has just gone', "Sorry, someone else has just booked that time. Here are the next free ones:");
    return true;
  }
  const slot = outcome.booked;
  services.logger.info({ slotId, coachId, staffId: me.id, shareProgramme }, 'coaching session booked');
  await context.sendActivity(MessageFactory.attachment(renderCard('booked', bookedCard(slot, 'Your coaching session is booked', slot.coachName, shareProgramme ? 'Shared with your coach' : 'Not shared'))));
  const sharing = shareProgramme && data.programme ? programmeForCoach(data.programme) : 'Not shared: the staff member chose to keep it private';
  tellLater(context, coachId, MessageFactory.attachment(renderCard('booked', bookedCard(slot, 'A coaching session has been booked with you', me.name, sharing))), services, 'your coach');
  return true;
}

function bookedCard(slot: Slot, heading: string, withWhom: string, sharing: string): CardData['booked'] {
  return { heading, when: slotLabel(slot), withWhom, sharing, meetingLink: meetingLink(slot, []), slotId: slot.id, coachId: slot.coachId };
}

/** What a coach may see when the staff member agreed: the goal, the latest rating and the plan's size. */
function programmeForCoach(programme: Programme): string {
  const parts = [`Goal: ${activeGoal(programme) ?? 'not set yet'}`];
  const scale = latestScale(programme);
  if (scale !== undefined) parts.push(`latest rating ${scale}/10`);
  const plan = latestPlan(programme);
  if (plan) parts.push(`action plan: ${plan.plan.actions.map((a) => a.what).join('; ')}`);
  return parts.join('; ');
}

/** Tells someone in their own 1:1 chat once this turn is saved; if Teams refuses, says so to the person here. */
function tellLater(context: TurnContext, userId: string, activity: Partial<Activity>, services: BookingServices, whoForPerson: string): void {
  afterTurnSaved(context, async (turn) => {
    const other = (await services.people.readOne(userId)) as (PersonData & { eTag: string }) | undefined;
    const reference = other?.conversationReference;
    try {
      if (!reference) throw Object.assign(new Error('no conversation reference'), { code: 'no-reference' });
      await services.sender.send(reference, activity);
    } catch (err) {
      services.logger.warn({ userId, err: errorFields(err) }, 'could not tell the other person about a booking change');
      await turn.sendActivity(`I couldn't reach ${whoForPerson} in Teams just now (they may not have the app open or installed). Your change is saved; please let them know too.`);
    }
  });
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

function row(slot: Slot, action: 'book' | 'withdraw' | 'cancel', label: string, buttonTitle: string): CardData['slots']['rows'][number] {
  return { label, buttonTitle, action, slotId: slot.id, coachId: slot.coachId };
}

async function sendSlots(context: TurnContext, heading: string, intro: string, rows: CardData['slots']['rows']): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(renderCard('slots', { heading, intro, rows })));
}

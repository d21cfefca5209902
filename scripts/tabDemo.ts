import { DateTime } from 'luxon';
import type { RunningBot } from '../src/app';
import { bookSlot, publishAvailability } from '../src/booking/slots';
import type { Programme } from '../src/coaching/programme';
import type { ServiceEventInput } from '../src/serviceEvents/events';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { recordAll, simulatedEvents } from './simulation';

/** The Playground's mock user (.m365agentsplayground.yml), whom local mode's tabs show. */
export const PRIYA = { id: '29:mock-user-priya-shah', aadObjectId: '0d4e8f2a-6b1c-4a97-8e35-2f7c9b1d4a01', name: 'Priya Shah' };
export const DANIEL = { id: '0d4e8f2a-6b1c-4a97-8e35-2f7c9b1d4a02', name: 'Daniel Okafor' };

/**
 * Demo data for the tabs (screenshots and browser tests): simulated service use, Priya's own programme (both
 * sessions done, a plan, four ratings) and a booking with a coach next week.
 */
export async function seedTabDemo(bot: RunningBot, options: { people: number; months: number; now: Date; seed?: number; slotWeeks?: number }): Promise<ServiceEventInput[]> {
  const events = simulatedEvents(options);
  await recordAll(bot.serviceEvents, events);
  const at = (daysAgo: number) => new Date(options.now.getTime() - daysAgo * 86400_000).toISOString();
  const programme: Programme = {
    startedAt: at(40),
    current: 2,
    sessions: {
      '1': {
        number: 1,
        startedAt: at(40),
        completedAt: at(40),
        stage: 'review',
        goal: { text: 'Feel confident leading the morning huddle', term: 'short' },
        scaling: { before: 3, after: 5 },
        actionPlan: {
          actions: [
            { what: 'Run Tuesday’s huddle with Sam as back-up', byWhen: DateTime.fromJSDate(options.now).plus({ days: 7 }).toISODate()! },
            { what: 'Ask the ward manager for feedback afterwards' },
          ],
          obstacles: [{ obstacle: 'Short-staffed mornings', overcome: 'Keep it to five minutes and use the board' }],
          updatedAt: at(40),
        },
      },
      '2': { number: 2, startedAt: at(10), stage: 'acknowledgement', scaling: { before: 6 } },
    },
  };
  const people = new CosmosBotStorage(bot.store.containers.programmes, 'userId');
  const existing = await people.readOne(PRIYA.aadObjectId);
  await people.writeIfUnchanged(PRIYA.aadObjectId, { welcomedAt: at(41), programme }, existing?.eTag);
  // Next week's Tuesday at 10:00 (booked by Priya) and Wednesday at 10:00 (free, to move to): within BOOKING_DAYS_AHEAD.
  const monday = DateTime.fromJSDate(options.now, { zone: 'Europe/London' }).startOf('week').plus({ weeks: 1 });
  const slots = [];
  for (const day of [1, 2]) {
    const published = await publishAvailability(bot.store.bookings, { id: DANIEL.id, name: DANIEL.name }, { card: 'availability', date: monday.plus({ days: day }).toISODate()!, time: '10:00', minutes: 60, weeks: 0 }, options.now);
    slots.push(...published.created);
  }
  const slot = slots[0];
  if (slot) await bookSlot(bot.store.bookings, slot.coachId, slot.id, { staffId: PRIYA.aadObjectId, staffName: PRIYA.name, bookedAt: options.now.toISOString(), shareProgramme: false }, options.now);
  return events;
}

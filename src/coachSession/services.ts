import type { Container } from '@azure/cosmos';
import type { BookingServices } from '../booking/bookingConversation';
import type { CoachRoles } from '../booking/coachDirectory';
import type { Logger } from '../logger';
import type { ProactiveSender } from '../proactive/sender';
import { containerSpecs } from '../store/containers';
import { CosmosBotStorage } from '../store/cosmosBotStorage';

/** What coach-joined sessions need from the rest of the bot. */
export interface CoachSessionServices {
  /** Everyone's 1:1 state (programmes): the client's programme, the coach's conversation reference. */
  people: CosmosBotStorage;
  /** Conversation state (botState): a group chat's session, updated from the coach's 1:1 when they save a guide. */
  chats: CosmosBotStorage;
  sender: ProactiveSender;
  /** Who the coaches are (COACH_IDS and the leads' coach directory). */
  roles: CoachRoles;
  logger: Logger;
}

/** The router's services this module is built from (structural, so the router can pass its own). */
export interface CoachSessionSources {
  referrals: Container;
  logger: Logger;
  booking?: Pick<BookingServices, 'people' | 'sender' | 'booking' | 'bookings'>;
}

/**
 * The risk gate runs before the router and is built separately (with the referrals container, the safety
 * settings and the logger): it finds these services by the referrals container both are given at start-up.
 */
const byReferrals = new WeakMap<Container, CoachSessionServices>();

/** Builds the services once at start-up (the router does this); none when booking is not configured. */
export function createCoachSessions(sources: CoachSessionSources): CoachSessionServices | undefined {
  if (!sources.booking) return undefined;
  const services: CoachSessionServices = {
    people: sources.booking.people,
    // The containers share one database; botState is the turn pipeline's conversation storage.
    chats: new CosmosBotStorage(sources.referrals.database.container(containerSpecs.botState.id)),
    sender: sources.booking.sender,
    roles: { bookings: sources.booking.bookings, booking: sources.booking.booking },
    logger: sources.logger.child({ feature: 'coachSession' }),
  };
  byReferrals.set(sources.referrals, services);
  return services;
}

export function coachSessionServicesFor(referrals: Container): CoachSessionServices | undefined {
  return byReferrals.get(referrals);
}

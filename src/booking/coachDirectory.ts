import { ActivityTypes, TurnContext } from 'botbuilder';
import { normaliseCommandText, wordsOf } from '../turn/commands';
import type { BookingSettings } from '../config';
import type { Logger } from '../logger';
import { mentionedPerson } from '../teams/mentionedPerson';
import { updateIfUnchanged, type Decision } from '../persistence/conditionalUpdate';
import { bookingDocument, type Bookings } from './bookingsPort';

/**
 * Who is a coach: the Entra object ids in COACH_IDS, plus anyone a service lead has added with
 * `add coach @name` (and not removed with `remove coach @name`). Kept as one document in the bookings
 * container, changed with eTag-conditional writes; checked on every coach-only action.
 */
const DIRECTORY_ID = 'coach-directory';
const DIRECTORY_PARTITION = '_directory';
/** Tries of a change to the directory before the lead's command fails. */
const DIRECTORY_ATTEMPTS = 5;

interface DirectoryEntry {
  userId: string;
  name: string;
  addedBy: string;
  addedAt: string;
}
interface CoachDirectoryDoc {
  id: typeof DIRECTORY_ID;
  coachId: typeof DIRECTORY_PARTITION;
  docType: 'coachDirectory';
  coaches: DirectoryEntry[];
  history: { at: string; event: 'added' | 'removed'; userId: string; by: string }[];
}

export interface CoachRoles {
  bookings: Bookings;
  booking: Pick<BookingSettings, 'coachIds'>;
}

async function readDirectory(bookings: Bookings) {
  const stored = await bookings.read<CoachDirectoryDoc>(DIRECTORY_ID, DIRECTORY_PARTITION);
  return { directory: stored?.doc, etag: stored?.eTag };
}

export async function isCoach(userId: string, roles: CoachRoles): Promise<boolean> {
  const id = userId.toLowerCase();
  if (roles.booking.coachIds.includes(id)) return true;
  const { directory } = await readDirectory(roles.bookings);
  return !!directory?.coaches.some((c) => c.userId === id);
}

/** Adds or removes a coach; true if anything changed. Retried on a concurrent change. */
export async function changeCoach(bookings: Bookings, change: 'add' | 'remove', coach: { userId: string; name: string }, by: string, now = new Date()): Promise<boolean> {
  const userId = coach.userId.toLowerCase();
  const { result } = await updateIfUnchanged(
    bookingDocument<CoachDirectoryDoc>(bookings, DIRECTORY_ID, DIRECTORY_PARTITION),
    {
      name: `${change} coach`,
      apply: (directory): Decision<CoachDirectoryDoc, boolean> => {
        const current: CoachDirectoryDoc = directory ?? { id: DIRECTORY_ID, coachId: DIRECTORY_PARTITION, docType: 'coachDirectory', coaches: [], history: [] };
        const present = current.coaches.some((c) => c.userId === userId);
        if ((change === 'add') === present) return { keep: false };
        const next: CoachDirectoryDoc = {
          ...current,
          coaches: change === 'add' ? [...current.coaches, { userId, name: coach.name, addedBy: by, addedAt: now.toISOString() }] : current.coaches.filter((c) => c.userId !== userId),
          history: [...current.history, { at: now.toISOString(), event: change === 'add' ? 'added' : 'removed', userId, by }],
        };
        return { write: next, result: true };
      },
    },
    { attempts: DIRECTORY_ATTEMPTS },
  );
  return result;
}

/** The leads' words for changing coaches, each followed by an @mention of the person. */
export const COACH_ROLE_WORDS = ['add coach', 'remove coach'] as const;

export interface CoachRoleDeps extends CoachRoles {
  serviceLeadIds: string[];
  logger: Logger;
}

/**
 * `add coach @name` / `remove coach @name`, by a service lead, in any chat where the bot and that person
 * are (normally the leads' channel). True if the activity was such a command and has been answered.
 */
export async function handleCoachRoleCommand(context: TurnContext, deps: CoachRoleDeps): Promise<boolean> {
  const activity = context.activity;
  if (activity.type !== ActivityTypes.Message || typeof activity.text !== 'string') return false;
  const words = normaliseCommandText(wordsOf(activity));
  const change = words.startsWith(COACH_ROLE_WORDS[0]) ? 'add' : words.startsWith(COACH_ROLE_WORDS[1]) ? 'remove' : undefined;
  if (!change) return false;
  const by = (activity.from.aadObjectId ?? '').toLowerCase();
  if (!by || !deps.serviceLeadIds.includes(by)) {
    deps.logger.warn({ userId: activity.from.aadObjectId, change }, 'coach role change refused: not a service lead');
    await context.sendActivity('Only service leads can add or remove coaches.');
    return true;
  }
  const person = await mentionedPerson(context, `${change} coach @Daniel Okafor`, deps.logger);
  if (!person) return true;
  const { userId, name } = person;
  const changed = await changeCoach(deps.bookings, change, { userId, name }, by);
  deps.logger.info({ coachId: userId, change, changed, by }, 'coach directory');
  await context.sendActivity(
    change === 'add'
      ? changed
        ? `${name} is now a coach. They can publish availability in their 1:1 chat with me.`
        : `${name} is already a coach.`
      : changed
        ? `${name} is no longer a coach. Their published times stay until they are withdrawn.`
        : deps.booking.coachIds.includes(userId.toLowerCase())
          ? `${name} is a coach through the bot's configuration (COACH_IDS), so only an administrator can remove them.`
          : `${name} wasn't a coach.`,
  );
  return true;
}

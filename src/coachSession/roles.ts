/**
 * Who is who in a coach-joined session. Roles are checked on every action against the session (the coach who
 * started it, the client they named) and, for the coach, against the current list of coaches.
 */
import { TeamsInfo, type ChannelAccount, type TeamsChannelAccount, type TurnContext } from 'botbuilder';
import { isCoach } from '../booking/coachDirectory';
import { errorFields } from '../logger';
import type { CoachSessionServices } from './services';
import type { CoachJoinedSession, Participant } from './state';

export type Role = 'coach' | 'client' | 'other';

export function personId(account: Pick<ChannelAccount, 'id' | 'aadObjectId'>): string {
  return account.aadObjectId ?? account.id;
}

export function isPerson(account: Pick<ChannelAccount, 'id' | 'aadObjectId'> | undefined, participant: Participant): boolean {
  if (!account) return false;
  if (account.aadObjectId && account.aadObjectId.toLowerCase() === participant.id.toLowerCase()) return true;
  return account.id === participant.teamsId;
}

export async function roleOf(account: Pick<ChannelAccount, 'id' | 'aadObjectId'>, session: CoachJoinedSession, services: CoachSessionServices): Promise<Role> {
  if (isPerson(account, session.coach) && (await isCoach(session.coach.id, services.roles))) return 'coach';
  if (isPerson(account, session.client)) return 'client';
  return 'other';
}

export type WhoIsHere = { coach: Participant; client: Participant } | { refused: string };

const MAX_PAGES = 20;

/**
 * Checks the chat's members (Teams' members API) when a coach starts a session: the chat must hold that coach
 * and one other person who is not a coach, the client; with several, the coach names the client by @mention.
 */
export async function whoIsHere(context: TurnContext, services: CoachSessionServices): Promise<WhoIsHere> {
  const activity = context.activity;
  let members: TeamsChannelAccount[];
  try {
    members = await allMembers(context);
  } catch (err) {
    services.logger.warn({ err: errorFields(err) }, 'could not read the group chat members');
    return { refused: "I couldn't check who is in this chat just now, so I haven't started the session. Please try again in a moment." };
  }
  const people = members.filter((m) => m.id !== activity.recipient?.id && !m.id.startsWith('28:'));
  const speaker = people.find((m) => isSameAccount(m, activity.from));
  if (!speaker) return { refused: "I couldn't find you among this chat's members, so I haven't started the session." };
  const coach = participant(speaker, activity.from.name);
  const named = (activity.entities ?? [])
    .filter((e) => e.type === 'mention')
    .map((e) => (e as { mentioned?: ChannelAccount }).mentioned)
    .filter((m): m is ChannelAccount => !!m?.id && m.id !== activity.recipient?.id);
  const others = people.filter((m) => !isSameAccount(m, activity.from));
  const coaches = await Promise.all(others.map((m) => isCoach(personId(memberAccount(m)), services.roles)));
  const candidates = others.filter((_m, i) => !coaches[i]);

  if (named.length > 1) return { refused: 'Please mention just the person you are coaching, for example: start session @their name.' };
  if (named.length === 1) {
    const member = people.find((m) => isSameAccount(m, named[0]!));
    if (!member) return { refused: "The person you mentioned isn't a member of this chat. Add them to the chat first, then say start session again." };
    if (isSameAccount(member, activity.from)) return { refused: "You can't coach yourself: mention the person you are coaching." };
    if (!candidates.includes(member)) return { refused: 'The person you mentioned is a coach. A coach-joined session is with a member of staff who is not a coach.' };
    return { coach, client: participant(member, named[0]!.name) };
  }
  if (candidates.length === 0) return { refused: 'I need the person you are coaching in this chat. Add them, then say start session again.' };
  if (candidates.length > 1) {
    return { refused: 'There are several people in this chat. Tell me who you are coaching by mentioning them: start session @their name.' };
  }
  return { coach, client: participant(candidates[0]!) };
}

async function allMembers(context: TurnContext): Promise<TeamsChannelAccount[]> {
  const members: TeamsChannelAccount[] = [];
  let continuationToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await TeamsInfo.getPagedMembers(context, 100, continuationToken);
    members.push(...(result.members ?? []));
    continuationToken = result.continuationToken || undefined;
    if (!continuationToken) return members;
  }
  throw Object.assign(new Error('too many member pages'), { code: 'too-many-members' });
}

/** Teams gives members' Entra ids as `aadObjectId` in paged results and `objectId` in the older list. */
function memberAccount(member: TeamsChannelAccount): Pick<ChannelAccount, 'id' | 'aadObjectId'> {
  return { id: member.id, aadObjectId: member.aadObjectId ?? (member as { objectId?: string }).objectId };
}

function isSameAccount(member: TeamsChannelAccount, account: Pick<ChannelAccount, 'id' | 'aadObjectId'>): boolean {
  const m = memberAccount(member);
  if (m.aadObjectId && account.aadObjectId && m.aadObjectId.toLowerCase() === account.aadObjectId.toLowerCase()) return true;
  return m.id === account.id;
}

function participant(member: TeamsChannelAccount, fallbackName?: string): Participant {
  const account = memberAccount(member);
  return { id: personId(account), teamsId: member.id, name: member.name || fallbackName || 'your colleague' };
}

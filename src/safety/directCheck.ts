/**
 * The direct question the risk gate asks when a message carries warning signs but no clear statement (the
 * `check` screening level): kindly and plainly, whether the person is having thoughts of suicide or of
 * harming themselves, of harming someone else, or is in danger. Asking directly does not raise risk (the
 * evidence behind Samaritans' and the Zero Suicide Alliance's guidance); the cost of a check is one question.
 *
 * - Yes, not sure, rather not say → the urgent path. No → believed. An answer the gate cannot read is asked
 *   for once more; a second is taken as "not sure", because a question about safety is never dropped.
 * - In a group chat the question is never asked in front of others (and a tab is no chat at all: ./writtenInTab.ts): it goes to the person's own 1:1 chat
 *   (their person document is marked so their answer there is understood), and the chat gets only a
 *   neutral pointer to support.
 * - Each check is recorded in the person's safety state (when, where, reason codes, the answer; never the
 *   text), at most MAX_CHECKS_KEPT of them. What raised it is held beside the pending question only until
 *   it is answered, so that a "no" loses nothing.
 */
import { randomUUID } from 'node:crypto';
import { ActivityTypes, type Activity, type ConversationReference } from 'botbuilder';
import { choiceCard, recogniseChoice, type ChoiceOption } from '../turn/choices';
import { stateDocument, updateIfUnchanged, UpdateConflictError, type Decision } from '../persistence/conditionalUpdate';
import type { People } from '../persistence/versioned';
import type { Logger } from '../logger';
import type { ReachSection } from '../proactive/reach';
import type { ProactiveSender } from '../proactive/sender';
import type { SafetySection, SafetyState } from './riskGate';

export type DirectCheckAnswer = 'yes' | 'notSure' | 'no' | 'ratherNot';

export interface DirectCheck {
  id: string;
  askedAt: string;
  /** Where the message that raised it was sent. */
  origin: 'personal' | 'groupChat' | 'tab';
  /** Screening reason codes of the message that raised it. */
  reasons: string[];
  /** The message also showed distress: "no" then brings the wellbeing offer. */
  distressed: boolean;
  /** Unreadable replies so far. */
  unclear?: number;
  answer?: DirectCheckAnswer;
  answeredAt?: string;
}

export const MAX_CHECKS_KEPT = 20;

/**
 * Set in turn state by the risk gate when a "no" to its direct question lets coaching carry on: what the
 * person sent when the question was raised, which coaching then takes as their answer (nothing is lost).
 */
export const HELD_ANSWER = Symbol('heldAnswer');

/** A message's words and card values, as the turn that raised a direct question received them. */
export interface HeldInput {
  text?: string;
  value?: unknown;
}

/** Bounded like a coaching answer; a card's values only when they are small (a plan card is well inside this). */
const MAX_HELD_TEXT = 2000;
const MAX_HELD_VALUE_BYTES = 16_000;

/** Only a message is held: an invoke's card is not coaching's, so after a "no" the waiting question is asked again. */
export function heldInputOf(activity: Partial<Activity>): HeldInput | undefined {
  if (activity.type !== ActivityTypes.Message) return undefined;
  const text = typeof activity.text === 'string' && activity.text.trim() ? Array.from(activity.text).slice(0, MAX_HELD_TEXT).join('') : undefined;
  const value = activity.value !== undefined && JSON.stringify(activity.value).length <= MAX_HELD_VALUE_BYTES ? activity.value : undefined;
  if (text === undefined && value === undefined) return undefined;
  return { ...(text !== undefined ? { text } : {}), ...(value !== undefined ? { value } : {}) };
}

/** After a "no" to the direct question, how long warning signs alone bring a reminder rather than the question again (check fatigue). */
export const CHECK_QUIET_MS = 6 * 3600 * 1000;
export const checkQuietReminder = 'If anything changes, or things feel like too much, say "Not OK right now" and I\'ll show you who can help straight away.';

export function recentlyBelieved(checks: readonly DirectCheck[] | undefined, now = Date.now()): boolean {
  const last = checks?.at(-1);
  return !!last && last.answer === 'no' && !!last.answeredAt && now - Date.parse(last.answeredAt) < CHECK_QUIET_MS;
}

export const directCheckQuestion =
  "I'd like to ask you something directly, because I ask anyone whose words make me want to check. Are you having thoughts of suicide or of harming yourself, thoughts of harming someone else, or are you in danger from someone?";

export const directCheckOptions: ChoiceOption<DirectCheckAnswer>[] = [
  { title: 'Yes', value: 'yes', words: ['yes', 'yeah', 'yep', 'yes i am', 'i am', 'sort of', 'kind of', 'a bit', 'sometimes', 'maybe', 'y', 'ye', 'yh', 'ya'] },
  { title: 'Not sure', value: 'notSure', words: ['not sure', "i'm not sure", 'i am not sure', 'dunno', "don't know", 'i dont know', "i don't know", 'idk', 'unsure', 'possibly', 'perhaps'] },
  {
    title: 'No',
    value: 'no',
    words: ['no', 'nope', 'nah', 'no i am not', "no i'm not", "no i'm ok", 'no im ok', "no i'm fine", 'no im fine', 'not at all', 'no not at all', 'n', 'na', 'no thanks', "i'm ok", "i'm fine", 'im fine', 'im ok', 'no no', 'definitely not', "no, i'm safe", "i'm safe", 'no just tired', 'no honestly'],
  },
  { title: "I'd rather not say", value: 'ratherNot', words: ['rather not say', "i'd rather not", 'rather not', 'prefer not to say', "i'd prefer not to say", 'pass', 'skip'] },
];

export function directCheckCard(intro?: string): Partial<Activity> {
  return choiceCard(intro ? `${intro} ${directCheckQuestion}` : directCheckQuestion, directCheckOptions);
}

export function newDirectCheck(origin: DirectCheck['origin'], reasons: string[], distressed: boolean, now = new Date()): DirectCheck {
  return { id: randomUUID(), askedAt: now.toISOString(), origin, reasons: [...new Set(reasons)].slice(0, 12), distressed };
}

export function recogniseDirectAnswer(text: string): DirectCheckAnswer | undefined {
  return recogniseChoice(text, directCheckOptions);
}

/** Keeps the record of a check (no text), newest last, bounded. */
export function recordCheck(history: DirectCheck[] | undefined, check: DirectCheck): DirectCheck[] {
  return [...(history ?? []).filter((c) => c.id !== check.id), check].slice(-MAX_CHECKS_KEPT);
}

/** The neutral pointer a group chat sees: nothing in it says who or why. */
export const neutralSupportPointer =
  'A reminder for everyone here: if things feel hard, support is always there. Say "Not OK right now" to me in a 1:1 chat for a private check-in and the contacts.';

/** The private version of the question, sent to the person's own 1:1 chat. */
export const privateCheckIntro = 'Something you wrote in a group chat just now made me want to check in with you privately. Nobody else can see this chat.';

export interface PrivateCheckServices {
  /** People's own documents: how to reach them, and the gate's section of theirs. */
  people: People<ReachSection & SafetySection>;
  sender: ProactiveSender;
  logger: Logger;
}

/**
 * Marks the person's own document with the pending check (conditional on its eTag, read again on a
 * conflict) and sends the question to their 1:1 chat.
 * - asked: the question is in their 1:1 chat;
 * - alreadyHelped: not asked, because they are on the urgent path (the crisis contacts are in their chat) or
 *   answered "no" a short while ago (check fatigue: CHECK_QUIET_MS);
 * - unreachable: they have no 1:1 chat with the bot, or it cannot be reached.
 * Nothing is said in the group chat either way.
 */
export type PrivateCheckOutcome = 'asked' | 'alreadyHelped' | 'unreachable';

export async function askPrivately(userId: string, check: DirectCheck, services: PrivateCheckServices, intro = privateCheckIntro): Promise<PrivateCheckOutcome> {
  let reference: Partial<ConversationReference> | undefined;
  const { result } = await updateIfUnchanged(stateDocument(services.people, userId), {
    name: 'mark private direct check',
    apply: (person): Decision<ReachSection & SafetySection, 'ask' | 'unreachable' | 'alreadyHelped'> => {
      reference = person?.conversationReference;
      if (!person || !reference) return { keep: 'unreachable' };
      const safety: SafetyState = { ...(person.safety ?? { status: 'clear' }) };
      if (safety.status === 'urgentStop') return { keep: 'alreadyHelped' }; // already on the urgent path: crisis contacts are in their chat
      if (recentlyBelieved(safety.checks)) return { keep: 'alreadyHelped' }; // check fatigue: see CHECK_QUIET_MS
      safety.pending = 'directCheck';
      safety.directCheck = check;
      return { write: { ...person, safety }, result: 'ask' };
    },
  }).catch((err: unknown) => {
    if (err instanceof UpdateConflictError) return { result: 'unreachable' as const };
    throw err;
  });
  if (result !== 'ask' || !reference) return result === 'alreadyHelped' ? 'alreadyHelped' : 'unreachable';
  try {
    await services.sender.send(reference, directCheckCard(intro));
    return 'asked';
  } catch (err) {
    services.logger.warn({ checkId: check.id, code: (err as { code?: string }).code }, 'private direct check could not be sent');
    return 'unreachable';
  }
}

/**
 * The door: every activity is read here once, before the risk gate, into the inbound value that the gate,
 * the route table (src/bot/router.ts) and the features read instead of parsing the activity again.
 *
 * - a message: what the person wrote (without the bot's @mention), the command those words are, the same
 *   words with every @mention taken out (for "add coach @name"), and any card submission with its card
 *   name, question id and the free text written in it;
 * - an invoke, by name, with the free text of any card inputs it carries (an Action.Execute's data), which
 *   the risk gate screens as it screens a card submission; Teams' file consent carries only Teams' own
 *   fields, and the bot opens no task modules;
 * - anything else is an event (the bot added, members changed).
 *
 * Buttons that stand for words (menu options, choices) submit `{ say: words }`: the turn then reads exactly
 * as if the person had typed them, so a tap and typing take one path through the risk gate and the router.
 * (Teams' imBack would do this too, but the Agents Playground cannot submit it.) The activity's own text is
 * left as those words, without the bot's @mention, because the coaching prompts read the activity itself.
 */
import { ActivityTypes, type Activity, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { normaliseCommandText, parseCommand, wordsOf, type Command } from './commands';

export type ConversationKind = 'personal' | 'groupChat' | 'channel';

/** A submitted card of ours: its name, the question it answers, and what it sent (each feature validates its own card's fields). */
export interface CardSubmission {
  card: string;
  questionId?: string;
  value: Record<string, unknown>;
}

export interface Inbound {
  kind: 'message' | 'invoke' | 'event';
  conversation: ConversationKind;
  /** Entra object id, or the Teams id when there is none. */
  person: string;
  /** What the person wrote, without the bot's @mention ('' for none). */
  words: string;
  /** The words in lower case with every @mention taken out, for commands that name someone. */
  phrase: string;
  command?: Command;
  card?: CardSubmission;
  /** Free text written in the card's fields: what the risk gate screens along with the words. */
  written: string[];
  /** In a group chat or channel: an @mention of the bot or one of its buttons. */
  addressedToBot: boolean;
  /** The invoke's name (kind 'invoke'). */
  invoke?: string;
  /** The bot was just installed or added to this conversation (kind 'event'). */
  botAdded: boolean;
}

const header = z.object({ card: z.string().max(50), questionId: z.string().max(100).optional() });
const executed = z.object({ action: z.object({ data: z.unknown() }) });

/** Reads the activity (and leaves its text as the words, as above). */
export function readInbound(activity: Activity): Inbound {
  const kind = activity.type === ActivityTypes.Message ? 'message' : activity.type === ActivityTypes.Invoke ? 'invoke' : 'event';
  if (kind === 'message') readButtonWordsAsText(activity);
  const words = kind === 'message' ? wordsOf(activity) : '';
  const parsed = kind === 'message' ? header.safeParse(activity.value) : undefined;
  const card = parsed?.success ? { ...parsed.data, value: activity.value as Record<string, unknown> } : undefined;
  return {
    kind,
    conversation: conversationKindOf(activity),
    person: personOf(activity),
    words,
    phrase: normaliseCommandText(words.replace(/<at>[^<]*<\/at>/gi, ' ')),
    command: kind === 'message' ? parseCommand(words) : undefined,
    card,
    written: kind === 'message' ? submittedText(activity.value) : kind === 'invoke' ? submittedText(executedData(activity)) : [],
    addressedToBot: kind === 'message' && addressedToBot(activity),
    invoke: kind === 'invoke' ? activity.name : undefined,
    botAdded: kind === 'event' && isBotAdded(activity),
  };
}

const INBOUND = Symbol('inbound');

/** Keeps the inbound value with the turn, for whatever reads it further down. */
export function attachInbound(context: TurnContext, inbound: Inbound): void {
  context.turnState.set(INBOUND, inbound);
}

export function inboundOf(context: TurnContext): Inbound {
  const inbound = context.turnState.get(INBOUND) as Inbound | undefined;
  if (!inbound) throw new Error('the turn was not read through the door');
  return inbound;
}

/** Free-text fields of a submission: what the risk gate screens. */
export function submittedText(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>)
    .filter(([key, v]) => typeof v === 'string' && key !== 'card' && key !== 'questionId' && !key.startsWith('byWhen'))
    .map(([, v]) => v as string);
}

/** An Action.Execute's data: the card's inputs and the button's own data, as an Action.Submit's value has them. */
function executedData(activity: Activity): unknown {
  if (activity.name !== 'adaptiveCard/action') return undefined;
  const parsed = executed.safeParse(activity.value);
  return parsed.success ? parsed.data.action.data : undefined;
}

/** Where a group chat's or channel's state is kept, also carried by cards that come back from a 1:1 chat. */
export function conversationKey(activity: { channelId?: string; conversation?: { id: string } }): string {
  return `${activity.channelId}/conversations/${activity.conversation?.id}`;
}

export function personOf(activity: Partial<Pick<Activity, 'from'>>): string {
  return activity.from?.aadObjectId ?? activity.from?.id ?? '';
}

function conversationKindOf(activity: Activity): ConversationKind {
  const type = activity.conversation?.conversationType;
  return type === 'personal' ? 'personal' : type === 'channel' ? 'channel' : 'groupChat';
}

function readButtonWordsAsText(activity: Activity): void {
  const say = (activity.value as { say?: unknown } | undefined)?.say;
  if (typeof say !== 'string' || (activity.text ?? '').trim() !== '') return;
  activity.text = say.slice(0, 200);
}

function addressedToBot(activity: Activity): boolean {
  if (activity.value) return true;
  return (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === activity.recipient?.id);
}

function isBotAdded(activity: Activity): boolean {
  if (activity.type === ActivityTypes.InstallationUpdate) return activity.action === 'add' || activity.action === 'add-upgrade';
  if (activity.type === ActivityTypes.ConversationUpdate) {
    return (activity.membersAdded ?? []).some((member) => member.id === activity.recipient?.id);
  }
  return false;
}

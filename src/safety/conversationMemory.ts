/**
 * What the risk gate remembers of a conversation so that it screens each message with what it answers:
 * the bot's last question there, and the same person's last few messages. Meaning is often carried by the
 * question ("Where would you like to be in six months?" → "Not here") or spread over two messages.
 *
 * Kept only inside the turn's own state document (the person's in a 1:1 chat, the chat's elsewhere), so
 * reading it costs no extra store round trip; bounded (three messages of at most 2,000 characters per person,
 * for at most six hours, at most eight people per chat); never logged; deleted with the document by
 * `delete my data`. In a group chat each person's messages are kept under a hash of their id and only ever
 * read with their own, so one person's words never colour how another's are read.
 */
import { createHash } from 'node:crypto';
import { ActivityTypes, type Activity } from 'botbuilder';
import { lastQuestionOf, type ScreeningInput } from './model/features';

export interface ConversationMemory {
  /** The bot's last question in this conversation. */
  question?: string;
  /** Recent messages, oldest first. */
  recent?: RememberedMessage[];
}

interface RememberedMessage {
  /** Hash of the sender's id. */
  by: string;
  text: string;
  at: number;
}

const MAX_PER_PERSON = 3;
const MAX_PEOPLE = 8;
/** As long as a coaching answer may be (src/coaching/answers.ts), so a held answer comes back whole. */
const MAX_CHARS = 2000;
const MAX_QUESTION_CHARS = 300;
export const MEMORY_MS = 6 * 3600 * 1000;

export interface HasConversationMemory {
  screeningMemory?: ConversationMemory;
}

function senderOf(activity: Partial<Activity>): string {
  const id = activity.from?.aadObjectId ?? activity.from?.id ?? '';
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** The message with its context, as the screener reads it. */
export function screeningInputFor(data: HasConversationMemory, activity: Partial<Activity>, text: string, now = Date.now()): ScreeningInput {
  const memory = data.screeningMemory;
  const by = senderOf(activity);
  const history = (memory?.recent ?? []).filter((m) => m.by === by && now - m.at < MEMORY_MS).map((m) => m.text);
  return { text, ...(memory?.question ? { question: memory.question } : {}), ...(history.length ? { history } : {}) };
}

/**
 * After a turn: the person's message joins their recent messages, and the last question the bot asked in
 * the replies (a message or a card) becomes the question the next message answers. A turn whose replies ask
 * nothing leaves the open question as it was.
 */
export function rememberTurn(data: HasConversationMemory, activity: Partial<Activity>, replies: readonly Partial<Activity>[], now = Date.now()): void {
  if (activity.type !== ActivityTypes.Message) return;
  const memory: ConversationMemory = { ...(data.screeningMemory ?? {}) };
  const text = (activity.text ?? '').trim();
  const by = senderOf(activity);
  let recent = (memory.recent ?? []).filter((m) => now - m.at < MEMORY_MS);
  if (text) {
    recent.push({ by, text: Array.from(text).slice(0, MAX_CHARS).join(''), at: now });
    const mine = recent.filter((m) => m.by === by);
    if (mine.length > MAX_PER_PERSON) recent = recent.filter((m) => m.by !== by || mine.indexOf(m) >= mine.length - MAX_PER_PERSON);
    const people = [...new Set(recent.map((m) => m.by))];
    if (people.length > MAX_PEOPLE) recent = recent.filter((m) => people.slice(-MAX_PEOPLE).includes(m.by));
  }
  if (recent.length) memory.recent = recent;
  else delete memory.recent;
  const asked = lastQuestionIn(replies);
  if (asked) memory.question = asked;
  if (memory.question || memory.recent) data.screeningMemory = memory;
  else delete data.screeningMemory;
}

/** The last question (a sentence ending in "?") in a list of replies, in messages and in cards' text. */
export function lastQuestionIn(replies: readonly Partial<Activity>[]): string | undefined {
  let found: string | undefined;
  for (const reply of replies) {
    if (reply.type !== undefined && reply.type !== ActivityTypes.Message) continue;
    const texts: string[] = [];
    if (typeof reply.text === 'string') texts.push(reply.text);
    for (const attachment of reply.attachments ?? []) collectText(attachment.content, texts);
    for (const text of texts) {
      if (!text.includes('?')) continue;
      found = Array.from(lastQuestionOf(text)).slice(-MAX_QUESTION_CHARS).join('');
    }
  }
  return found;
}

function collectText(node: unknown, into: string[], depth = 0): void {
  if (depth > 12 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectText(item, into, depth + 1);
    return;
  }
  const record = node as Record<string, unknown>;
  if (record.type === 'TextBlock' && typeof record.text === 'string') into.push(record.text);
  for (const [key, value] of Object.entries(record)) if (key !== 'actions' && typeof value === 'object') collectText(value, into, depth + 1);
}

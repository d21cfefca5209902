/**
 * One turn, after the adapter has authenticated the request:
 * the door (src/turn/inbound.ts) → dedupe → one turn at a time per conversation in this process → load the
 * document → risk gate → logic (the route table, ./router.ts) → save → send replies → after-save work.
 *
 * Replies are held until the document is saved. The save is conditional on the eTag read at the start, so
 * if another turn (on this or any other instance) saved in between, nothing has been said yet and the
 * turn is run again on the fresh document. Either both answers are kept or the person is told to resend.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ActivityTypes, TurnContext, type Activity, type ResourceResponse } from 'botbuilder';
import { StateConflictError, type StateDocuments } from '../persistence/versioned';
import { errorFields, type Logger } from '../logger';
import type { RiskGate } from '../safety/riskGate';
import { screenMessage } from '../safety/screenMessage';
import { rememberTurn } from '../safety/conversationMemory';
import type { ConversationDocument } from '../documents/conversation';
import { collectAfterSave, type AfterSave } from '../turn/afterSave';
import { attachInbound, conversationKey, readInbound, type Inbound } from '../turn/inbound';
import type { FloodGuard } from './floodGuard';

/** What runs after the gate lets a turn through, with the turn's document (read it through the door: inboundOf). */
export type ConversationLogic = (context: TurnContext, data: ConversationDocument) => Promise<void>;

/**
 * Where a turn's state lives. In a 1:1 chat it belongs to the person (programmes container, keyed by their
 * Entra object id), so their programme and place in it follow them into any new chat with the bot and a
 * turn reads and writes one document. In group chats and channels it belongs to the conversation.
 */
export type StatePlace = { place: 'person'; key: string } | { place: 'conversation'; key: string };

export function stateLocation(activity: Pick<Activity, 'channelId' | 'conversation' | 'from'>): StatePlace {
  const person = activity.from?.aadObjectId ?? activity.from?.id;
  if (activity.conversation?.conversationType === 'personal' && person) return { place: 'person', key: person };
  return { place: 'conversation', key: conversationKey(activity) };
}

export interface TurnPipelineOptions {
  storage: Record<StatePlace['place'], StateDocuments>;
  /** How long an activity id is remembered so that Teams redelivering it is not processed twice. */
  dedupeWindowMs: number;
  /** Runs before the logic on every turn; the logic only runs if the gate lets the turn through. */
  gate: RiskGate<ConversationDocument>;
  logic: ConversationLogic;
  logger: Logger;
  /** Slows down one person sending far more messages than anyone types. */
  floodGuard?: FloodGuard;
  /** How many times a turn is run again from fresh state when another turn saved first. */
  maxAttempts?: number;
  /** A turn still running after this long shows the typing indicator (a quick turn shows none). */
  typingDelayMs?: number;
  typingIntervalMs?: number;
}

export const slowDownReply =
  "You're sending messages faster than I can keep up with, so I've skipped some. Please give me a moment, then send your answer again. If you need help now, call Samaritans free on 116 123.";

export const turnNotSavedReply =
  "Sorry, your message crossed with another one and I couldn't save it. Nothing else has changed: please send it again.";

export class TurnPipeline {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly maxAttempts: number;
  private readonly typingDelayMs: number;
  private readonly typingIntervalMs: number;

  constructor(private readonly options: TurnPipelineOptions) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.typingDelayMs = options.typingDelayMs ?? 1000;
    this.typingIntervalMs = options.typingIntervalMs ?? 3000;
  }

  async run(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const log = this.options.logger.child({
      turnId: randomUUID(),
      activityId: activity.id,
      activityType: activity.type,
      conversationType: activity.conversation?.conversationType,
    });
    const started = Date.now();
    const inbound = readInbound(activity);
    attachInbound(context, inbound);
    if (inbound.kind === 'message' && (await this.slowedDown(context, inbound, log))) return;
    const stopTyping = inbound.kind === 'message' ? this.showTyping(context, log) : undefined;
    try {
      const location = stateLocation(activity);
      const { attempts, duplicate } = await this.oneAtATime(`${location.place}:${location.key}`, () => this.transact(context, inbound, location, log));
      if (duplicate) log.info('activity already processed; acknowledged without processing');
      else log.info({ ms: Date.now() - started, attempts }, 'turn complete');
    } finally {
      await stopTyping?.();
    }
  }

  /**
   * Reads the state, runs the gate and the logic, and saves, conditional on the eTag read. The activity id is
   * recorded in the same write, so a redelivered activity (Teams retries turns slower than about 15 s) is seen
   * as processed by whichever instance gets it, and two copies racing cannot both be saved: the loser reads
   * again, finds the id and says nothing. A turn that fails saves nothing, so Teams' retry is processed.
   */
  private async transact(context: TurnContext, inbound: Inbound, { place, key }: StatePlace, log: Logger): Promise<{ attempts: number; duplicate: boolean }> {
    const storage = this.options.storage[place];
    const activity = context.activity;
    const markerId = activity.id ? createHash('sha256').update(`${activity.channelId}\n${activity.conversation?.id}\n${activity.id}`).digest('hex').slice(0, 24) : undefined;
    for (let attempt = 1; ; attempt += 1) {
      const stored = await storage.readOne(key);
      const { eTag, ...rest } = stored ?? { eTag: undefined };
      const data: ConversationDocument = rest;
      if (markerId && data.processed?.some((p) => p.id === markerId)) return { attempts: attempt, duplicate: true };
      const before = JSON.stringify(data);
      const { attemptContext, held, afterSave } = holdingContext(context);
      const decision = await this.options.gate(attemptContext, inbound, data);
      if (decision === 'resume') attemptContext.turnState.set(RESUME_COACHING, true);
      if (decision !== 'handled') await this.options.logic(attemptContext, data);
      // The question a message answers is the last one coaching asked: the gate's own safety questions are not
      // remembered, so their words never colour how the answer to them is screened.
      if (!data.erase && !attemptContext.turnState.get(FORGET_TURN)) rememberTurn(data, activity, decision === 'handled' ? [] : held);
      if (markerId && !data.erase) {
        const now = Date.now();
        const recent = (data.processed ?? []).filter((p) => now - p.at < this.options.dedupeWindowMs).slice(-(MAX_REMEMBERED - 1));
        data.processed = [...recent, { id: markerId, at: now }];
      }
      try {
        if (data.erase) {
          if (eTag) await storage.deleteIfUnchanged(key, eTag);
        } else if (JSON.stringify(data) !== before) {
          await storage.writeIfUnchanged(key, data, eTag);
        }
      } catch (err) {
        if (!(err instanceof StateConflictError)) throw err;
        log.warn({ attempt }, 'conversation state changed during the turn; running the turn again');
        if (attempt < this.maxAttempts) continue;
        await context.sendActivity(turnNotSavedReply);
        return { attempts: attempt, duplicate: false };
      }
      if (held.length > 0) await context.sendActivities(held);
      for (const work of afterSave) await work(context);
      return { attempts: attempt, duplicate: false };
    }
  }

  /**
   * A person flooding the bot is asked to slow down and their extra messages are not processed, except that
   * anything that screens as urgent always goes through: safety comes before load.
   */
  private async slowedDown(context: TurnContext, inbound: Inbound, log: Logger): Promise<boolean> {
    const guard = this.options.floodGuard;
    if (!guard) return false;
    const activity = context.activity;
    const verdict = guard.check(`${activity.channelId}:${activity.from?.aadObjectId ?? activity.from?.id}`);
    if (verdict === 'ok') return false;
    const texts = [activity.text ?? '', ...inbound.written];
    if (texts.some((text) => ['urgent', 'check'].includes(screenMessage({ text }).level))) return false;
    log.warn({ verdict }, 'person slowed down: too many messages');
    if (verdict === 'slowDown') await context.sendActivity(slowDownReply);
    return true;
  }

  private async oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = previous.then(() => new Promise<void>((resolve) => (done = resolve)));
    this.queues.set(key, mine);
    await previous;
    try {
      return await work();
    } finally {
      done();
      if (this.queues.get(key) === mine) this.queues.delete(key);
    }
  }

  private showTyping(context: TurnContext, log: Logger): () => Promise<void> {
    const sends: Promise<unknown>[] = [];
    const send = () => {
      sends.push(context.sendActivity({ type: ActivityTypes.Typing }).catch((err) => log.debug({ err: errorFields(err) }, 'typing not sent')));
    };
    // Only a slow turn shows typing: a quick one costs no extra call to Teams.
    let repeat: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      send();
      repeat = setInterval(send, this.typingIntervalMs);
      repeat.unref();
    }, this.typingDelayMs);
    first.unref();
    return async () => {
      clearTimeout(first);
      if (repeat) clearInterval(repeat);
      await Promise.all(sends);
    };
  }
}

/**
 * A fresh context for one attempt at the turn's logic, sharing the adapter's turn state (connector client,
 * identity) but not the original's "responded" flag, with every reply held back (typing aside) until the
 * state is saved. A retried attempt thus starts as if nothing had been said.
 */
function holdingContext(context: TurnContext): { attemptContext: TurnContext; held: Partial<Activity>[]; afterSave: AfterSave[] } {
  const attemptContext = new TurnContext(context.adapter, context.activity);
  context.turnState.forEach((value, key) => attemptContext.turnState.set(key, value));
  const held: Partial<Activity>[] = [];
  const afterSave = collectAfterSave(attemptContext);
  attemptContext.onSendActivities(async (_ctx, activities) => {
    // The bot's words are plain text unless a message says it is markdown: text quoting what a person wrote
    // then shows exactly as they wrote it (no **bold**, no live links).
    for (const a of activities) if (a.type === ActivityTypes.Message && a.text && !a.textFormat) a.textFormat = 'plain';
    held.push(...activities.filter((a) => a.type !== ActivityTypes.Typing));
    return activities.map((): ResourceResponse => ({ id: '' }));
  });
  return { attemptContext, held, afterSave };
}

const RESUME_COACHING = Symbol('resumeCoaching');
const FORGET_TURN = Symbol('forgetTurn');

/** The person asked for their data to be deleted: this turn's message is not kept for screening either. */
export function forgetThisTurn(context: TurnContext): void {
  context.turnState.set(FORGET_TURN, true);
}

/** The risk gate has answered its own question and coaching should pick up at the question it was waiting on. */
export function resumingCoaching(context: TurnContext): boolean {
  return context.turnState.get(RESUME_COACHING) === true;
}
/** Activity ids kept per state document (Teams redelivers within minutes; this bounds the document). */
const MAX_REMEMBERED = 50;

/**
 * The claimed outbox: how proactive work kept as stored documents (referrals for the leads' channel; booking
 * notices, reminders and plan check-ins) is sent by any number of bot instances on one store, each item once.
 * Its policies (src/safety/referralOutbox.ts, src/booking/jobs.ts JobWorker) say what is due, what to send,
 * when to try again and what to record; this engine does the rest the same way for both:
 *
 * 1. claim: the item is written with this instance's claim (by, until = now + claimMs), conditional on the
 *    eTag it was read at. A conflict means another instance changed or claimed it first: skip it. An item
 *    with a live claim is skipped without trying;
 * 2. send through the ProactiveSender (one HTTP request, well inside the claim); a failure comes back
 *    classified (src/proactive/sender.ts SendError) for the policy's retry rule;
 * 3. record: the policy's change, written over the claimed copy through the one conditional update; if the
 *    item changed meanwhile (a lead acknowledged, a booking was cancelled) the change is applied to the fresh
 *    copy. A store failure is tried RECORD_ATTEMPTS times, then left: the claim runs out and the item is sent
 *    again. That window (Teams accepted the message, the record was lost) gives a duplicate, never a loss.
 *
 * Passes run on a PassLoop (now, then every poll interval); `track` runs work between passes, such as an
 * item sent straight after the turn that made it, and stop() waits for it.
 */
import { randomUUID } from 'node:crypto';
import type { Activity, ConversationReference } from 'botbuilder';
import { updateIfUnchanged } from '../persistence/conditionalUpdate';
import type { Versioned } from '../persistence/versioned';
import { errorFields, type Logger } from '../logger';
import { PassLoop } from './passLoop';
import { classifySendError, type ProactiveSender, type SendError } from './sender';

export const CLAIM_MS = 60_000;
/** How many times recording an outcome is tried when the store fails, with a short pause between. */
export const RECORD_ATTEMPTS = 4;
const RECORD_PAUSE_MS = 200;

/** Which instance is working on an item, and until when (ISO). */
export interface Claim {
  by: string;
  until: string;
}

/** The stored items as the engine needs them; the policy's own port provides these. */
export interface OutboxItems<T> {
  read(id: string): Promise<Versioned<T> | undefined>;
  replaceIfUnchanged(item: T, eTag: string): Promise<string | undefined>;
}

export interface OutboxOptions<T, R> {
  /** Names the policy in logs ("referralOutbox", "jobWorker"). */
  component: string;
  items: OutboxItems<T>;
  /** Where an item keeps its claim. */
  claimOf(item: T): Claim | undefined;
  withClaim(item: T, claim: Claim | undefined): T;
  sender: ProactiveSender;
  logger: Logger;
  /** One pass over what is due; the policy's own. */
  pass(): Promise<R>;
  pollMs(): number;
  /** Distinguishes this instance's claims; random by default. */
  instanceId?: string;
  /** Milliseconds since the epoch; tests move it on instead of sleeping. */
  now?: () => number;
  claimMs?: number;
}

/** An item this instance holds a claim on, with the eTag the claim was written at. */
export interface Claimed<T> {
  item: T;
  eTag: string;
  claim: Claim;
}

export type Sent = { activityId: string } | { error: SendError };

export class ClaimedOutbox<T extends { id: string }, R> {
  readonly instanceId: string;
  readonly now: () => number;
  readonly log: Logger;
  private readonly claimMs: number;
  private readonly loop: PassLoop<R>;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: OutboxOptions<T, R>) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.now = options.now ?? Date.now;
    this.claimMs = options.claimMs ?? CLAIM_MS;
    this.log = options.logger.child({ component: options.component, instanceId: this.instanceId });
    this.loop = new PassLoop(
      () => options.pass(),
      () => options.pollMs(),
      (err) => this.log.error({ err: errorFields(err) }, `${options.component} pass failed`),
    );
  }

  /** Runs a pass now and then every poll interval until stop(). */
  start(): void {
    this.loop.start();
  }

  /**
   * Stops polling; resolves once the pass in progress and any tracked work have finished. Each finishes the
   * item in hand and leaves the rest for the next pass (here or on another instance).
   */
  stop(): Promise<void> {
    return this.loop.stop([...this.inFlight]);
  }

  /** One pass, after any pass already in progress on this instance, so passes never overlap here. */
  runOnce(): Promise<R> {
    return this.loop.runOnce();
  }

  /** True while stop() waits: work should finish the item in hand and leave the rest. */
  get stopping(): boolean {
    return this.loop.stopping;
  }

  /** Runs work outside the passes (an item sent straight after its turn) that stop() waits for. */
  async track<X>(work: () => Promise<X>): Promise<X> {
    const running = work();
    this.inFlight.add(running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(running);
    }
  }

  /** Another instance (or an earlier attempt here) holds a claim on the item that has not run out. */
  claimedElsewhere(item: T): boolean {
    const claim = this.options.claimOf(item);
    return !!claim && Date.parse(claim.until) > this.now();
  }

  /** Claims the item on the eTag it was read at; undefined when it is claimed, or was changed since. */
  async claim(found: Versioned<T>): Promise<Claimed<T> | undefined> {
    if (this.claimedElsewhere(found.doc)) return undefined;
    const claim: Claim = { by: this.instanceId, until: new Date(this.now() + this.claimMs).toISOString() };
    const item = this.options.withClaim(found.doc, claim);
    const eTag = await this.options.items.replaceIfUnchanged(item, found.eTag);
    return eTag === undefined ? undefined : { item, eTag, claim };
  }

  /** The claim is still this one: nobody has taken the item over since. */
  stillOurs(current: T, claimed: Claimed<T>): boolean {
    const claim = this.options.claimOf(current);
    return claim?.by === claimed.claim.by && claim.until === claimed.claim.until;
  }

  /** The item without any claim, as recorded once the work on it is done. */
  released(item: T): T {
    return this.options.withClaim(item, undefined);
  }

  /** Sends one activity; a failure comes back classified rather than thrown. */
  async send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<Sent> {
    try {
      return { activityId: await this.options.sender.send(reference, activity) };
    } catch (err) {
      return { error: classifySendError(err, this.now()) };
    }
  }

  /**
   * Records an outcome: the change named `name` over the claimed copy, or re-applied to a fresh copy if the
   * item changed meanwhile (`change` returns undefined to leave it). Resolves with the item as recorded, or
   * undefined if nothing was written (left as it was, or the store kept failing: logged, and the claim runs out).
   */
  async record(claimed: Claimed<T>, name: string, change: (current: T) => T | undefined, log: Logger): Promise<T | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const updated = await updateIfUnchanged<T, undefined>(
          { read: () => this.options.items.read(claimed.item.id), write: async (doc, eTag) => (eTag === undefined ? undefined : this.options.items.replaceIfUnchanged(doc, eTag)) },
          {
            name,
            apply: (current) => {
              const next = current && change(current);
              return next ? { write: next, result: undefined } : { keep: undefined };
            },
          },
          { start: attempt === 1 ? { doc: claimed.item, eTag: claimed.eTag } : undefined },
        );
        return updated.changed ? updated.stored?.doc : undefined;
      } catch (err) {
        if (attempt >= RECORD_ATTEMPTS) {
          log.error({ err: errorFields(err), change: name }, 'could not record the outcome; it may be sent again');
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, RECORD_PAUSE_MS * attempt));
      }
    }
  }
}

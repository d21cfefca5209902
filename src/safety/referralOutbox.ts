import type { SafetySettings } from '../config';
import type { Versioned } from '../persistence/versioned';
import { errorFields, type Logger } from '../logger';
import { ClaimedOutbox, type Claimed } from '../proactive/outbox';
import { backoffMs, jitter, type ProactiveSender, type SendError } from '../proactive/sender';
import { referralCard, referralMessage } from './referralCard';
import { recordServiceEvent, type ServiceEventSink } from '../serviceEvents/events';
import { readLeadsChannel, type LeadsChannelRegistration, type StoredReferral } from './referralStore';
import type { Referrals } from './referralsPort';

/**
 * Delivers referrals to the service leads' channel: the referral policy of the claimed outbox
 * (src/proactive/outbox.ts, which claims, sends and records). Any number of bot instances may run it on one
 * store. An urgent referral is sent straight after the turn that made it (sendNow); the passes are the
 * safety net for everything else and for what that could not send.
 *
 * Each pass:
 * 1. finds referrals waiting to be posted (delivery.state 'pending' or 'failed', nextAttemptAt <= now) and
 *    urgent referrals still open whose card was posted more than repostAfterMs ago (to post a reminder);
 * 2. claims each one with a replace conditional on the eTag it read (claimedBy, claimedUntil = now + 60 s).
 *    A conflict means another instance changed or claimed it first: skip it. A live claim is skipped too;
 * 3. posts the card through the ProactiveSender (one HTTP request, with a timeout well inside the claim);
 * 4. records the result with a conditional replace. If that conflicts (a lead acknowledged in between, the
 *    person's "misunderstood" note), the record is re-applied to the fresh copy, so channelActivityId is
 *    never lost.
 *
 * Failures: attempts + 1, backoff 2 s × 2^(attempts-1), capped at 10 minutes, ±20 % jitter, or the
 * service's Retry-After; lastError holds a short code, never text. Nothing is ever given up: after
 * FAILED_AFTER_ATTEMPTS (or at once when the bot was removed or blocked, which is retried much later) the
 * state becomes 'failed' for health and logs, and retries carry on. With no leads' channel registered for
 * the tenant, the referral stays pending untouched, an error is logged (at most every 5 minutes per tenant)
 * and /healthz reports it.
 *
 * Idempotency: once a post is recorded (state 'delivered' with channelActivityId) no pass posts that
 * delivery again; only a reminder makes a new post, and it is claimed and recorded the same way. The one
 * window that cannot be closed: if this process dies (or the store stays unreachable) after Teams accepted
 * the post but before the record is written, or a post times out after Teams accepted it, the claim runs
 * out and another pass posts the card again. That gives the leads a duplicate card, never a lost referral:
 * at least once is the right side to err on.
 */
export interface ReferralOutboxOptions {
  referrals: Referrals;
  sender: ProactiveSender;
  safety: Pick<SafetySettings, 'repostAfterMs' | 'outboxPollMs'>;
  logger: Logger;
  /** Distinguishes this instance's claims; random by default. */
  instanceId?: string;
  /** Milliseconds since the epoch; tests move it on instead of sleeping. */
  now?: () => number;
  /** In [0, 1); for the jitter. */
  random?: () => number;
  claimMs?: number;
  /** When the bot was removed or blocked (401/403/404): retry this much later. */
  laterMs?: number;
  /** Service events (re-posts are counted). */
  events?: ServiceEventSink;
}

export interface ReferralBacklog {
  /** Referrals not yet posted, still being retried normally. */
  pending: number;
  /** Referrals not yet posted after many attempts, or refused by Teams; still being retried. */
  failed: number;
  /** Age of the oldest referral not yet posted; 0 if none. */
  oldestPendingSeconds: number;
  /** A leads' channel is registered, and for every tenant with a referral waiting. */
  leadsChannelRegistered: boolean;
}

export interface PassResult {
  delivered: number;
  reposted: number;
  failed: number;
  /** Waiting for a leads' channel to be registered. */
  noChannel: number;
  /** Claimed by someone else, or changed since it was read. */
  skipped: number;
}

export { CLAIM_MS } from '../proactive/outbox';
export const LATER_MS = 15 * 60_000;
export const FAILED_AFTER_ATTEMPTS = 8;
/** A referral older than this and not yet posted is a health problem. */
export const UNDELIVERED_PROBLEM_SECONDS = 120;
const NO_CHANNEL_LOG_EVERY_MS = 5 * 60_000;
const MAX_AUDIT_ENTRIES = 200;

/** How long to wait before attempt number `attempts + 1`, given the attempts that have failed so far (≥ 1). */
export function retryDelayMs(attempts: number, error: Pick<SendError, 'kind' | 'retryAfterMs'>, random: () => number = Math.random, laterMs = LATER_MS): number {
  if (error.kind === 'later') return Math.round(Math.max(laterMs, error.retryAfterMs ?? 0) * jitter(random));
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  return backoffMs(attempts, random);
}

/** The problems /healthz lists for a backlog. */
export function referralProblems(backlog: ReferralBacklog): string[] {
  const problems: string[] = [];
  if (!backlog.leadsChannelRegistered) problems.push('no-leads-channel');
  if (backlog.failed > 0 || backlog.oldestPendingSeconds > UNDELIVERED_PROBLEM_SECONDS) problems.push('referral-undelivered');
  return problems;
}

type Mode = 'first' | 'reminder';

export class ReferralOutbox {
  private readonly random: () => number;
  private readonly laterMs: number;
  private readonly engine: ClaimedOutbox<StoredReferral, PassResult>;
  private readonly noChannelLoggedAt = new Map<string, number>();

  constructor(private readonly options: ReferralOutboxOptions) {
    this.random = options.random ?? Math.random;
    this.laterMs = options.laterMs ?? LATER_MS;
    this.engine = new ClaimedOutbox<StoredReferral, PassResult>({
      component: 'referralOutbox',
      items: options.referrals,
      claimOf: (r) => (r.delivery.claimedBy && r.delivery.claimedUntil ? { by: r.delivery.claimedBy, until: r.delivery.claimedUntil } : undefined),
      withClaim: (r, claim) => ({ ...r, delivery: { ...r.delivery, claimedBy: claim?.by, claimedUntil: claim?.until } }),
      sender: options.sender,
      logger: options.logger,
      pass: () => this.runPass(),
      pollMs: () => options.safety.outboxPollMs,
      instanceId: options.instanceId,
      now: options.now,
      claimMs: options.claimMs,
    });
  }

  get instanceId(): string {
    return this.engine.instanceId;
  }

  /** Runs a pass now and then every outboxPollMs until stop(). */
  start(): void {
    this.engine.start();
  }

  /**
   * Stops polling and resolves once the pass in progress (if any) and any referral being sent straight after
   * its turn have finished. That pass finishes the referral it is posting and leaves the rest for the next
   * pass (here or on another instance).
   */
  stop(): Promise<void> {
    return this.engine.stop();
  }

  /** One pass; waits for a pass already in progress on this instance first, so passes never overlap here. */
  runOnce(): Promise<PassResult> {
    return this.engine.runOnce();
  }

  /**
   * Posts this referral now if it is waiting and unclaimed (an urgent referral, straight after the turn that
   * made it). Anything that stops it (no leads' channel, Teams failing, another instance on it) leaves it to
   * the passes, as if it had never been tried here.
   */
  sendNow(id: string): Promise<PassResult> {
    return this.engine.track(async () => {
      const result = emptyResult();
      const found = await this.options.referrals.read(id);
      const nowIso = new Date(this.engine.now()).toISOString();
      if (!found || !['pending', 'failed'].includes(found.doc.delivery.state) || found.doc.delivery.nextAttemptAt > nowIso) return result;
      await this.process(found, 'first', new Map(), result);
      return result;
    });
  }

  async backlog(): Promise<ReferralBacklog> {
    const now = this.engine.now();
    const [waiting, channels] = await Promise.all([this.options.referrals.waiting(), this.options.referrals.leadsChannels()]);
    const registered = new Set(channels.map((c) => c.tenantId));
    const oldest = waiting.reduce((min, r) => Math.min(min, Date.parse(r.createdAt) || now), now);
    return {
      pending: waiting.filter((r) => r.state === 'pending').length,
      failed: waiting.filter((r) => r.state === 'failed').length,
      oldestPendingSeconds: Math.max(0, Math.floor((now - oldest) / 1000)),
      leadsChannelRegistered: registered.size > 0 && waiting.every((r) => registered.has(r.tenantId)),
    };
  }

  private async runPass(): Promise<PassResult> {
    const result = emptyResult();
    const started = this.engine.now();
    const nowIso = new Date(started).toISOString();
    const repostBefore = new Date(started - this.options.safety.repostAfterMs).toISOString();
    const { referrals } = this.options;
    const [due, reminders] = await Promise.all([referrals.dueForPosting(nowIso), referrals.dueForReminder(repostBefore)]);
    // Urgent referrals not yet posted, then urgent reminders, then wellbeing referrals; oldest first within each.
    const work: { found: Versioned<StoredReferral>; mode: Mode }[] = [
      ...due.map((found) => ({ found, mode: 'first' as const })),
      ...reminders.filter((r) => r.doc.delivery.nextAttemptAt <= nowIso).map((found) => ({ found, mode: 'reminder' as const })),
    ].sort((a, b) => rankOf(a.found.doc, a.mode) - rankOf(b.found.doc, b.mode) || a.found.doc.createdAt.localeCompare(b.found.doc.createdAt));

    const channels = new Map<string, LeadsChannelRegistration | undefined>();
    for (const { found, mode } of work) {
      if (this.engine.stopping) break;
      await this.process(found, mode, channels, result);
    }
    if (work.length > 0) this.engine.log.debug({ ...result, ms: this.engine.now() - started }, 'referral outbox pass');
    return result;
  }

  private async process(found: Versioned<StoredReferral>, mode: Mode, channels: Map<string, LeadsChannelRegistration | undefined>, result: PassResult): Promise<void> {
    const referral = found.doc;
    if (this.engine.claimedElsewhere(referral)) {
      result.skipped += 1;
      return;
    }
    if (!channels.has(referral.tenantId)) channels.set(referral.tenantId, await readLeadsChannel(this.options.referrals, referral.tenantId));
    const channel = channels.get(referral.tenantId);
    if (!channel) {
      result.noChannel += 1;
      this.logNoChannel(referral);
      return;
    }
    try {
      result[await this.deliver(found, mode, channel)] += 1;
    } catch (err) {
      // The store failing mid-way: this referral is left as it was (or claimed, until the claim runs out).
      result.failed += 1;
      this.engine.log.error({ err: errorFields(err), referralId: referral.id, level: referral.level, mode }, 'referral outbox could not process a referral');
    }
  }

  private async deliver(found: Versioned<StoredReferral>, mode: Mode, channel: LeadsChannelRegistration): Promise<keyof PassResult> {
    const { engine } = this;
    const log = engine.log.child({ referralId: found.doc.id, level: found.doc.level, mode });

    // 1. Claim, on the eTag it was read at: if anything changed since, someone else got there first.
    const claimed = await engine.claim(found);
    if (!claimed) {
      log.debug('referral claimed or changed elsewhere; skipped');
      return 'skipped';
    }
    // A recorded post is never posted again as the same delivery (belt and braces: the query excludes it).
    if (mode === 'first' && claimed.item.delivery.channelActivityId) {
      await engine.record(claimed, 'mark referral delivered', (r) => engine.released({ ...r, delivery: { ...r.delivery, state: 'delivered' } }), log);
      return 'skipped';
    }

    // 2. Post. Only the referral's own fields go on the card; never anything the person wrote.
    const started = engine.now();
    const sent = await engine.send(channel.reference, referralMessage(claimed.item, { reminder: mode === 'reminder' }));
    if ('error' in sent) {
      await this.recordFailure(claimed, mode, sent.error, started, log);
      return 'failed';
    }
    const { activityId } = sent;

    // 3. Record. Re-applied to the fresh copy if a lead or the risk gate changed the referral meanwhile.
    const postedAt = new Date(engine.now()).toISOString();
    const recorded = await engine.record(claimed, 'record referral posted', (r) => {
      const earlier = r.delivery.channelActivityId ? [...(r.delivery.earlierActivityIds ?? []), r.delivery.channelActivityId] : r.delivery.earlierActivityIds;
      return {
        ...r,
        delivery: {
          ...r.delivery,
          state: 'delivered',
          channelActivityId: activityId,
          earlierActivityIds: earlier,
          postedAt,
          attempts: 0,
          lastError: undefined,
          reposts: mode === 'reminder' ? r.delivery.reposts + 1 : r.delivery.reposts,
          claimedBy: undefined,
          claimedUntil: undefined,
        },
        audit: trimAudit([
          ...r.audit,
          {
            at: postedAt,
            event: mode === 'reminder' ? `reminder posted to the leads channel (${r.delivery.reposts + 1})` : `posted to the leads channel (attempt ${r.delivery.attempts + 1})`,
          },
        ]),
      };
    }, log);
    log.info({ ms: engine.now() - started, channelActivityId: activityId, recorded: !!recorded }, mode === 'reminder' ? 'referral reminder posted' : 'referral posted');
    if (mode === 'reminder') await recordServiceEvent(this.options.events, { kind: 'referralReposted', level: found.doc.level });

    // A lead acknowledged while the reminder was being posted: that card should say so too.
    if (recorded && recorded.status !== 'open') {
      await this.options.sender.update(channel.reference, activityId, { type: 'message', attachments: [referralCard(recorded)] }).catch((err) => {
        log.warn({ err: errorFields(err) }, 'could not mark the new card as acknowledged');
      });
    }
    return mode === 'reminder' ? 'reposted' : 'delivered';
  }

  /** Attempts + 1 and the next try; 'failed' for health and logs after many attempts or a refusal. Never given up. */
  private async recordFailure(claimed: Claimed<StoredReferral>, mode: Mode, error: SendError, started: number, log: Logger): Promise<void> {
    const { engine } = this;
    const attempts = claimed.item.delivery.attempts + 1;
    const delay = retryDelayMs(attempts, error, this.random, this.laterMs);
    const failedNow = mode === 'first' && (attempts >= FAILED_AFTER_ATTEMPTS || error.kind === 'later');
    const logFields = { attempts, code: error.code, retryInMs: delay, ms: engine.now() - started };
    if (error.kind === 'later' || failedNow) log.error(logFields, 'referral could not be posted to the leads channel; will keep retrying');
    else log.warn(logFields, 'referral post failed; will retry');
    await engine.record(claimed, 'record referral post failed', (r) => {
      // Our claim ran out and another instance has taken the referral on: leave its record alone.
      if (!engine.stillOurs(r, claimed) || r.delivery.channelActivityId !== claimed.item.delivery.channelActivityId) return undefined;
      const at = new Date(engine.now()).toISOString();
      const next = engine.released({
        ...r,
        delivery: { ...r.delivery, attempts, lastError: error.code, nextAttemptAt: new Date(engine.now() + delay).toISOString() },
      });
      if (failedNow && r.delivery.state !== 'delivered') {
        next.delivery.state = 'failed';
        if (r.delivery.state !== 'failed') next.audit = trimAudit([...r.audit, { at, event: `delivery failing (${error.code}); still retrying` }]);
      }
      return next;
    }, log);
  }

  private logNoChannel(referral: StoredReferral): void {
    const now = this.engine.now();
    const last = this.noChannelLoggedAt.get(referral.tenantId);
    if (last !== undefined && now - last < NO_CHANNEL_LOG_EVERY_MS) return;
    this.noChannelLoggedAt.set(referral.tenantId, now);
    this.engine.log.error(
      { referralId: referral.id, level: referral.level, tenantId: referral.tenantId },
      'referral waiting: no leads channel registered for this tenant (a service lead must send "register referrals" in it)',
    );
  }
}

function emptyResult(): PassResult {
  return { delivered: 0, reposted: 0, failed: 0, noChannel: 0, skipped: 0 };
}

function rankOf(referral: StoredReferral, mode: Mode): number {
  if (referral.level !== 'urgent') return 2;
  return mode === 'first' ? 0 : 1;
}

function trimAudit<T>(audit: T[]): T[] {
  return audit.length > MAX_AUDIT_ENTRIES ? audit.slice(audit.length - MAX_AUDIT_ENTRIES) : audit;
}

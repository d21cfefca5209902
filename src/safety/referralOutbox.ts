import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import type { SafetySettings } from '../config';
import { errorFields, type Logger } from '../logger';
import { PassLoop } from '../proactive/passLoop';
import { backoffMs, classifySendError, jitter, type ProactiveSender, type SendError } from '../proactive/sender';
import { referralCard, referralMessage } from './referralCard';
import { recordServiceEvent, type ServiceEventSink } from '../serviceEvents/events';
import { readLeadsChannel, replaceIfUnchanged, updateReferral, type LeadsChannelRegistration, type StoredReferral } from './referralStore';

/**
 * Delivers referrals to the service leads' channel. Any number of bot instances may run it on one store.
 *
 * Each pass:
 * 1. finds referrals waiting to be posted (delivery.state 'pending' or 'failed', nextAttemptAt <= now) and
 *    urgent referrals still open whose card was posted more than repostAfterMs ago (to post a reminder);
 * 2. claims each one with a replace conditional on the eTag it read (claimedBy, claimedUntil = now + 60 s).
 *    A 412 means another instance changed or claimed it first: skip it. A live claim is skipped too;
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
  referrals: Container;
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

export const CLAIM_MS = 60_000;
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
  readonly instanceId: string;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly claimMs: number;
  private readonly laterMs: number;
  private readonly log: Logger;
  private readonly loop: PassLoop<PassResult>;
  private readonly noChannelLoggedAt = new Map<string, number>();

  constructor(private readonly options: ReferralOutboxOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.claimMs = options.claimMs ?? CLAIM_MS;
    this.laterMs = options.laterMs ?? LATER_MS;
    this.log = options.logger.child({ component: 'referralOutbox', instanceId: this.instanceId });
    this.loop = new PassLoop(
      () => this.runPass(),
      () => this.options.safety.outboxPollMs,
      (err) => this.log.error({ err: errorFields(err) }, 'referral outbox pass failed'),
    );
  }

  /** Runs a pass now and then every outboxPollMs until stop(). */
  start(): void {
    this.loop.start();
  }

  /**
   * Stops polling and resolves once the pass in progress (if any) has finished. That pass finishes the
   * referral it is posting and leaves the rest for the next pass (here or on another instance).
   */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass; waits for a pass already in progress on this instance first, so passes never overlap here. */
  runOnce(): Promise<PassResult> {
    return this.loop.runOnce();
  }

  async backlog(): Promise<ReferralBacklog> {
    const now = this.now();
    const { resources: waiting } = await this.options.referrals.items
      .query<{ tenantId: string; createdAt: string; state: string }>({
        query: "SELECT c.tenantId, c.createdAt, c.delivery.state AS state FROM c WHERE c.docType = 'referral' AND (c.delivery.state = 'pending' OR c.delivery.state = 'failed')",
      })
      .fetchAll();
    const { resources: channels } = await this.options.referrals.items
      .query<{ tenantId: string }>({ query: "SELECT c.tenantId FROM c WHERE c.docType = 'leadsChannel'" })
      .fetchAll();
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
    const result: PassResult = { delivered: 0, reposted: 0, failed: 0, noChannel: 0, skipped: 0 };
    const started = this.now();
    const nowIso = new Date(started).toISOString();
    const repostBefore = new Date(started - this.options.safety.repostAfterMs).toISOString();
    const { referrals } = this.options;
    const [{ resources: due }, { resources: reminders }] = await Promise.all([
      referrals.items
        .query<StoredReferral>({
          query:
            "SELECT * FROM c WHERE c.docType = 'referral' AND (c.delivery.state = 'pending' OR c.delivery.state = 'failed') AND c.delivery.nextAttemptAt <= @now",
          parameters: [{ name: '@now', value: nowIso }],
        })
        .fetchAll(),
      referrals.items
        .query<StoredReferral>({
          query:
            "SELECT * FROM c WHERE c.docType = 'referral' AND c.level = 'urgent' AND c.status = 'open' AND c.delivery.state = 'delivered' AND c.delivery.postedAt <= @before",
          parameters: [{ name: '@before', value: repostBefore }],
        })
        .fetchAll(),
    ]);
    // Urgent referrals not yet posted, then urgent reminders, then wellbeing referrals; oldest first within each.
    const work: { referral: StoredReferral; mode: Mode }[] = [
      ...due.map((referral) => ({ referral, mode: 'first' as const })),
      ...reminders.filter((r) => r.delivery.nextAttemptAt <= nowIso).map((referral) => ({ referral, mode: 'reminder' as const })),
    ].sort((a, b) => rankOf(a.referral, a.mode) - rankOf(b.referral, b.mode) || a.referral.createdAt.localeCompare(b.referral.createdAt));

    const channels = new Map<string, LeadsChannelRegistration | undefined>();
    for (const { referral, mode } of work) {
      if (this.loop.stopping) break;
      if (referral.delivery.claimedUntil && Date.parse(referral.delivery.claimedUntil) > this.now()) {
        result.skipped += 1;
        continue;
      }
      if (!channels.has(referral.tenantId)) channels.set(referral.tenantId, await readLeadsChannel(referrals, referral.tenantId));
      const channel = channels.get(referral.tenantId);
      if (!channel) {
        result.noChannel += 1;
        this.logNoChannel(referral);
        continue;
      }
      try {
        result[await this.deliver(referral, mode, channel)] += 1;
      } catch (err) {
        // The store failing mid-way: this referral is left as it was (or claimed, until the claim runs out).
        result.failed += 1;
        this.log.error({ err: errorFields(err), referralId: referral.id, level: referral.level, mode }, 'referral outbox could not process a referral');
      }
    }
    if (work.length > 0) this.log.debug({ ...result, ms: this.now() - started }, 'referral outbox pass');
    return result;
  }

  private async deliver(found: StoredReferral, mode: Mode, channel: LeadsChannelRegistration): Promise<keyof PassResult> {
    const { referrals, sender } = this.options;
    const log = this.log.child({ referralId: found.id, level: found.level, mode });

    // 1. Claim, on the eTag the query returned: if anything changed since, someone else got there first.
    const claimedAt = this.now();
    const claimed: StoredReferral = {
      ...found,
      delivery: { ...found.delivery, claimedBy: this.instanceId, claimedUntil: new Date(claimedAt + this.claimMs).toISOString() },
    };
    const claimEtag = await replaceIfUnchanged(referrals, claimed, found._etag ?? '');
    if (claimEtag === undefined) {
      log.debug('referral claimed or changed elsewhere; skipped');
      return 'skipped';
    }
    // A recorded post is never posted again as the same delivery (belt and braces: the query excludes it).
    if (mode === 'first' && claimed.delivery.channelActivityId) {
      await this.record(claimed, claimEtag, (r) => ({ ...r, delivery: { ...r.delivery, state: 'delivered' } }), log);
      return 'skipped';
    }

    // 2. Post. Only the referral's own fields go on the card; never anything the person wrote.
    const started = this.now();
    let activityId: string;
    try {
      activityId = await sender.send(channel.reference, referralMessage(claimed, { reminder: mode === 'reminder' }));
    } catch (err) {
      const error = classifySendError(err, this.now());
      const attempts = claimed.delivery.attempts + 1;
      const delay = retryDelayMs(attempts, error, this.random, this.laterMs);
      const failedNow = mode === 'first' && (attempts >= FAILED_AFTER_ATTEMPTS || error.kind === 'later');
      const logFields = { attempts, code: error.code, retryInMs: delay, ms: this.now() - started };
      if (error.kind === 'later' || failedNow) log.error(logFields, 'referral could not be posted to the leads channel; will keep retrying');
      else log.warn(logFields, 'referral post failed; will retry');
      await this.record(claimed, claimEtag, (r) => {
        // Our claim ran out and another instance has taken the referral on: leave its record alone.
        if (r.delivery.claimedBy !== this.instanceId || r.delivery.channelActivityId !== claimed.delivery.channelActivityId) return undefined;
        const at = new Date(this.now()).toISOString();
        const next = {
          ...r,
          delivery: {
            ...r.delivery,
            attempts,
            lastError: error.code,
            nextAttemptAt: new Date(this.now() + delay).toISOString(),
            claimedBy: undefined,
            claimedUntil: undefined,
          },
        };
        if (failedNow && r.delivery.state !== 'delivered') {
          next.delivery.state = 'failed';
          if (r.delivery.state !== 'failed') next.audit = trimAudit([...r.audit, { at, event: `delivery failing (${error.code}); still retrying` }]);
        }
        return next;
      }, log);
      return 'failed';
    }

    // 3. Record. Re-applied to the fresh copy if a lead or the risk gate changed the referral meanwhile.
    const postedAt = new Date(this.now()).toISOString();
    const recorded = await this.record(claimed, claimEtag, (r) => {
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
    log.info({ ms: this.now() - started, channelActivityId: activityId, recorded: !!recorded }, mode === 'reminder' ? 'referral reminder posted' : 'referral posted');
    if (mode === 'reminder') await recordServiceEvent(this.options.events, { kind: 'referralReposted', level: found.level });

    // A lead acknowledged while the reminder was being posted: that card should say so too.
    if (recorded && recorded.status !== 'open') {
      await sender.update(channel.reference, activityId, { type: 'message', attachments: [referralCard(recorded)] }).catch((err) => {
        log.warn({ err: errorFields(err) }, 'could not mark the new card as acknowledged');
      });
    }
    return mode === 'reminder' ? 'reposted' : 'delivered';
  }

  /**
   * Writes `change` over the claimed copy, re-reading and re-applying on conflicts. After a post this must
   * not be lost, so a store failure is retried a few times before giving up (which leaves the claim to run
   * out and the referral to be posted again: the duplicate window described above).
   */
  private async record(
    claimed: StoredReferral,
    etag: string,
    change: (r: StoredReferral) => StoredReferral | undefined,
    log: Logger,
  ): Promise<StoredReferral | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await updateReferral(
          this.options.referrals,
          claimed.id,
          (r) => {
            const next = change(r);
            return next && dropUndefined(next);
          },
          attempt === 1 ? { referral: claimed, etag } : undefined,
        );
        return result?.referral;
      } catch (err) {
        if (attempt >= 4) {
          log.error({ err: errorFields(err) }, 'could not record the referral delivery; it may be posted again');
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private logNoChannel(referral: StoredReferral): void {
    const last = this.noChannelLoggedAt.get(referral.tenantId);
    if (last !== undefined && this.now() - last < NO_CHANNEL_LOG_EVERY_MS) return;
    this.noChannelLoggedAt.set(referral.tenantId, this.now());
    this.log.error(
      { referralId: referral.id, level: referral.level, tenantId: referral.tenantId },
      'referral waiting: no leads channel registered for this tenant (a service lead must send "register referrals" in it)',
    );
  }
}

function rankOf(referral: StoredReferral, mode: Mode): number {
  if (referral.level !== 'urgent') return 2;
  return mode === 'first' ? 0 : 1;
}

function trimAudit<T>(audit: T[]): T[] {
  return audit.length > MAX_AUDIT_ENTRIES ? audit.slice(audit.length - MAX_AUDIT_ENTRIES) : audit;
}

/** Cosmos stores `undefined` fields as absent anyway; dropping them keeps documents and comparisons tidy. */
function dropUndefined(referral: StoredReferral): StoredReferral {
  return JSON.parse(JSON.stringify(referral)) as StoredReferral;
}

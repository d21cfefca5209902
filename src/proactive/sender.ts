import { TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';

/**
 * Proactive messages: posting to, and updating, a conversation the bot is not currently in a turn with
 * (the service leads' channel), from a stored ConversationReference, through the CloudAdapter.
 *
 * Each call makes exactly one HTTP request to the Teams connector and gives up after `timeoutMs`. The
 * connector client's own retry policy (up to three retries with sleeps that honour Retry-After) is taken
 * out for these calls: retrying is the outbox's job, where it is persisted, visible in /healthz, spaced by
 * backoff and kept well inside the outbox's claim on the referral. A failure is thrown as a SendError that
 * says whether and when to try again.
 */
export interface ProactiveSender {
  /** Posts a new activity to the referenced conversation; resolves with the id Teams gave it. */
  send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<string>;
  /** Replaces an activity the bot posted earlier (for example a card, once acted on). */
  update(reference: Partial<ConversationReference>, activityId: string, activity: Partial<Activity>): Promise<void>;
}

/**
 * - retryable: throttled (429), the service failing (5xx, 408), a timeout or a network error; try again soon
 *   (after `retryAfterMs` when the service said so).
 * - later: the bot was removed or blocked, or the request is refused (401, 403, 404, other 4xx). Trying again
 *   soon will not help, but someone may fix it (re-add the bot), so try again much later and log an error.
 */
export type SendFailureKind = 'retryable' | 'later';

export class SendError extends Error {
  constructor(
    readonly kind: SendFailureKind,
    /** A short code safe to store and log, such as "http-429", "timeout" or "network-econnrefused". Never message text. */
    readonly code: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(`proactive send failed: ${code}`);
    this.name = 'SendError';
  }
}

const MAX_RETRY_AFTER_MS = 3600_000;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Reads a Retry-After header value (seconds, or an HTTP date) as milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/** Turns anything the connector threw into a SendError. Only the status, code and header are read, never the message. */
export function classifySendError(err: unknown, now: number = Date.now()): SendError {
  if (err instanceof SendError) return err;
  const e = (err ?? {}) as { name?: unknown; code?: unknown; statusCode?: unknown; response?: { status?: unknown; headers?: unknown } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.response?.status === 'number' ? e.response.status : undefined;
  if (status !== undefined) {
    const retryAfterMs = parseRetryAfter(headerOf(e.response?.headers, 'retry-after'), now);
    if (status === 429 || status === 408 || status >= 500) return new SendError('retryable', `http-${status}`, status, retryAfterMs);
    return new SendError('later', `http-${status}`, status, retryAfterMs);
  }
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return new SendError('retryable', 'timeout');
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || /^E[A-Z_]+$/.test(e.code))) {
    return new SendError('retryable', `network-${e.code.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
  }
  return new SendError('retryable', 'unknown');
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const value = typeof h.get === 'function' ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/**
 * A Teams channel conversation id received in a thread carries the thread's root: `19:…@thread.tacv2;messageid=…`.
 * Posting to the id without it starts a new post in the channel rather than replying in that thread.
 */
export function channelRoot(conversationId: string): string {
  return conversationId.split(';messageid=')[0]!;
}

/** The part of the connector client this module calls (botframework-connector's ConnectorClient). */
interface ConnectorConversations {
  conversations: {
    sendToConversation(conversationId: string, activity: Partial<Activity>, options?: { abortSignal?: AbortSignal }): Promise<{ id?: string }>;
    updateActivity(conversationId: string, activityId: string, activity: Partial<Activity>, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  };
}

export interface CloudAdapterSenderOptions {
  /** Per request; keep it well under the outbox's claim (60 s). */
  timeoutMs?: number;
}

/**
 * The ProactiveSender on the bot's CloudAdapter: `continueConversationAsync(appId, reference, logic)`, then the
 * turn's connector client. `appId` is the bot's app id, or '' in local unauthenticated mode (the adapter then
 * sends without a token, which is what the local connector stand-in and the Agents Playground accept).
 */
export class CloudAdapterSender implements ProactiveSender {
  private readonly timeoutMs: number;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    options: CloudAdapterSenderOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<string> {
    const id = await this.withConnector(reference, (connector, outgoing) =>
      connector.conversations.sendToConversation(outgoing.conversation!.id, outgoing, { abortSignal: AbortSignal.timeout(this.timeoutMs) }),
      activity,
    );
    if (!id?.id) throw new SendError('retryable', 'no-activity-id');
    return id.id;
  }

  async update(reference: Partial<ConversationReference>, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.withConnector(
      reference,
      (connector, outgoing) =>
        connector.conversations.updateActivity(outgoing.conversation!.id, activityId, { ...outgoing, id: activityId }, { abortSignal: AbortSignal.timeout(this.timeoutMs) }),
      activity,
    );
  }

  private async withConnector<T>(
    reference: Partial<ConversationReference>,
    call: (connector: ConnectorConversations, outgoing: Partial<Activity>) => Promise<T>,
    activity: Partial<Activity>,
  ): Promise<T> {
    if (!reference.serviceUrl || !reference.conversation?.id) throw new SendError('later', 'bad-reference');
    // Proactive, not a reply: no activityId, so nothing is sent as a reply to a stale message.
    const target: Partial<ConversationReference> = { ...reference, activityId: undefined, user: undefined };
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    // Errors are caught inside the logic: thrown out of it they would reach the adapter's onTurnError, which
    // apologises into the conversation (here, the leads' channel).
    await this.adapter.continueConversationAsync(this.appId, target as ConversationReference, async (context) => {
      try {
        const connector = context.turnState.get(this.adapter.ConnectorClientKey) as ConnectorConversations;
        withoutInnerRetries(connector);
        const outgoing = TurnContext.applyConversationReference({ ...activity }, target);
        delete outgoing.replyToId;
        outcome = { ok: true, value: await call(connector, outgoing) };
      } catch (error) {
        outcome = { ok: false, error };
      }
    });
    if (!outcome) throw new SendError('retryable', 'not-run');
    if (!outcome.ok) throw classifySendError(outcome.error);
    return outcome.value;
  }
}

/**
 * Removes the pipeline's retry policy from this connector client (a new client is made for every proactive
 * call). It reaches into the client's pipeline, so it is guarded: if botbuilder changes shape, the built-in
 * retries simply stay (each call is still bounded by its timeout). test/referralsOverHttp.test.ts notices either way,
 * because it expects one request per failed attempt.
 */
function withoutInnerRetries(connector: unknown): void {
  const pipeline = (connector as { client?: { pipeline?: { removePolicy?: (o: { name: string }) => unknown } } }).client?.pipeline;
  if (typeof pipeline?.removePolicy === 'function') {
    pipeline.removePolicy({ name: 'defaultRetryPolicy' });
    pipeline.removePolicy({ name: 'retryPolicy' });
  }
}

/** Retries of a proactive send wait 2 s × 2^(attempt-1), at most 10 minutes, with ±20 % jitter so instances spread out. */
export const BASE_DELAY_MS = 2_000;
export const MAX_DELAY_MS = 10 * 60_000;

export function jitter(random: () => number): number {
  return 1 + (random() * 2 - 1) * 0.2;
}

/** The exponential backoff before attempt `attempts + 1`, given `attempts` (≥ 1) have failed. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 20);
  return Math.round(Math.min(BASE_DELAY_MS * 2 ** exponent, MAX_DELAY_MS) * jitter(random));
}

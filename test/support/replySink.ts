import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedReply {
  conversationId: string;
  replyToId?: string;
  activity: {
    type: string;
    text?: string;
    attachments?: { contentType: string; content: any }[];
    [field: string]: unknown;
  };
}

/** An activity the bot replaced (updateActivity): PUT `{serviceUrl}/v3/conversations/{id}/activities/{activityId}`. */
export interface CapturedUpdate {
  conversationId: string;
  activityId: string;
  activity: CapturedReply['activity'];
}

/** A response a test queues for the next POST instead of accepting it, such as a 429 with Retry-After. */
export interface InjectedResponse {
  status: number;
  headers?: Record<string, string>;
}

/** A member of a conversation, as Teams' members API gives it. */
export interface ConversationMember {
  id: string;
  name: string;
  aadObjectId?: string;
  userPrincipalName?: string;
}

/**
 * A loopback stand-in for the Teams connector: the bot POSTs its replies to
 * `{serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]`, as it would to Teams.
 * It also answers the members API for conversations given a members table (`setMembers`):
 * GET `/v3/conversations/{id}/members` and `/v3/conversations/{id}/pagedmembers`.
 */
export class ReplySink {
  readonly replies: CapturedReply[] = [];
  readonly updates: CapturedUpdate[] = [];
  /** POSTs answered with an injected response (not in `replies`: Teams did not accept them). */
  readonly refused: (CapturedReply & { status: number })[] = [];
  /** Milliseconds to wait before answering a POST, so that concurrent senders overlap. */
  delayMs = 0;
  private readonly injected: InjectedResponse[] = [];
  private server?: Server;
  private waiters: { wanted: (reply: CapturedReply) => boolean; resolve: (reply: CapturedReply) => void }[] = [];
  url = '';
  /** Members per conversation id, for the members API; a conversation without a table answers 404. */
  private readonly members = new Map<string, ConversationMember[]>();
  /** The most members one pagedmembers page holds (Teams pages too); the bot's own pageSize can make it fewer. */
  membersPageSize = 500;
  /** Conversation ids whose members the bot asked for, in order. */
  readonly memberRequests: string[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => (this.delayMs > 0 ? setTimeout(answer, this.delayMs) : answer()));
      const answer = () => {
        if (req.method === 'GET' && this.answerMembers(req.url ?? '', res)) return;
        const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
        if (req.method === 'PUT' && match && match[2]) {
          this.updates.push({ conversationId: decodeURIComponent(match[1]!), activityId: decodeURIComponent(match[2]), activity: JSON.parse(body) });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: decodeURIComponent(match[2]) }));
          return;
        }
        if (req.method === 'POST' && match && this.injected.length > 0) {
          const injected = this.injected.shift()!;
          this.refused.push({
            conversationId: decodeURIComponent(match[1]!),
            replyToId: match[2] ? decodeURIComponent(match[2]) : undefined,
            activity: JSON.parse(body),
            status: injected.status,
          });
          res.writeHead(injected.status, { 'content-type': 'application/json', ...injected.headers });
          res.end(JSON.stringify({ error: { code: 'Injected', message: 'injected by the test' } }));
          return;
        }
        if (req.method === 'POST' && match) {
          this.replies.push({
            conversationId: decodeURIComponent(match[1]!),
            replyToId: match[2] ? decodeURIComponent(match[2]) : undefined,
            activity: JSON.parse(body),
          });
          this.wake();
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: `reply-${this.replies.length}` }));
          return;
        }
        res.writeHead(404);
        res.end();
      };
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this;
  }

  /** Who is in a conversation (a group chat), as the members API will report it. */
  setMembers(conversationId: string, members: ConversationMember[]): void {
    this.members.set(conversationId, members.map((m) => ({ ...m })));
  }

  private answerMembers(url: string, res: ServerResponse): boolean {
    const one = /^\/v3\/conversations\/([^/?]+)\/members\/([^/?]+)$/.exec(url);
    if (one) {
      const member = this.members.get(decodeURIComponent(one[1]!))?.find((m) => m.id === decodeURIComponent(one[2]!));
      res.writeHead(member ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(member ? { id: member.id, name: member.name, aadObjectId: member.aadObjectId, userPrincipalName: member.userPrincipalName } : { error: { code: 'MemberNotFound' } }));
      return true;
    }
    const match = /^\/v3\/conversations\/([^/?]+)\/(members|pagedmembers)(?:\?(.*))?$/.exec(url);
    if (!match) return false;
    const conversationId = decodeURIComponent(match[1]!);
    this.memberRequests.push(conversationId);
    const members = this.members.get(conversationId);
    if (!members) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'ConversationNotFound', message: 'Conversation not found.' } }));
      return true;
    }
    // Teams gives the Entra id as `objectId` in the older list and `aadObjectId` in paged results.
    const shaped = members.map((m) => ({ id: m.id, name: m.name, aadObjectId: m.aadObjectId, objectId: m.aadObjectId, userRole: 'user', tenantId: 'tenant-1' }));
    res.writeHead(200, { 'content-type': 'application/json' });
    if (match[2] === 'members') {
      res.end(JSON.stringify(shaped));
      return true;
    }
    const query = new URLSearchParams(match[3] ?? '');
    const pageSize = Math.min(this.membersPageSize, Number(query.get('pageSize')) || this.membersPageSize);
    const start = Number(query.get('continuationToken') ?? '0') || 0;
    const next = start + pageSize;
    res.end(JSON.stringify({ members: shaped.slice(start, next), ...(next < shaped.length ? { continuationToken: String(next) } : {}) }));
    return true;
  }

  /** Answers the next POSTs with these responses, in order, instead of accepting them. */
  injectResponses(...responses: InjectedResponse[]): void {
    this.injected.push(...responses);
  }

  /**
   * Resolves with the first post the connector accepted that is `wanted`, as soon as there is one (an event, not
   * a poll: the test's own time limit bounds the wait).
   */
  received(wanted: (reply: CapturedReply) => boolean): Promise<CapturedReply> {
    const found = this.replies.find(wanted);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ wanted, resolve }));
  }

  /** Replies other than typing indicators, for one conversation. */
  messagesTo(conversationId: string) {
    return this.replies.filter((r) => r.conversationId === conversationId && r.activity.type === 'message').map((r) => r.activity);
  }

  typingTo(conversationId: string) {
    return this.replies.filter((r) => r.conversationId === conversationId && r.activity.type === 'typing');
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private wake() {
    const latest = this.replies.at(-1)!;
    this.waiters = this.waiters.filter((w) => (w.wanted(latest) ? (w.resolve(latest), false) : true));
  }
}

/** Card text flattened for assertions: every TextBlock text, fact and action title. */
export function cardText(activity: CapturedReply['activity']): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      for (const field of ['text', 'title', 'value', 'label']) if (typeof n[field] === 'string') parts.push(n[field] as string);
      Object.values(n).forEach(walk);
    }
  };
  walk(activity.attachments?.map((a) => a.content));
  return parts.join('\n');
}

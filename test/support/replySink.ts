import { createServer, type Server } from 'node:http';
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

/**
 * A loopback stand-in for the Teams connector: the bot POSTs its replies to
 * `{serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]`, as it would to Teams.
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
  private waiters: { count: number; resolve: () => void }[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => (this.delayMs > 0 ? setTimeout(answer, this.delayMs) : answer()));
      const answer = () => {
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

  /** Answers the next POSTs with these responses, in order, instead of accepting them. */
  injectResponses(...responses: InjectedResponse[]): void {
    this.injected.push(...responses);
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
    this.waiters = this.waiters.filter((w) => (this.replies.length >= w.count ? (w.resolve(), false) : true));
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

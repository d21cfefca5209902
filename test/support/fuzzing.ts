import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { botAccount, newUser, personalConversationId, teamsMessage, type TeamsUser } from './teams';

/** Arbitraries and a counting Teams stand-in for test/fuzz.test.ts. */

export const APOLOGY = /something went wrong on my side/;

/** The Teams stand-in for the bulk properties: answers 200 and only notes conversations that got an apology. */
export class CountingSink {
  readonly apologised = new Set<string>();
  received = 0;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received += 1;
        const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
        if (match && APOLOGY.test(Buffer.concat(chunks).toString('utf8'))) this.apologised.add(decodeURIComponent(match[1]!));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"id":"r${this.received}"}`);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** POSTs a body to /api/messages; a request not answered in 10 s fails (a hang is a finding too). */
export async function postBody(botUrl: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<number> {
  const response = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------------------

export const specials = [
  '${user.name}',
  '${if(true, "yes", "no")}',
  '${json(turn)}',
  '{{name}}',
  '**bold**',
  '_italic_',
  '`code`',
  '# heading',
  '- item',
  '1. first',
  '> quote',
  '[a link](https://example.org)',
  '![image](https://example.org/x.png)',
  '<b>bold</b>',
  '<script>alert(1)</script>',
  '<at>Staff coaching</at>',
  '&amp; &lt; &#x41;',
  '|a|b|',
  '~~struck~~',
  '\\',
  '"',
  "'",
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\t',
  '\u202e',
  '\u200b',
  '\ufeff',
  '😀',
  'é',
  'ß',
];
export const benignWords = ['handover', 'rota', 'ward', 'team', 'confidence', 'lead', 'teaching', 'audit', 'clinic', 'shift', 'notes', 'plan'];
export const commands = ['start coaching', 'help', 'menu', 'where am I', 'my plan', 'pause', 'start again', 'yes', 'no', 'export my data', 'delete my data', 'register referrals', 'Not OK right now', 'book a coach', 'my bookings', 'hi'];

/** Anything a person might type, including the characters that could be interpreted on the way out. */
export const anyText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(...specials, ...commands),
  fc.array(fc.constantFrom(...specials, ...benignWords), { maxLength: 8 }).map((parts) => parts.join(' ')),
);

/** Text that cannot contain a word, so the risk gate's screening has nothing to find in it. */
export const letterless = fc.string({ unit: fc.constantFrom(...'0123456789 !#$%&()*+,-./:;<=>?@[]^_`{|}~\t\n"\'\\\u0000\u0007\u202e😀'.split('')), maxLength: 40 });

export const cardNames = ['scaling', 'actionPlan', 'checkIn', 'choice', 'stageGuide', 'referral', 'fuzz'];
/** Something shaped like one of the bot's card submissions, with any values. */
export const cardLike = fc.record(
  {
    card: fc.oneof(fc.constantFrom(...cardNames), fc.string({ maxLength: 60 }), fc.jsonValue({ maxDepth: 1 })),
    questionId: fc.oneof(fc.uuid(), fc.constant('myPlan'), fc.string({ maxLength: 120 }), fc.integer()),
    scale: fc.oneof(fc.integer({ min: -20, max: 30 }), fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 })),
    say: anyText,
    action1: fc.oneof(anyText, fc.jsonValue({ maxDepth: 1 })),
    byWhen1: fc.oneof(fc.constant('2027-01-15'), fc.string({ maxLength: 12 })),
    nervous: fc.constantFrom('0', '1', '2', '3', 'x', ''),
    harmSelf: fc.constantFrom('0', '1', '2', '3', ''),
    harmOthers: fc.constantFrom('yes', 'no', ''),
  },
  { requiredKeys: [] },
);
export const anyValue = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), cardLike);

/** A pool of people, so that fuzzed activities also meet each other's state mid-conversation. */
export const pool: TeamsUser[] = Array.from({ length: 24 }, () => newUser());
export const poolConversations = pool.map(() => personalConversationId());

export type Activity = Record<string, unknown> & { conversation: { id: string; [field: string]: unknown } };

export function wellFormedActivity(serviceUrl: string): fc.Arbitrary<Activity> {
  return fc
    .record({
      type: fc.oneof(
        { weight: 6, arbitrary: fc.constant('message') },
        { weight: 3, arbitrary: fc.constantFrom('conversationUpdate', 'invoke', 'event', 'messageReaction', 'typing', 'installationUpdate', 'messageUpdate', 'messageDelete', 'endOfConversation') },
        { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
      ),
      person: fc.integer({ min: 0, max: pool.length }),
      conversationType: fc.oneof({ weight: 8, arbitrary: fc.constant('personal') }, { weight: 2, arbitrary: fc.constantFrom('groupChat', 'channel', 'weird', undefined) }),
      text: fc.option(anyText, { nil: undefined }),
      value: anyValue,
      name: fc.option(fc.oneof(fc.constantFrom('fileConsent/invoke', 'adaptiveCard/action', 'composeExtension/query', 'signin/verifyState', 'task/fetch'), fc.string({ maxLength: 30 })), { nil: undefined }),
      textFormat: fc.option(fc.constantFrom('plain', 'markdown', 'xml', 'weird'), { nil: undefined }),
      locale: fc.option(fc.oneof(fc.constantFrom('en-GB', 'cy-GB', 'xx', ''), fc.string({ maxLength: 12 })), { nil: undefined }),
      // Entities are objects with a type, and a mention names who is mentioned (the schema requires both);
      // anything else in them goes.
      entities: fc.option(
        fc.array(
          fc.oneof(
            fc.record({ type: fc.constantFrom('mention', 'Mention'), text: fc.string(), mentioned: fc.oneof(fc.constant(botAccount), fc.record({ id: fc.string(), name: fc.string() })) }),
            fc
              .tuple(fc.oneof(fc.constant('clientInfo'), fc.string({ maxLength: 10 }).filter((t) => t.toLowerCase() !== 'mention')), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }))
              .map(([type, rest]) => ({ ...rest, type })),
          ),
          { maxLength: 3 },
        ),
        { nil: undefined },
      ),
      attachments: fc.option(fc.array(fc.record({ contentType: fc.constantFrom('application/vnd.microsoft.card.adaptive', 'text/html', 'image/png', 'x'), content: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 2 }), { nil: undefined }),
      channelData: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      membersAdded: fc.option(fc.array(fc.record({ id: fc.oneof(fc.constant(botAccount.id), fc.string()) }), { maxLength: 2 }), { nil: undefined }),
      replyToId: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      aadObjectId: fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 80 })), { nil: undefined }),
    })
    .map((a) => {
      const fresh = a.person === pool.length;
      const user = fresh ? { ...newUser(), ...(a.aadObjectId !== undefined ? { aadObjectId: a.aadObjectId } : {}) } : pool[a.person]!;
      const conversationId = a.conversationType === 'personal' && !fresh ? poolConversations[a.person]! : `${a.conversationType ?? 'x'}:${randomUUID()}`;
      const activity: Activity = {
        ...teamsMessage(serviceUrl, conversationId, user, ''),
        type: a.type,
        conversation: { id: conversationId, ...(a.conversationType ? { conversationType: a.conversationType } : {}), tenantId: 'tenant-1' },
      };
      // Teams puts a mention's text in the message text, so a message with a mention always has text. (Without it,
      // botbuilder's removeRecipientMention throws: see the known-defect test in fuzz.test.ts.)
      if (a.text === undefined && a.entities?.some((e) => String(e.type).toLowerCase() === 'mention')) a.text = '';
      for (const field of ['text', 'value', 'name', 'textFormat', 'locale', 'entities', 'attachments', 'channelData', 'membersAdded', 'replyToId'] as const) {
        if (a[field] === undefined) delete activity[field];
        else activity[field] = a[field];
      }
      return activity;
    });
}

/** Bodies that are not a Bot Framework activity: anything may come back except a crash. */
export function malformedBody(serviceUrl: string): fc.Arbitrary<{ body: string | Buffer; headers: Record<string, string> }> {
  const json = { 'content-type': 'application/json' };
  const valid = () => teamsMessage(serviceUrl, personalConversationId(), newUser(), 'hi') as Record<string, unknown>;
  return fc.oneof(
    fc.string({ maxLength: 200 }).map((body) => ({ body, headers: json })),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ body: Buffer.from(bytes), headers: json })),
    fc.jsonValue({ maxDepth: 3 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((v) => ({ body: JSON.stringify(v), headers: json })),
    fc
      .record({
        field: fc.constantFrom('type', 'conversation', 'from', 'recipient', 'channelId', 'id', 'text', 'timestamp'),
        value: fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })),
      })
      .map(({ field, value }) => ({ body: JSON.stringify({ ...valid(), [field]: value }), headers: json })),
    // A serviceUrl of the wrong type. A falsy one (null, false, 0, "") or an unreachable host holds the request while
    // the bot tries to reply through the default or unknown endpoint, about 20 s here where DNS fails, since the
    // bot sets no timeout of its own on replies: reported, and left out here to keep the run short.
    fc
      .oneof(fc.integer({ min: 1 }), fc.constant(true), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }))
      .map((serviceUrl) => ({ body: JSON.stringify({ ...valid(), serviceUrl }), headers: json })),
    fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1').map((type) => ({
      body: JSON.stringify(valid()),
      headers: type ? { 'content-type': type } : ({} as Record<string, string>),
    })),
    fc.string({ maxLength: 50 }).map((tail) => ({ body: `${JSON.stringify(valid()).slice(0, -1)}${tail}`, headers: json })),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Invalid card submissions, invalid by construction
// ---------------------------------------------------------------------------------------------------------

/** A scale that is not a whole number from 1 to 10 in any spelling the validator takes. */
export const badScale = fc.oneof(
  fc.integer({ min: -1_000_000, max: 0 }),
  fc.integer({ min: 11, max: 1_000_000 }),
  fc.double({ min: -100, max: 100, noNaN: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom<unknown>(null, false, '', ' ', 'abc', 'NaN', 'Infinity', '-1', '11', '0', '3.5', 1e21, -0.5, {}, [], [1, 2], { scale: 5 }),
  fc.string({ unit: fc.constantFrom(...'!#$%&()*+,-/:;<=>?@[]^_`{|}~"\'\\'.split('')), minLength: 1, maxLength: 8 }),
);
export const foreignQuestionId = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 100 }).filter((s) => s !== 'myPlan'));
export const wrongTypedQuestionId = fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.uuid(), { maxLength: 2 }), fc.string({ minLength: 101, maxLength: 140 }));
export const otherCard = fc.oneof(fc.constant('actionPlan'), fc.string({ maxLength: 20 }).map((s) => `fuzz-${s}`));

export function invalidScaling(questionId: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    badScale.map((scale) => ({ card: 'scaling', questionId, scale })),
    fc.constant({ card: 'scaling', questionId }),
    fc.tuple(foreignQuestionId, fc.integer({ min: 1, max: 10 })).map(([q, scale]) => ({ card: 'scaling', questionId: q, scale })),
    fc.tuple(wrongTypedQuestionId, fc.integer({ min: 1, max: 10 })).map(([q, scale]) => ({ card: 'scaling', questionId: q, scale })),
    fc.tuple(otherCard, fc.integer({ min: 1, max: 10 })).map(([card, scale]) => ({ card, questionId, scale })),
    fc.tuple(badScale, fc.dictionary(fc.string({ maxLength: 10 }).filter((k) => !['card', 'questionId', 'scale', 'say'].includes(k)), letterless, { maxKeys: 3 })).map(([scale, extra]) => ({ ...extra, card: 'scaling', questionId, scale })),
  );
}

export const planFields = ['action1', 'byWhen1', 'action2', 'byWhen2', 'action3', 'byWhen3', 'obstacle1', 'overcome1', 'obstacle2', 'overcome2', 'obstacle3', 'overcome3'];
export const blank = fc.constantFrom<string | undefined>(undefined, '', ' ', '\t\n', '\u00a0', '\u3000');
export const badDate = fc.string({ maxLength: 12 }).filter((s) => s.trim() !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(s.trim()));

export function invalidPlan(questionId: string): fc.Arbitrary<Record<string, unknown>> {
  const base = { card: 'actionPlan', questionId };
  return fc.oneof(
    // No action at all, whatever else is filled in.
    fc.tuple(blank, blank, blank, letterless, letterless).map(([a1, a2, a3, obstacle1, overcome1]) => ({ ...base, action1: a1, action2: a2, action3: a3, obstacle1, overcome1 })),
    // An action with a date that is not a date.
    fc.tuple(letterless.filter((s) => s.trim() !== ''), fc.constantFrom('byWhen1', 'byWhen2', 'byWhen3'), badDate).map(([action1, field, date]) => ({ ...base, action1, [field]: date })),
    // A field of the wrong type.
    fc
      .tuple(fc.constantFrom(...planFields), fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 })))
      .map(([field, value]) => ({ ...base, action1: '123', [field]: value })),
    // A field far too long.
    fc.constantFrom(...planFields.filter((f) => !f.startsWith('byWhen'))).map((field) => ({ ...base, action1: '123', [field]: '9'.repeat(4001) })),
    // Someone else's card, or this card for another question.
    foreignQuestionId.map((q) => ({ card: 'actionPlan', questionId: q, action1: '123' })),
    wrongTypedQuestionId.map((q) => ({ card: 'actionPlan', questionId: q, action1: '123' })),
    otherCard.filter((c) => c !== 'actionPlan').map((card) => ({ card, questionId, action1: '123' })),
  );
}

/** The stored document without the bookkeeping every turn may change (last message time, answered activity ids). */
export function comparable(doc: Record<string, unknown> | undefined): unknown {
  if (!doc) return doc;
  // The risk gate's memory of the conversation (the last question, recent messages) changes with every
  // message by design; what must not change is the person's coaching and safety state.
  const { eTag: _eTag, lastMessageAt: _last, processed: _processed, screeningMemory: _memory, ...rest } = doc;
  return JSON.parse(JSON.stringify(rest, (key, value) => (key === 'attemptCount' ? undefined : value)));
}


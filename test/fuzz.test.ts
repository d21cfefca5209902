import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { asWritten } from '../src/turn/cards';
import { startBot, type RunningBot } from '../src/app';
import { parsePlan, parseScale } from '../src/coaching/dialogKit';
import { submissionHeader } from '../src/coaching/cardSubmissions';
import { submittedText } from '../src/turn/inbound';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { PersonalChat, type Seen } from './support/chat';
import { ReplySink } from './support/replySink';
import { silentLogger, testConfig } from './support/bot';
import { botAccount, newUser, personalConversationId, teamsMessage, type TeamsUser } from './support/teams';
import {
  anyText,
  APOLOGY,
  benignWords,
  cardLike,
  comparable,
  CountingSink,
  invalidPlan,
  invalidScaling,
  malformedBody,
  planFields,
  postBody,
  specials,
  wellFormedActivity,
} from './support/fuzzing';

/**
 * fast-check fuzzing of what reaches /api/messages: activities, card submissions and bodies, 10,000+ cases in
 * all (the per-property counts are in CASES). Over HTTP against one bot (local mode, embedded store), in batches
 * posted at once (about a minute on 2 cores); the card validators are also fuzzed in-process.
 *
 * Properties:
 * - well-formed activities of any kind and content: never a 5xx (an invoke no handler answers gets the Bot
 *   Framework's 501), never a failed turn (the apology), the bot stays healthy;
 * - malformed bodies (not JSON, not an object, required fields of the wrong type): anything but a crash;
 * - invalid card submissions (scale out of range or of the wrong type, stale or foreign question ids, other
 *   cards, plans with no action, bad dates, fields of the wrong type or too long): refused with a reply, and the
 *   person's stored document is unchanged apart from bookkeeping: lastMessageAt, the answered activity ids and the prompt's
 *   attemptCount;
 * - `${...}`, markdown, HTML and control characters in what a person types are kept and quoted as typed;
 * - bodies over REQUEST_BODY_LIMIT_BYTES get 413 and nothing is processed.
 *
 * Nothing here logs message text.
 */

const LIMIT = 8192;
const CASES = {
  wellFormed: { runs: 250, batch: 10 },
  malformed: { runs: 120, batch: 10 },
  scaling: { runs: 125, batch: 8 },
  plan: { runs: 100, batch: 8 },
  literalShallow: { runs: 15, batch: 6 },
  literalDeep: { runs: 4, batch: 4 },
  oversized: { runs: 50, batch: 6 },
  validators: { runs: 4100, batch: 1 },
};
// Generous: every activity now also runs the learned screening model, and CI machines are shared and slow.
// A limit is a safety net against a hang, not a measure of speed (that is `npm run bench`).
jest.setTimeout(300_000);
const total = Object.values(CASES).reduce((sum, { runs, batch }) => sum + runs * batch, 0);

// ---------------------------------------------------------------------------------------------------------

describe(`fuzzing what reaches /api/messages (${total} cases)`, () => {
  const sink = new ReplySink();
  const bulk = new CountingSink();
  let bot: RunningBot;
  let people: CosmosBotStorage;

  beforeAll(async () => {
    await sink.start();
    await bulk.start();
    // Flood protection at its highest setting (10,000 a minute): every case here is people sending back to back.
    // The store is in memory only: snapshotting thousands of fuzzed documents to disk on stop took minutes on a
    // loaded machine and ran past the hook's limit, and nothing here reads them back from disk.
    bot = await startBot(testConfig({ REQUEST_BODY_LIMIT_BYTES: String(LIMIT), MESSAGES_PER_MINUTE_PER_PERSON: '10000' }), silentLogger, { outbox: { autoStart: false } });
    people = new CosmosBotStorage(bot.store.containers.programmes, 'userId');
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await bot.stop();
    await bulk.stop();
    await sink.stop();
  });
  afterEach(async () => {
    // No property may leave the bot unhealthy.
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  const stored = async (user: TeamsUser) => comparable(await people.readOne(user.aadObjectId));

  it(`answers ${CASES.wellFormed.runs * CASES.wellFormed.batch} well-formed activities of every kind without a 5xx or a failed turn`, async () => {
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(wellFormedActivity(bulk.url), { minLength: CASES.wellFormed.batch, maxLength: CASES.wellFormed.batch }), async (batch) => {
        bulk.apologised.clear();
        const results = await Promise.all(batch.map((activity) => postBody(bot.url, JSON.stringify(activity))));
        batch.forEach((activity, i) => {
          const status = results[i]!;
          statuses[status] = (statuses[status] ?? 0) + 1;
          // An invoke nothing answers gets 501 Not Implemented, as the Bot Framework protocol has it.
          if (status >= 500) expect({ type: activity.type, name: activity.name, status }).toEqual({ type: 'invoke', name: activity.name, status: 501 });
          expect(bulk.apologised.has(activity.conversation.id)).toBe(false);
        });
      }),
      { numRuns: CASES.wellFormed.runs },
    );
    expect(statuses[200]).toBeGreaterThan(CASES.wellFormed.runs * CASES.wellFormed.batch * 0.5);
  });

  // A message with no text but a mention of the bot (schema-valid) once failed the turn: botbuilder's
  // removeRecipientMention does activity.text.replace(...). wordsOf allows for it.
  it('answers a message that mentions the bot but has no text (a card submission in a channel, say)', async () => {
    const activity = { ...teamsMessage(bulk.url, personalConversationId(), newUser(), ''), value: { card: 'fuzz' }, entities: [{ type: 'mention', text: '<at>Staff coaching</at>', mentioned: botAccount }] };
    delete (activity as { text?: string }).text;
    expect(await postBody(bot.url, JSON.stringify(activity))).toBe(200);
    expect(bulk.apologised.has(activity.conversation.id)).toBe(false);
  });

  it(`survives ${CASES.malformed.runs * CASES.malformed.batch} malformed bodies`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(malformedBody(bulk.url), { minLength: CASES.malformed.batch, maxLength: CASES.malformed.batch }), async (batch) => {
        const statuses = await Promise.all(batch.map(({ body, headers }) => postBody(bot.url, body, headers)));
        for (const status of statuses) expect(status).toBeGreaterThanOrEqual(200);
      }),
      { numRuns: CASES.malformed.runs },
    );
  });

  describe('invalid card submissions change nothing', () => {
    /** People waiting at a question, each with the card data of that question. */
    async function peopleAt(count: number, walk: (chat: PersonalChat) => Promise<Seen>, card: string) {
      return Promise.all(
        Array.from({ length: count }, async () => {
          const chat = new PersonalChat(bot.url, sink);
          const seen = await walk(chat);
          return { chat, questionId: seen.card(card).questionId as string };
        }),
      );
    }
    const toScaling = async (chat: PersonalChat) => {
      await chat.startCoaching();
      let seen!: Seen;
      for (const answer of ['Lead the ward handover', 'Longer term', 'It is the right time', 'A direction', 'I would know my next step', 'I would be teaching', 'Less time with family', 'The benefits outweigh the costs']) {
        seen = await chat.say(answer);
      }
      return seen;
    };
    const toActionPlan = async (chat: PersonalChat) => {
      let seen = await toScaling(chat);
      seen = await chat.submit({ ...seen.card('scaling'), scale: 3 });
      for (const answer of ['I turn up and try', 'I would ask for help sooner', 'I ran the flu clinic', 'no', 'Quiet weeks were easier', 'Patient', 'no', 'Running', 'Delegating', 'My team leader', 'She plans her week', 'Some of it', 'Maybe', 'My union rep', 'Use my patience']) {
        seen = await chat.say(answer);
      }
      return seen;
    };

    async function refusesAndKeeps(people: { chat: PersonalChat; questionId: string }[], arbitrary: (questionId: string) => fc.Arbitrary<Record<string, unknown>>, runs: number) {
      // What each person's document must still be after every refused submission.
      const kept = await Promise.all(people.map(({ chat }) => stored(chat.user)));
      await fc.assert(
        fc.asyncProperty(fc.tuple(...people.map(({ questionId }) => arbitrary(questionId))), async (values) => {
          await Promise.all(
            values.map(async (value, i) => {
              const { chat } = people[i]!;
              const seen = await chat.submit(value);
              expect(seen.all).not.toMatch(APOLOGY);
              expect(seen.activities.length).toBeGreaterThan(0);
              expect(await stored(chat.user)).toEqual(kept[i]);
            }),
          );
        }),
        { numRuns: runs },
      );
    }

    it(`refuses ${CASES.scaling.runs * CASES.scaling.batch} invalid scaling-card submissions and keeps the person's state`, async () => {
      const waiting = await peopleAt(CASES.scaling.batch, toScaling, 'scaling');
      await refusesAndKeeps(waiting, invalidScaling, CASES.scaling.runs);
      // Still at the same question, and a valid tap is taken.
      const { chat, questionId } = waiting[0]!;
      expect((await chat.submit({ card: 'scaling', questionId, scale: 4 })).all).toMatch(/What puts you at 4 and not lower\?/);
    });

    it(`refuses ${CASES.plan.runs * CASES.plan.batch} invalid action-plan submissions and keeps the person's state`, async () => {
      const waiting = await peopleAt(CASES.plan.batch, toActionPlan, 'actionPlan');
      await refusesAndKeeps(waiting, invalidPlan, CASES.plan.runs);
      const { chat, questionId } = waiting[0]!;
      expect((await chat.submit({ card: 'actionPlan', questionId, action1: 'Book a meeting', byWhen1: '2027-01-15' })).all).toMatch(/Your plan has one action/);
    });

    // The scale was once read with z.coerce.number(), taking `true` as 1 and `[5]` or "0x5" as 5.
    it('refuses a scale of the wrong type that coerces to a number (true, [5], "0x5")', async () => {
      const [{ chat, questionId }] = await peopleAt(1, toScaling, 'scaling');
      for (const scale of [true, [5], '0x5']) {
        const before = await stored(chat.user);
        await chat.submit({ card: 'scaling', questionId, scale });
        expect(await stored(chat.user)).toEqual(before);
      }
    });
  });

  describe('what a person types is quoted as typed', () => {
    /** A goal made of the characters that could be interpreted on the way out, between ordinary words. */
    const goalText = fc
      .array(fc.oneof(fc.constantFrom(...specials), fc.constantFrom(...benignWords)), { minLength: 2, maxLength: 8 })
      .chain((parts) => fc.constantFrom(' ', '', '  ', '\n').map((glue) => `${benignWords[parts.length % benignWords.length]} ${parts.join(glue)}`))
      .filter((s) => s.length <= 90);
    const kept = (raw: string) => raw.replace(/\r\n?/g, '\n').trim();
    // As quote() shows it: one line, no trailing full stop, markdown characters kept literal (zero-width space).
    const quoted = (goal: string) => asWritten(goal.replace(/\s+/g, ' ').trim().replace(/\.+$/, ''));

    const goalOf = async (chat: PersonalChat) => ((await people.readOne(chat.user.aadObjectId))?.programme as { sessions: Record<string, { goal?: { text?: string } }> }).sessions['1']!.goal?.text;

    it(`keeps ${CASES.literalShallow.runs * CASES.literalShallow.batch} goals with \${...}, markdown, HTML and control characters, and quotes them back as typed`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(goalText, { minLength: CASES.literalShallow.batch, maxLength: CASES.literalShallow.batch }), async (goals) => {
          await Promise.all(
            goals.map(async (raw) => {
              const chat = new PersonalChat(bot.url, sink);
              await chat.startCoaching();
              const afterGoal = await chat.say(raw);
              expect(afterGoal.all).toMatch(/next few weeks, or a longer-term goal/);
              expect(await goalOf(chat)).toBe(kept(raw));
              const whereAmI = (await chat.say('where am I')).activities.find((a) => /We were looking at/.test(a.text ?? ''))!;
              expect(whereAmI.textFormat).toBe('plain');
              expect(whereAmI.text).toContain(`for your goal "${kept(raw)}"`);
            }),
          );
        }),
        { numRuns: CASES.literalShallow.runs },
      );
    });

    it(`quotes ${CASES.literalDeep.runs * CASES.literalDeep.batch} such goals unchanged in later questions and in the scaling card`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(goalText, { minLength: CASES.literalDeep.batch, maxLength: CASES.literalDeep.batch }), async (goals) => {
          await Promise.all(
            goals.map(async (raw) => {
              const chat = new PersonalChat(bot.url, sink);
              await chat.startCoaching();
              let seen = await chat.say(raw);
              for (const answer of ['Longer term', 'It is the right time', 'A direction', 'I would know my next step', 'I would be teaching']) seen = await chat.say(answer);
              expect(seen.all).toContain(`Your goal is: "${quoted(kept(raw))}".`);
              seen = await chat.say('Less time with family');
              seen = await chat.say('The benefits outweigh the costs');
              const scalingCard = JSON.stringify(seen.activities.flatMap((a) => a.attachments ?? []));
              expect(scalingCard).toContain(JSON.stringify(`where are you today with "${quoted(kept(raw))}"?`).slice(1, -1));
            }),
          );
        }),
        { numRuns: CASES.literalDeep.runs },
      );
    });

    // The person's words were once quoted into markdown (**bold** in bold, [text](url) as a live link): messages
    // are now plain text unless marked markdown, and quote()/asWritten() neutralise markdown in cards.
    it('shows markdown in a quoted goal as typed: plain text, or escaped in cards', async () => {
      const chat = new PersonalChat(bot.url, sink);
      await chat.startCoaching();
      const goal = 'Lead **handover** with [a link](https://example.org)';
      await chat.say(goal);
      const quoting: { text?: string; textFormat?: unknown; inCard: boolean }[] = [];
      for (const answer of ['Longer term', 'It is the right time', 'A direction', 'I would know my next step', 'I would be teaching', 'Less time with family', 'The benefits outweigh the costs']) {
        const seen = await chat.say(answer);
        for (const a of seen.activities) {
          // Quoted in a message: it must be plain text. In a card: only with its markdown made literal.
          if ((a.text ?? '').includes(asWritten(goal))) quoting.push({ text: a.text, textFormat: a.textFormat, inCard: false });
          if (JSON.stringify(a.attachments ?? []).includes(JSON.stringify(goal).slice(1, -1))) quoting.push({ inCard: true });
        }
      }
      expect(quoting.length).toBeGreaterThan(0);
      expect(quoting.filter((q) => q.inCard || q.textFormat !== 'plain')).toEqual([]);
    });
  });

  describe(`bodies over REQUEST_BODY_LIMIT_BYTES (${LIMIT})`, () => {
    const oversized = fc.record({
      size: fc.integer({ min: LIMIT + 1, max: LIMIT * 6 }),
      chunked: fc.boolean(),
      kind: fc.constantFrom('activity', 'garbage'),
    });

    /** POSTs `body` with a Content-Length, or chunked without one. */
    function send(body: Buffer, chunked: boolean): Promise<number> {
      return new Promise((resolve, reject) => {
        const target = new URL(`${bot.url}/api/messages`);
        const req = request(
          { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(body.length) }) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        if (chunked) {
          for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
          req.end();
        } else {
          req.end(body);
        }
      });
    }

    it(`refuses ${CASES.oversized.runs * CASES.oversized.batch} oversized bodies with 413 and processes none of them`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(oversized, { minLength: CASES.oversized.batch, maxLength: CASES.oversized.batch }), async (batch) => {
          await Promise.all(
            batch.map(async ({ size, chunked, kind }) => {
              const user = newUser();
              const activity = teamsMessage(sink.url, personalConversationId(), user, '');
              const skeleton = JSON.stringify(activity);
              const body = kind === 'activity' ? Buffer.from(JSON.stringify({ ...activity, text: 'x'.repeat(Math.max(0, size - skeleton.length)) })) : Buffer.alloc(size, '{');
              expect(body.length).toBeGreaterThan(LIMIT);
              expect(await send(body, chunked)).toBe(413);
              expect(await people.readOne(user.aadObjectId)).toBeUndefined();
              expect(sink.messagesTo(activity.conversation.id)).toEqual([]);
            }),
          );
        }),
        { numRuns: CASES.oversized.runs },
      );
    });

    // restify's bodyParser reads the whole body before answering 413; server.ts refuses on the Content-Length
    // header before reading, so a client cannot hold the connection while it streams.
    it('refuses a body whose Content-Length is over the limit before it has been sent', async () => {
      const status = await new Promise<number | 'no answer'>((resolve) => {
        const target = new URL(`${bot.url}/api/messages`);
        const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(LIMIT * 10) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => undefined);
        req.write('{"type":"message"');
        // Long enough for a loaded machine to answer; a server that waits for the body never does.
        setTimeout(() => {
          resolve('no answer');
          req.destroy();
        }, 15_000);
      });
      expect(status).toBe(413);
    });

    // With Content-Encoding: gzip, restify counts the compressed bytes against maxBodySize and buffers the
    // decompressed body without bound (a decompression bomb); server.ts refuses compressed bodies.
    it('refuses a gzip body that decompresses to more than the limit', async () => {
      const user = newUser();
      const activity = teamsMessage(sink.url, personalConversationId(), user, 'x'.repeat(LIMIT * 100));
      const body = gzipSync(Buffer.from(JSON.stringify(activity)));
      expect(body.length).toBeLessThan(LIMIT);
      const status = await postBody(bot.url, body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      expect(await people.readOne(user.aadObjectId)).toBeUndefined();
      expect(status).toBe(415);
    });
  });

  it(`card validators never throw and accept only what is valid (${CASES.validators.runs} payloads, in-process)`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), cardLike, fc.record({ card: fc.constantFrom('scaling', 'actionPlan'), questionId: fc.constant('q') }, { requiredKeys: [] }).chain((v) => cardLike.map((c) => ({ ...c, ...v })))), fc.option(anyText, { nil: undefined }), (value, text) => {
        const activity = { value, text } as Parameters<typeof parseScale>[0];
        const scale = parseScale(activity, 'q');
        if (typeof scale === 'number') {
          expect(Number.isInteger(scale) && scale >= 1 && scale <= 10).toBe(true);
        }
        const plan = parsePlan(activity, 'q');
        if (typeof plan === 'object') {
          expect([plan.action1, plan.action2, plan.action3].some((a) => a.length > 0)).toBe(true);
          for (const date of [plan.byWhen1, plan.byWhen2, plan.byWhen3]) expect(date === '' || /^\d{4}-\d{2}-\d{2}$/.test(date)).toBe(true);
          for (const field of planFields) expect(String((plan as Record<string, unknown>)[field]).length).toBeLessThanOrEqual(500);
        }
        const header = submissionHeader(value);
        if (header) expect(typeof header.card).toBe('string');
        for (const s of submittedText(value)) expect(typeof s).toBe('string');
      }),
      { numRuns: CASES.validators.runs },
    );
  });
});

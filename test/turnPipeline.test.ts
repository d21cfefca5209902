import { existsSync, readdirSync } from 'node:fs';
import { Agent, get, request } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { startBot, type RunningBot } from '../src/app';
import { createRouter } from '../src/bot/router';
import type { ConversationLogic } from '../src/bot/turnPipeline';
import type { ConversationDocument } from '../src/documents/conversation';
import { screenMessage } from '../src/safety/screenMessage';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { openStore, type Store } from '../src/store/store';
import { cosmosServiceStore } from '../src/store/serviceStore';
import { PersonalChat } from './support/chat';
import { cardText, ReplySink } from './support/replySink';
import { silentLogger, tempDataDir, testConfig } from './support/bot';
import { botInstalled, newUser, personalConversationId, post, teamsMessage } from './support/teams';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A conversation logic whose message turn waits until the test releases it; `started` resolves when it is waiting. */
function heldTurn() {
  let start!: () => void;
  let release!: () => void;
  const started = new Promise<void>((resolve) => (start = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const logic: ConversationLogic = async (context) => {
    if (context.activity.type !== 'message') return;
    start();
    await released;
    await context.sendActivity('Noted (1)');
  };
  return { logic, started, release };
}

/** A container (or anything reached from it) whose every request is still waiting for an answer. */
const neverAnswers: any = new Proxy(function never() {}, {
  get: (_target, property) => (property === 'then' ? () => undefined : neverAnswers),
  apply: () => neverAnswers,
});

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

/**
 * A conversation logic that keeps every answer it is given, slowly, so that turns overlap between
 * reading and saving the state. It stands in for any dialog step that stores what the person said.
 */
const keepEveryAnswer =
  (delayMs: number): ConversationLogic =>
  async (context, data: ConversationDocument) => {
    if (context.activity.type !== 'message') return;
    await pause(delayMs);
    const answers = (data.answers as string[] | undefined) ?? [];
    data.answers = [...answers, context.activity.text];
    await context.sendActivity(`Noted (${answers.length + 1})`);
  };

describe('the turn pipeline over HTTP', () => {
  const sink = new ReplySink();
  beforeAll(() => sink.start());
  afterAll(() => sink.stop());

  describe('two bot instances on one store', () => {
    let store: Store;
    let first: RunningBot;
    let second: RunningBot;

    beforeAll(async () => {
      store = await openStore({ kind: 'embedded', dataDir: tempDataDir(), database: 'pipeline' }, silentLogger);
      first = await startBot(testConfig(), silentLogger, { store, logic: keepEveryAnswer(30) });
      second = await startBot(testConfig(), silentLogger, { store, logic: keepEveryAnswer(30) });
    });
    afterAll(async () => {
      await first.stop();
      await second.stop();
      await store.close();
    });

    it('loses no answer when messages to one conversation arrive at once on both instances', async () => {
      const conversation = personalConversationId();
      const user = newUser();
      const texts = Array.from({ length: 6 }, (_, i) => `answer ${i + 1}`);
      const responses = await Promise.all(
        texts.map((text, i) => post(i % 2 === 0 ? first.url : second.url, teamsMessage(sink.url, conversation, user, text))),
      );
      expect(responses.map((r) => r.status)).toEqual(texts.map(() => 200));

      // In a 1:1 chat the turn state belongs to the person: one document in programmes, keyed by their Entra id.
      const stored = await new CosmosBotStorage(store.containers.programmes, 'userId').readOne(user.aadObjectId);
      expect([...(stored!.answers as string[])].sort()).toEqual(texts);
      // Every person-visible reply was sent once, after its own turn was saved.
      expect(sink.messagesTo(conversation).map((a) => a.text).sort()).toEqual(texts.map((_, i) => `Noted (${i + 1})`).sort());
    });

    it('processes an activity that Teams redelivers during a slow turn once, whichever instance gets it', async () => {
      const conversation = personalConversationId();
      // Words the risk gate lets through (a direct question would be a card, not "Noted (1)").
      const text = 'a redelivered answer';
      expect(screenMessage({ text }).level).toBe('none');
      const activity = teamsMessage(sink.url, conversation, newUser(), text);
      const responses = await Promise.all([post(first.url, activity), post(second.url, activity), post(first.url, activity)]);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      await post(second.url, activity);
      expect(sink.messagesTo(conversation).map((a) => a.text)).toEqual(['Noted (1)']);
    });
  });

  it('sends exactly one welcome when a new person sends two messages at once', async () => {
    const bot = await startBot(testConfig(), silentLogger);
    try {
      const conversation = personalConversationId();
      const user = newUser();
      await Promise.all([
        post(bot.url, teamsMessage(sink.url, conversation, user, 'help')),
        post(bot.url, teamsMessage(sink.url, conversation, user, 'menu')),
      ]);
      const texts = sink.messagesTo(conversation).map((a) => a.text ?? cardText(a));
      expect(texts.filter((t) => t.includes('Welcome to staff coaching'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('type these words at any time'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('What would you like to do?'))).toHaveLength(2);
    } finally {
      await bot.stop();
    }
  });

  it('keeps state across a restart: a new server on the same data folder remembers the conversation', async () => {
    const dataDir = tempDataDir();
    const conversation = personalConversationId();
    const user = newUser();

    const before = await startBot(testConfig({ LOCAL_DATA_DIR: dataDir }), silentLogger);
    await post(before.url, botInstalled(sink.url, conversation, user));
    await before.stop();
    expect(existsSync(path.join(dataDir, 'cosmos-snapshot.json'))).toBe(true);
    expect(readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const after = await startBot(testConfig({ LOCAL_DATA_DIR: dataDir }), silentLogger);
    try {
      await post(after.url, teamsMessage(sink.url, conversation, user, 'help'));
      const texts = sink.messagesTo(conversation).map((a) => a.text ?? cardText(a));
      expect(texts.filter((t) => t.includes('Welcome to staff coaching'))).toHaveLength(1);
      expect(texts.at(-2)).toMatch(/type these words at any time/);
    } finally {
      await after.stop();
    }
  });

  it('apologises with a reference when a turn fails, saves nothing, and lets Teams retry the activity', async () => {
    let failNext = true;
    const flaky: ConversationLogic = async (context, data) => {
      data.touched = true;
      if (failNext) {
        failNext = false;
        throw new Error('simulated failure');
      }
      await respondToActivity(context, data);
    };
    const config = testConfig();
    const store = await openStore(config.store, silentLogger);
    const respondToActivity = createRouter({ safety: config.safety, referrals: store.referrals, logger: silentLogger });
    const bot = await startBot(config, silentLogger, { logic: flaky, store });
    try {
      const conversation = personalConversationId();
      const activity = teamsMessage(sink.url, conversation, newUser(), 'help');
      await post(bot.url, activity);
      const [apology] = sink.messagesTo(conversation);
      expect(apology!.text).toMatch(/^Sorry, something went wrong on my side[\s\S]*reference to your service: [0-9a-f-]{36}$/);
      expect(apology!.text).not.toContain('simulated failure');
      expect(await new CosmosBotStorage(bot.store.containers.programmes, 'userId').readOne(activity.from.aadObjectId)).toBeUndefined();

      await post(bot.url, activity);
      expect(cardText(sink.messagesTo(conversation)[1]!)).toMatch(/Welcome to staff coaching/);
    } finally {
      await bot.stop();
      await store.close();
    }
  });

  it('shows the typing indicator only while a turn is slow', async () => {
    // A quick turn: the indicator would come after a minute, so none is sent.
    const quick = await startBot(testConfig(), silentLogger, { logic: keepEveryAnswer(0), typingDelayMs: 60_000 });
    const quickChat = personalConversationId();
    try {
      expect((await post(quick.url, teamsMessage(sink.url, quickChat, newUser(), 'hello'))).status).toBe(200);
      expect(sink.messagesTo(quickChat).length).toBeGreaterThan(0);
      expect(sink.typingTo(quickChat)).toEqual([]);
    } finally {
      await quick.stop();
    }
    // A slow turn: it waits until the person has seen the indicator, then answers.
    const slowChat = personalConversationId();
    const waitsForTyping: ConversationLogic = async (context, data) => {
      while (sink.typingTo(slowChat).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await keepEveryAnswer(0)(context, data);
    };
    const slow = await startBot(testConfig(), silentLogger, { logic: waitsForTyping, typingDelayMs: 10 });
    try {
      expect((await post(slow.url, teamsMessage(sink.url, slowChat, newUser(), 'hello'))).status).toBe(200);
      expect(sink.typingTo(slowChat).length).toBeGreaterThan(0);
      expect(sink.messagesTo(slowChat).length).toBeGreaterThan(0);
    } finally {
      await slow.stop();
    }
  });

  it('finishes a turn in progress when asked to stop, then refuses new requests', async () => {
    const turn = heldTurn();
    const bot = await startBot(testConfig(), silentLogger, { logic: turn.logic });
    const conversation = personalConversationId();
    const inFlight = post(bot.url, teamsMessage(sink.url, conversation, newUser(), 'one more thing'));
    await turn.started;
    const stopped = bot.stop();
    turn.release();
    const response = await inFlight;
    await stopped;
    expect(response.status).toBe(200);
    expect(sink.messagesTo(conversation).map((a) => a.text)).toEqual(['Noted (1)']);
    await expect(fetch(`${bot.url}/healthz`)).rejects.toThrow();
  });

  it('stores the service events still waiting when it stops gracefully', async () => {
    // The store outlives the bot, so what the stop stored can be read once it has stopped.
    const store = await openStore({ kind: 'embedded', dataDir: '', database: 'service-events-stop' }, silentLogger);
    try {
      const bot = await startBot(testConfig(), silentLogger, { store, monthlyReports: { autoStart: false } });
      try {
        await new PersonalChat(bot.url, sink).startCoaching();
      } finally {
        await bot.stop();
      }
      // Read straight from the store, with nothing flushed by hand: the stop stored them (the recorder writes behind).
      const month = new Date().toISOString().slice(0, 7);
      const events = await cosmosServiceStore(store.containers).events.month(month);
      expect(events.filter((e) => e.kind === 'sessionStarted')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  // On a busy machine stop() once waited on a job pass the store was slow to answer, past any hook limit.
  it('stops within its grace whatever is still open: keep-alive clients, a request half sent, a turn and a job pass that never finish', async () => {
    const store = await openStore({ kind: 'embedded', dataDir: '', database: 'stop' }, silentLogger);
    const turn = heldTurn();
    const bot = await startBot(testConfig({ SHUTDOWN_GRACE_SECONDS: '1' }), silentLogger, {
      logic: turn.logic,
      store: { ...store, containers: { ...store.containers, jobs: neverAnswers } },
    });
    try {
      const { hostname, port } = new URL(bot.url);
      // Each client's connection has been answered once, so the bot has it open; then one waits, idle, and the
      // other starts a request and never finishes sending it.
      const keepAliveClient = async () => {
        const agent = new Agent({ keepAlive: true });
        await new Promise<void>((resolve, reject) => {
          get({ host: hostname, port, path: '/healthz', agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
        });
        return agent;
      };
      const [idleClient, slowClient] = await Promise.all([keepAliveClient(), keepAliveClient()]);
      const idle = Object.values(idleClient.freeSockets).flat()[0]!;
      const halfSent = request({ host: hostname, port, path: '/api/messages', method: 'POST', agent: slowClient, headers: { 'content-type': 'application/json', 'content-length': '1000' } });
      halfSent.on('error', () => undefined);
      halfSent.write('{"type":"message"');
      const halfSentSocket = await new Promise<Socket>((resolve) => halfSent.on('socket', resolve));
      const inFlight = post(bot.url, teamsMessage(sink.url, personalConversationId(), newUser(), 'one more thing')).catch(() => 'cut off');
      await turn.started;

      await bot.stop();
      await Promise.all([closed(idle), closed(halfSentSocket)]);
      expect(await inFlight).toBe('cut off');
      await expect(fetch(`${bot.url}/healthz`)).rejects.toThrow();
    } finally {
      turn.release();
      await store.close();
    }
  });

  describe('the door itself', () => {
    let bot: RunningBot;
    beforeAll(async () => {
      bot = await startBot(testConfig(), silentLogger);
    });
    afterAll(() => bot.stop());

    it('refuses malformed and oversized bodies without a turn', async () => {
      const bad = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
      expect(bad.status).toBe(400);
      const huge = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) }),
      });
      expect(huge.status).toBe(413);
    });

    it('reports health with the store', async () => {
      const response = await fetch(`${bot.url}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', store: 'ok' });
    });
  });

  it('reports 503 from /healthz when the store does not answer', async () => {
    const store = await openStore({ kind: 'embedded', dataDir: tempDataDir(), database: 'health' }, silentLogger);
    const bot = await startBot(testConfig(), silentLogger, { store });
    try {
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      await store.close();
      const response = await fetch(`${bot.url}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable', store: 'unavailable' });
    } finally {
      await bot.stop();
    }
  });
});

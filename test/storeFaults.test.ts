import { startBot, type RunningBot } from '../src/app';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { openStore, type StoreFault, type Store } from '../src/store/store';
import { PersonalChat } from './support/chat';
import { cardText, ReplySink } from './support/replySink';
import { silentLogger, testConfig } from './support/bot';
import { post, teamsMessage } from './support/teams';

/**
 * Faults injected at the Cosmos client: throttling the bot rides out, and outages that fail a turn. The person
 * gets a clear apology, nothing is half-saved, and Teams' retry of the same message is then processed.
 */
describe('Cosmos DB faults', () => {
  const sink = new ReplySink();
  let store: Store;
  let bot: RunningBot;
  let fault: ((request: { operation: string; resource: string; container?: string }) => StoreFault | undefined) | undefined;

  beforeAll(async () => {
    await sink.start();
    const config = testConfig();
    store = await openStore(config.store, silentLogger, { fault: (request) => fault?.(request) });
    bot = await startBot(config, silentLogger, { store, outbox: { autoStart: false }, jobs: { autoStart: false } });
  });
  afterAll(async () => {
    await bot.stop();
    await store.close();
    await sink.stop();
  });
  afterEach(() => {
    fault = undefined;
  });

  const person = (chat: PersonalChat) => new CosmosBotStorage(store.containers.programmes, 'userId').readOne(chat.user.aadObjectId);
  const failWrites = (status: number, times: number, retryAfterMs?: number) => {
    let left = times;
    fault = (request) =>
      request.container === 'programmes' && ['create', 'replace', 'upsert'].includes(request.operation) && left-- > 0 ? { status, retryAfterMs } : undefined;
  };

  it('rides out throttling (429 with retry-after) and keeps the answer', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    failWrites(429, 2, 20);
    const seen = await chat.say('Speak up in handover');
    expect(seen.all).toMatch(/next few weeks, or a longer-term goal/);
    expect(((await person(chat))!.programme as any).sessions['1'].goal.text).toBe('Speak up in handover');
  });

  it.each([
    ['503 service unavailable', 503],
    ['a timeout', 408],
  ])('apologises after %s, leaves the state as before the turn, and processes Teams’ retry', async (_name, status) => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    const before = await person(chat);
    failWrites(status, 1000);
    const activity = teamsMessage(sink.url, chat.conversationId, chat.user, 'Get better at delegating');
    const sent = sink.replies.length;
    // The adapter answers Teams 200 once onTurnError has apologised; the person is asked to try again.
    expect((await post(bot.url, activity)).status).toBe(200);
    const said = sink.replies.slice(sent).filter((r) => r.activity.type === 'message').map((r) => r.activity.text);
    expect(said).toEqual([expect.stringMatching(/^Sorry, something went wrong on my side/)]);
    const after = await person(chat);
    expect({ ...after, eTag: undefined }).toEqual({ ...before, eTag: undefined });

    // The failed turn saved nothing, not even the activity's id among those answered, so the same activity
    // (resent, or redelivered by Teams after a slow turn) is processed when the store answers again.
    fault = undefined;
    const again = sink.replies.length;
    expect((await post(bot.url, activity)).status).toBe(200);
    expect(sink.replies.slice(again).map((r) => `${r.activity.text ?? ''}${cardText(r.activity)}`).join('\n')).toMatch(/next few weeks, or a longer-term goal/);
    expect(((await person(chat))!.programme as any).sessions['1'].goal.text).toBe('Get better at delegating');
  });
});

import { startBot, type RunningBot } from '../src/app';
import { cardText, ReplySink } from './support/replySink';
import { silentLogger, testConfig, runBotDuring } from './support/bot';
import { botInstalled, newUser, personalConversationId, post, teamsMessage } from './support/teams';

/** A staff member's first contact, end to end: HTTP in, replies out to a loopback Teams stand-in. */
describe('first conversation over /api/messages', () => {
  let bot: RunningBot;
  const sink = new ReplySink();

  runBotDuring(sink, (started) => (bot = started));

  it('welcomes on install with what the bot is, what it is not, and the crisis numbers', async () => {
    const conversation = personalConversationId();
    const response = await post(bot.url, botInstalled(sink.url, conversation, newUser()));
    expect(response.status).toBe(200);

    const [welcome, ...rest] = sink.messagesTo(conversation);
    expect(rest).toHaveLength(0);
    expect(welcome!.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const text = cardText(welcome!);
    expect(text).toMatch(/solution-focused coaching/);
    expect(text).toMatch(/not a crisis service/);
    expect(text).toMatch(/116 123/);
    expect(text).toMatch(/999/);
    expect(text).toMatch(/SHOUT to 85258/);
  });

  it('answers help with the help text and the menu card', async () => {
    const conversation = personalConversationId();
    const user = newUser();
    await post(bot.url, botInstalled(sink.url, conversation, user));
    const before = sink.replies.length;

    const response = await post(bot.url, teamsMessage(sink.url, conversation, user, 'Help'));
    expect(response.status).toBe(200);

    // Typing shows only when a turn is slow (test/turnPipeline.test.ts), which a loaded machine may make this one.
    const replies = sink.replies.slice(before).filter((r) => r.conversationId === conversation && r.activity.type !== 'typing').map((r) => r.activity);
    expect(replies.map((r) => r.type)).toEqual(['message', 'message']);
    expect(replies[0]!.text).toMatch(/type these words at any time/);
    const menu = replies[1]!.attachments![0]!.content;
    expect(menu.version).toBe('1.5');
    expect(menu.actions.map((a: { title: string }) => a.title)).toEqual([
      'Start or continue coaching',
      'Where am I?',
      'My plan',
      'Book a coach',
      'Help',
      'Not OK right now',
    ]);
    expect(menu.actions.at(-1).data).toEqual({ say: 'Not OK right now' });
  });

  it('welcomes someone who writes before any install event, once', async () => {
    const conversation = personalConversationId();
    const user = newUser();
    await post(bot.url, teamsMessage(sink.url, conversation, user, 'hello'));
    await post(bot.url, teamsMessage(sink.url, conversation, user, 'menu'));

    const cards = sink.messagesTo(conversation).map((a) => cardText(a));
    expect(cards.filter((t) => t.includes('Welcome to staff coaching'))).toHaveLength(1);
    expect(cards.filter((t) => t.includes('What would you like to do?'))).toHaveLength(2);
  });

  it('shows support contacts for "I need help" and keeps them in reach when it does not understand', async () => {
    const conversation = personalConversationId();
    const user = newUser();
    await post(bot.url, botInstalled(sink.url, conversation, user));
    await post(bot.url, teamsMessage(sink.url, conversation, user, 'I need help'));
    await post(bot.url, teamsMessage(sink.url, conversation, user, 'the rota this week ${1+1}'));

    const [, support, checkIn, notUnderstood, menu] = sink.messagesTo(conversation);
    expect(cardText(support!)).toMatch(/Support you can reach now[\s\S]*116 123/);
    expect(cardText(checkIn!)).toMatch(/A quick check-in/);
    expect(notUnderstood!.text).toMatch(/Not OK right now[\s\S]*116 123/);
    expect(cardText(menu!)).toMatch(/Here is what I can do/);
  });

  it('strips an @mention of the bot before reading a command', async () => {
    const conversation = personalConversationId();
    const user = newUser();
    await post(bot.url, botInstalled(sink.url, conversation, user));
    await post(
      bot.url,
      teamsMessage(sink.url, conversation, user, '<at>Staff coaching</at> help', {
        entities: [{ type: 'mention', text: '<at>Staff coaching</at>', mentioned: { id: '28:coaching-bot', name: 'Staff coaching' } }],
      }),
    );
    expect(sink.messagesTo(conversation)[1]!.text).toMatch(/type these words at any time/);
  });

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

describe('buttons that stand for words', () => {
  it('read a tap on a menu button exactly as the typed words', async () => {
    const sink = await new ReplySink().start();
    const bot = await startBot(testConfig(), silentLogger);
    try {
      const conversation = personalConversationId();
      const user = newUser();
      await post(bot.url, botInstalled(sink.url, conversation, user));
      const tap = teamsMessage(sink.url, conversation, user, '', { value: { say: 'help' } });
      await post(bot.url, tap);
      expect(sink.messagesTo(conversation)[1]!.text).toMatch(/type these words at any time/);
    } finally {
      await bot.stop();
      await sink.stop();
    }
  });
});

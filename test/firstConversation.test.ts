import { InProcessChat } from './support/inProcess';
import { card, expectReplies, says } from './support/transcript';

/**
 * A staff member's first contact, in process through the real turn pipeline, every reply checked in order.
 * What only HTTP shows (malformed and oversized bodies, /healthz) is in test/turnPipeline.test.ts.
 */
const WELCOME = card('Welcome to staff coaching', ['Show me what I can do', 'Not OK right now']);
const MENU_BUTTONS = ['Start or continue coaching', 'Where am I?', 'My plan', 'Book a coach', 'Help', 'Not OK right now'];
const HELP_TEXT = /type these words at any time/;

describe('first conversation', () => {
  it('welcomes on install with what the bot is, what it is not, and the crisis numbers', async () => {
    const chat = new InProcessChat();
    const replies = await chat.installed();
    expectReplies(replies, [WELCOME]);
    const [welcome] = replies;
    expect(welcome!.activity.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(welcome!.card).toMatch(/solution-focused coaching/);
    expect(welcome!.card).toMatch(/not a crisis service/);
    expect(welcome!.card).toMatch(/116 123/);
    expect(welcome!.card).toMatch(/999/);
    expect(welcome!.card).toMatch(/SHOUT to 85258/);
  });

  it('answers help with the help text and the menu card', async () => {
    const chat = new InProcessChat();
    await chat.installed();
    const replies = await chat.say('Help');
    expectReplies(replies, [says(HELP_TEXT), card('What would you like to do?', MENU_BUTTONS)]);
    // Typing shows only when a turn is slow (test/turnPipeline.test.ts), which a loaded machine may make this one.
    expect(chat.bot.lastTurn.filter((a) => a.type !== 'typing').map((a) => a.type)).toEqual(['message', 'message']);
    const menu = replies[1]!.activity.attachments![0]!.content;
    expect(menu.version).toBe('1.5');
    expect(menu.actions.map((a: { title: string }) => a.title)).toEqual(MENU_BUTTONS);
    expect(menu.actions.at(-1).data).toEqual({ say: 'Not OK right now' });
  });

  it('welcomes someone who writes before any install event, once', async () => {
    const chat = new InProcessChat();
    expectReplies(await chat.say('hello'), [WELCOME, card('What would you like to do?', MENU_BUTTONS)]);
    expectReplies(await chat.say('menu'), [card('What would you like to do?', MENU_BUTTONS)]);
  });

  it('shows support contacts for "I need help" and keeps them in reach when it does not understand', async () => {
    const chat = new InProcessChat();
    await chat.installed();
    const support = await chat.say('I need help');
    expectReplies(support, [card(/^Support you can reach now\n/, ['Back to the menu']), card(/^A quick check-in\n/, ['Send'])]);
    expect(support[0]!.card).toMatch(/Support you can reach now[\s\S]*116 123/);
    expectReplies(await chat.say('the rota this week ${1+1}'), [says(/Not OK right now[\s\S]*116 123/), card(/^Here is what I can do\n/, MENU_BUTTONS)]);
  });

  it('strips an @mention of the bot before reading a command', async () => {
    const chat = new InProcessChat();
    await chat.installed();
    expectReplies(await chat.sayMentioningBot('help'), [says(HELP_TEXT), card('What would you like to do?', MENU_BUTTONS)]);
  });
});

describe('buttons that stand for words', () => {
  it('read a tap on a menu button exactly as the typed words', async () => {
    const chat = new InProcessChat();
    await chat.installed();
    expectReplies(await chat.tap('help'), [says(HELP_TEXT), card('What would you like to do?', MENU_BUTTONS)]);
  });
});

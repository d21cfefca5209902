import type { RunningBot } from '../src/app';
import { PersonalChat } from './support/chat';
import { cardText, ReplySink } from './support/replySink';
import { runBotDuring } from './support/bot';
import { channelMessage, newChannelId } from './support/leads';
import { newUser, post } from './support/teams';

/**
 * The whole safety path in one go: a lead registers the referrals channel; a staff member writes something
 * urgent in the middle of a coaching stage; coaching stops, they see the signposting, and the leads' channel
 * receives the referral card at its serviceUrl without anyone typing anything more.
 */
describe('an urgent message reaches the service leads', () => {
  const sink = new ReplySink();
  const lead = newUser('Helen Marsh');
  let bot: RunningBot;

  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId }, { outbox: { autoStart: false } });

  it('from a coaching stage in a 1:1 chat to a card in the leads channel', async () => {
    const channelId = newChannelId();
    await post(bot.url, channelMessage(sink.url, channelId, lead, 'register referrals', 'tenant-1'));

    const chat = new PersonalChat(bot.url, sink, newUser('Sam Patel'));
    await chat.startCoaching();
    await chat.say('Ask for a secondment');
    const seen = await chat.say("honestly I've been planning how to kill myself");
    expect(seen.all).toMatch(/I'm letting a service lead know/);
    expect(seen.all).toMatch(/Are you safe right now\?/);

    await bot.outbox.runOnce();
    const posted = sink.replies.filter((r) => r.conversationId === channelId && r.activity.type === 'message' && r.replyToId === undefined);
    expect(posted).toHaveLength(1);
    const text = cardText(posted[0]!.activity);
    expect(text).toMatch(/Urgent referral/);
    expect(text).toContain('Sam Patel');
    expect(text).toMatch(/Acknowledge/);
    expect(text).not.toContain('kill myself');

    await bot.outbox.runOnce();
    expect(sink.replies.filter((r) => r.conversationId === channelId && r.activity.type === 'message' && r.replyToId === undefined)).toHaveLength(1);
  });
});

/**
 * An urgent referral does not wait for the outbox's next pass: it is posted straight after the turn that made
 * it. The outbox polls only every five minutes here (its first pass runs at start-up, before there is anything
 * to send), far beyond the test's time limit, so the card can only have come from the turn.
 */
describe('an urgent referral is sent straight after its turn', () => {
  const sink = new ReplySink();
  const lead = newUser('Helen Marsh');
  let bot: RunningBot;

  runBotDuring(sink, (started) => (bot = started), { SERVICE_LEAD_IDS: lead.aadObjectId, OUTBOX_POLL_SECONDS: '300' });

  /** Waits until `probe` finds something (polling, never a fixed sleep); the test's own time limit bounds it. */
  async function until<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('reaches the leads channel without a pass of the outbox', async () => {
    const channelId = newChannelId();
    await post(bot.url, channelMessage(sink.url, channelId, lead, 'register referrals', 'tenant-1'));

    const chat = new PersonalChat(bot.url, sink, newUser('Jo Reid'));
    await chat.startCoaching();
    const seen = await chat.say("honestly I've been planning how to kill myself");
    expect(seen.all).toMatch(/I'm letting a service lead know/);

    const posted = await until(() => {
      const cards = sink.replies.filter((r) => r.conversationId === channelId && r.activity.type === 'message' && r.replyToId === undefined);
      return cards.length > 0 ? cards : undefined;
    });
    expect(posted).toHaveLength(1);
    const text = cardText(posted[0]!.activity);
    expect(text).toMatch(/Urgent referral/);
    expect(text).toContain('Jo Reid');
    expect(text).not.toContain('kill myself');
    // And it is recorded as posted, so no pass will post it again.
    const recorded = await until(async () => (await bot.store.referrals.about(chat.user.aadObjectId)).find((r) => r.delivery.state === 'delivered'));
    expect(recorded.delivery.channelActivityId).toBeDefined();
    expect(recorded.level).toBe('urgent');
  });
});

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

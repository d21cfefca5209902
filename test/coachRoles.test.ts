import { InProcessBotWithCoaches, InProcessChannel } from './support/inProcessCoaches';
import { card, expectReplies, says } from './support/transcript';
import { newUser } from './support/teams';
import { newChannelId } from './support/leads';

/**
 * `add coach @name` and `remove coach @name` by a service lead in the leads' channel, in process, every reply
 * in order. The mention carries no Entra id, as Teams sends it: the bot asks the members API (Teams stood in
 * for) who the mentioned person is.
 */
describe('coach roles', () => {
  const lead = newUser('Helen Marsh');
  const newCoach = newUser('Daniel Okafor');
  const colleague = newUser('Tom Reilly');
  const bot = new InProcessBotWithCoaches({ env: { SERVICE_LEAD_IDS: lead.aadObjectId } });
  const channel = () => new InProcessChannel(bot, newChannelId(), [lead, newCoach, colleague]);
  const ONLY_COACHES = says('Only coaches can do that. If you are a coach, ask a service lead to add you.');
  const PUBLISH = card('Publish your availability', ['Publish']);

  it('lets a service lead add a coach by mentioning them, after which they can publish availability; then remove them', async () => {
    const leads = channel();
    const coachChat = bot.chat(newCoach);
    expectReplies(await coachChat.say('publish availability'), [card('Welcome to staff coaching'), ONLY_COACHES]);

    expectReplies(await leads.say(lead, 'add coach', newCoach), [says('Daniel Okafor is now a coach. They can publish availability in their 1:1 chat with me.')]);
    expectReplies(await coachChat.say('publish availability'), [PUBLISH]);

    expectReplies(await leads.say(lead, 'add coach', newCoach), [says('Daniel Okafor is already a coach.')]);

    expectReplies(await leads.say(lead, 'remove coach', newCoach), [says(/^Daniel Okafor is no longer a coach/)]);
    expectReplies(await coachChat.say('publish availability'), [ONLY_COACHES]);
  });

  it('refuses anyone who is not a service lead, and asks for a mention', async () => {
    const leads = channel();
    expectReplies(await leads.say(colleague, 'add coach', colleague), [says('Only service leads can add or remove coaches.')]);
    expectReplies(await bot.chat(colleague).say('publish availability'), [card('Welcome to staff coaching'), ONLY_COACHES]);
    expectReplies(await leads.say(lead, 'add coach'), [says(/^Please mention the person/)]);
  });
});

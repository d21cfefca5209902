import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBot, type RunningBot } from '../src/app';
import { PersonalChat } from './support/chat';
import { ReplySink } from './support/replySink';
import { silentLogger, testConfig } from './support/bot';
import { botAccount, newUser, post, type TeamsUser } from './support/teams';
import { newChannelId } from './support/leads';

/**
 * `add coach @name` and `remove coach @name` by a service lead in the leads' channel. The stand-in for Teams
 * here also answers the roster look-up the bot makes to find the mentioned person's Entra id.
 */
describe('coach roles', () => {
  const lead = newUser('Helen Marsh');
  const newCoach = newUser('Daniel Okafor');
  const colleague = newUser('Tom Reilly');
  const staffTeams = new ReplySink();
  let teams: Server;
  let teamsUrl = '';
  const said: { conversationId: string; text?: string }[] = [];
  let bot: RunningBot;

  beforeAll(async () => {
    teams = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const member = /\/v3\/conversations\/[^/]+\/members\/([^/?]+)/.exec(req.url ?? '');
        if (req.method === 'GET' && member) {
          const person = [lead, newCoach, colleague].find((p) => p.id === decodeURIComponent(member[1]!));
          res.writeHead(person ? 200 : 404, { 'content-type': 'application/json' });
          res.end(JSON.stringify(person ? { id: person.id, name: person.name, aadObjectId: person.aadObjectId } : { error: { code: 'NotFound' } }));
          return;
        }
        const activity = /\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
        if (req.method === 'POST' && activity) said.push({ conversationId: decodeURIComponent(activity[1]!), text: JSON.parse(body).text });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"1"}');
      });
    });
    await new Promise<void>((resolve) => teams.listen(0, '127.0.0.1', () => resolve()));
    teamsUrl = `http://127.0.0.1:${(teams.address() as AddressInfo).port}/`;
    await staffTeams.start();
    bot = await startBot(testConfig({ SERVICE_LEAD_IDS: lead.aadObjectId }), silentLogger, { outbox: { autoStart: false } });
  });
  afterAll(async () => {
    await bot.stop();
    await staffTeams.stop();
    await new Promise((resolve) => teams.close(resolve));
  });

  const inChannel = (channelId: string, from: TeamsUser, words: string, mention?: TeamsUser) => ({
    type: 'message',
    id: `${Date.now()}${Math.random()}`,
    channelId: 'msteams',
    serviceUrl: teamsUrl,
    from,
    recipient: botAccount,
    conversation: { id: `${channelId};messageid=1`, conversationType: 'channel', tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' }, channel: { id: channelId } },
    text: `<at>${botAccount.name}</at> ${words}${mention ? ` <at>${mention.name}</at>` : ''}`,
    entities: [
      { type: 'mention', mentioned: botAccount, text: `<at>${botAccount.name}</at>` },
      ...(mention ? [{ type: 'mention', mentioned: { id: mention.id, name: mention.name }, text: `<at>${mention.name}</at>` }] : []),
    ],
  });
  const lastReply = (channelId: string) => said.filter((s) => s.conversationId.startsWith(channelId)).at(-1)?.text ?? '';

  it('lets a service lead add a coach by mentioning them, after which they can publish availability; then remove them', async () => {
    const channel = newChannelId();
    const coachChat = new PersonalChat(bot.url, staffTeams, newCoach);
    expect((await coachChat.say('publish availability')).all).toMatch(/Only coaches can do that/);

    await post(bot.url, inChannel(channel, lead, 'add coach', newCoach));
    expect(lastReply(channel)).toBe('Daniel Okafor is now a coach. They can publish availability in their 1:1 chat with me.');
    expect((await coachChat.say('publish availability')).all).toMatch(/Publish your availability/);

    await post(bot.url, inChannel(channel, lead, 'add coach', newCoach));
    expect(lastReply(channel)).toBe('Daniel Okafor is already a coach.');

    await post(bot.url, inChannel(channel, lead, 'remove coach', newCoach));
    expect(lastReply(channel)).toMatch(/is no longer a coach/);
    expect((await coachChat.say('publish availability')).all).toMatch(/Only coaches can do that/);
  });

  it('refuses anyone who is not a service lead, and asks for a mention', async () => {
    const channel = newChannelId();
    await post(bot.url, inChannel(channel, colleague, 'add coach', colleague));
    expect(lastReply(channel)).toBe('Only service leads can add or remove coaches.');
    expect((await new PersonalChat(bot.url, staffTeams, colleague).say('publish availability')).all).toMatch(/Only coaches can do that/);
    await post(bot.url, inChannel(channel, lead, 'add coach'));
    expect(lastReply(channel)).toMatch(/Please mention the person/);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBot, type RunningBot } from '../src/app';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { PersonalChat } from './support/chat';
import { ReplySink } from './support/replySink';
import { silentLogger, testConfig } from './support/bot';
import { post, teamsMessage } from './support/teams';

/** "export my data" (summary + JSON file through Teams file consent) and "delete my data". */
describe('a person’s own data', () => {
  const sink = new ReplySink();
  let bot: RunningBot;
  let oneDrive: Server;
  let uploadUrl = '';
  const uploads: { headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    await sink.start();
    bot = await startBot(testConfig(), silentLogger, { outbox: { autoStart: false } });
    oneDrive = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        uploads.push({ headers: req.headers, body });
        res.writeHead(201);
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => oneDrive.listen(0, '127.0.0.1', () => resolve()));
    uploadUrl = `http://127.0.0.1:${(oneDrive.address() as AddressInfo).port}/upload/session-1`;
  });
  afterAll(async () => {
    await bot.stop();
    await sink.stop();
    await new Promise((resolve) => oneDrive.close(resolve));
  });

  const people = () => new CosmosBotStorage(bot.store.containers.programmes, 'userId');
  const fileConsent = (chat: PersonalChat, value: Record<string, unknown>) => ({
    ...teamsMessage(sink.url, chat.conversationId, chat.user, ''),
    type: 'invoke',
    name: 'fileConsent/invoke',
    value,
  });

  it('exports a readable summary and, with consent, the whole record as a JSON file', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    await chat.say('Speak up in ward meetings');
    const seen = await chat.say('export my data');
    expect(seen.all).toMatch(/Here's what I keep about you/);
    expect(seen.all).toContain('Session 1: in progress (stage: goal); goal: "Speak up in ward meetings"');
    const consent = seen.activities.flatMap((a) => a.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.consent')!;
    expect(consent).toBeDefined();
    const exportId = consent.content.acceptContext.exportId;

    const before = sink.replies.length;
    const response = await post(
      bot.url,
      fileConsent(chat, {
        type: 'fileUpload',
        action: 'accept',
        context: { exportId },
        uploadInfo: { name: 'my-coaching-data.json', uploadUrl, contentUrl: 'https://onedrive.example/my-coaching-data.json', uniqueId: 'u1', fileType: 'json' },
      }),
    );
    expect(response.status).toBe(200);
    const uploaded = JSON.parse(uploads.at(-1)!.body);
    expect(uploaded.userId).toBe(chat.user.aadObjectId);
    expect(uploaded.programme.programme.sessions['1'].goal.text).toBe('Speak up in ward meetings');
    expect(uploads.at(-1)!.headers['content-range']).toMatch(/^bytes 0-\d+\/\d+$/);
    const fileCard = sink.replies.slice(before).flatMap((r) => r.activity.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.info');
    expect(fileCard).toMatchObject({ name: 'my-coaching-data.json', contentUrl: 'https://onedrive.example/my-coaching-data.json' });

    // The same consent cannot be used twice, and a made-up one is refused.
    const again = await post(bot.url, fileConsent(chat, { type: 'fileUpload', action: 'accept', context: { exportId }, uploadInfo: { name: 'x', uploadUrl, contentUrl: 'x' } }));
    expect(again.status).toBe(400);
    expect(uploads).toHaveLength(1);
  });

  it('deletes everything after asking, and says what the service keeps', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    await chat.say('Move to days');
    let seen = await chat.say('delete my data');
    expect(seen.all).toMatch(/cannot be undone[\s\S]*Referrals already sent to the service leads are kept/);
    seen = await chat.say('No, keep it');
    expect(seen.all).toMatch(/kept everything as it was/);
    expect(await people().readOne(chat.user.aadObjectId)).toBeDefined();

    await chat.say('delete my data');
    seen = await chat.say('Yes, delete my data');
    expect(seen.all).toMatch(/I have deleted your coaching data/);
    expect(await people().readOne(chat.user.aadObjectId)).toBeUndefined();
    seen = await chat.say('where am I');
    expect(seen.all).toMatch(/haven't started coaching yet/);
  });

  it('keeps referrals and a single safety note when someone with an open urgent referral deletes their data', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    await chat.say('I have decided to end my life');
    await chat.say('delete my data');
    const seen = await chat.say('Yes, delete my data');
    expect(seen.all).toMatch(/kept one note, for your safety/);
    const left = await people().readOne(chat.user.aadObjectId);
    // Besides the note, only the hashed ids of recent messages (so a redelivered one is not processed twice).
    expect(Object.keys(left!).sort()).toEqual(['eTag', 'processed', 'safety', 'welcomedAt']);
    expect(left!.safety).toMatchObject({ status: 'urgentStop' });
    const { resources } = await bot.store.containers.referrals.items
      .query({ query: 'SELECT * FROM c WHERE c.person.userId = @u', parameters: [{ name: '@u', value: chat.user.aadObjectId }] })
      .fetchAll();
    expect(resources).toHaveLength(1);
  });
});

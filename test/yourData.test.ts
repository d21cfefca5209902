import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InProcessBotWithStore, type InProcessChat } from './support/inProcess';
import { card, expectReplies, says } from './support/transcript';

/**
 * "export my data" (summary + JSON file through Teams file consent) and "delete my data", in process through the
 * real turn pipeline, every reply checked in order. The file goes to a stand-in for OneDrive over loopback HTTP,
 * as the bot uploads it; referrals are kept in an embedded store.
 */
const CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
const FILE_CARD = 'application/vnd.microsoft.teams.card.file.info';
const ASK_TO_DELETE = card(/^This will delete your coaching answers, .* It cannot be undone\. Referrals already sent to the service leads are kept/, ['Yes, delete my data', 'No, keep it']);
const GOAL_TERM = card('Is this something for the next few weeks, or a longer-term goal?', ['Next few weeks', 'Longer term']);

describe('a person’s own data', () => {
  let bot: InProcessBotWithStore;
  let oneDrive: Server;
  let uploadUrl = '';
  const uploads: { headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    bot = await InProcessBotWithStore.open();
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
    await bot.close();
    await new Promise((resolve) => oneDrive.close(resolve));
  });

  const stored = (chat: InProcessChat) => bot.state.readOne(chat.user.aadObjectId);

  it('exports a readable summary and, with consent, the whole record as a JSON file', async () => {
    const chat = bot.chat();
    await chat.startCoaching();
    await chat.say('Speak up in ward meetings');
    const seen = await chat.say('export my data');
    expectReplies(seen, [
      says(
        "Here's what I keep about you:\n" +
          '- Session 1: in progress (stage: goal); goal: "Speak up in ward meetings"\n' +
          '- No referrals.\n\n' +
          'The complete record is in the file below: press Allow to save it to your OneDrive.',
      ),
      card(''),
    ]);
    expect(seen[1]!.activity.attachments).toEqual([expect.objectContaining({ contentType: CONSENT_CARD, name: 'my-coaching-data.json' })]);
    const consent = seen[1]!.activity.attachments![0]!;
    const exportId = consent.content.acceptContext.exportId;

    const accepted = await chat.invoke('fileConsent/invoke', {
      type: 'fileUpload',
      action: 'accept',
      context: { exportId },
      uploadInfo: { name: 'my-coaching-data.json', uploadUrl, contentUrl: 'https://onedrive.example/my-coaching-data.json', uniqueId: 'u1', fileType: 'json' },
    });
    expect(accepted.status).toBe(200);
    const uploaded = JSON.parse(uploads.at(-1)!.body);
    expect(uploaded.userId).toBe(chat.user.aadObjectId);
    expect(uploaded.programme.programme.sessions['1'].goal.text).toBe('Speak up in ward meetings');
    expect(uploads.at(-1)!.headers['content-range']).toMatch(/^bytes 0-\d+\/\d+$/);
    expectReplies(accepted.replies, [card('')]);
    expect(accepted.replies[0]!.activity.attachments).toEqual([
      expect.objectContaining({ contentType: FILE_CARD, name: 'my-coaching-data.json', contentUrl: 'https://onedrive.example/my-coaching-data.json' }),
    ]);

    // The same consent cannot be used twice, and a made-up one is refused.
    const again = await chat.invoke('fileConsent/invoke', { type: 'fileUpload', action: 'accept', context: { exportId }, uploadInfo: { name: 'x', uploadUrl, contentUrl: 'x' } });
    expect(again.status).toBe(400);
    expectReplies(again.replies, [says('That file request is out of date. Type "export my data" to get a fresh one.')]);
    expect(uploads).toHaveLength(1);
  });

  it('says plainly how to try again when OneDrive refuses the file or cannot be reached, and the next request works', async () => {
    const chat = bot.chat();
    await chat.startCoaching();
    const consentOf = async () => (await chat.say('export my data'))[1]!.activity.attachments![0]!.content.acceptContext.exportId as string;
    const accept = (exportId: string, url: string) =>
      chat.invoke('fileConsent/invoke', { type: 'fileUpload', action: 'accept', context: { exportId }, uploadInfo: { name: 'my-coaching-data.json', uploadUrl: url, contentUrl: 'https://onedrive.example/f.json' } });
    const TRY_AGAIN = says('Sorry, I couldn\'t save the file to your OneDrive. Type "export my data" in a moment to try again.');

    // Nothing listens on this port: the upload fails on the way, not with an answer.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const nowhere = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/upload/gone`;
    await new Promise((resolve) => closed.close(resolve));
    let answered = await accept(await consentOf(), nowhere);
    expect(answered.status).toBe(200);
    expectReplies(answered.replies, [TRY_AGAIN]);

    const refusing = createServer((_req, res) => {
      res.writeHead(403);
      res.end();
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    answered = await accept(await consentOf(), `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/upload/refused`);
    await new Promise((resolve) => refusing.close(resolve));
    expectReplies(answered.replies, [TRY_AGAIN]);

    const before = uploads.length;
    answered = await accept(await consentOf(), uploadUrl);
    expectReplies(answered.replies, [card('')]);
    expect(uploads).toHaveLength(before + 1);
  });

  it('deletes everything after asking, and says what the service keeps', async () => {
    const chat = bot.chat();
    await chat.startCoaching();
    await chat.say('Move to days');
    expectReplies(await chat.say('delete my data'), [ASK_TO_DELETE]);
    expectReplies(await chat.say('No, keep it'), [says('OK, I have kept everything as it was.'), GOAL_TERM]);
    expect(await stored(chat)).toBeDefined();

    expectReplies(await chat.say('delete my data'), [ASK_TO_DELETE]);
    expectReplies(await chat.say('Yes, delete my data'), [says(/^Done: I have deleted your coaching data\. Referrals already sent to the service leads are kept by the service/)]);
    expect(await stored(chat)).toBeUndefined();
    // Nothing is left, not even that they were welcomed: they are welcomed again.
    expectReplies(await chat.say('where am I'), [card('Welcome to staff coaching'), says('You haven\'t started coaching yet. Type "start coaching" to begin.')]);
  });

  it('keeps referrals and a single safety note when someone with an open urgent referral deletes their data', async () => {
    const chat = bot.chat();
    await chat.startCoaching();
    await chat.say('I have decided to end my life');
    expectReplies(await chat.say('delete my data'), [ASK_TO_DELETE]);
    expectReplies(await chat.say('Yes, delete my data'), [
      says(/^Done: I have deleted your coaching data\. I have kept one note, for your safety: that coaching is paused while a service lead follows up the referral\./),
    ]);
    const left = await stored(chat);
    // Besides the note, only the hashed ids of recent messages (so a redelivered one is not processed twice).
    expect(Object.keys(left!).sort()).toEqual(['eTag', 'processed', 'safety', 'welcomedAt']);
    expect(left!.safety).toMatchObject({ status: 'urgentStop' });
    expect(await bot.referralsFor(chat.user)).toHaveLength(1);
  });
});

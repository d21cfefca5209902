/**
 * Service events end to end over HTTP: a person walking session 1 is counted (once) at every step, with no
 * name, id or text stored; "delete my data" removes their pseudonym record; `service report` answers leads and
 * viewers only, with small numbers suppressed; the monthly post goes once from two instances on one store.
 */
import { startBot, type RunningBot } from '../src/app';
import { sumDays } from '../src/serviceEvents/aggregate';
import { jobId } from '../src/serviceEvents/monthlyReport';
import { silentLogger, testConfig, runBotDuring } from './support/bot';
import { PersonalChat } from './support/chat';
import { channelMessage, newChannelId } from './support/leads';
import { cardText, ReplySink } from './support/replySink';
import { newUser, post } from './support/teams';
import { completeSessionOne } from './support/walkThrough';

const lead = newUser('Helen Marsh');
const commissioner = newUser('Chris Commissioner');
const tenantId = 'tenant-1';

describe('service events', () => {
  const sink = new ReplySink();
  let bot: RunningBot;
  runBotDuring(sink, (b) => (bot = b), { SERVICE_LEAD_IDS: lead.aadObjectId }, { monthlyReports: { autoStart: false } });

  /** The events the turns so far recorded, stored (the recorder writes behind). */
  async function stored() {
    await bot.serviceEvents.flush();
    return bot.serviceStore;
  }

  async function totals() {
    await bot.serviceEvents.flush();
    const month = new Date().toISOString().slice(0, 7);
    const months = await bot.serviceStore.months.readMany([month, ...adjacent(month)]);
    return Object.fromEntries(sumDays(months, '2000-01-01', '2100-01-01'));
  }

  it('counts a session 1 walked through, every stage once, with the change on the scale, and stores no id or words', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await completeSessionOne(chat, 'Become a ward sister by spring');
    const counted = await totals();
    expect(counted).toMatchObject({
      'started|s1|self': 1,
      'completed|s1|self': 1,
      'stage|s1|goal': 1,
      'stage|s1|review': 1,
      'scale|s1|start|3': 1,
      'scale|s1|end|5': 1,
      'change|s1|2': 1,
      'checkIn|none': 1,
    });
    const month = new Date().toISOString().slice(0, 7);
    const everything = JSON.stringify({ events: await (await stored()).events.month(month), months: await bot.serviceStore.months.readMany([month]) });
    expect(everything).not.toContain(chat.user.aadObjectId);
    expect(everything).not.toContain(chat.user.name);
    expect(everything).not.toMatch(/ward sister/i);

    // Asking to start again does not count them as a new starter.
    await chat.say('start coaching');
    expect((await totals())['started|s1|self']).toBe(1);
  });

  it('forgets the person on "delete my data": their pseudonym record goes', async () => {
    const chat = new PersonalChat(bot.url, sink);
    await chat.startCoaching();
    await chat.say('Lead the audit');
    const month = new Date().toISOString().slice(0, 7);
    const pseudonyms = new Set((await (await stored()).events.month(month)).map((e) => e.person).filter(Boolean));
    await chat.say('delete my data');
    await chat.say('Yes, delete my data');
    await chat.startCoaching();
    const after = new Set((await (await stored()).events.month(month)).map((e) => e.person).filter(Boolean));
    // Their new events carry a pseudonym never seen before.
    expect([...after].filter((p) => !pseudonyms.has(p))).toHaveLength(1);
  });

  it('stores the events still waiting when the bot stops gracefully', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const started = async () => (await bot.serviceStore.events.month(month)).filter((e) => e.kind === 'sessionStarted').length;
    await bot.serviceEvents.flush();
    const before = await started();
    const second = await startBot(testConfig({ SERVICE_LEAD_IDS: lead.aadObjectId }), silentLogger, { store: bot.store, monthlyReports: { autoStart: false } });
    const chat = new PersonalChat(second.url, sink);
    await chat.startCoaching();
    await second.stop();
    // Read straight from the store, with nothing flushed by hand: the stop stored them.
    expect(await started()).toBe(before + 1);
  });

  it('gives the service report to leads and viewers only, with counts below 5 suppressed', async () => {
    const channelId = newChannelId();
    const say = async (from: typeof lead, text: string, extra: Record<string, unknown> = {}) => {
      const before = sink.replies.length;
      const response = await post(bot.url, { ...channelMessage(sink.url, channelId, from, text, tenantId), ...extra });
      expect(response.status).toBe(200);
      return sink.replies.slice(before).map((r) => [r.activity.text ?? '', cardText(r.activity)].join('\n')).join('\n');
    };
    expect(await say(commissioner, 'service report')).toMatch(/Only service leads, and people they have added/);
    const before = sink.replies.length;
    const card = await say(lead, 'service report');
    expect(card).toMatch(/People who started session 1/);
    const facts = sink.replies.slice(before).flatMap((r) => factsOf(r.activity.attachments?.[0]?.content));
    expect(facts.find((f) => f.title === 'People who started session 1')?.value).toBe('fewer than 5');
    expect(revealsSmallCount(facts.map((f) => f.value))).toEqual([]);

    const mention = { type: 'mention', mentioned: { id: commissioner.id, name: commissioner.name, aadObjectId: commissioner.aadObjectId }, text: `<at>${commissioner.name}</at>` };
    const added = await say(lead, `add viewer <at>${commissioner.name}</at>`, { entities: [{ type: 'mention', mentioned: { id: '28:coaching-bot', name: 'Staff coaching' }, text: '<at>Staff coaching</at>' }, mention] });
    expect(added).toMatch(/can now see the Service tab/);
    expect(await say(commissioner, 'service report')).toMatch(/People who started session 1/);
    expect(await say(commissioner, `add viewer <at>${lead.name}</at>`)).toMatch(/Only service leads can add or remove viewers/);
  });
});

describe('the monthly service report post', () => {
  const sink = new ReplySink();
  const channelId = newChannelId();
  let first: RunningBot;
  let second: RunningBot;
  // Running since mid-June; then 1 July 2026 09:01 UK time (the post is due at 08:00 UTC).
  let clock = Date.parse('2026-06-15T12:00:00Z');
  const due = Date.parse('2026-07-01T08:01:00Z');

  beforeAll(async () => {
    await sink.start();
    const env = { SERVICE_LEAD_IDS: lead.aadObjectId };
    first = await startBot(testConfig(env), silentLogger, { monthlyReports: { autoStart: false, now: () => clock } });
    second = await startBot(testConfig(env), silentLogger, { store: first.store, monthlyReports: { autoStart: false, now: () => clock } });
    await post(first.url, channelMessage(sink.url, channelId, lead, 'register referrals', tenantId));
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await sink.stop();
  });

  it('is a stored job, sent once on the first working day at 09:00 by whichever instance claims it', async () => {
    // Started mid-June: June's post (1 June) would be late, so it is marked missed, not sent; July's waits.
    expect(await first.monthlyReports.runOnce()).toBe(0);
    expect((await first.serviceStore.reportDocs.read(jobId(2026, 6)))?.doc).toMatchObject({ state: 'missed' });
    expect((await first.serviceStore.reportDocs.read(jobId(2026, 7)))?.doc).toMatchObject({ state: 'pending' });
    clock = due;
    const before = sink.replies.length;
    const sent = await Promise.all([first.monthlyReports.runOnce(), second.monthlyReports.runOnce()]);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    const posts = sink.replies.slice(before).filter((r) => cardText(r.activity).includes('service report'));
    expect(posts).toHaveLength(1);
    expect(cardText(posts[0]!.activity)).toMatch(/June 2026/);
    expect(await first.monthlyReports.runOnce()).toBe(0);
    const job = await first.serviceStore.reportDocs.read(jobId(2026, 7));
    expect(job?.doc).toMatchObject({ state: 'sent', dueAt: '2026-07-01T08:00:00.000Z' });
    // Next month's is waiting.
    expect((await first.serviceStore.reportDocs.read(jobId(2026, 8)))?.doc).toMatchObject({ state: 'pending', dueAt: '2026-08-03T08:00:00.000Z' });
  });
});

/** The facts of every FactSet in a card. */
function factsOf(card: any): { title: string; value: string }[] {
  if (!card || typeof card !== 'object') return [];
  if (Array.isArray(card)) return card.flatMap(factsOf);
  if (card.type === 'FactSet') return card.facts;
  return Object.values(card).flatMap(factsOf);
}

/** Values that show a whole number from 1 to 4 as a count (numbers with a sign, decimal point or % are statistics). */
export function revealsSmallCount(values: string[]): string[] {
  return values.filter((v) => /(^|[^\d.+−-])[1-4](?![\d.%:])/.test(v.replace(/fewer than 5/g, '')));
}

function adjacent(month: string): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const prev = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [prev, next];
}

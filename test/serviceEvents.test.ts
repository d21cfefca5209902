/**
 * Service events in process, on the bot's own composition (src/app.ts's composeConversations, through
 * InProcessBotWithCoaches) with the service store's memory twin: a person walking session 1 is counted (once) at
 * every step, with no name, id or text stored; "delete my data" removes their pseudonym record; `service report`
 * answers leads and viewers only, with small numbers suppressed; the monthly post goes once from two instances on
 * one store. The recorder writes behind: every read of the store is after `serviceEvents.flush()`, never a wait.
 * That the events still waiting are stored when the running bot stops is a property of the server's stop, and is
 * tested over HTTP with it (test/turnPipeline.test.ts).
 */
import { sumDays } from '../src/serviceEvents/aggregate';
import { jobId } from '../src/serviceEvents/monthlyReport';
import type { Reply } from './support/inProcess';
import { InProcessBotWithCoaches } from './support/inProcessCoaches';
import { InProcessLeadsChannel } from './support/inProcessLeads';
import { completeSessionOne } from './support/inProcessWalkThrough';
import { newUser } from './support/teams';

const lead = newUser('Helen Marsh');
const commissioner = newUser('Chris Commissioner');
const env = { SERVICE_LEAD_IDS: lead.aadObjectId };

describe('service events', () => {
  let bot: InProcessBotWithCoaches;
  beforeEach(() => {
    bot = new InProcessBotWithCoaches({ env });
  });

  /** The store, with every event the turns so far recorded in it (the recorder writes behind). */
  async function stored() {
    await bot.serviceEvents.flush();
    return bot.serviceStore;
  }

  async function totals() {
    const month = new Date().toISOString().slice(0, 7);
    const months = await (await stored()).months.readMany([month, ...adjacent(month)]);
    return Object.fromEntries(sumDays(months, '2000-01-01', '2100-01-01'));
  }

  it('counts a session 1 walked through, every stage once, with the change on the scale, and stores no id or words', async () => {
    const chat = bot.chat();
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
    // Everything the service store holds: events, pseudonym records, aggregates and report documents.
    const everything = JSON.stringify((await stored()).dump());
    expect(everything).toContain('sessionCompleted');
    expect(everything).not.toContain(chat.user.aadObjectId);
    expect(everything).not.toContain(chat.user.name);
    expect(everything).not.toMatch(/ward sister/i);

    // Asking to start again does not count them as a new starter.
    await chat.say('start coaching');
    expect((await totals())['started|s1|self']).toBe(1);
  });

  it('forgets the person on "delete my data": their pseudonym record goes', async () => {
    const chat = bot.chat();
    await chat.startCoaching();
    await chat.say('Lead the audit');
    const month = new Date().toISOString().slice(0, 7);
    const pseudonyms = async () => new Set((await (await stored()).events.month(month)).map((e) => e.person).filter(Boolean));
    const before = await pseudonyms();
    expect(before.size).toBe(1);
    expect((await stored()).dump().people).toHaveLength(1);

    expect(texts(await chat.say('delete my data'))).toEqual([expect.stringMatching(/^This will delete your coaching answers.*Delete your data\?/s)]);
    expect(texts(await chat.say('Yes, delete my data'))).toEqual([expect.stringMatching(/^Done: I have deleted your coaching data\./)]);
    // The link from the person to their pseudonym is gone with their data.
    expect((await stored()).dump().people).toHaveLength(0);

    await chat.startCoaching();
    const after = await pseudonyms();
    // Their new events carry a pseudonym never seen before.
    expect([...after].filter((p) => !before.has(p))).toHaveLength(1);
  });

  it('gives the service report to leads and viewers only, with counts below 5 suppressed', async () => {
    // Two people have started session 1: a count the report must not show.
    await bot.chat().startCoaching();
    await bot.chat().startCoaching();
    expect((await totals())['started|s1|self']).toBe(2);

    const channel = new InProcessLeadsChannel(bot);
    expect(texts(await channel.say(commissioner, 'service report'))).toEqual(['Only service leads, and people they have added, can see the service report.']);

    const report = await channel.say(lead, 'service report');
    expect(report).toHaveLength(1);
    expect(report[0]!.card).toMatch(/^Staff coaching: service report\n/);
    const facts = factsOf(report[0]!.activity.attachments?.[0]?.content);
    expect(facts.find((f) => f.title === 'People who started session 1')?.value).toBe('fewer than 5');
    expect(facts.map((f) => f.value)).toContain('0');
    expect(revealsSmallCount(facts.map((f) => f.value))).toEqual([]);

    const mention = { type: 'mention', mentioned: { id: commissioner.id, name: commissioner.name, aadObjectId: commissioner.aadObjectId }, text: `<at>${commissioner.name}</at>` };
    const added = await channel.say(lead, `add viewer <at>${commissioner.name}</at>`, {
      entities: [{ type: 'mention', mentioned: { id: '28:coaching-bot', name: 'Staff coaching' }, text: '<at>Staff coaching</at>' }, mention],
    });
    expect(texts(added)).toEqual(['Chris Commissioner can now see the Service tab and the service report: aggregated figures only, never who.']);
    // The viewer now sees the same report the lead did.
    const seenByViewer = await channel.say(commissioner, 'service report');
    expect(seenByViewer.map((r) => r.card)).toEqual([report[0]!.card]);
    expect(texts(await channel.say(commissioner, `add viewer <at>${lead.name}</at>`))).toEqual(['Only service leads can add or remove viewers of the service report.']);
  });
});

describe('the monthly service report post', () => {
  it('is a stored job, sent once on the first working day at 09:00 by whichever instance claims it', async () => {
    // Two instances of the bot on one store (and one Teams, one clock), as two app instances share Cosmos DB.
    const first = new InProcessBotWithCoaches({ env });
    const second = first.anotherInstance();
    const store = first.serviceStore;
    // Running since mid-June; then 1 July 2026 09:01 UK time (the post is due at 08:00 UTC).
    first.clock.holdAt(Date.parse('2026-06-15T12:00:00Z'));
    const channel = new InProcessLeadsChannel(first);
    await channel.say(lead, 'register referrals');
    const postsBefore = channel.posts().length;

    // Started mid-June: June's post (1 June) would be late, so it is marked missed, not sent; July's waits.
    expect(await first.monthlyReports.runOnce()).toBe(0);
    expect((await store.reportDocs.read(jobId(2026, 6)))?.doc).toMatchObject({ state: 'missed' });
    expect((await store.reportDocs.read(jobId(2026, 7)))?.doc).toMatchObject({ state: 'pending' });
    expect(channel.posts()).toHaveLength(postsBefore);

    first.clock.holdAt(Date.parse('2026-07-01T08:01:00Z'));
    const sent = await Promise.all([first.monthlyReports.runOnce(), second.monthlyReports.runOnce()]);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    const posts = channel.posts().slice(postsBefore);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.card).toMatch(/^Staff coaching: service report\n/);
    expect(posts[0]!.card).toMatch(/June 2026/);
    expect(await first.monthlyReports.runOnce()).toBe(0);
    expect(await second.monthlyReports.runOnce()).toBe(0);
    expect(channel.posts().slice(postsBefore)).toHaveLength(1);
    const job = await store.reportDocs.read(jobId(2026, 7));
    expect(job?.doc).toMatchObject({ state: 'sent', dueAt: '2026-07-01T08:00:00.000Z' });
    // Next month's is waiting.
    expect((await store.reportDocs.read(jobId(2026, 8)))?.doc).toMatchObject({ state: 'pending', dueAt: '2026-08-03T08:00:00.000Z' });
  });
});

/** What each reply says, text and card together, in order. */
function texts(replies: Reply[]): string[] {
  return replies.map((r) => [r.text, r.card].filter(Boolean).join('\n'));
}

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

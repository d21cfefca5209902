import { DateTime } from 'luxon';
import { startBot, type RunningBot } from '../src/app';
import { jobIds, noticeJob, type BookingRef, type Job } from '../src/booking/jobs';
import type { Slot } from '../src/booking/slots';
import type { Config } from '../src/config';
import { PersonalChat } from './support/chat';
import { cardText, ReplySink } from './support/replySink';
import { silentLogger, tempDataDir, testConfig } from './support/bot';
import { newUser } from './support/teams';
import { completeSessionOne } from './support/walkThrough';

/**
 * Stored jobs end to end: bookings over HTTP, the job worker driven with runOnce() on a clock the test moves
 * (no sleeping), each person's Teams on its own loopback stand-in so we see exactly what reached whom.
 */
const HOUR = 3600_000;
const day = (offset: number) => DateTime.now().setZone('Europe/London').plus({ days: offset }).toISODate()!;

interface World {
  config: Config;
  bot: RunningBot;
  coachTeams: ReplySink;
  staffTeams: ReplySink;
  coachChat: PersonalChat;
  /** The job workers' clock: now() = real time + shift. */
  clock: { shift: number };
  now: () => number;
  /** Moves the workers' clock to this moment (never backwards of real time in these tests). */
  at(ms: number): void;
}

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!();
});

async function world(env: Record<string, string> = {}): Promise<World> {
  const coachTeams = await new ReplySink().start();
  const staffTeams = await new ReplySink().start();
  const coach = newUser('Daniel Okafor');
  const config = testConfig({ COACH_IDS: coach.aadObjectId, ...env });
  const clock = { shift: 0 };
  const now = () => Date.now() + clock.shift;
  const bot = await startBot(config, silentLogger, { outbox: { autoStart: false }, jobs: { now, autoStart: false, random: () => 0.5 } });
  const w: World = {
    config,
    bot,
    coachTeams,
    staffTeams,
    coachChat: new PersonalChat(bot.url, coachTeams, coach),
    clock,
    now,
    at: (ms) => {
      clock.shift = ms - Date.now();
    },
  };
  running.push(async () => {
    await w.bot.stop();
    await coachTeams.stop();
    await staffTeams.stop();
  });
  return w;
}

const allSlots = async (w: World) => (await w.bot.store.containers.bookings.items.query<Slot>('SELECT * FROM c WHERE c.docType = "slot"').fetchAll()).resources;
const slotById = async (w: World, id: string) => (await allSlots(w)).find((s) => s.id === id)!;
const allJobs = async (w: World) => (await w.bot.store.containers.jobs.items.query<Job>('SELECT * FROM c').fetchAll()).resources;
const jobById = async (w: World, id: string) => (await w.bot.store.containers.jobs.item(id, id).read<Job>()).resource;
const heard = (sink: ReplySink, chat: PersonalChat) => sink.messagesTo(chat.conversationId).map((a) => `${a.text ?? ''}\n${cardText(a)}`);
const count = (lines: string[], pattern: RegExp) => lines.filter((l) => pattern.test(l)).length;

async function publish(w: World, dayOffset: number, time = '10:00'): Promise<Slot> {
  const before = new Set((await allSlots(w)).map((s) => s.id));
  const seen = await w.coachChat.submit({ card: 'availability', date: day(dayOffset), time, minutes: '60', weeks: '0' });
  expect(seen.all).toMatch(/Published 1 slot/);
  return (await allSlots(w)).find((s) => !before.has(s.id))!;
}

async function book(w: World, name: string, slot: Slot): Promise<PersonalChat> {
  const staff = new PersonalChat(w.bot.url, w.staffTeams, newUser(name));
  const seen = await staff.submit({ card: 'bookingConfirm', slotId: slot.id, coachId: slot.coachId, shareProgramme: 'false' });
  expect(seen.all).toMatch(/Your coaching session is booked/);
  return staff;
}

/** The submit data of the button with this title on the row whose label mentions `labelPart`. */
function button(seen: { activities: { attachments?: { content: any }[] }[] }, title: string, labelPart?: string): any {
  const rows = seen.activities.flatMap((a) => a.attachments ?? []).flatMap((a) => (a.content.body ?? []).filter((b: any) => b.type === 'ColumnSet'));
  for (const row of rows) {
    if (labelPart && !JSON.stringify(row.columns[0]).includes(labelPart)) continue;
    const action = row.columns[1].items[0].actions.find((a: any) => a.title === title);
    if (action) return action.data;
  }
  throw new Error(`no "${title}" button${labelPart ? ` for ${labelPart}` : ''}`);
}

const bookingOf = (slot: Slot): Pick<BookingRef, 'slotId' | 'bookedAt'> => ({ slotId: slot.id, bookedAt: slot.booking!.bookedAt });

describe('reminders', () => {
  it('are stored when a session is booked, and sent to both people 24 hours and 15 minutes before, once each', async () => {
    const w = await world();
    const slot = await publish(w, 3);
    const staff = await book(w, 'Amara Mensah', slot);
    const booked = await slotById(w, slot.id);
    const start = Date.parse(booked.start);

    // The coach's booking notice went straight after the turn; both reminders wait, for both people.
    expect(count(heard(w.coachTeams, w.coachChat), /A coaching session has been booked with you/)).toBe(1);
    const reminders = (await allJobs(w)).filter((j) => j.kind !== 'bookingNotice');
    expect(reminders.map((j) => [j.kind, j.recipientUserId, j.dueAt, j.state]).sort()).toEqual(
      [
        ['reminder15m', w.coachChat.user.aadObjectId, new Date(start - 15 * 60_000).toISOString(), 'pending'],
        ['reminder15m', staff.user.aadObjectId, new Date(start - 15 * 60_000).toISOString(), 'pending'],
        ['reminder24h', w.coachChat.user.aadObjectId, new Date(start - 24 * HOUR).toISOString(), 'pending'],
        ['reminder24h', staff.user.aadObjectId, new Date(start - 24 * HOUR).toISOString(), 'pending'],
      ].sort(),
    );

    w.at(start - 24 * HOUR - 60_000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);

    w.at(start - 24 * HOUR + 1000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(2);
    expect(count(heard(w.staffTeams, staff), /A reminder: your coaching session with Daniel Okafor is .*UK time/)).toBe(1);
    expect(count(heard(w.coachTeams, w.coachChat), /A reminder: you have a coaching session with Amara Mensah/)).toBe(1);
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);

    w.at(start - 15 * 60_000 + 1000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(2);
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);
    expect(count(heard(w.staffTeams, staff), /starts in 15 minutes/)).toBe(1);
    expect(count(heard(w.coachTeams, w.coachChat), /with Amara Mensah starts in 15 minutes/)).toBe(1);
    expect((await allJobs(w)).map((j) => j.state)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
  });

  it('are sent exactly once when two workers run at the same moment on one store (20 jobs)', async () => {
    const w = await world();
    const second = await startBot(testConfig(), silentLogger, { store: w.bot.store, outbox: { autoStart: false }, jobs: { now: w.now, autoStart: false } });
    running.push(() => second.stop());
    const people: PersonalChat[] = [];
    for (let i = 0; i < 20; i += 1) {
      const chat = new PersonalChat(w.bot.url, w.staffTeams, newUser(`Person ${i}`));
      await chat.say('hi');
      people.push(chat);
    }
    const start = Date.now() + 48 * HOUR;
    for (const [i, chat] of people.entries()) {
      const booking: BookingRef = {
        slotId: `slot-test-${i}`,
        coachId: w.coachChat.user.aadObjectId,
        coachName: 'Daniel Okafor',
        staffId: chat.user.aadObjectId,
        staffName: chat.user.name,
        start: new Date(start).toISOString(),
        end: new Date(start + HOUR).toISOString(),
        bookedAt: new Date().toISOString(),
      };
      await w.bot.store.containers.jobs.items.create(noticeJob({ notice: 'cancelled', by: 'coach', booking }, new Date()));
    }
    // Slow answers from Teams, so the two workers' passes overlap.
    w.staffTeams.delayMs = 20;
    const [a, b] = await Promise.all([w.bot.jobs.runOnce(), second.jobs.runOnce()]);
    expect(a.sent + b.sent).toBe(20);
    for (const chat of people) expect(count(heard(w.staffTeams, chat), /has had to cancel your session/)).toBe(1);
    expect((await allJobs(w)).filter((j) => j.state === 'sent')).toHaveLength(20);
    const [c, d] = await Promise.all([w.bot.jobs.runOnce(), second.jobs.runOnce()]);
    expect(c.sent + d.sent).toBe(0);
  });

  it('survive a restart: a new process sends what is due, and a claim left by a crashed worker runs out', async () => {
    const w = await world({ LOCAL_DATA_DIR: tempDataDir() });
    const slot = await publish(w, 3);
    const staff = await book(w, 'Tom Reilly', slot);
    const start = Date.parse(slot.start);
    const key = bookingOf(await slotById(w, slot.id));
    // A worker claimed the coach's 15-minute reminder and died before sending it.
    const claimedUntil = start - 15 * 60_000 + 30_000;
    const stuck = (await jobById(w, jobIds.reminder('reminder15m', key, 'coach')))!;
    await w.bot.store.containers.jobs.item(stuck.id, stuck.id).replace({ ...stuck, claimedBy: 'worker-that-died', claimedUntil: new Date(claimedUntil).toISOString() });
    await w.bot.stop();

    w.bot = await startBot(w.config, silentLogger, { outbox: { autoStart: false }, jobs: { now: w.now, autoStart: false } });
    w.coachChat.botUrl = w.bot.url;
    staff.botUrl = w.bot.url;
    w.at(start - 24 * HOUR + 1000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(2);
    w.at(start - 15 * 60_000 + 1000);
    expect(await w.bot.jobs.runOnce()).toMatchObject({ sent: 1, skipped: 1 });
    expect(count(heard(w.coachTeams, w.coachChat), /starts in 15 minutes/)).toBe(0);
    w.at(claimedUntil + 1000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(1);
    expect(count(heard(w.coachTeams, w.coachChat), /starts in 14 minutes/)).toBe(1);
    expect(count(heard(w.staffTeams, staff), /starts in 15 minutes/)).toBe(1);
    expect(count(heard(w.staffTeams, staff), /A reminder:/)).toBe(1);
  });
});

describe('when Teams pushes back', () => {
  it('429 then success: the booking notice is retried after Retry-After and reaches the coach once', async () => {
    const w = await world();
    const slot = await publish(w, 3);
    w.coachTeams.injectResponses({ status: 429, headers: { 'Retry-After': '2' } });
    await book(w, 'Priya Shah', slot);
    const id = jobIds.notice('booked', bookingOf(await slotById(w, slot.id)));
    expect(w.coachTeams.refused.map((r) => r.status)).toEqual([429]);
    expect(await jobById(w, id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'http-429' });
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);

    w.at(Date.now() + 2500);
    expect((await w.bot.jobs.runOnce()).sent).toBe(1);
    expect(await jobById(w, id)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(count(heard(w.coachTeams, w.coachChat), /A coaching session has been booked with you[\s\S]*Priya Shah/)).toBe(1);
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);
  });

  it('403: undeliverable at once, never retried, and the staff member told once', async () => {
    const w = await world();
    const slot = await publish(w, 3);
    w.coachTeams.injectResponses({ status: 403 });
    const staff = new PersonalChat(w.bot.url, w.staffTeams, newUser('Lee Carter'));
    const seen = await staff.submit({ card: 'bookingConfirm', slotId: slot.id, coachId: slot.coachId });
    expect(seen.all).toMatch(/Your coaching session is booked/);
    expect(seen.all).toMatch(/I couldn't reach Daniel Okafor in Teams to tell them about your booking/);
    const key = bookingOf(await slotById(w, slot.id));
    expect(await jobById(w, jobIds.notice('booked', key))).toMatchObject({ state: 'undeliverable', attempts: 1, lastError: 'http-403' });
    expect(await jobById(w, jobIds.unreachable(key, 'coach'))).toMatchObject({ state: 'sent', recipientUserId: staff.user.aadObjectId });

    // The coach's reminder is refused too: recorded, but the staff member is not told a second time.
    const start = Date.parse(slot.start);
    w.coachTeams.injectResponses({ status: 403 });
    w.at(start - 24 * HOUR + 1000);
    expect(await w.bot.jobs.runOnce()).toMatchObject({ sent: 1, undeliverable: 1 });
    expect(await jobById(w, jobIds.reminder('reminder24h', key, 'coach'))).toMatchObject({ state: 'undeliverable', lastError: 'http-403' });
    expect(count(heard(w.staffTeams, staff), /couldn't reach Daniel Okafor/)).toBe(1);
    expect(count(heard(w.staffTeams, staff), /A reminder: your coaching session/)).toBe(1);

    // No retry loop: later passes make no more requests for those jobs.
    const requests = () => w.coachTeams.refused.length + w.coachTeams.replies.length;
    const before = requests();
    for (const hours of [1, 6, 12]) {
      w.at(start - 24 * HOUR + hours * HOUR);
      await w.bot.jobs.runOnce();
    }
    expect(requests()).toBe(before);
    expect(w.coachTeams.refused.map((r) => r.status)).toEqual([403, 403]);
  });

  it('no stored conversation for the recipient: undeliverable at once, and the other side told', async () => {
    const w = await world();
    await w.coachChat.say('hi');
    const neverChatted = newUser('Robin Hale');
    const start = Date.now() + 48 * HOUR;
    const booking: BookingRef = {
      slotId: 'slot-no-reference',
      coachId: w.coachChat.user.aadObjectId,
      coachName: 'Daniel Okafor',
      staffId: neverChatted.aadObjectId,
      staffName: neverChatted.name,
      start: new Date(start).toISOString(),
      end: new Date(start + HOUR).toISOString(),
      bookedAt: new Date().toISOString(),
    };
    const job = noticeJob({ notice: 'cancelled', by: 'coach', booking }, new Date());
    await w.bot.store.containers.jobs.items.create(job);
    expect(await w.bot.jobs.runOnce()).toMatchObject({ undeliverable: 1, sent: 1 });
    expect(await jobById(w, job.id)).toMatchObject({ state: 'undeliverable', lastError: 'no-reference' });
    expect(count(heard(w.coachTeams, w.coachChat), /I couldn't reach Robin Hale in Teams to tell them the session on .* is cancelled/)).toBe(1);
    expect((await w.bot.jobs.runOnce()).undeliverable).toBe(0);
  });
});

describe('changing a booking', () => {
  it('cancelling removes the pending reminders and tells the coach', async () => {
    const w = await world();
    const slot = await publish(w, 3);
    const staff = await book(w, 'Sam Patel', slot);
    const key = bookingOf(await slotById(w, slot.id));
    let seen = await staff.say('my bookings');
    seen = await staff.submit(button(seen, 'Cancel'));
    expect(seen.all).toMatch(/Cancelled: .* with Daniel Okafor/);
    expect(count(heard(w.coachTeams, w.coachChat), /Sam Patel has cancelled their coaching session/)).toBe(1);
    const reminders = (await allJobs(w)).filter((j) => j.kind === 'reminder24h' || j.kind === 'reminder15m');
    expect(reminders).toHaveLength(4);
    expect(reminders.every((j) => j.state === 'cancelled')).toBe(true);
    expect((await jobById(w, jobIds.notice('cancelled', key)))?.state).toBe('sent');

    w.at(Date.parse(slot.start) - 24 * HOUR + 1000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);
    w.at(Date.parse(slot.start) - 15 * 60_000 + 1000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);
    expect(count(heard(w.staffTeams, staff), /reminder|starts in/i)).toBe(0);
  });

  it('staff "Change time" books the new time first, then frees the old one; reminders move and the coach is told', async () => {
    const w = await world();
    const first = await publish(w, 3);
    const second = await publish(w, 4);
    const third = await publish(w, 5);
    const staff = await book(w, 'Amara Mensah', first);
    const oldKey = bookingOf(await slotById(w, first.id));

    let seen = await staff.say('my bookings');
    seen = await staff.submit(button(seen, 'Change time'));
    expect(seen.all).toMatch(/Choose a new time/);
    const moveToThird = button(seen, 'Move here', DateTime.fromISO(third.start).setZone('Europe/London').toFormat('ccc d LLL'));
    const moveToSecond = button(seen, 'Move here', DateTime.fromISO(second.start).setZone('Europe/London').toFormat('ccc d LLL'));

    // Someone else takes the third time first: nothing of Amara's booking changes.
    await book(w, 'Gareth Lloyd', third);
    seen = await staff.submit(moveToThird);
    expect(seen.all).toMatch(/someone else has just booked that time\. Your booking on .* is unchanged/);
    expect((await slotById(w, first.id)).booking?.staffId).toBe(staff.user.aadObjectId);

    seen = await staff.submit(moveToSecond);
    expect(seen.all).toMatch(/Your coaching session has moved/);
    expect((await slotById(w, first.id)).status).toBe('free');
    const moved = await slotById(w, second.id);
    expect(moved).toMatchObject({ status: 'booked', booking: { staffId: staff.user.aadObjectId } });
    expect(count(heard(w.coachTeams, w.coachChat), /Amara Mensah has moved their coaching session from .* to /)).toBe(1);

    const jobs = await allJobs(w);
    const remindersOf = (slotId: string) => jobs.filter((j) => j.kind.startsWith('reminder') && (j.payload as { booking: BookingRef }).booking.slotId === slotId);
    expect(remindersOf(first.id).map((j) => j.state)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(remindersOf(second.id).map((j) => j.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(jobs.find((j) => j.id === jobIds.reminder('reminder24h', oldKey, 'staff'))?.state).toBe('cancelled');

    w.at(Date.parse(first.start) - 24 * HOUR + 1000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);
    w.at(Date.parse(second.start) - 24 * HOUR + 1000);
    await w.bot.jobs.runOnce();
    expect(count(heard(w.staffTeams, staff), /A reminder: your coaching session with Daniel Okafor is tomorrow/)).toBe(1);
  });

  it('coach "Change time" cancels the booking and sends the staff member the next free times to book from', async () => {
    const w = await world();
    const slot = await publish(w, 3);
    const other = await publish(w, 4);
    const staff = await book(w, 'Tom Reilly', slot);
    let seen = await w.coachChat.say('my slots');
    seen = await w.coachChat.submit(button(seen, 'Change time', 'booked by Tom Reilly'));
    expect(seen.all).toMatch(/Cancelled your session on .* with Tom Reilly\. I'll send them the next free times/);
    expect((await slotById(w, slot.id)).status).toBe('withdrawn');
    expect((await allJobs(w)).filter((j) => j.kind.startsWith('reminder')).every((j) => j.state === 'cancelled')).toBe(true);

    const notice = w.staffTeams.messagesTo(staff.conversationId).at(-1)!;
    expect(cardText(notice)).toMatch(/Your coach needs to change your session time/);
    expect(cardText(notice)).toMatch(/Daniel Okafor can't do .* after all/);
    const offered = button({ activities: [notice] }, 'Book');
    expect(offered).toMatchObject({ card: 'slots', action: 'book', slotId: other.id });
    seen = await staff.submit(offered);
    expect(seen.all).toMatch(/Book this coaching session\?/);
  });
});

describe('the plan check-in', () => {
  it('is stored when session 1 is completed and sent PLAN_CHECK_IN_DAYS later with buttons into session 2 or a booking', async () => {
    const w = await world({ PLAN_CHECK_IN_DAYS: '10' });
    const staff = new PersonalChat(w.bot.url, w.staffTeams, newUser('Jo Evans'));
    const done = Date.now();
    const end = await completeSessionOne(staff);
    expect(end.all).toMatch(/end of your first session/);
    const [job] = (await allJobs(w)).filter((j) => j.kind === 'planCheckIn');
    expect(job).toMatchObject({ state: 'pending', recipientUserId: staff.user.aadObjectId });
    const due = Date.parse(job!.dueAt);
    expect(due).toBeGreaterThanOrEqual(done + 10 * 24 * HOUR);
    expect(due).toBeLessThan(Date.now() + 10 * 24 * HOUR);

    w.at(due - 60_000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(0);
    w.at(due + 1000);
    expect((await w.bot.jobs.runOnce()).sent).toBe(1);
    const checkIn = w.staffTeams.messagesTo(staff.conversationId).at(-1)!;
    expect(cardText(checkIn)).toMatch(/How is your plan going\?/);
    const actions = checkIn.attachments![0]!.content.actions as { title: string; data: unknown }[];
    expect(actions.map((a) => a.data)).toEqual([{ say: 'start coaching' }, { say: 'book a coach' }]);

    let seen = await staff.submit({ say: 'book a coach' });
    expect(seen.all).toMatch(/coaching times/);
    seen = await staff.submit({ say: 'start coaching' });
    expect(seen.all).toMatch(/Before each session I ask everyone the same few questions/);
  });

  it('is not sent to someone who has already started session 2', async () => {
    const w = await world();
    const staff = new PersonalChat(w.bot.url, w.staffTeams, newUser('Chris Ward'));
    await completeSessionOne(staff);
    await staff.checkIn(await staff.say('start coaching'));
    const [job] = (await allJobs(w)).filter((j) => j.kind === 'planCheckIn');
    w.at(Date.parse(job!.dueAt) + 1000);
    expect(await w.bot.jobs.runOnce()).toMatchObject({ sent: 0, cancelled: 1 });
    expect(await jobById(w, job!.id)).toMatchObject({ state: 'cancelled', lastError: 'session-2-started' });
  });
});

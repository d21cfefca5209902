import { DateTime } from 'luxon';
import { jobIds, noticeJob, type BookingRef } from '../src/booking/jobs';
import type { Slot } from '../src/booking/slots';
import type { InProcessChat, Reply } from './support/inProcess';
import { InProcessBotWithCoaches, rowButton } from './support/inProcessCoaches';
import { card, expectReplies, says } from './support/transcript';
import { newUser, type TeamsUser } from './support/teams';
import { completeSessionOne } from './support/inProcessWalkThrough';

/**
 * Stored jobs (booking notices, reminders, plan check-ins) in process: bookings through the real turn pipeline,
 * the job worker's passes run by the test with runOnce() on a clock it moves (no sleeping, no timers), and
 * Teams stood in for, so we see exactly what reached whom, message by message and in order.
 */
const HOUR = 3600_000;
const day = (offset: number) => DateTime.now().setZone('Europe/London').plus({ days: offset }).toISODate()!;
const WELCOME = card('Welcome to staff coaching', ['Show me what I can do', 'Not OK right now']);
const BOOKED = card('Your coaching session is booked', ['Cancel this booking']);
const bookedWithCoach = (staffName: string) => card(new RegExp(`^A coaching session has been booked with you\\n(.*\\n)*With\\n${staffName}\\n`));

interface World {
  bot: InProcessBotWithCoaches;
  coach: TeamsUser;
  coachChat: InProcessChat;
  /** What reaches the coach outside their own turns, batch by batch. */
  coachHears: { next(): Reply[] };
}

function world(env: Record<string, string> = {}): World {
  const coach = newUser('Daniel Okafor');
  const bot = new InProcessBotWithCoaches({ env: { COACH_IDS: coach.aadObjectId, ...env } });
  return { bot, coach, coachChat: bot.chat(coach), coachHears: bot.teams.inbox(coach) };
}

const allSlots = (w: World) => w.bot.stores.bookings.slotsOfCoach(w.coach.aadObjectId);
const slotById = async (w: World, id: string) => (await w.bot.stores.bookings.read<Slot>(id, w.coach.aadObjectId))!.doc;
const allJobs = (w: World) => w.bot.stores.jobs.all();
const jobById = async (w: World, id: string) => (await w.bot.stores.jobs.read(id))?.doc;
const dayLabel = (slot: Slot) => DateTime.fromISO(slot.start).setZone('Europe/London').toFormat('ccc d LLL');
/** Everything that reached the person outside their own turns, and how many of those messages match. */
const heard = (w: World, person: TeamsUser) => w.bot.teams.heardBy(person);
const count = (replies: Reply[], pattern: RegExp) => replies.filter((r) => pattern.test(`${r.text}\n${r.card}`)).length;

async function publish(w: World, dayOffset: number, time = '10:00'): Promise<Slot> {
  const before = new Set((await allSlots(w)).map((s) => s.id));
  const firstMessage = !(await w.bot.state.readOne(w.coach.aadObjectId));
  const seen = await w.coachChat.submitValue({ card: 'availability', date: day(dayOffset), time, minutes: '60', weeks: '0' });
  expectReplies(seen, [...(firstMessage ? [WELCOME] : []), says(/^Published 1 slot: /)]);
  return (await allSlots(w)).find((s) => !before.has(s.id))!;
}

/** Someone who has not chatted with the bot before books the slot straight from a confirmation card. */
async function book(w: World, name: string, slot: Slot): Promise<InProcessChat> {
  const staff = w.bot.chat(newUser(name));
  expectReplies(await staff.submitValue({ card: 'bookingConfirm', slotId: slot.id, coachId: slot.coachId, shareProgramme: 'false' }), [WELCOME, BOOKED]);
  return staff;
}

const bookingOf = (slot: Slot): Pick<BookingRef, 'slotId' | 'bookedAt'> => ({ slotId: slot.id, bookedAt: slot.booking!.bookedAt });


describe('reminders', () => {
  it('are stored when a session is booked, and sent to both people 24 hours and 15 minutes before, once each', async () => {
    const w = world();
    const slot = await publish(w, 3);
    const staff = await book(w, 'Amara Mensah', slot);
    const staffHears = w.bot.teams.inbox(staff.user);
    const booked = await slotById(w, slot.id);
    const start = Date.parse(booked.start);

    // The coach's booking notice went straight after the turn; both reminders wait, for both people.
    expectReplies(w.coachHears.next(), [bookedWithCoach('Amara Mensah')]);
    const reminders = (await allJobs(w)).filter((j) => j.kind !== 'bookingNotice');
    expect(reminders.map((j) => [j.kind, j.recipientUserId, j.dueAt, j.state]).sort()).toEqual(
      [
        ['reminder15m', w.coach.aadObjectId, new Date(start - 15 * 60_000).toISOString(), 'pending'],
        ['reminder15m', staff.user.aadObjectId, new Date(start - 15 * 60_000).toISOString(), 'pending'],
        ['reminder24h', w.coach.aadObjectId, new Date(start - 24 * HOUR).toISOString(), 'pending'],
        ['reminder24h', staff.user.aadObjectId, new Date(start - 24 * HOUR).toISOString(), 'pending'],
      ].sort(),
    );

    w.bot.clock.at(start - 24 * HOUR - 60_000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);

    w.bot.clock.at(start - 24 * HOUR + 1000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(2);
    expectReplies(staffHears.next(), [says(/^A reminder: your coaching session with Daniel Okafor is .*UK time/)]);
    expectReplies(w.coachHears.next(), [says(/^A reminder: you have a coaching session with Amara Mensah/)]);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);

    w.bot.clock.at(start - 15 * 60_000 + 1000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(2);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);
    expectReplies(staffHears.next(), [says(/^Your coaching session with Daniel Okafor starts in 15 minutes/)]);
    expectReplies(w.coachHears.next(), [says(/^Your coaching session with Amara Mensah starts in 15 minutes/)]);
    expect(count(heard(w, staff.user), /starts in 15 minutes/)).toBe(1);
    expect(count(heard(w, w.coach), /with Amara Mensah starts in 15 minutes/)).toBe(1);
    expect((await allJobs(w)).map((j) => j.state)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
  });

  it('are sent exactly once when two workers run at the same moment on one store (20 jobs)', async () => {
    const w = world();
    const second = w.bot.anotherInstance();
    const people: InProcessChat[] = [];
    for (let i = 0; i < 20; i += 1) {
      const chat = w.bot.chat(newUser(`Person ${i}`));
      await chat.say('hi');
      people.push(chat);
    }
    const start = Date.now() + 48 * HOUR;
    for (const [i, chat] of people.entries()) {
      const booking: BookingRef = {
        slotId: `slot-test-${i}`,
        coachId: w.coach.aadObjectId,
        coachName: 'Daniel Okafor',
        staffId: chat.user.aadObjectId,
        staffName: chat.user.name,
        start: new Date(start).toISOString(),
        end: new Date(start + HOUR).toISOString(),
        bookedAt: new Date().toISOString(),
      };
      await w.bot.stores.jobs.create(noticeJob({ notice: 'cancelled', by: 'coach', booking }, new Date()));
    }
    const [a, b] = await Promise.all([w.bot.jobWorker.runOnce(), second.jobWorker.runOnce()]);
    expect(a.sent + b.sent).toBe(20);
    // The two passes overlapped: each sent some, and each lost claims to the other.
    expect([a.sent, b.sent, a.skipped, b.skipped].every((n) => n > 0)).toBe(true);
    for (const chat of people) expectReplies(heard(w, chat.user), [says(/has had to cancel your session/)]);
    expect((await allJobs(w)).filter((j) => j.state === 'sent')).toHaveLength(20);
    const [c, d] = await Promise.all([w.bot.jobWorker.runOnce(), second.jobWorker.runOnce()]);
    expect(c.sent + d.sent).toBe(0);
  });

  it('survive a restart: a new process sends what is due, and a claim left by a crashed worker runs out', async () => {
    const w = world();
    const slot = await publish(w, 3);
    const staff = await book(w, 'Tom Reilly', slot);
    const staffHears = w.bot.teams.inbox(staff.user);
    expectReplies(w.coachHears.next(), [bookedWithCoach('Tom Reilly')]);
    const start = Date.parse(slot.start);
    const key = bookingOf(await slotById(w, slot.id));
    // A worker claimed the coach's 15-minute reminder and died before sending it.
    const claimedUntil = start - 15 * 60_000 + 30_000;
    const stuck = (await w.bot.stores.jobs.read(jobIds.reminder('reminder15m', key, 'coach')))!;
    expect(await w.bot.stores.jobs.replaceIfUnchanged({ ...stuck.doc, claimedBy: 'worker-that-died', claimedUntil: new Date(claimedUntil).toISOString() }, stuck.eTag)).toBeDefined();

    // The bot restarts: nothing but the store (and Teams) carries over.
    w.bot = w.bot.anotherInstance();
    w.coachChat.bot = w.bot;
    staff.bot = w.bot;
    w.bot.clock.at(start - 24 * HOUR + 1000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(2);
    expectReplies(staffHears.next(), [says(/^A reminder: /)]);
    expectReplies(w.coachHears.next(), [says(/^A reminder: /)]);
    w.bot.clock.at(start - 15 * 60_000 + 1000);
    expect(await w.bot.jobWorker.runOnce()).toMatchObject({ sent: 1, skipped: 1 });
    expectReplies(staffHears.next(), [says(/^Your coaching session with Daniel Okafor starts in 15 minutes/)]);
    expectReplies(w.coachHears.next(), []);
    expect(count(heard(w, w.coach), /starts in 15 minutes/)).toBe(0);
    w.bot.clock.at(claimedUntil + 1000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(1);
    expectReplies(w.coachHears.next(), [says(/^Your coaching session with Tom Reilly starts in 14 minutes/)]);
    expectReplies(staffHears.next(), []);
    expect(count(heard(w, w.coach), /starts in 14 minutes/)).toBe(1);
    expect(count(heard(w, staff.user), /starts in 15 minutes/)).toBe(1);
    expect(count(heard(w, staff.user), /A reminder:/)).toBe(1);
  });
});

describe('when Teams pushes back', () => {
  it('429 then success: the booking notice is retried after Retry-After and reaches the coach once', async () => {
    const w = world();
    const slot = await publish(w, 3);
    w.bot.teams.refuseNext(w.coach, { status: 429, retryAfterSeconds: 2 });
    await book(w, 'Priya Shah', slot);
    const id = jobIds.notice('booked', bookingOf(await slotById(w, slot.id)));
    expect(w.bot.teams.refused.map((r) => r.status)).toEqual([429]);
    expect(await jobById(w, id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'http-429' });
    expectReplies(w.coachHears.next(), []);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);

    w.bot.clock.at(Date.now() + 2500);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(1);
    expect(await jobById(w, id)).toMatchObject({ state: 'sent', attempts: 2 });
    expectReplies(w.coachHears.next(), [bookedWithCoach('Priya Shah')]);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);
    expectReplies(w.coachHears.next(), []);
  });

  it('403: undeliverable at once, never retried, and the staff member told once', async () => {
    const w = world();
    const slot = await publish(w, 3);
    w.bot.teams.refuseNext(w.coach, { status: 403 });
    const staff = w.bot.chat(newUser('Lee Carter'));
    const staffHears = w.bot.teams.inbox(staff.user);
    expectReplies(await staff.submitValue({ card: 'bookingConfirm', slotId: slot.id, coachId: slot.coachId }), [WELCOME, BOOKED]);
    expectReplies(staffHears.next(), [says(/^I couldn't reach Daniel Okafor in Teams to tell them about your booking/)]);
    const key = bookingOf(await slotById(w, slot.id));
    expect(await jobById(w, jobIds.notice('booked', key))).toMatchObject({ state: 'undeliverable', attempts: 1, lastError: 'http-403' });
    expect(await jobById(w, jobIds.unreachable(key, 'coach'))).toMatchObject({ state: 'sent', recipientUserId: staff.user.aadObjectId });

    // The coach's reminder is refused too: recorded, but the staff member is not told a second time.
    const start = Date.parse(slot.start);
    w.bot.teams.refuseNext(w.coach, { status: 403 });
    w.bot.clock.at(start - 24 * HOUR + 1000);
    expect(await w.bot.jobWorker.runOnce()).toMatchObject({ sent: 1, undeliverable: 1 });
    expect(await jobById(w, jobIds.reminder('reminder24h', key, 'coach'))).toMatchObject({ state: 'undeliverable', lastError: 'http-403' });
    expectReplies(staffHears.next(), [says(/^A reminder: your coaching session/)]);
    expect(count(heard(w, staff.user), /couldn't reach Daniel Okafor/)).toBe(1);
    expect(count(heard(w, staff.user), /A reminder: your coaching session/)).toBe(1);

    // No retry loop: later passes make no more requests for those jobs.
    const before = w.bot.teams.attemptsTo(w.coach);
    for (const hours of [1, 6, 12]) {
      w.bot.clock.at(start - 24 * HOUR + hours * HOUR);
      await w.bot.jobWorker.runOnce();
    }
    expect(w.bot.teams.attemptsTo(w.coach)).toBe(before);
    expect(w.bot.teams.refused.map((r) => r.status)).toEqual([403, 403]);
    expectReplies(w.coachHears.next(), []);
    expectReplies(staffHears.next(), []);
  });

  it('no stored conversation for the recipient: undeliverable at once, and the other side told', async () => {
    const w = world();
    await w.coachChat.say('hi');
    const neverChatted = newUser('Robin Hale');
    const start = Date.now() + 48 * HOUR;
    const booking: BookingRef = {
      slotId: 'slot-no-reference',
      coachId: w.coach.aadObjectId,
      coachName: 'Daniel Okafor',
      staffId: neverChatted.aadObjectId,
      staffName: neverChatted.name,
      start: new Date(start).toISOString(),
      end: new Date(start + HOUR).toISOString(),
      bookedAt: new Date().toISOString(),
    };
    const job = noticeJob({ notice: 'cancelled', by: 'coach', booking }, new Date());
    await w.bot.stores.jobs.create(job);
    expect(await w.bot.jobWorker.runOnce()).toMatchObject({ undeliverable: 1, sent: 1 });
    expect(await jobById(w, job.id)).toMatchObject({ state: 'undeliverable', lastError: 'no-reference' });
    expectReplies(w.coachHears.next(), [says(/^I couldn't reach Robin Hale in Teams to tell them the session on .* is cancelled/)]);
    expect((await w.bot.jobWorker.runOnce()).undeliverable).toBe(0);
    expectReplies(w.coachHears.next(), []);
  });
});

describe('changing a booking', () => {
  it('cancelling removes the pending reminders and tells the coach', async () => {
    const w = world();
    const slot = await publish(w, 3);
    const staff = await book(w, 'Sam Patel', slot);
    expectReplies(w.coachHears.next(), [bookedWithCoach('Sam Patel')]);
    const key = bookingOf(await slotById(w, slot.id));
    const seen = await staff.say('my bookings');
    expectReplies(seen, [card(/^Your bookings\n/, ['Cancel', 'Change time'])]);
    expectReplies(await staff.submitValue(rowButton(seen, 'Cancel')), [says(/^Cancelled: .* with Daniel Okafor/)]);
    expectReplies(w.coachHears.next(), [says(/^Sam Patel has cancelled their coaching session/)]);
    expect(count(heard(w, w.coach), /Sam Patel has cancelled their coaching session/)).toBe(1);
    const reminders = (await allJobs(w)).filter((j) => j.kind === 'reminder24h' || j.kind === 'reminder15m');
    expect(reminders).toHaveLength(4);
    expect(reminders.every((j) => j.state === 'cancelled')).toBe(true);
    expect((await jobById(w, jobIds.notice('cancelled', key)))?.state).toBe('sent');

    w.bot.clock.at(Date.parse(slot.start) - 24 * HOUR + 1000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);
    w.bot.clock.at(Date.parse(slot.start) - 15 * 60_000 + 1000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);
    expectReplies(heard(w, staff.user), []);
    expectReplies(w.coachHears.next(), []);
  });

  it('staff "Change time" books the new time first, then frees the old one; reminders move and the coach is told', async () => {
    const w = world();
    const first = await publish(w, 3);
    const second = await publish(w, 4);
    const third = await publish(w, 5);
    const staff = await book(w, 'Amara Mensah', first);
    const oldKey = bookingOf(await slotById(w, first.id));

    let seen = await staff.say('my bookings');
    seen = await staff.submitValue(rowButton(seen, 'Change time'));
    expectReplies(seen, [card(/^Choose a new time\n/)]);
    const moveToThird = rowButton(seen, 'Move here', dayLabel(third));
    const moveToSecond = rowButton(seen, 'Move here', dayLabel(second));

    // Someone else takes the third time first: nothing of Amara's booking changes.
    await book(w, 'Gareth Lloyd', third);
    expectReplies(await staff.submitValue(moveToThird), [card(/^That time has just gone\nSorry, someone else has just booked that time\. Your booking on .* is unchanged\. Here are the next free times:\n/, ['Move here'])]);
    expect((await slotById(w, first.id)).booking?.staffId).toBe(staff.user.aadObjectId);

    expectReplies(await staff.submitValue(moveToSecond), [card(/^Your coaching session has moved\n/)]);
    expect((await slotById(w, first.id)).status).toBe('free');
    const moved = await slotById(w, second.id);
    expect(moved).toMatchObject({ status: 'booked', booking: { staffId: staff.user.aadObjectId } });
    const coachHeard = w.coachHears.next();
    expectReplies(coachHeard, [bookedWithCoach('Amara Mensah'), bookedWithCoach('Gareth Lloyd'), card(/^A coaching session has moved to a new time\n(.*\n)*With\nAmara Mensah\n/)]);
    expect(coachHeard[2]!.text).toMatch(/^Amara Mensah has moved their coaching session from .* to /);
    expect(count(heard(w, w.coach), /Amara Mensah has moved their coaching session from .* to /)).toBe(1);

    const jobs = await allJobs(w);
    const remindersOf = (slotId: string) => jobs.filter((j) => j.kind.startsWith('reminder') && (j.payload as { booking: BookingRef }).booking.slotId === slotId);
    expect(remindersOf(first.id).map((j) => j.state)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(remindersOf(second.id).map((j) => j.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(jobs.find((j) => j.id === jobIds.reminder('reminder24h', oldKey, 'staff'))?.state).toBe('cancelled');

    w.bot.clock.at(Date.parse(first.start) - 24 * HOUR + 1000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);
    w.bot.clock.at(Date.parse(second.start) - 24 * HOUR + 1000);
    await w.bot.jobWorker.runOnce();
    expectReplies(heard(w, staff.user), [says(/^A reminder: your coaching session with Daniel Okafor is tomorrow/)]);
  });

  it('coach "Change time" cancels the booking and sends the staff member the next free times to book from', async () => {
    const w = world();
    const slot = await publish(w, 3);
    const other = await publish(w, 4);
    const staff = await book(w, 'Tom Reilly', slot);
    let seen = await w.coachChat.say('my slots');
    seen = await w.coachChat.submitValue(rowButton(seen, 'Change time', 'booked by Tom Reilly'));
    expectReplies(seen, [says(/^Cancelled your session on .* with Tom Reilly\. I'll send them the next free times/)]);
    expect((await slotById(w, slot.id)).status).toBe('withdrawn');
    expect((await allJobs(w)).filter((j) => j.kind.startsWith('reminder')).every((j) => j.state === 'cancelled')).toBe(true);

    const told = heard(w, staff.user);
    expectReplies(told, [card(/^Your coach needs to change your session time\n/, ['Book'])]);
    expect(told[0]!.card).toMatch(/Daniel Okafor can't do .* after all/);
    const offered = rowButton(told, 'Book');
    expect(offered).toMatchObject({ card: 'slots', action: 'book', slotId: other.id });
    expectReplies(await staff.submitValue(offered), [card(/^Book this coaching session\?\n/, ['Book it'])]);
  });
});

describe('the plan check-in', () => {
  it('is stored when session 1 is completed and sent PLAN_CHECK_IN_DAYS later with buttons into session 2 or a booking', async () => {
    const w = world({ PLAN_CHECK_IN_DAYS: '10' });
    const staff = w.bot.chat(newUser('Jo Evans'));
    const done = Date.now();
    const end = await completeSessionOne(staff);
    expectReplies(end, [says(/end of your first session/)]);
    const [job] = (await allJobs(w)).filter((j) => j.kind === 'planCheckIn');
    expect(job).toMatchObject({ state: 'pending', recipientUserId: staff.user.aadObjectId });
    const due = Date.parse(job!.dueAt);
    expect(due).toBeGreaterThanOrEqual(done + 10 * 24 * HOUR);
    expect(due).toBeLessThanOrEqual(Date.now() + 10 * 24 * HOUR);

    w.bot.clock.at(due - 60_000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(0);
    w.bot.clock.at(due + 1000);
    expect((await w.bot.jobWorker.runOnce()).sent).toBe(1);
    const checkIn = heard(w, staff.user);
    expectReplies(checkIn, [card(/^How is your plan going\?/)]);
    const actions = checkIn[0]!.activity.attachments![0]!.content.actions as { title: string; data: unknown }[];
    expect(actions.map((a) => a.data)).toEqual([{ say: 'start coaching' }, { say: 'book a coach' }]);

    expectReplies(await staff.tap('book a coach'), [card(/coaching times/)]);
    expectReplies(await staff.tap('start coaching'), [card(/^A quick check-in\nBefore each session I ask everyone the same few questions/, ['Send'])]);
  });

  it('is not sent to someone who has already started session 2', async () => {
    const w = world();
    const staff = w.bot.chat(newUser('Chris Ward'));
    await completeSessionOne(staff);
    await staff.startCoaching();
    const [job] = (await allJobs(w)).filter((j) => j.kind === 'planCheckIn');
    w.bot.clock.at(Date.parse(job!.dueAt) + 1000);
    expect(await w.bot.jobWorker.runOnce()).toMatchObject({ sent: 0, cancelled: 1 });
    expect(await jobById(w, job!.id)).toMatchObject({ state: 'cancelled', lastError: 'session-2-started' });
    expectReplies(heard(w, staff.user), []);
  });
});

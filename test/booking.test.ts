import { DateTime } from 'luxon';
import { startBot, type RunningBot } from '../src/app';
import type { Slot } from '../src/booking/slots';
import { PersonalChat } from './support/chat';
import { cardText, ReplySink } from './support/replySink';
import { silentLogger, testConfig } from './support/bot';
import { newUser } from './support/teams';

/** Booking a coach, end to end over HTTP: each person has their own Teams stand-in to see what reaches them. */
describe('booking a coach', () => {
  const coachTeams = new ReplySink();
  const staffTeams = new ReplySink();
  const coach = newUser('Daniel Okafor');
  let bot: RunningBot;
  let coachChat: PersonalChat;
  const day = (offset: number) => DateTime.now().setZone('Europe/London').plus({ days: offset }).toISODate()!;

  beforeAll(async () => {
    await coachTeams.start();
    await staffTeams.start();
    bot = await startBot(testConfig({ COACH_IDS: coach.aadObjectId }), silentLogger, { outbox: { autoStart: false } });
    coachChat = new PersonalChat(bot.url, coachTeams, coach);
    coachTeams.setMembers(coachChat.conversationId, [{ ...coach, userPrincipalName: 'daniel.okafor@trust.example' }]);
  });
  afterAll(async () => {
    await bot.stop();
    await coachTeams.stop();
    await staffTeams.stop();
  });

  const slots = async () => (await bot.store.containers.bookings.items.query<Slot>('SELECT * FROM c WHERE c.docType = "slot"').fetchAll()).resources;
  const coachHeard = () => coachTeams.messagesTo(coachChat.conversationId).map((a) => `${a.text ?? ''}${cardText(a)}`);
  const rowsOf = (seen: { activities: { attachments?: { content: any }[] }[] }) =>
    seen.activities.flatMap((a) => a.attachments ?? []).flatMap((a) => (a.content.body ?? []).filter((b: any) => b.type === 'ColumnSet'));

  it('lets a coach publish weekly availability, and refuses anyone else', async () => {
    let seen = await coachChat.say('publish availability');
    expect(seen.all).toMatch(/Publish your availability/);
    seen = await coachChat.submit({ card: 'availability', date: day(2), time: '10:00', minutes: '60', weeks: '1' });
    expect(seen.all).toMatch(/Published 2 slots/);

    const colleague = new PersonalChat(bot.url, staffTeams);
    seen = await colleague.say('publish availability');
    expect(seen.all).toMatch(/Only coaches can do that/);
    const before = (await slots()).length;
    seen = await colleague.submit({ card: 'availability', date: day(3), time: '11:00', minutes: '60', weeks: '0' });
    expect(seen.all).toMatch(/Only coaches can do that/);
    expect((await slots()).length).toBe(before);
  });

  it('books a free time, confirms to both people, and shows the coach nothing of a programme without consent', async () => {
    const staff = new PersonalChat(bot.url, staffTeams, newUser('Amara Mensah'));
    // Teams tells the bot each person's sign-in name when asked (once per chat), for the meeting link.
    staffTeams.setMembers(staff.conversationId, [{ ...staff.user, userPrincipalName: 'amara.mensah@trust.example' }]);
    await staff.startCoaching();
    await staff.say('Become a ward sister within two years');
    let seen = await staff.say('book a coach');
    expect(seen.all).toMatch(/Free coaching times/);
    expect(seen.all).toMatch(/10:00–11:00 with Daniel Okafor/);
    seen = await staff.submit(seen.card('slots'));
    expect(seen.all).toMatch(/Book this coaching session\?/);
    expect(seen.all).toMatch(/Let my coach see my coaching so far/);
    seen = await staff.submit({ ...seen.card('bookingConfirm'), shareProgramme: 'false' });
    expect(seen.all).toMatch(/Your coaching session is booked/);
    const link = seen.activities.flatMap((a) => a.attachments ?? []).flatMap((a) => a.content.actions ?? []).find((a: any) => a.type === 'Action.OpenUrl');
    expect(link.url).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meeting\/new\?subject=Coaching\+session&startTime=/);
    expect(new URL(link.url).searchParams.get('attendees')).toBe('amara.mensah@trust.example,daniel.okafor@trust.example');

    const told = coachHeard().at(-1)!;
    expect(told).toMatch(/A coaching session has been booked with you/);
    expect(told).toContain('Amara Mensah');
    expect(told).toMatch(/Not shared/);
    expect(told).not.toContain('ward sister');
  });

  it('shares the goal with the coach when the staff member agrees', async () => {
    await coachChat.submit({ card: 'availability', date: day(4), time: '15:00', minutes: '30', weeks: '0' });
    const staff = new PersonalChat(bot.url, staffTeams, newUser('Tom Reilly'));
    await staff.startCoaching();
    await staff.say('Lead the audit on falls');
    let seen = await staff.say('book a coach');
    seen = await staff.submit(seen.card('slots'));
    seen = await staff.submit({ ...seen.card('bookingConfirm'), shareProgramme: 'true' });
    expect(seen.all).toMatch(/Shared with your coach/);
    expect(coachHeard().at(-1)).toContain('Goal: Lead the audit on falls');
  });

  it('gives a slot to exactly one of two people confirming at the same moment; the other is shown the next times', async () => {
    await coachChat.submit({ card: 'availability', date: day(5), time: '09:00', minutes: '60', weeks: '0' });
    await coachChat.submit({ card: 'availability', date: day(6), time: '09:00', minutes: '60', weeks: '0' });
    const target = (await slots()).filter((s) => s.status === 'free').sort((a, b) => a.start.localeCompare(b.start))[0]!;
    const first = new PersonalChat(bot.url, staffTeams, newUser('Gareth Lloyd'));
    const second = new PersonalChat(bot.url, staffTeams, newUser('Priya Shah'));
    const confirm = { card: 'bookingConfirm', slotId: target.id, coachId: target.coachId, shareProgramme: 'false' };
    const [a, b] = await Promise.all([first.submit(confirm), second.submit(confirm)]);
    const outcomes = [a.all, b.all];
    expect(outcomes.filter((t) => /Your coaching session is booked/.test(t))).toHaveLength(1);
    const loser = outcomes.find((t) => !/Your coaching session is booked/.test(t))!;
    expect(loser).toMatch(/someone else has just booked that time/);
    expect(loser).toMatch(/with Daniel Okafor/);
  });

  it('cancels from the staff side and tells the coach; the coach withdraws a free time', async () => {
    const staff = new PersonalChat(bot.url, staffTeams, newUser('Sam Patel'));
    await staff.say('hi');
    let seen = await staff.say('book a coach');
    seen = await staff.submit(seen.card('slots'));
    seen = await staff.submit({ ...seen.card('bookingConfirm') });
    expect(seen.all).toMatch(/Your coaching session is booked/);
    seen = await staff.say('my bookings');
    seen = await staff.submit(seen.card('slots'));
    expect(seen.all).toMatch(/Cancelled: .* with Daniel Okafor/);
    expect(coachHeard().at(-1)).toMatch(/Sam Patel has cancelled their coaching session/);

    seen = await coachChat.say('my slots');
    const free = rowsOf(seen).find((r: any) => JSON.stringify(r).includes('"Withdraw"'));
    const data = free.columns[1].items[0].actions[0].data;
    seen = await coachChat.submit(data);
    expect(seen.all).toMatch(/Withdrawn: /);
    expect((await slots()).find((s) => s.id === data.slotId)!.status).toBe('withdrawn');
  });

  it('tells the staff member when Teams refuses the message to the coach (403: bot blocked or removed)', async () => {
    await coachChat.submit({ card: 'availability', date: day(7), time: '12:00', minutes: '60', weeks: '0' });
    const staff = new PersonalChat(bot.url, staffTeams, newUser('Lee Carter'));
    let seen = await staff.say('book a coach');
    seen = await staff.submit(seen.card('slots'));
    coachTeams.injectResponses({ status: 403 });
    seen = await staff.submit({ ...seen.card('bookingConfirm') });
    expect(seen.all).toMatch(/Your coaching session is booked/);
    // The notice to the coach is a stored job: refused (403), it is marked undeliverable and the staff member told.
    expect(seen.all).toMatch(/couldn't reach Daniel Okafor in Teams to tell them about your booking/);
  });
});

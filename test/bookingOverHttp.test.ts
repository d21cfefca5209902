import { DateTime } from 'luxon';
import { startBot, type RunningBot } from '../src/app';
import { PersonalChat } from './support/chat';
import { cardText, ReplySink } from './support/replySink';
import { silentLogger, testConfig } from './support/bot';
import { newUser } from './support/teams';

/**
 * One booking walked end to end over HTTP, for what crosses it: the sign-in names asked of Teams' members API,
 * the booking notice posted to the coach's chat through the connector, and Teams refusing it (403). Each person
 * has their own Teams stand-in. test/booking.test.ts has the rest of booking, in process.
 */
describe('booking a coach over HTTP', () => {
  const coachTeams = new ReplySink();
  const staffTeams = new ReplySink();
  const coach = newUser('Daniel Okafor');
  let bot: RunningBot;

  beforeAll(async () => {
    await coachTeams.start();
    await staffTeams.start();
    bot = await startBot(testConfig({ COACH_IDS: coach.aadObjectId }), silentLogger, { outbox: { autoStart: false }, jobs: { autoStart: false } });
  });
  afterAll(async () => {
    await bot.stop();
    await coachTeams.stop();
    await staffTeams.stop();
  });

  it('publishes, books with a meeting link for both, tells the coach, and tells the staff member when Teams refuses the coach', async () => {
    const day = DateTime.now().setZone('Europe/London').plus({ days: 2 }).toISODate()!;
    const coachChat = new PersonalChat(bot.url, coachTeams, coach);
    coachTeams.setMembers(coachChat.conversationId, [{ ...coach, userPrincipalName: 'daniel.okafor@trust.example' }]);
    await coachChat.say('hi');
    let seen = await coachChat.submit({ card: 'availability', date: day, time: '10:00', minutes: '60', weeks: '1' });
    expect(seen.all).toMatch(/^Published 2 slots/);

    const staff = new PersonalChat(bot.url, staffTeams, newUser('Amara Mensah'));
    staffTeams.setMembers(staff.conversationId, [{ ...staff.user, userPrincipalName: 'amara.mensah@trust.example' }]);
    await staff.say('hi');
    seen = await staff.say('book a coach');
    seen = await staff.submit(seen.card('slots'));
    seen = await staff.submit({ ...seen.card('bookingConfirm'), shareProgramme: 'false' });
    expect(seen.activities).toHaveLength(1);
    expect(seen.all).toMatch(/^\nYour coaching session is booked/);
    const link = seen.activities[0]!.attachments!.flatMap((a) => a.content.actions ?? []).find((a: any) => a.type === 'Action.OpenUrl');
    expect(new URL(link.url).searchParams.get('attendees')).toBe('amara.mensah@trust.example,daniel.okafor@trust.example');
    const told = coachTeams.messagesTo(coachChat.conversationId).map(cardText);
    expect(told.filter((t) => /^A coaching session has been booked with you\n(.*\n)*With\nAmara Mensah\n/.test(t))).toHaveLength(1);

    // The next booking's notice is refused (403: bot blocked or removed): marked undeliverable, the staff member told.
    seen = await staff.say('book a coach');
    seen = await staff.submit(seen.card('slots'));
    coachTeams.injectResponses({ status: 403 });
    seen = await staff.submit(seen.card('bookingConfirm'));
    expect(seen.activities).toHaveLength(2);
    expect(seen.all).toMatch(/^\nYour coaching session is booked[\s\S]*\n---\nI couldn't reach Daniel Okafor in Teams to tell them about your booking/);
    expect(coachTeams.refused.map((r) => r.status)).toEqual([403]);
  });
});

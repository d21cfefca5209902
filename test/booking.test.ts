import { DateTime } from 'luxon';
import type { Slot } from '../src/booking/slots';
import type { InProcessChat, Reply } from './support/inProcess';
import { InProcessBotWithCoaches, rowButton } from './support/inProcessCoaches';
import { allOf, card, expectReplies, says } from './support/transcript';
import { newUser } from './support/teams';

/**
 * Booking a coach, in process through the real turn pipeline with the store's memory twins, every reply in
 * order: what each person sees in their own chat, and what reaches the other side (Teams stood in for).
 * test/bookingOverHttp.test.ts walks one booking over HTTP.
 */
describe('booking a coach', () => {
  const coach = newUser('Daniel Okafor');
  const bot = new InProcessBotWithCoaches({ env: { COACH_IDS: coach.aadObjectId } });
  // Teams tells the bot each person's sign-in name when asked (once per chat), for the meeting link.
  bot.teams.setSignInName(coach, 'daniel.okafor@trust.example');
  const coachChat = bot.chat(coach);
  const coachHears = bot.teams.inbox(coach);
  const day = (offset: number) => DateTime.now().setZone('Europe/London').plus({ days: offset }).toISODate()!;
  const slotsOf = (person: { aadObjectId: string }) => bot.stores.bookings.slotsOfCoach(person.aadObjectId);
  const WELCOME = card('Welcome to staff coaching', ['Show me what I can do', 'Not OK right now']);
  const GOAL_TERM = card('Is this something for the next few weeks, or a longer-term goal?', ['Next few weeks', 'Longer term']);
  const BOOKED = card('Your coaching session is booked', ['Cancel this booking']);
  const ONLY_COACHES = says('Only coaches can do that. If you are a coach, ask a service lead to add you.');

  /** Publishes one time (no repeats) from the coach's chat. */
  const publish = async (dayOffset: number, time: string, minutes: string) =>
    expectReplies(await coachChat.submitValue({ card: 'availability', date: day(dayOffset), time, minutes, weeks: '0' }), [says(/^Published 1 slot: /)]);
  /** Books the first free time: the list, the confirmation card, then "Book it" with or without sharing. */
  const bookFirstFreeTime = async (staff: InProcessChat, shareProgramme?: 'true' | 'false'): Promise<Reply[]> => {
    expectReplies(await staff.submit('slots', {}), [card(/^Book this coaching session\?\n.* with Daniel Okafor\nLet my coach see my coaching so far/, ['Book it'])]);
    return staff.submit('bookingConfirm', shareProgramme ? { shareProgramme } : {});
  };

  it('lets a coach publish weekly availability, and refuses anyone else', async () => {
    expectReplies(await coachChat.say('publish availability'), [WELCOME, card('Publish your availability', ['Publish'])]);
    expectReplies(await coachChat.submit('availability', { date: day(2), time: '10:00', minutes: '60', weeks: '1' }), [says(/^Published 2 slots: /)]);

    const colleague = bot.chat();
    expectReplies(await colleague.say('publish availability'), [WELCOME, ONLY_COACHES]);
    const before = (await slotsOf(coach)).length;
    expectReplies(await colleague.submitValue({ card: 'availability', date: day(3), time: '11:00', minutes: '60', weeks: '0' }), [ONLY_COACHES]);
    expect(await slotsOf(colleague.user)).toEqual([]);
    expect((await slotsOf(coach)).length).toBe(before);
  });

  it('books a free time, confirms to both people, and shows the coach nothing of a programme without consent', async () => {
    const amara = newUser('Amara Mensah');
    bot.teams.setSignInName(amara, 'amara.mensah@trust.example');
    const staff = bot.chat(amara);
    await staff.startCoaching();
    expectReplies(await staff.say('Become a ward sister within two years'), [GOAL_TERM]);
    // The times, then back to the question coaching was waiting on.
    expectReplies(await staff.say('book a coach'), [card(/^Free coaching times\n(.*\n)*.*10:00–11:00 with Daniel Okafor\nBook/), GOAL_TERM]);
    const seen = await bookFirstFreeTime(staff, 'false');
    expectReplies(seen, [BOOKED]);
    const link = seen[0]!.activity.attachments!.flatMap((a) => a.content.actions ?? []).find((a: any) => a.type === 'Action.OpenUrl');
    expect(link.url).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meeting\/new\?subject=Coaching\+session&startTime=/);
    expect(new URL(link.url).searchParams.get('attendees')).toBe('amara.mensah@trust.example,daniel.okafor@trust.example');

    const told = coachHears.next();
    expectReplies(told, [card(/^A coaching session has been booked with you\n/, ['Cancel this booking'])]);
    expect(told[0]!.card).toContain('Amara Mensah');
    expect(told[0]!.card).toMatch(/Not shared/);
    expect(allOf(told)).not.toContain('ward sister');
  });

  it('shares the goal with the coach when the staff member agrees', async () => {
    await publish(4, '15:00', '30');
    const staff = bot.chat(newUser('Tom Reilly'));
    await staff.startCoaching();
    await staff.say('Lead the audit on falls');
    await staff.say('book a coach');
    expectReplies(await bookFirstFreeTime(staff, 'true'), [card(/^Your coaching session is booked\n(.*\n)*Shared with your coach/)]);
    const told = coachHears.next();
    expectReplies(told, [card(/^A coaching session has been booked with you\n/)]);
    expect(told[0]!.card).toContain('Goal: Lead the audit on falls');
  });

  it('gives a slot to exactly one of two people confirming at the same moment; the other is shown the next times', async () => {
    await publish(5, '09:00', '60');
    await publish(6, '09:00', '60');
    const target = (await slotsOf(coach)).filter((s) => s.status === 'free').sort((a, b) => a.start.localeCompare(b.start))[0]!;
    const first = bot.chat(newUser('Gareth Lloyd'));
    const second = bot.chat(newUser('Priya Shah'));
    const confirm = { card: 'bookingConfirm', slotId: target.id, coachId: target.coachId, shareProgramme: 'false' };
    const outcomes = await Promise.all([first.submitValue(confirm), second.submitValue(confirm)]);
    const won = outcomes.filter((replies) => /Your coaching session is booked/.test(allOf(replies)));
    expect(won).toHaveLength(1);
    expectReplies(won[0]!, [WELCOME, BOOKED]);
    const lost = outcomes.find((replies) => replies !== won[0])!;
    expectReplies(lost, [WELCOME, card(/^That time has just gone\nSorry, someone else has just booked that time\. Here are the next free ones:\n.* with Daniel Okafor\nBook/)]);
    // The coach hears of the one booking that was made.
    const winner = outcomes[0] === won[0] ? first : second;
    expectReplies(coachHears.next(), [card(new RegExp(`^A coaching session has been booked with you\n(.*\n)*With\n${winner.user.name}\n`))]);
  });

  it('cancels from the staff side and tells the coach; the coach withdraws a free time', async () => {
    const staff = bot.chat(newUser('Sam Patel'));
    await staff.say('hi');
    await staff.say('book a coach');
    expectReplies(await bookFirstFreeTime(staff), [BOOKED]);
    expectReplies(coachHears.next(), [card(/^A coaching session has been booked with you\n(.*\n)*Sam Patel/)]);
    expectReplies(await staff.say('my bookings'), [card(/^Your bookings\n(.*\n)*.* with Daniel Okafor\nCancel\nChange time$/, ['Cancel', 'Change time'])]);
    expectReplies(await staff.submit('slots', {}), [says(/^Cancelled: .* with Daniel Okafor\. I'll let your coach know\.$/)]);
    expectReplies(coachHears.next(), [says(/^Sam Patel has cancelled their coaching session/)]);

    const seen = await coachChat.say('my slots');
    expectReplies(seen, [card(/^Your availability\n/)]);
    const withdraw = rowButton(seen, 'Withdraw');
    expectReplies(await coachChat.submitValue(withdraw), [says(/^Withdrawn: /)]);
    expect((await bot.stores.bookings.read<Slot>(withdraw.slotId, withdraw.coachId))!.doc.status).toBe('withdrawn');
  });

  it('tells the staff member when Teams refuses the message to the coach (403: bot blocked or removed)', async () => {
    await publish(7, '12:00', '60');
    const lee = newUser('Lee Carter');
    const staff = bot.chat(lee);
    await staff.say('book a coach');
    bot.teams.refuseNext(coach, { status: 403 });
    // The notice to the coach is a stored job: refused (403), it is marked undeliverable and the staff member told.
    expectReplies(await bookFirstFreeTime(staff), [BOOKED]);
    expect(bot.teams.refused).toEqual([expect.objectContaining({ status: 403 })]);
    expectReplies(bot.teams.heardBy(lee), [says(/^I couldn't reach Daniel Okafor in Teams to tell them about your booking/)]);
    expectReplies(coachHears.next(), []);
  });
});

import { reminderMessage, unreachableNotice, whenFromNow, planCheckInMessage, cancelledNotice } from './jobMessages';
import type { BookingRef } from './jobs';

// 10:00 London on Sunday 29 March 2026, the first day of British Summer Time (09:00 UTC).
const booking: BookingRef = {
  slotId: 'slot-1',
  coachId: 'coach-1',
  coachName: 'Daniel Okafor',
  staffId: 'staff-1',
  staffName: 'Amara Mensah',
  start: '2026-03-29T09:00:00.000Z',
  end: '2026-03-29T10:00:00.000Z',
  bookedAt: '2026-03-20T12:00:00.000Z',
};
const ms = (iso: string) => Date.parse(iso);

describe('job messages', () => {
  it('say today, tomorrow or the date by London days, across the clock change', () => {
    expect(whenFromNow(booking, ms('2026-03-28T09:00:00Z'))).toBe('tomorrow (Sun 29 Mar, 10:00–11:00)');
    expect(whenFromNow(booking, ms('2026-03-29T00:30:00Z'))).toBe('today (Sun 29 Mar, 10:00–11:00)');
    expect(whenFromNow(booking, ms('2026-03-27T09:00:00Z'))).toBe('on Sun 29 Mar, 10:00–11:00');
  });

  it('remind each person of the other, in UK time, and how to change it', () => {
    const staff = reminderMessage('reminder24h', 'staff', booking, ms('2026-03-28T09:00:00Z')).text!;
    expect(staff).toBe('A reminder: your coaching session with Daniel Okafor is tomorrow (Sun 29 Mar, 10:00–11:00), UK time. If you can no longer make it, type "my bookings" to change the time or cancel.');
    const coach = reminderMessage('reminder24h', 'coach', booking, ms('2026-03-28T09:00:00Z')).text!;
    expect(coach).toMatch(/^A reminder: you have a coaching session with Amara Mensah tomorrow/);
    expect(coach).toMatch(/"my slots"/);
    expect(reminderMessage('reminder15m', 'staff', booking, ms('2026-03-29T08:45:00Z')).text).toBe(
      "Your coaching session with Daniel Okafor starts in 15 minutes (10:00–11:00, UK time). Join the Teams meeting from your calendar when you're ready.",
    );
    expect(reminderMessage('reminder15m', 'coach', booking, ms('2026-03-29T08:59:40Z')).text).toMatch(/with Amara Mensah starts in 1 minute \(/);
  });

  it('tell one side, kindly, when the other could not be reached, and what about', () => {
    expect(unreachableNotice(booking, 'coach', 'reminder').text).toMatch(/^I couldn't reach Daniel Okafor in Teams to remind them about your session on Sun 29 Mar, 10:00–11:00\. .*another way/);
    expect(unreachableNotice(booking, 'staff', 'cancelled').text).toMatch(/^I couldn't reach Amara Mensah in Teams to tell them the session on Sun 29 Mar, 10:00–11:00 is cancelled/);
    expect(cancelledNotice(booking, 'coach').text).toMatch(/^Your coach Daniel Okafor has had to cancel your session/);
  });

  it('ask how the plan is going, with buttons that say "start coaching" and "book a coach"', () => {
    const message = planCheckInMessage();
    const card = message.attachments![0]!.content as { body: { text: string }[]; actions: { title: string; data: unknown }[] };
    expect(card.body[0]!.text).toBe('How is your plan going?');
    expect(card.actions.map((a) => a.data)).toEqual([{ say: 'start coaching' }, { say: 'book a coach' }]);
  });
});

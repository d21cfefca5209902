import { DateTime } from 'luxon';
import { countedOn, londonDate, monthOf } from './aggregate';

describe('the UK date an event is counted on', () => {
  it('is the date in London, on either side of midnight and of the clocks changing', () => {
    expect(londonDate(new Date('2026-03-29T00:30:00Z'))).toBe('2026-03-29');
    expect(londonDate(new Date('2026-03-28T23:59:59Z'))).toBe('2026-03-28');
    // British Summer Time: 23:30 UTC is 00:30 the next day in London.
    expect(londonDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonDate(new Date('2026-10-24T23:30:00Z'))).toBe('2026-10-25');
    expect(londonDate(new Date('2026-10-25T23:30:00Z'))).toBe('2026-10-25');
    expect(londonDate(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12-31');
    expect(monthOf(new Date('2026-07-31T23:15:00Z'))).toBe('2026-08');
    expect(countedOn({ kind: 'checkIn', level: 'none' }, new Date('2026-04-30T23:00:00Z'))).toBe('2026-05-01');
  });

  it('agrees with luxon every 37 minutes through a year of both clock changes', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let at = start; at < start + 366 * 24 * 3600_000; at += 37 * 60_000) {
      const date = new Date(at);
      expect(londonDate(date)).toBe(DateTime.fromJSDate(date, { zone: 'Europe/London' }).toISODate());
    }
  });

  it('reads a slot time written without an offset as London time', () => {
    expect(londonDate('2026-06-30T23:30:00')).toBe('2026-06-30');
    expect(londonDate('2026-06-30T23:30:00Z')).toBe('2026-07-01');
  });
});

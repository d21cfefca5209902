import { easterSunday, firstWorkingDay, monthlyPostTime } from './workingDays';

describe('the first working day of a month', () => {
  it('knows Easter', () => {
    expect(easterSunday(2026).toISODate()).toBe('2026-04-05');
    expect(easterSunday(2027).toISODate()).toBe('2027-03-28');
    expect(easterSunday(2029).toISODate()).toBe('2029-04-01');
  });

  it('skips weekends and the bank holidays that can start a month', () => {
    expect(firstWorkingDay(2027, 1, 'england').toISODate()).toBe('2027-01-04'); // 1 Jan is a Friday: the 4th
    expect(firstWorkingDay(2026, 1, 'england').toISODate()).toBe('2026-01-02');
    expect(firstWorkingDay(2026, 1, 'scotland').toISODate()).toBe('2026-01-05'); // 1 and 2 January
    expect(firstWorkingDay(2028, 5, 'wales').toISODate()).toBe('2028-05-02'); // early May bank holiday on the 1st
    expect(firstWorkingDay(2027, 11, 'england').toISODate()).toBe('2027-11-01');
    expect(firstWorkingDay(2026, 8, 'scotland').toISODate()).toBe('2026-08-04'); // Sat, Sun, summer bank holiday
    expect(firstWorkingDay(2026, 8, 'england').toISODate()).toBe('2026-08-03');
    // Easter Monday 2 April 2029 (England), Good Friday 30 March
    expect(firstWorkingDay(2029, 4, 'england').toISODate()).toBe('2029-04-03');
    expect(firstWorkingDay(2029, 4, 'scotland').toISODate()).toBe('2029-04-02');
  });

  it('posts at 09:00 UK time, summer or winter', () => {
    expect(monthlyPostTime(2026, 7, 'england').toUTC().toISO()).toBe('2026-07-01T08:00:00.000Z');
    expect(monthlyPostTime(2026, 12, 'england').toUTC().toISO()).toBe('2026-12-01T09:00:00.000Z');
  });
});

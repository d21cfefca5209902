import { DateTime } from 'luxon';
import type { Nation } from '../config';
import { LONDON } from './aggregate';

/**
 * The first working day of a month in the UK: not a Saturday, Sunday or bank holiday of the nation the bot
 * serves (SIGNPOSTING_NATION). Only the bank holidays that can fall in a month's first week are needed, and
 * all of them follow fixed rules: New Year's Day (and 2 January in Scotland), with their substitute days;
 * Good Friday and Easter Monday (not Scotland); the early May bank holiday (first Monday of May); the summer
 * bank holiday in Scotland (first Monday of August). One-off holidays (a coronation, say) are not known.
 */
export function firstWorkingDay(year: number, month: number, nation: Nation): DateTime {
  let day = DateTime.fromObject({ year, month, day: 1 }, { zone: LONDON });
  while (day.weekday > 5 || isBankHoliday(day, nation)) day = day.plus({ days: 1 });
  return day;
}

/** 09:00 UK time on the first working day of the month `date` falls in. */
export function monthlyPostTime(year: number, month: number, nation: Nation): DateTime {
  return firstWorkingDay(year, month, nation).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
}

export function isBankHoliday(day: DateTime, nation: Nation): boolean {
  const iso = day.toISODate()!;
  return bankHolidaysNearMonthStarts(day.year, nation).includes(iso);
}

function bankHolidaysNearMonthStarts(year: number, nation: Nation): string[] {
  const days: DateTime[] = [];
  const newYear = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: LONDON });
  if (nation === 'scotland') {
    // 1 and 2 January; a weekend day moves to the next weekdays.
    const [a, b] = substitute([newYear, newYear.plus({ days: 1 })]);
    days.push(a!, b!);
  } else {
    days.push(...substitute([newYear]));
  }
  const easter = easterSunday(year);
  days.push(easter.minus({ days: 2 }));
  if (nation !== 'scotland') days.push(easter.plus({ days: 1 }));
  days.push(firstMonday(year, 5));
  if (nation === 'scotland') days.push(firstMonday(year, 8));
  return days.map((d) => d.toISODate()!);
}

/** Holidays in order; each one on a weekend moves to the next weekday not already taken. */
function substitute(holidays: DateTime[]): DateTime[] {
  const taken = new Set<string>();
  return holidays.map((h) => {
    let d = h;
    while (d.weekday > 5 || taken.has(d.toISODate()!)) d = d.plus({ days: 1 });
    taken.add(d.toISODate()!);
    return d;
  });
}

function firstMonday(year: number, month: number): DateTime {
  let d = DateTime.fromObject({ year, month, day: 1 }, { zone: LONDON });
  while (d.weekday !== 1) d = d.plus({ days: 1 });
  return d;
}

/** Easter Sunday (Gregorian calendar; the anonymous "Meeus/Jones/Butcher" computus). */
export function easterSunday(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.fromObject({ year, month, day }, { zone: LONDON });
}

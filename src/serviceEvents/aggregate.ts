import { DateTime } from 'luxon';
import type { ServiceEvent } from './events';

/**
 * Monthly aggregates: one document per calendar month (UK time) holding, for each day, counters keyed by what
 * they count. Every counter is additive, so a report over any run of days is a sum, and a report's cost grows
 * with the number of months it covers, never with the number of events stored.
 *
 * Counters about people ("people who started session 1") are counted once per person: the first time that
 * person reaches the milestone (`milestones` below, remembered in their pseudonym record), in the month it
 * happened. Counters about occurrences (check-ins, referrals, slots) count every event.
 */
export const LONDON = 'Europe/London';

export interface MonthAggregate {
  /** "2026-03". */
  id: string;
  type: 'serviceMonth';
  /** Day of the month ("01".."31") → counter key → count. */
  days: Record<string, Record<string, number>>;
  updatedAt: string;
  /** Seconds Cosmos keeps the document after its last change (from RETENTION_DAYS_SERVICE_EVENTS). */
  ttl?: number;
}

export function monthOf(date: Date | string): string {
  return londonDate(date).slice(0, 7);
}

/** "2026-03-14", in UK time. */
export function londonDate(date: Date | string): string {
  // Every event is counted on the day it happened: the formatter is built once (through luxon this was most of
  // what recording an event cost in the bot itself).
  if (typeof date !== 'string') return dateIn(londonDay, date);
  return DateTime.fromISO(date, { zone: LONDON }).setZone(LONDON).toISODate()!;
}

const londonDay = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, year: 'numeric', month: '2-digit', day: '2-digit' });

function dateIn(format: Intl.DateTimeFormat, date: Date): string {
  let year = '';
  let month = '';
  let day = '';
  for (const part of format.formatToParts(date)) {
    if (part.type === 'year') year = part.value.padStart(4, '0');
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year}-${month}-${day}`;
}

/** The Monday (UK date) of the week a date falls in. */
export function weekOf(date: Date | string): string {
  const dt = typeof date === 'string' ? DateTime.fromISO(date, { zone: LONDON }) : DateTime.fromJSDate(date, { zone: LONDON });
  return dt.setZone(LONDON).startOf('week').toISODate()!;
}

/** The date an event is counted on: a slot on its own date, anything else when it happened. */
export function countedOn(event: ServiceEvent, at: Date): string {
  return event.kind === 'slot' ? londonDate(event.slotStart) : londonDate(at);
}

/**
 * Milestones a person reaches once: the marker names this event would set. Only the first event to set a
 * marker adds to the counters about people.
 */
export function milestones(event: ServiceEvent): string[] {
  switch (event.kind) {
    case 'sessionStarted':
      return [`s${event.session}.started`];
    case 'stageReached':
      return [`s${event.session}.stage.${event.stage}`];
    case 'sessionCompleted':
      return [`s${event.session}.completed`];
    case 'scaling':
      return [`s${event.session}.scale.${event.point}`];
    default:
      return [];
  }
}

/** The counters one event adds to, given which of its milestones are this person's first. */
export function countersFor(event: ServiceEvent, firsts: ReadonlySet<string>): Record<string, number> {
  const counters: Record<string, number> = {};
  const add = (key: string) => {
    counters[key] = (counters[key] ?? 0) + 1;
  };
  const first = (marker: string) => firsts.has(marker);
  switch (event.kind) {
    case 'sessionStarted':
      if (first(`s${event.session}.started`)) add(`started|s${event.session}|${event.mode}`);
      break;
    case 'stageReached':
      if (first(`s${event.session}.stage.${event.stage}`)) add(`stage|s${event.session}|${event.stage}`);
      break;
    case 'sessionCompleted':
      if (first(`s${event.session}.completed`)) add(`completed|s${event.session}|${event.mode}`);
      break;
    case 'scaling': {
      if (!first(`s${event.session}.scale.${event.point}`) || !validRating(event.value)) break;
      add(`scale|s${event.session}|${event.point}|${event.value}`);
      if (event.point === 'end' && event.firstRating !== undefined && validRating(event.firstRating)) {
        add(`change|s${event.session}|${event.value - event.firstRating}`);
      }
      break;
    }
    case 'checkIn':
      add(`checkIn|${event.level}`);
      break;
    case 'directCheck':
      add(`direct|${event.origin}|${event.answer}`);
      break;
    case 'referral':
      add(`referral|${event.level}|${event.trigger}`);
      for (const category of new Set(event.categories)) add(`referralCategory|${event.level}|${safeKeyPart(category)}`);
      break;
    case 'referralAcknowledged':
      add(`ack|${event.level}|${Math.max(0, Math.floor(event.delaySeconds / 60))}`);
      break;
    case 'referralReposted':
      add(`repost|${event.level}`);
      break;
    case 'slot':
      add(`slot|${event.change}|${weekOf(event.slotStart)}`);
      break;
  }
  return counters;
}

function validRating(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 10;
}

/** Reason codes are short kebab-case words; anything else is folded so it cannot carry text into a key. */
function safeKeyPart(code: string): string {
  return /^[a-z0-9-]{1,40}$/.test(code) ? code : 'other';
}

/** Adds counters into a month's day (a new object; the input is not changed). */
export function addToMonth(month: MonthAggregate, day: string, counters: Record<string, number>, now: Date): MonthAggregate {
  const dayKey = day.slice(8, 10);
  const existing = month.days[dayKey] ?? {};
  const merged = { ...existing };
  for (const [key, n] of Object.entries(counters)) merged[key] = (merged[key] ?? 0) + n;
  return { ...month, days: { ...month.days, [dayKey]: merged }, updatedAt: now.toISOString() };
}

export function emptyMonth(id: string, now: Date): MonthAggregate {
  return { id, type: 'serviceMonth', days: {}, updatedAt: now.toISOString() };
}

/** Sums the counters of every day from `from` to `to` (UK dates, inclusive) across the given months. */
export function sumDays(months: MonthAggregate[], from: string, to: string): Map<string, number> {
  const total = new Map<string, number>();
  for (const month of months) {
    for (const [day, counters] of Object.entries(month.days)) {
      const date = `${month.id}-${day}`;
      if (date < from || date > to) continue;
      for (const [key, n] of Object.entries(counters)) total.set(key, (total.get(key) ?? 0) + n);
    }
  }
  return total;
}

/** The months ("2026-01") that the days from `from` to `to` fall in. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let cursor = DateTime.fromISO(from.slice(0, 7) + '-01', { zone: LONDON });
  const last = to.slice(0, 7);
  while (cursor.toFormat('yyyy-MM') <= last) {
    months.push(cursor.toFormat('yyyy-MM'));
    cursor = cursor.plus({ months: 1 });
  }
  return months;
}

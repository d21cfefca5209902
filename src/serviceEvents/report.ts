import { DateTime } from 'luxon';
import { stageOrder, stageTitles, type StageName } from '../coachingModel/stages';
import { LONDON, londonDate, monthsBetween, sumDays, type MonthAggregate } from './aggregate';
import { canShowStatistic, percent, showCount, showParts, type Shown } from './suppression';

/**
 * The service report: uptake, outcomes, where people stop, safety and coaching capacity over a period, built
 * from the monthly aggregates of the months the period touches (so its cost grows with the period, not with
 * everything stored) and with every figure already suppressed for small numbers (src/serviceEvents/suppression.ts).
 * Nothing in it is about one person.
 */
export type PeriodName = '4w' | '3m' | '12m';
export const periodNames: PeriodName[] = ['4w', '3m', '12m'];

export interface Period {
  name: PeriodName;
  label: string;
  /** UK dates, inclusive. */
  from: string;
  to: string;
}

export function periodFor(name: PeriodName, now: Date): Period {
  const today = DateTime.fromJSDate(now, { zone: LONDON }).startOf('day');
  const start = name === '4w' ? today.minus({ days: 27 }) : name === '3m' ? today.minus({ months: 3 }).plus({ days: 1 }) : today.minus({ months: 12 }).plus({ days: 1 });
  const label = name === '4w' ? 'Last 4 weeks' : name === '3m' ? 'Last 3 months' : 'Last 12 months';
  return { name, label, from: start.toISODate()!, to: today.toISODate()! };
}

/** The calendar month before `now` (UK time), for the monthly post. */
export function previousMonth(now: Date): Period & { monthLabel: string } {
  const first = DateTime.fromJSDate(now, { zone: LONDON }).startOf('month').minus({ months: 1 });
  return { name: '4w', label: first.setLocale('en-GB').toFormat('LLLL yyyy'), monthLabel: first.setLocale('en-GB').toFormat('LLLL yyyy'), from: first.toISODate()!, to: first.endOf('month').toISODate()! };
}

export interface UnacknowledgedNow {
  count: number;
  oldestCreatedAt?: string;
}

export interface ReportInput {
  months: MonthAggregate[];
  period: Pick<Period, 'from' | 'to'> & Partial<Period>;
  unacknowledged: UnacknowledgedNow;
  now: Date;
}

type Row = { label: string; cells: Shown[]; total: Shown };

export interface Distribution {
  label: string;
  people: Shown;
  /** Change in points → people, for each change from the smallest to the largest seen (and 0). */
  bars: { change: number; people: Shown }[];
  mean: string | null;
  ci95: string | null;
  movedTwoOrMore: string | null;
}

export interface ServiceReport {
  period: Pick<Period, 'from' | 'to'> & Partial<Period>;
  generatedAt: string;
  uptake: { months: { id: string; label: string }[]; rows: Row[] };
  outcomes: Distribution[];
  funnel: { session: 1 | 2; steps: { label: string; people: Shown; ofStarters: string | null }[] }[];
  safety: {
    checkIns: { label: string; count: Shown }[];
    checkInsTotal: Shown;
    directChecks: { origin: string; answers: { label: string; count: Shown }[]; total: Shown }[];
    referrals: { level: string; bySource: { label: string; count: Shown }[]; total: Shown; categories: { code: string; count: Shown }[] }[];
    acknowledgement: { level: string; count: Shown; median: string | null; p90: string | null }[];
    reposts: Shown;
    unacknowledgedNow: { count: Shown; oldestAge: string | null };
  };
  capacity: { weeks: { week: string; label: string; published: Shown; booked: Shown; cancelled: Shown; utilisation: string | null }[] };
  /** Headline figures for the card and the top of the page. */
  headline: { label: string; value: string }[];
}

const SOURCES = { keywords: 'Words in a message', checkIn: 'The check-in', directCheck: 'Their answer to a direct question' } as const;
const ANSWERS = { yes: 'Yes', notSure: 'Not sure', no: 'No', ratherNot: "I'd rather not say" } as const;
const ORIGINS = { personal: '1:1 chats', groupChat: 'Group chats', tab: 'The My coaching tab' } as const;

export function buildReport({ months, period, unacknowledged, now }: ReportInput): ServiceReport {
  const totals = sumDays(months, period.from, period.to);
  const get = (key: string) => totals.get(key) ?? 0;
  const monthIds = monthsBetween(period.from, period.to);
  const perMonth = monthIds.map((id) => {
    const last = DateTime.fromISO(`${id}-01`, { zone: LONDON }).endOf('month').toISODate()!;
    const from = period.from > `${id}-01` ? period.from : `${id}-01`;
    const to = period.to < last ? period.to : last;
    return sumDays(months.filter((m) => m.id === id), from, to);
  });

  // Uptake: people reaching each milestone, by month, all and by how (self-guided or with a coach).
  const rows: Row[] = [];
  const milestones = [
    ['started', 1, 'Started session 1'],
    ['completed', 1, 'Completed session 1'],
    ['started', 2, 'Started session 2'],
    ['completed', 2, 'Completed session 2'],
  ] as const;
  for (const [what, session, label] of milestones) {
    const key = (mode: string) => `${what}|s${session}|${mode}`;
    const self = perMonth.map((m) => m.get(key('self')) ?? 0);
    const coach = perMonth.map((m) => m.get(key('coach')) ?? 0);
    const all = self.map((n, i) => n + coach[i]!);
    const allTotal = all.reduce((a, b) => a + b, 0);
    const selfTotal = self.reduce((a, b) => a + b, 0);
    const coachTotal = coach.reduce((a, b) => a + b, 0);
    // Across months (parts of the period's total) and within each month (self + coach = all).
    const across = (values: number[]) => showParts(values);
    const allCells = across(all);
    const selfCells = across(self);
    const coachCells = across(coach);
    self.forEach((_, i) => {
      const [s, c] = showParts([self[i]!, coach[i]!]);
      if (s!.value === null) selfCells[i] = s!;
      if (c!.value === null) coachCells[i] = c!;
    });
    const [selfT, coachT] = showParts([selfTotal, coachTotal]);
    rows.push({ label, cells: allCells, total: showCount(allTotal) });
    rows.push({ label: '  on their own', cells: selfCells, total: selfT! });
    rows.push({ label: '  with a coach', cells: coachCells, total: coachT! });
  }

  // Outcomes: change from the start of session 1 to the end of session 1, and to the end of session 2.
  const outcomes = ([1, 2] as const).map((session) => distribution(totals, session));

  // Where people stop: people reaching each stage, and completing.
  const funnel = ([1, 2] as const).map((session) => {
    const starters = get(`stage|s${session}|goal`);
    const steps = [
      ...stageOrder.map((stage: StageName, i) => ({ label: `${i + 1}. ${stageTitles[stage]}`, n: get(`stage|s${session}|${stage}`) })),
      { label: 'Completed the session', n: get(`completed|s${session}|self`) + get(`completed|s${session}|coach`) },
    ];
    return { session, steps: steps.map(({ label, n }) => ({ label, people: showCount(n), ofStarters: percent(n, starters) })) };
  });

  // Safety.
  const checkInLevels = [
    ['none', 'Nothing flagged'],
    ['check', 'Warning signs: asked directly'],
    ['wellbeing', 'Wellbeing support offered'],
    ['urgent', 'Urgent: crisis support and a referral'],
  ] as const;
  const checkInCounts = checkInLevels.map(([level]) => get(`checkIn|${level}`));
  const checkInShown = showParts(checkInCounts);
  const directChecks = (Object.keys(ORIGINS) as (keyof typeof ORIGINS)[]).map((origin) => {
    const counts = (Object.keys(ANSWERS) as (keyof typeof ANSWERS)[]).map((answer) => get(`direct|${origin}|${answer}`));
    const shown = showParts(counts);
    return {
      origin: ORIGINS[origin],
      answers: (Object.keys(ANSWERS) as (keyof typeof ANSWERS)[]).map((answer, i) => ({ label: ANSWERS[answer], count: shown[i]! })),
      total: showCount(counts.reduce((a, b) => a + b, 0)),
    };
  });
  const referrals = (['urgent', 'wellbeing'] as const).map((level) => {
    const counts = (Object.keys(SOURCES) as (keyof typeof SOURCES)[]).map((source) => get(`referral|${level}|${source}`));
    const shown = showParts(counts);
    const prefix = `referralCategory|${level}|`;
    const categories = [...totals.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([key, n]) => ({ code: key.slice(prefix.length), count: showCount(n) }));
    return {
      level: level === 'urgent' ? 'Urgent' : 'Wellbeing',
      bySource: (Object.keys(SOURCES) as (keyof typeof SOURCES)[]).map((source, i) => ({ label: SOURCES[source], count: shown[i]! })),
      total: showCount(counts.reduce((a, b) => a + b, 0)),
      categories,
    };
  });
  const ackLevels = ['urgent', 'wellbeing', 'all'] as const;
  const ackMinutes = ackLevels.map((level) => histogram(totals, level === 'all' ? /^ack\|[a-z]+\|(\d+)$/ : new RegExp(`^ack\\|${level}\\|(\\d+)$`)));
  const ackCounts = ackMinutes.map((minutes) => minutes.reduce((a, [, c]) => a + c, 0));
  // Urgent and wellbeing are parts of "all referrals": one small part hides the other too.
  const [urgentAck, wellbeingAck] = showParts([ackCounts[0]!, ackCounts[1]!]);
  const ackShown = [urgentAck!, wellbeingAck!, showCount(ackCounts[2]!)];
  const acknowledgement = ackLevels.map((level, i) => {
    const ok = canShowStatistic(ackCounts[i]!) && ackShown[i]!.value !== null;
    return {
      level: level === 'all' ? 'All referrals' : level === 'urgent' ? 'Urgent' : 'Wellbeing',
      count: ackShown[i]!,
      median: ok ? duration(quantile(ackMinutes[i]!, 0.5)) : null,
      p90: ok ? duration(quantile(ackMinutes[i]!, 0.9)) : null,
    };
  });
  const oldest = unacknowledged.oldestCreatedAt ? Date.parse(unacknowledged.oldestCreatedAt) : undefined;

  // Capacity: by the week of the slot's own date.
  const weekKeys = new Set<string>();
  for (const key of totals.keys()) if (key.startsWith('slot|')) weekKeys.add(key.split('|')[2]!);
  const weeks = [...weekKeys].sort().map((week) => {
    const n = (change: string) => get(`slot|${change}|${week}`);
    const published = n('published');
    const booked = n('booked');
    const cancelled = n('cancelledByStaff') + n('cancelledByCoach');
    const offered = published - n('withdrawn') - n('cancelledByCoach');
    const held = booked - cancelled;
    return {
      week,
      label: `w/c ${DateTime.fromISO(week, { zone: LONDON }).setLocale('en-GB').toFormat('d LLL yyyy')}`,
      published: showCount(published),
      booked: showCount(booked),
      cancelled: showCount(cancelled),
      // Offered is published less withdrawn: shown only if what was taken off is 0 or 5 or more, too.
      utilisation: canShowStatistic(published) && (published - offered === 0 || published - offered >= 5) ? percent(Math.max(0, held), Math.max(0, offered)) : null,
    };
  });

  const started1 = get('started|s1|self') + get('started|s1|coach');
  const completed1 = get('completed|s1|self') + get('completed|s1|coach');
  const completed2 = get('completed|s2|self') + get('completed|s2|coach');
  const urgent = referrals[0]!.total;
  const ackAll = acknowledgement[2]!;
  const s1 = outcomes[0]!;
  const unackShown = showCount(unacknowledged.count);
  const report: ServiceReport = {
    period,
    generatedAt: now.toISOString(),
    uptake: { months: monthIds.map((id) => ({ id, label: DateTime.fromISO(`${id}-01`).setLocale('en-GB').toFormat('LLL yyyy') })), rows },
    outcomes,
    funnel,
    safety: {
      checkIns: checkInLevels.map(([, label], i) => ({ label, count: checkInShown[i]! })),
      checkInsTotal: showCount(checkInCounts.reduce((a, b) => a + b, 0)),
      directChecks,
      referrals,
      acknowledgement,
      reposts: showCount(get('repost|urgent') + get('repost|wellbeing')),
      unacknowledgedNow: { count: unackShown, oldestAge: oldest !== undefined && unacknowledged.count > 0 ? duration(Math.max(0, (now.getTime() - oldest) / 60000)) : null },
    },
    capacity: { weeks },
    headline: [],
  };
  report.headline = [
    { label: 'People who started session 1', value: showCount(started1).text },
    { label: 'People who completed session 1', value: `${showCount(completed1).text}${percent(completed1, started1) ? ` (${percent(completed1, started1)} of starters)` : ''}` },
    { label: 'People who completed session 2', value: showCount(completed2).text },
    { label: 'Mean change on the scale by the end of session 1', value: s1.mean ? `${s1.mean} points (95% CI ${s1.ci95})` : 'not shown: fewer than 5 people' },
    { label: 'Moved 2 points or more by the end of session 1', value: s1.movedTwoOrMore ?? 'not shown: small numbers' },
    { label: 'Urgent referrals', value: urgent.text },
    { label: 'Time to acknowledge a referral (median, 90th percentile)', value: ackAll.median ? `${ackAll.median}, ${ackAll.p90}` : 'not shown: fewer than 5 acknowledged' },
    { label: 'Referrals not yet acknowledged now', value: `${unackShown.text}${report.safety.unacknowledgedNow.oldestAge ? ` (oldest ${report.safety.unacknowledgedNow.oldestAge})` : ''}` },
  ];
  return report;
}

function distribution(totals: Map<string, number>, session: 1 | 2): Distribution {
  const changes = histogram(totals, new RegExp(`^change\\|s${session}\\|(-?\\d+)$`));
  const n = changes.reduce((a, [, c]) => a + c, 0);
  const values = changes.map(([v]) => v);
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const counts = new Map(changes);
  const bars: Distribution['bars'] = [];
  for (let change = low; change <= high; change += 1) bars.push({ change, people: showCount(counts.get(change) ?? 0) });
  let mean: string | null = null;
  let ci95: string | null = null;
  if (canShowStatistic(n)) {
    const m = changes.reduce((a, [v, c]) => a + v * c, 0) / n;
    const variance = changes.reduce((a, [v, c]) => a + c * (v - m) ** 2, 0) / (n - 1);
    const half = tCritical(n - 1) * Math.sqrt(variance / n);
    mean = signed(m);
    ci95 = `${signed(m - half)} to ${signed(m + half)}`;
  }
  const moved = changes.filter(([v]) => v >= 2).reduce((a, [, c]) => a + c, 0);
  return {
    label: session === 1 ? 'From the start to the end of session 1' : 'From the start of session 1 to the end of session 2',
    people: showCount(n),
    bars,
    mean,
    ci95,
    movedTwoOrMore: percent(moved, n),
  };
}

/** [value, count] pairs for keys matching `pattern` (its first group is the value), in value order. */
function histogram(totals: Map<string, number>, pattern: RegExp): [number, number][] {
  const out = new Map<number, number>();
  for (const [key, count] of totals) {
    const match = pattern.exec(key);
    if (match) out.set(Number(match[1]), (out.get(Number(match[1])) ?? 0) + count);
  }
  return [...out.entries()].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
}

/** Nearest-rank quantile of a histogram. */
function quantile(hist: [number, number][], q: number): number {
  const n = hist.reduce((a, [, c]) => a + c, 0);
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (const [value, count] of hist) {
    seen += count;
    if (seen >= rank) return value;
  }
  return hist[hist.length - 1]?.[0] ?? 0;
}

/** Two-sided 95% critical values of Student's t for 1 to 30 degrees of freedom; 1.96 beyond. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
export function tCritical(df: number): number {
  if (df < 1) return Number.NaN;
  return df <= 30 ? T95[df - 1]! : df <= 60 ? 2.0 : df <= 120 ? 1.98 : 1.96;
}

function signed(x: number): string {
  const r = Math.round(x * 10) / 10;
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toFixed(1)}`;
}

/** "45 minutes", "3 hours 10 minutes", "2 days 4 hours". */
export function duration(minutes: number): string {
  const m = Math.floor(minutes);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  const mins = m % 60;
  if (days > 0) return `${days} day${days === 1 ? '' : 's'}${hours ? ` ${hours} hour${hours === 1 ? '' : 's'}` : ''}`;
  return `${hours} hour${hours === 1 ? '' : 's'}${mins ? ` ${mins} minute${mins === 1 ? '' : 's'}` : ''}`;
}

/** Reads the months a period touches and builds its report. */
export async function reportFor(
  source: { readMonths(ids: string[]): Promise<MonthAggregate[]>; unacknowledged(): Promise<UnacknowledgedNow> },
  period: Pick<Period, 'from' | 'to'> & Partial<Period>,
  now: Date,
): Promise<ServiceReport> {
  const [months, unacknowledged] = await Promise.all([source.readMonths(monthsBetween(period.from, period.to)), source.unacknowledged()]);
  return buildReport({ months, period, unacknowledged, now });
}

export { londonDate };

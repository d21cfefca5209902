import { createLogger } from '../logger';
import { memoryServiceStore } from '../store/serviceStore';
import { ServiceEventRecorder } from './recorder';
import { buildReport, periodFor } from './report';
import { FEWER_THAN_5, NOT_SHOWN, percent, showParts } from './suppression';
import { addToMonth, countersFor, emptyMonth, sumDays } from './aggregate';
import type { ServiceEvent } from './events';

const logger = createLogger('silent');
const now = new Date('2026-06-15T12:00:00Z');
const key = Buffer.alloc(32, 7);

function recorder(store = memoryServiceStore()) {
  return { store, events: new ServiceEventRecorder({ store, key, logger, retentionDays: 730, now: () => now }) };
}

describe('service events', () => {
  it('counts a person once per milestone, however often they reach it, and never stores their id', async () => {
    const { store, events } = recorder();
    for (let i = 0; i < 3; i += 1) await events.record({ kind: 'sessionStarted', session: 1, mode: 'self', person: 'AAAA-1111', at: now });
    await events.record({ kind: 'sessionStarted', session: 1, mode: 'coach', person: 'bbbb-2222', at: now });
    const { months, events: stored, people } = store.dump();
    const totals = sumDays(months, '2026-06-01', '2026-06-30');
    expect(totals.get('started|s1|self')).toBe(1);
    expect(totals.get('started|s1|coach')).toBe(1);
    expect(stored).toHaveLength(4);
    expect(JSON.stringify({ stored, people, months })).not.toMatch(/aaaa-1111|bbbb-2222/i);
    // The same person's events share one pseudonym; another person's differs.
    expect(new Set(stored.map((e) => e.person)).size).toBe(2);
  });

  it('forgets a person: their record goes, and they are counted again as someone new', async () => {
    const { store, events } = recorder();
    await events.record({ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now });
    await events.forget('p1');
    expect(store.dump().people).toHaveLength(0);
    await events.record({ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now });
    const stored = store.dump().events;
    expect(stored[0]!.person).not.toBe(stored[1]!.person);
    expect(sumDays(store.dump().months, '2026-06-01', '2026-06-30').get('started|s1|self')).toBe(2);
  });

  it('keeps the monthly counts equal to a recount of the stored events, under concurrent recording', async () => {
    const { store, events } = recorder();
    const work: Promise<void>[] = [];
    for (let p = 0; p < 40; p += 1) {
      work.push(events.record({ kind: 'sessionStarted', session: 1, mode: p % 3 ? 'self' : 'coach', person: `p${p}`, at: now }));
      work.push(events.record({ kind: 'checkIn', level: p % 5 ? 'none' : 'wellbeing', person: `p${p}`, at: now }));
      work.push(events.record({ kind: 'scaling', session: 1, mode: 'self', point: 'end', value: 7, firstRating: 3 + (p % 4), person: `p${p}`, at: now }));
    }
    await Promise.all(work);
    const { months, events: stored } = store.dump();
    const recount = new Map<string, number>();
    const seen = new Set<string>();
    for (const e of stored) {
      const markers = e.kind === 'sessionStarted' ? [`s1.started`] : e.kind === 'scaling' ? ['s1.scale.end'] : [];
      const firsts = new Set(markers.filter((m) => !seen.has(`${e.person}:${m}`)));
      markers.forEach((m) => seen.add(`${e.person}:${m}`));
      for (const [k, n] of Object.entries(countersFor(e as ServiceEvent, firsts))) recount.set(k, (recount.get(k) ?? 0) + n);
    }
    expect(Object.fromEntries(sumDays(months, '2026-06-01', '2026-06-30'))).toEqual(Object.fromEntries(recount));
  });
});

describe("adding to a month another instance is adding to (memory twin)", () => {
  /** The store, where just after each of the first `times` reads of a month another instance adds one to it. */
  function racing(times: number) {
    const store = memoryServiceStore();
    let raced = 0;
    const months = store.months;
    const racingStore = {
      ...store,
      months: {
        ...months,
        read: async (id: string) => {
          const found = await months.read(id);
          if (raced < times) {
            raced += 1;
            expect(await months.write(addToMonth(found?.doc ?? emptyMonth(id, now), '2026-06-15', { 'started|s1|coach': 1 }, now), found?.etag)).toBe(true);
          }
          return found;
        },
      },
    };
    let logs = '';
    const log = createLogger('info', { write: (line: string) => void (logs += line) });
    const events = new ServiceEventRecorder({ store: racingStore, key, logger: log, retentionDays: 730, now: () => now });
    return { store, events, raced: () => raced, logs: () => logs };
  }
  const monthTotals = (store: ReturnType<typeof memoryServiceStore>) => sumDays(store.dump().months, '2026-06-01', '2026-06-30');

  it("adds on top of the other instance's addition after a conflict, so both are counted", async () => {
    const { store, events, raced } = racing(1);
    await events.record({ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now });
    expect(raced()).toBe(1);
    expect(monthTotals(store).get('started|s1|self')).toBe(1);
    expect(monthTotals(store).get('started|s1|coach')).toBe(1);
    expect(store.dump().events).toHaveLength(1);
  });

  it('gives up clearly when the month keeps changing: the event is logged as not recorded, by its kind and the error code', async () => {
    const { store, events, raced, logs } = racing(Infinity);
    await events.record({ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now });
    expect(raced()).toBe(10);
    expect(monthTotals(store).get('started|s1|self')).toBeUndefined();
    expect(monthTotals(store).get('started|s1|coach')).toBe(10);
    expect(store.dump().events).toHaveLength(0);
    const failure = logs().split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((entry) => entry.msg === 'service event not recorded');
    expect(failure).toMatchObject({ level: 50, kind: 'sessionStarted', err: { name: 'UpdateConflictError', code: 'UpdateConflict' } });
  });
});

describe('small-number suppression', () => {
  it('shows 1 to 4 as "fewer than 5", and hides one more part when only one is small', () => {
    expect(showParts([3, 12, 40]).map((s) => s.text)).toEqual([FEWER_THAN_5, NOT_SHOWN, '40']);
    expect(showParts([3, 2, 40]).map((s) => s.text)).toEqual([FEWER_THAN_5, FEWER_THAN_5, '40']);
    expect(showParts([0, 7]).map((s) => s.text)).toEqual(['0', '7']);
  });

  it('shows no percentage built on a small count, or one whose remainder is small', () => {
    expect(percent(3, 20)).toBeNull();
    expect(percent(17, 20)).toBeNull();
    expect(percent(10, 4)).toBeNull();
    expect(percent(10, 20)).toBe('50%');
  });
});

describe('the report', () => {
  it('gives the change distribution, its mean with a 95% confidence interval and the share who moved 2 or more', async () => {
    const { store, events } = recorder();
    const changes = [0, 1, 2, 2, 3, 3, 3, 4, -1, 2, 0, 1, 2, 2, 3, 3, 3, 4, -1, 2];
    for (const [i, change] of changes.entries()) {
      await events.record({ kind: 'scaling', session: 1, mode: 'self', point: 'start', value: 4, person: `p${i}`, at: now });
      await events.record({ kind: 'scaling', session: 1, mode: 'self', point: 'end', value: 4 + change, firstRating: 4, person: `p${i}`, at: now });
    }
    const report = buildReport({ months: store.dump().months, period: periodFor('4w', now), unacknowledged: { count: 0 }, now });
    const s1 = report.outcomes[0]!;
    expect(s1.people.text).toBe('20');
    expect(s1.mean).toBe('+1.9');
    // sd = 1.483, t(19) = 2.093: 1.9 ± 0.69
    expect(s1.ci95).toBe('+1.2 to +2.6');
    expect(s1.movedTwoOrMore).toBe('70%');
    // Bars of 1 to 4 people are not drawn and say "fewer than 5".
    expect(s1.bars.find((b) => b.change === 4)!.people).toEqual({ text: FEWER_THAN_5, value: null });
    expect(s1.bars.find((b) => b.change === 3)!.people).toEqual({ text: '6', value: 6 });
  });

  it('hides a part of a total when the other part is small, so it cannot be worked out by subtraction', async () => {
    const { store, events } = recorder();
    for (let i = 0; i < 2; i += 1) await events.record({ kind: 'referralAcknowledged', level: 'urgent', delaySeconds: 600, at: now });
    for (let i = 0; i < 7; i += 1) await events.record({ kind: 'referralAcknowledged', level: 'wellbeing', delaySeconds: 3600, at: now });
    const report = buildReport({ months: store.dump().months, period: periodFor('4w', now), unacknowledged: { count: 0 }, now });
    expect(report.safety.acknowledgement.map((a) => [a.level, a.count.text, a.median])).toEqual([
      ['Urgent', FEWER_THAN_5, null],
      ['Wellbeing', NOT_SHOWN, null],
      ['All referrals', '9', '1 hour'],
    ]);
  });

  it('takes the months a period touches only', () => {
    expect(periodFor('12m', now)).toMatchObject({ from: '2025-06-16', to: '2026-06-15' });
    expect(periodFor('4w', now)).toMatchObject({ from: '2026-05-19', to: '2026-06-15' });
  });
});

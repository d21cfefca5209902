/**
 * npm run bench:report: how long the Service tab's 12-month report takes over 50,000 simulated people, and that
 * its cost follows the period it covers, not everything stored.
 *
 *   npm run build && node dist/scripts/benchReport.js [--people 50000] [--runs 20] [--json]
 *
 * 1. Simulates 12 months of service use by `people` people (scripts/simulation.ts: sessions, stages, ratings,
 *    check-ins, referrals, acknowledgements, direct checks, slots), and counts every event into monthly
 *    aggregates with the same functions the recorder uses (countersFor, milestones: each person counted once
 *    per milestone). This stands in for a year of the recorder's eTag writes, which test/serviceEvents.test.ts
 *    and src/serviceEvents/report.spec.ts check against a recount of the stored events.
 * 2. Writes the month documents to the embedded Cosmos-protocol store through the product's own store code,
 *    plus two more years of older months (so there is far more stored than one report reads).
 * 3. Times the whole report as the tab makes it: the point reads of the months the period touches, the sums,
 *    the statistics and suppression, the Service tab's HTML and the Adaptive Card. A cold run, then the median
 *    and 95th percentile of `runs` more, for 4 weeks, 3 months and 12 months; and the 12-month report again with
 *    only its own 13 months stored, to show that what else is stored does not matter.
 * Prints times only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { countedOn, countersFor, emptyMonth, LONDON, milestones, type MonthAggregate } from '../src/serviceEvents/aggregate';
import type { ServiceEvent } from '../src/serviceEvents/events';
import { periodFor, type PeriodName } from '../src/serviceEvents/report';
import { ServiceReports } from '../src/serviceEvents/service';
import { createLogger } from '../src/logger';
import { cosmosServiceStore } from '../src/store/serviceStore';
import { openStore } from '../src/store/store';
import { serviceView } from '../src/tabs/serviceView';
import { simulatedEvents } from './simulation';

const GOAL_MS = 2000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function foldIntoMonths(events: ReturnType<typeof simulatedEvents>): Map<string, MonthAggregate> {
  const months = new Map<string, MonthAggregate>();
  const reached = new Map<string, Set<string>>();
  const now = new Date();
  for (const input of events) {
    const { person, at, ...rest } = input;
    const event = rest as ServiceEvent;
    let firsts = new Set<string>();
    if (person) {
      const mine = reached.get(person) ?? new Set<string>();
      reached.set(person, mine);
      firsts = new Set(milestones(event).filter((m) => !mine.has(m)));
      firsts.forEach((m) => mine.add(m));
    }
    const counters = countersFor(event, firsts);
    if (Object.keys(counters).length === 0) continue;
    const day = countedOn(event, at!);
    const id = day.slice(0, 7);
    const month = months.get(id) ?? emptyMonth(id, now);
    // The recorder's addToMonth copies the month; this bulk fold adds in place, which is the same sum.
    const dayKey = day.slice(8, 10);
    const bucket = (month.days[dayKey] ??= {});
    for (const [key, n] of Object.entries(counters)) bucket[key] = (bucket[key] ?? 0) + n;
    months.set(id, month);
  }
  return months;
}

function stats(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)]!, p95Ms: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]! };
}

async function main(): Promise<void> {
  const people = arg('people', 50_000);
  const runs = arg('runs', 30);
  const json = process.argv.includes('--json');
  const say = (line: string) => json || process.stdout.write(`${line}\n`);
  const now = new Date();
  const logger = createLogger('silent');

  say(`Simulating 12 months of service use by ${people.toLocaleString('en-GB')} people…`);
  const t0 = performance.now();
  const events = simulatedEvents({ people, months: 12, now, seed: 50, slotWeeks: 52 });
  const months = foldIntoMonths(events);
  say(`  ${events.length.toLocaleString('en-GB')} events in ${months.size} months, counted in ${Math.round(performance.now() - t0)} ms`);

  const dataDir = mkdtempSync(path.join(tmpdir(), 'coaching-bench-report-'));
  const results: Record<string, unknown> = { people, events: events.length };
  const stores: { label: string; reports: ServiceReports; close(): Promise<void>; documents: number }[] = [];
  try {
    for (const extraYears of [2, 0]) {
      const store = await openStore({ kind: 'embedded', dataDir: '', database: `bench${extraYears}` }, logger);
      const serviceStore = cosmosServiceStore(store.containers);
      const docs = [...months.values()];
      // Older months: copies of this year's, dated one and two years back.
      for (let y = 1; y <= extraYears; y += 1) {
        for (const m of months.values()) {
          const id = DateTime.fromISO(`${m.id}-01`, { zone: LONDON }).minus({ years: y }).toFormat('yyyy-MM');
          docs.push({ ...m, id });
        }
      }
      for (const doc of docs) await serviceStore.months.write(doc, undefined);
      const reports = new ServiceReports({ store: serviceStore, openReferrals: async () => ({ count: 7, oldestCreatedAt: new Date(now.getTime() - 3 * 3600_000).toISOString() }), serviceLeadIds: [] });
      stores.push({ label: extraYears ? 'three years stored' : 'one year stored', reports, close: () => store.close(), documents: docs.length });
    }
    const once = async (reports: ServiceReports, name: PeriodName) => {
      const started = performance.now();
      const report = await reports.report(periodFor(name, now), now);
      serviceView(report, name);
      reports.card(report, name);
      return performance.now() - started;
    };
    // Cold first, then the runs interleaved between the two stores, so both meet the same machine.
    const times = new Map<string, number[]>();
    const cold = new Map<string, number>();
    for (const { label, reports } of stores) for (const name of ['4w', '3m', '12m'] as PeriodName[]) cold.set(`${label} ${name}`, await once(reports, name));
    for (let i = 0; i < runs; i += 1) {
      for (const { label, reports } of stores) {
        for (const name of ['4w', '3m', '12m'] as PeriodName[]) {
          const key = `${label} ${name}`;
          times.set(key, [...(times.get(key) ?? []), await once(reports, name)]);
        }
      }
    }
    for (const { label, documents } of stores) {
      say(`\n${label} (${documents} month documents):`);
      for (const name of ['4w', '3m', '12m'] as PeriodName[]) {
        const key = `${label} ${name}`;
        const { medianMs, p95Ms } = stats(times.get(key)!);
        results[key] = { coldMs: cold.get(key)!, medianMs, p95Ms };
        say(`  ${name.padEnd(4)} report: cold ${cold.get(key)!.toFixed(1)} ms, median ${medianMs.toFixed(1)} ms, p95 ${p95Ms.toFixed(1)} ms`);
      }
    }
  } finally {
    for (const s of stores) await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const twelve = results['three years stored 12m'] as { coldMs: number; medianMs: number; p95Ms: number };
  const only = results['one year stored 12m'] as { medianMs: number };
  const fourWeeks = results['three years stored 4w'] as { medianMs: number };
  const ratioToGoal = Math.max(twelve.coldMs, twelve.p95Ms) / GOAL_MS;
  const storedRatio = twelve.medianMs / only.medianMs;
  results.goalMs = GOAL_MS;
  results.ratioToGoal = ratioToGoal;
  results.storedRatio = storedRatio;
  say(`\n12-month report over ${people.toLocaleString('en-GB')} people: cold ${twelve.coldMs.toFixed(1)} ms, p95 ${twelve.p95Ms.toFixed(1)} ms; ratio to the ${GOAL_MS} ms goal: ${ratioToGoal.toFixed(3)} ${ratioToGoal <= 1 ? '(met)' : '(NOT met)'}`);
  results.periodRatio = twelve.medianMs / fourWeeks.medianMs;
  say(`12 months vs 4 weeks (same store): median time ratio ${(twelve.medianMs / fourWeeks.medianMs).toFixed(2)}; three years stored vs one: ${storedRatio.toFixed(2)} (the cost follows the period, not what is stored)`);
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
  if (ratioToGoal > 1) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench:report failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

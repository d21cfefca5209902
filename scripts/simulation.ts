import { DateTime } from 'luxon';
import { stageOrder } from '../src/coaching/programme';
import type { ServiceEventInput, ServiceEventSink } from '../src/serviceEvents/events';

import { seeded } from './seeded';
export { seeded };

/**
 * Simulated service use over `months` months before `now`: people starting and walking through the sessions
 * (some stopping at each stage), rating themselves, checking in, a few referrals, acknowledgements, direct
 * checks, and coaches' slots. Every event goes through `sink`, as the bot's own would. Returns the events, so
 * a test can count what the page should show.
 */
export function simulatedEvents(options: { people: number; months: number; now: Date; seed?: number; slotWeeks?: number }): ServiceEventInput[] {
  const random = seeded(options.seed ?? 12);
  const events: ServiceEventInput[] = [];
  const end = options.now.getTime();
  const span = options.months * 30 * 86400_000;
  const when = (base: number, plusDays: number) => new Date(Math.min(end - 60_000, base + plusDays * 86400_000));
  for (let p = 0; p < options.people; p += 1) {
    const person = `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`;
    const start = end - span + random() * span;
    const mode = random() < 0.25 ? 'coach' : 'self';
    const add = (event: ServiceEventInput) => events.push({ ...event, person });
    add({ kind: 'checkIn', level: random() < 0.8 ? 'none' : random() < 0.85 ? 'wellbeing' : 'urgent', at: when(start, 0) });
    add({ kind: 'sessionStarted', session: 1, mode, at: when(start, 0) });
    const before = 2 + Math.floor(random() * 5);
    let reached = 0;
    for (const stage of stageOrder) {
      if (reached > 0 && random() < 0.06) break;
      add({ kind: 'stageReached', session: 1, mode, stage, at: when(start, 0) });
      if (stage === 'scaling') add({ kind: 'scaling', session: 1, mode, point: 'start', value: before, at: when(start, 0) });
      reached += 1;
    }
    if (reached < stageOrder.length) continue;
    const after1 = Math.max(1, Math.min(10, before + Math.round(random() * 4 - 0.8)));
    add({ kind: 'scaling', session: 1, mode, point: 'end', value: after1, firstRating: before, at: when(start, 0) });
    add({ kind: 'sessionCompleted', session: 1, mode, at: when(start, 0) });
    if (random() < 0.35) continue;
    const s2 = start + (14 + random() * 20) * 86400_000;
    if (s2 >= end) continue;
    const mode2 = random() < 0.3 ? 'coach' : 'self';
    const add2 = (event: ServiceEventInput) => events.push({ ...event, person });
    add2({ kind: 'sessionStarted', session: 2, mode: mode2, at: when(s2, 0) });
    const before2 = after1;
    let done = true;
    for (const stage of stageOrder) {
      if (stage !== 'goal' && random() < 0.04) {
        done = false;
        break;
      }
      add2({ kind: 'stageReached', session: 2, mode: mode2, stage, at: when(s2, 0) });
      if (stage === 'scaling') add2({ kind: 'scaling', session: 2, mode: mode2, point: 'start', value: before2, at: when(s2, 0) });
    }
    if (!done) continue;
    const after2 = Math.max(1, Math.min(10, after1 + Math.round(random() * 3 - 0.5)));
    add2({ kind: 'scaling', session: 2, mode: mode2, point: 'end', value: after2, firstRating: before, at: when(s2, 0) });
    add2({ kind: 'sessionCompleted', session: 2, mode: mode2, at: when(s2, 0) });
  }
  // Safety events about the service: referrals, direct checks, acknowledgements, re-posts.
  const referrals = Math.max(3, Math.round(options.people * 0.03));
  for (let r = 0; r < referrals; r += 1) {
    const at = new Date(end - random() * span);
    const level = random() < 0.3 ? 'urgent' : 'wellbeing';
    events.push({ kind: 'referral', level, trigger: random() < 0.6 ? 'keywords' : 'checkIn', categories: level === 'urgent' ? [random() < 0.7 ? 'suicidal-ideation' : 'self-harm'] : ['asked-for-wellbeing-service'], at, person: `00000000-0000-4000-9000-${String(r).padStart(12, '0')}` });
    events.push({ kind: 'referralAcknowledged', level, delaySeconds: 60 * (5 + Math.floor(random() * (level === 'urgent' ? 90 : 600))), at: new Date(at.getTime() + 3600_000) });
    if (level === 'urgent' && random() < 0.2) events.push({ kind: 'referralReposted', level, at: new Date(at.getTime() + 1800_000) });
  }
  for (let d = 0; d < Math.max(6, Math.round(options.people * 0.02)); d += 1) {
    const answers = ['no', 'no', 'no', 'notSure', 'yes', 'ratherNot'] as const;
    events.push({ kind: 'directCheck', answer: answers[Math.floor(random() * answers.length)]!, origin: random() < 0.85 ? 'personal' : 'groupChat', at: new Date(end - random() * span), person: `00000000-0000-4000-a000-${String(d).padStart(12, '0')}` });
  }
  // Coaches' slots: a few coaches, some weeks, mostly booked.
  const weeks = Math.min(options.slotWeeks ?? 10, Math.ceil(span / (7 * 86400_000)));
  const coaches = Math.max(2, Math.round(options.people / 150));
  for (let w = 0; w < weeks; w += 1) {
    const monday = DateTime.fromMillis(end, { zone: 'Europe/London' }).startOf('week').minus({ weeks: w });
    for (let c = 0; c < coaches; c += 1) {
      for (let s = 0; s < 3; s += 1) {
        const slotStart = monday.plus({ days: s, hours: 10 + c }).toUTC().toISO()!;
        events.push({ kind: 'slot', change: 'published', slotStart, at: new Date(end - span) });
        const roll = random();
        if (roll < 0.72) events.push({ kind: 'slot', change: 'booked', slotStart, at: new Date(end - span) });
        if (roll < 0.08) events.push({ kind: 'slot', change: 'cancelledByStaff', slotStart, at: new Date(end - span) });
        else if (roll > 0.95) events.push({ kind: 'slot', change: 'withdrawn', slotStart, at: new Date(end - span) });
      }
    }
  }
  return events.sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
}

/** Records the events in order, as the bot would have as they happened, and has them stored before it resolves. */
export async function recordAll(sink: ServiceEventSink, events: ServiceEventInput[], parallel = 32): Promise<void> {
  for (let i = 0; i < events.length; i += parallel) await Promise.all(events.slice(i, i + parallel).map((e) => sink.record(e)));
  await sink.flush?.();
}

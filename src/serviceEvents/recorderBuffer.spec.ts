import fc from 'fast-check';
import { createLogger } from '../logger';
import { memoryServiceStore } from '../store/serviceStore';
import { sumDays } from './aggregate';
import type { ServiceEventInput } from './events';
import { ServiceEventRecorder, type BufferOptions } from './recorder';
import type { ServiceStore, StoredEvent } from './store';
import { countingServiceStore } from '../../test/support/countingServiceStore';

/**
 * The recorder writing behind (as the bot runs it): what it stores is what recording each event on its own
 * stores, whatever the flushes; it flushes on size, on close and on request, never by a timer in these tests
 * (the delay is far longer than any test); "delete my data" is applied in order; a store failure loses only the
 * events of that step, logged by kind.
 */
const silent = createLogger('silent');
const key = Buffer.alloc(32, 9);
const now = new Date('2026-06-15T12:00:00Z');
/** Never fires during a test: every flush here is asked for, or made by size. */
const noTimer = 3_600_000;

function recorderOn(store: ServiceStore, buffer?: BufferOptions, logger = silent) {
  return new ServiceEventRecorder({ store, key, logger, retentionDays: 730, now: () => now, ...(buffer ? { buffer } : {}) });
}

/**
 * What was stored, without what is random by design (event ids, nonces): each month's events in order, with each
 * pseudonym replaced by the order in which it first appears, so that which events share a person still shows.
 */
function stored(store: ReturnType<typeof memoryServiceStore>) {
  const { events, people, months } = store.dump();
  const byMonth = new Map<string, StoredEvent[]>();
  for (const e of events) byMonth.set(e.month, [...(byMonth.get(e.month) ?? []), e]);
  const names = new Map<string, string>();
  const name = (p: string | undefined) => (p === undefined ? undefined : names.get(p) ?? (names.set(p, `person ${names.size + 1}`), names.get(p)));
  return {
    events: [...byMonth.keys()].sort().map((month) => byMonth.get(month)!.map(({ id: _id, person, ...rest }) => ({ ...rest, person: name(person) }))),
    people: people.map(({ firsts, ttl, type }) => ({ firsts, ttl, type })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    counts: Object.fromEntries([...sumDays(months, '2026-01-01', '2026-12-31')].sort()),
  };
}

const atFor = (day: number) => new Date(Date.UTC(2026, 5, 20 + day, 9));
const turnEvent = fc.oneof(
  fc.record({ kind: fc.constant('sessionStarted' as const), session: fc.constantFrom(1 as const, 2 as const), mode: fc.constantFrom('self' as const, 'coach' as const) }),
  fc.record({ kind: fc.constant('stageReached' as const), session: fc.constantFrom(1 as const, 2 as const), mode: fc.constant('self' as const), stage: fc.constantFrom('goal' as const, 'scaling' as const, 'review' as const) }),
  fc.record({ kind: fc.constant('scaling' as const), session: fc.constant(1 as const), mode: fc.constant('self' as const), point: fc.constantFrom('start' as const, 'end' as const), value: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('sessionCompleted' as const), session: fc.constant(1 as const), mode: fc.constant('self' as const) }),
  fc.record({ kind: fc.constant('checkIn' as const), level: fc.constantFrom('none' as const, 'wellbeing' as const) }),
  fc.record({ kind: fc.constant('slot' as const), change: fc.constant('booked' as const), slotStart: fc.constantFrom('2026-06-22T10:00:00Z', '2026-07-06T10:00:00Z') }),
);
/** A turn's events for one person (some days fall in July), "delete my data" for one person, or a flush. */
const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ turn: fc.array(turnEvent, { minLength: 1, maxLength: 4 }), person: fc.constantFrom('p1', 'p2', 'p3'), day: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ forget: fc.constantFrom('p1', 'p2', 'p3') }) },
  { weight: 1, arbitrary: fc.constant({ flush: true as const }) },
);

describe('the recorder writing behind', () => {
  it('stores what recording each event on its own stores, whatever the size of its flushes and wherever they fall', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), async (steps, maxEvents) => {
        const alone = memoryServiceStore();
        const behind = memoryServiceStore();
        const one = recorderOn(alone);
        const buffered = recorderOn(behind, { maxEvents, delayMs: noTimer });
        for (const s of steps) {
          if ('turn' in s) {
            const inputs: ServiceEventInput[] = s.turn.map((e) => ({ ...e, person: s.person, at: atFor(s.day) }) as ServiceEventInput);
            for (const input of inputs) await one.record(input);
            await buffered.recordAll(inputs);
          } else if ('forget' in s) {
            await one.forget(s.forget);
            await buffered.forget(s.forget);
          } else {
            await buffered.flush();
          }
        }
        await buffered.close();
        expect(stored(behind)).toEqual(stored(alone));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the events in memory until asked, then stores them with one read and one write of all the records, one of the month and one append', async () => {
    const store = memoryServiceStore();
    const trips = countingServiceStore(store);
    const recorder = recorderOn(trips.store, { maxEvents: 100, delayMs: noTimer });
    for (const person of ['p1', 'p2']) {
      for (const stage of ['goal', 'scaling', 'review'] as const) await recorder.recordAll([{ kind: 'stageReached', session: 1, mode: 'self', stage, person, at: now }]);
    }
    expect(trips.calls).toEqual([]);
    await recorder.flush();
    expect(trips.calls.sort()).toEqual(['events.appendAll', 'months.read', 'months.write', 'people.readAll', 'people.writeAll']);
    expect(store.dump().events).toHaveLength(6);
    expect(stored(store).counts).toEqual({ 'stage|s1|goal': 2, 'stage|s1|scaling': 2, 'stage|s1|review': 2 });
    // Nothing waiting: a flush stores nothing.
    trips.calls.length = 0;
    await recorder.flush();
    expect(trips.calls).toEqual([]);
  });

  it("does again on their own anyone whose record another instance changed between the reading and the writing, so a milestone is counted once", async () => {
    const store = memoryServiceStore();
    const { people } = store;
    let raced = false;
    const racing: ServiceStore = {
      ...store,
      people: {
        ...people,
        readAll: async (ids) => {
          const found = await people.readAll(ids);
          if (!raced) {
            raced = true;
            // Another instance records p1's start first: their record and the month both change.
            const other = recorderOn(store);
            await other.record({ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now });
          }
          return found;
        },
      },
    };
    const recorder = recorderOn(racing, { maxEvents: 100, delayMs: noTimer });
    await recorder.recordAll([{ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now }]);
    await recorder.recordAll([{ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p2', at: now }]);
    await recorder.flush();
    expect(raced).toBe(true);
    expect(stored(store).counts).toEqual({ 'started|s1|self': 2 });
    expect(store.dump().people.map((p) => p.firsts)).toEqual([{ 's1.started': '2026-06' }, { 's1.started': '2026-06' }]);
    // p1's two events (the other instance's and ours) carry one pseudonym.
    expect(new Set(store.dump().events.map((e) => e.person)).size).toBe(2);
  });

  it('does everyone again on their own when reading or writing the records together fails', async () => {
    for (const failing of ['readAll', 'writeAll'] as const) {
      const store = memoryServiceStore();
      const broken: ServiceStore = { ...store, people: { ...store.people, [failing]: async () => Promise.reject(Object.assign(new Error('bulk refused'), { code: 503 })) } };
      const recorder = recorderOn(broken, { maxEvents: 100, delayMs: noTimer });
      await recorder.recordAll([{ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now }]);
      await recorder.recordAll([{ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p2', at: now }]);
      await recorder.flush();
      expect(stored(store).counts).toEqual({ 'started|s1|self': 2 });
      expect(store.dump().people).toHaveLength(2);
    }
  });

  it('starts storing them, without being asked, as soon as as many are waiting as make a flush', async () => {
    const store = memoryServiceStore();
    const trips = countingServiceStore(store);
    const appended: number[] = [];
    const recorder = recorderOn({ ...trips.store, events: { ...trips.store.events, appendAll: (events) => (appended.push(events.length), store.events.appendAll(events)) } }, { maxEvents: 5, delayMs: noTimer });
    for (let n = 0; n < 4; n += 1) await recorder.record({ kind: 'checkIn', level: 'none', person: `p${n}`, at: now });
    expect(trips.calls).toEqual([]);
    await recorder.record({ kind: 'checkIn', level: 'none', person: 'p4', at: now });
    await recorder.record({ kind: 'checkIn', level: 'none', person: 'p5', at: now });
    // The fifth started a flush of five; the sixth waits for the next one, which runs after it.
    await recorder.flush();
    expect(appended).toEqual([5, 1]);
    expect(stored(store).counts).toEqual({ 'checkIn|none': 6 });
  });

  it('stores what is waiting on close (the bot\'s graceful stop), and afterwards stores at once', async () => {
    const store = memoryServiceStore();
    const recorder = recorderOn(store, { maxEvents: 100, delayMs: noTimer });
    await recorder.recordAll([
      { kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now },
      { kind: 'stageReached', session: 1, mode: 'self', stage: 'goal', person: 'p1', at: now },
    ]);
    await recorder.close();
    expect(store.dump().events.map((e) => e.kind)).toEqual(['sessionStarted', 'stageReached']);
    await recorder.record({ kind: 'checkIn', level: 'none', person: 'p1', at: now });
    expect(store.dump().events).toHaveLength(3);
  });

  it('forgets a person in order: their waiting events keep the old pseudonym, and nothing ties the later ones to it', async () => {
    const store = memoryServiceStore();
    const recorder = recorderOn(store, { maxEvents: 100, delayMs: noTimer });
    await recorder.record({ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now });
    await recorder.forget('p1');
    expect(store.dump().people).toEqual([]);
    await recorder.record({ kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now });
    await recorder.flush();
    const [before, after] = store.dump().events;
    expect(before!.person).toBeDefined();
    expect(after!.person).toBeDefined();
    expect(after!.person).not.toBe(before!.person);
    // Counted again as someone new, as without the buffer.
    expect(stored(store).counts).toEqual({ 'started|s1|self': 2 });
  });

  it('loses only the events whose step failed, and logs each failure by kind and count, never by person', async () => {
    const store = memoryServiceStore();
    let failAppend = true;
    const failing: ServiceStore = {
      ...store,
      events: {
        ...store.events,
        appendAll: async (events) => {
          if (failAppend && events.some((e) => e.kind === 'checkIn')) throw Object.assign(new Error('service unavailable'), { code: 503 });
          return store.events.appendAll(events);
        },
      },
    };
    let logs = '';
    const logger = createLogger('info', { write: (line: string) => void (logs += line) });
    const recorder = recorderOn(failing, { maxEvents: 100, delayMs: noTimer }, logger);
    await recorder.recordAll([
      { kind: 'checkIn', level: 'none', person: 'aad-alex-morgan', at: now },
      { kind: 'checkIn', level: 'none', person: 'aad-sam-okafor', at: now },
      // Counted in July, so appended in July's batch, which does not fail.
      { kind: 'stageReached', session: 1, mode: 'self', stage: 'goal', person: 'aad-alex-morgan', at: new Date('2026-07-02T09:00:00Z') },
    ]);
    await recorder.flush();
    expect(store.dump().events.map((e) => e.kind)).toEqual(['stageReached']);
    const entries = logs.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(entries.filter((e) => e.msg === 'service event not recorded')).toEqual([
      expect.objectContaining({ level: 50, kind: 'checkIn', count: 2, err: expect.objectContaining({ code: 503 }) }),
    ]);
    expect(logs).not.toMatch(/aad-/);
    // The next flush is not affected.
    failAppend = false;
    await recorder.record({ kind: 'checkIn', level: 'none', person: 'p1', at: now });
    await recorder.flush();
    expect(store.dump().events.map((e) => e.kind)).toEqual(['stageReached', 'checkIn']);
  });

  it('drops new events, logged by kind, while more than it may hold are waiting for the store', async () => {
    const store = memoryServiceStore();
    let logs = '';
    const logger = createLogger('info', { write: (line: string) => void (logs += line) });
    const recorder = recorderOn(store, { maxEvents: 100, delayMs: noTimer, maxHeld: 3 }, logger);
    await recorder.recordAll([
      { kind: 'checkIn', level: 'none', person: 'p1', at: now },
      { kind: 'checkIn', level: 'none', person: 'p2', at: now },
    ]);
    await recorder.recordAll([
      { kind: 'checkIn', level: 'none', person: 'aad-alex-morgan', at: now },
      { kind: 'directCheck', answer: 'no', origin: 'personal', person: 'aad-alex-morgan', at: now },
    ]);
    await recorder.flush();
    expect(store.dump().events).toHaveLength(2);
    const dropped = logs.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((e) => e.msg === 'service events dropped: the store is behind');
    expect(dropped).toMatchObject({ kinds: { checkIn: 1, directCheck: 1 }, count: 2 });
    expect(logs).not.toMatch(/aad-/);
  });
});

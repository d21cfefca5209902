import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { createLogger } from '../logger';
import { memoryServiceStore } from '../store/serviceStore';
import { afterTurnSaved, collectAfterSave } from '../turn/afterSave';
import { sumDays } from './aggregate';
import { provideServiceEvents, recordServiceEvent, type ServiceEventInput, type ServiceEventSink } from './events';
import { ServiceEventRecorder } from './recorder';
import type { ServiceStore } from './store';
import { countingServiceStore } from '../../test/support/countingServiceStore';

const logger = createLogger('silent');
const key = Buffer.alloc(32, 7);
const now = new Date('2026-06-15T12:00:00Z');

/** The events a check-in card's turn records, then a later turn's, for one person. */
const checkInTurn: ServiceEventInput[] = [
  { kind: 'checkIn', level: 'none', person: 'p1', at: now },
  { kind: 'sessionStarted', session: 1, mode: 'self', person: 'p1', at: now },
  { kind: 'stageReached', session: 1, mode: 'self', stage: 'goal', person: 'p1', at: now },
];
const laterTurn: ServiceEventInput[] = [
  { kind: 'stageReached', session: 1, mode: 'self', stage: 'goal', person: 'p1', at: now },
  { kind: 'stageReached', session: 1, mode: 'self', stage: 'scaling', person: 'p1', at: new Date('2026-07-01T09:00:00Z') },
  { kind: 'scaling', session: 1, mode: 'self', point: 'start', value: 4, person: 'p1', at: new Date('2026-07-01T09:00:00Z') },
  { kind: 'stageReached', session: 1, mode: 'self', stage: 'scaling', person: 'p1', at: new Date('2026-07-01T09:00:00Z') },
  { kind: 'slot', change: 'booked', slotStart: '2026-07-20T10:00:00Z', person: 'p1', at: now },
];

/** What was stored, without what is random by design (event ids, the pseudonym's nonce and value). */
function stored(store: ReturnType<typeof memoryServiceStore>) {
  const { events, people, months } = store.dump();
  return {
    events: events.map(({ id: _id, person, ...rest }) => ({ ...rest, person: person === undefined ? undefined : 'pseudonym' })),
    pseudonyms: new Set(events.map((e) => e.person).filter(Boolean)).size,
    people: people.map(({ firsts, ttl, type }) => ({ firsts, ttl, type })),
    counts: Object.fromEntries(sumDays(months, '2026-01-01', '2026-12-31')),
  };
}

describe("a turn's service events", () => {
  it('are stored together exactly as recording them one after another stores them', async () => {
    const oneByOne = memoryServiceStore();
    const together = memoryServiceStore();
    const recorderOn = (store: ServiceStore) => new ServiceEventRecorder({ store, key, logger, retentionDays: 730, now: () => now });
    for (const turn of [checkInTurn, laterTurn]) {
      for (const event of turn) await recorderOn(oneByOne).record(event);
      await recorderOn(together).recordAll(turn);
    }
    expect(stored(together)).toEqual(stored(oneByOne));
    expect(stored(together).counts).toMatchObject({ 'checkIn|none': 1, 'started|s1|self': 1, 'stage|s1|goal': 1, 'stage|s1|scaling': 1, 'scale|s1|start|4': 1 });
    expect(stored(together).people[0]!.firsts).toEqual({ 's1.started': '2026-06', 's1.stage.goal': '2026-06', 's1.stage.scaling': '2026-07', 's1.scale.start': '2026-07' });
  });

  it("read and write the person's record once and each month's aggregate once, and keep every event", async () => {
    const memory = memoryServiceStore();
    const { calls: trips, store } = countingServiceStore(memory);
    await new ServiceEventRecorder({ store, key, logger, retentionDays: 730, now: () => now }).recordAll(checkInTurn);
    // Every event kept, all three in one append (one transactional batch in Cosmos DB).
    expect(trips.sort()).toEqual(['events.appendAll', 'months.read', 'months.write', 'people.read', 'people.write']);
    expect(memory.dump().events.map((e) => e.kind)).toEqual(['checkIn', 'sessionStarted', 'stageReached']);
  });

  it('keep their place among the work queued after the save: work in between splits them, in order', async () => {
    const order: string[] = [];
    const sink: ServiceEventSink = {
      record: async (e) => void order.push(`one ${e.kind}`),
      recordAll: async (events) => void order.push(`together ${events.map((e) => e.kind).join(' ')}`),
    };
    const activity = { type: 'message', channelId: 'msteams', from: { id: '29:p1', aadObjectId: 'p1' }, conversation: { id: 'c1' } } as Activity;
    const context = new TurnContext(new TestAdapter(), activity);
    const queue = collectAfterSave(context);
    provideServiceEvents(context, sink);
    recordServiceEvent(context, { kind: 'checkIn', level: 'none' });
    recordServiceEvent(context, { kind: 'sessionStarted', session: 1, mode: 'self' });
    afterTurnSaved(context, async () => void order.push('a referral pushed'));
    recordServiceEvent(context, { kind: 'stageReached', session: 1, mode: 'self', stage: 'goal' });
    expect(order).toEqual([]);
    for (const work of queue) await work(context);
    expect(order).toEqual(['together checkIn sessionStarted', 'a referral pushed', 'together stageReached']);
  });
});

import { JobQueue } from '../booking/jobs';
import type { Programme } from '../coaching/programme';
import type { PersonDocument } from '../documents/person';
import { createLogger } from '../logger';
import { UpdateConflictError } from '../persistence/conditionalUpdate';
import type { People } from '../persistence/versioned';
import { MemoryBookings } from '../store/memoryBookings';
import { MemoryJobs } from '../store/memoryJobs';
import { MemoryReferrals } from '../store/memoryReferrals';
import { MemoryStateDocuments } from '../store/memoryState';
import { MyCoaching } from './myCoaching';
import { withRacingReads } from '../../test/support/racingReads';
import { sessionOneWithPlan } from '../../test/support/programmes';

const logger = createLogger('silent');
const user = { userId: 'staff-aad-1', name: 'Priya Shah' };

const programme: Programme = sessionOneWithPlan();

/**
 * The person's document in memory, where just after each of the first `times` reads of it their own 1:1
 * turn saves it too (as when they chat with the bot while the tab is open): a conflict for the tab's change.
 */
async function racing(times: number) {
  const people: People<PersonDocument> = new MemoryStateDocuments();
  await people.writeIfUnchanged(user.userId, { welcomedAt: '2026-11-20T09:00:00.000Z', programme }, undefined);
  const { port: racingPeople, raced } = withRacingReads(people, 'readOne', times, async (found, race) => {
    const { eTag, ...doc } = found!;
    await people.writeIfUnchanged(user.userId, { ...doc, lastMessageAt: `2026-11-24T10:00:0${race % 10}.000Z` }, eTag);
  });
  const tab = new MyCoaching({
    people: racingPeople,
    bookings: new MemoryBookings(),
    referrals: new MemoryReferrals(),
    jobs: new JobQueue({ jobs: new MemoryJobs(), planCheckInDays: 14, logger }),
    deliverNow: async () => undefined,
    daysAhead: 14,
    events: { record: async () => undefined, forget: async () => undefined },
    logger,
  });
  return { people, tab, raced };
}

const newPlan = { action1: 'Ask Sam to co-chair the Tuesday huddle', byWhen1: '2027-02-01', obstacle1: 'Rota gaps', overcome1: 'Plan it a week ahead' };

describe('the My coaching tab, while the person is chatting with the bot (memory twin)', () => {
  it('saves the plan on a fresh copy after a conflict, keeping what the chat saved', async () => {
    const { people, tab, raced } = await racing(1);
    expect(await tab.savePlan(user, newPlan)).toMatch(/Your plan is saved\. &quot;my plan&quot; in our chat shows it too\./);
    expect(raced()).toBe(1);
    const stored = (await people.readOne(user.userId))!;
    expect(stored.lastMessageAt).toBe('2026-11-24T10:00:01.000Z');
    expect(stored.programme!.sessions['1']!.actionPlan).toMatchObject({
      actions: [{ what: 'Ask Sam to co-chair the Tuesday huddle', byWhen: '2027-02-01' }],
      obstacles: [{ obstacle: 'Rota gaps', overcome: 'Plan it a week ahead' }],
    });
  });

  it('fails clearly, leaving the plan as it was, when the document keeps changing', async () => {
    const { people, tab, raced } = await racing(Infinity);
    await expect(tab.savePlan(user, newPlan)).rejects.toEqual(new UpdateConflictError('save action plan from the tab'));
    expect(raced()).toBe(6);
    expect((await people.readOne(user.userId))!.programme!.sessions['1']!.actionPlan!.actions).toEqual([{ what: 'Book a room' }]);
  });

  it('deletes the data on a fresh copy after a conflict', async () => {
    const { people, tab, raced } = await racing(1);
    expect(await tab.deleteData(user, { confirm: 'yes' })).toMatch(/Done: your coaching data is deleted\./);
    expect(raced()).toBe(1);
    expect(await people.readOne(user.userId)).toBeUndefined();
  });

  it('fails clearly, deleting nothing, when the document keeps changing', async () => {
    const { people, tab, raced } = await racing(Infinity);
    await expect(tab.deleteData(user, { confirm: 'yes' })).rejects.toEqual(new UpdateConflictError('delete data from the tab'));
    expect(raced()).toBe(6);
    expect((await people.readOne(user.userId))?.programme).toEqual(programme);
  });
});

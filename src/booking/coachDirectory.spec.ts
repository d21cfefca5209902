import { UpdateConflictError } from '../persistence/conditionalUpdate';
import { MemoryBookings } from '../store/memoryBookings';
import { withRacingReads } from '../../test/support/racingReads';
import type { Bookings } from './bookingsPort';
import { changeCoach, isCoach } from './coachDirectory';

const roles = (bookings: Bookings) => ({ bookings, booking: { coachIds: [] } });
const lead = 'lead-aad-1';

/**
 * Memory bookings where, just after each of the first `times` reads of the directory, another lead adds a
 * coach of their own (the first of them creating the directory): a conflict for the change in hand.
 */
function racing(times: number) {
  const bookings = new MemoryBookings();
  const { port: racingBookings, raced } = withRacingReads(bookings as Bookings, 'read', times, async (_found, race) => {
    expect(await changeCoach(bookings, 'add', { userId: `other-coach-${race}`, name: `Other ${race}` }, 'lead-aad-2')).toBe(true);
  });
  return { bookings, racingBookings, raced };
}

describe('the coach directory, changed by two leads at once (memory twin)', () => {
  it("adds the coach on a fresh copy after a conflict, keeping the other lead's change", async () => {
    const { bookings, racingBookings, raced } = racing(1);
    expect(await changeCoach(racingBookings, 'add', { userId: 'Coach-AAD-1', name: 'Sam Patel' }, lead)).toBe(true);
    expect(raced()).toBe(1);
    expect(await isCoach('coach-aad-1', roles(bookings))).toBe(true);
    expect(await isCoach('other-coach-1', roles(bookings))).toBe(true);
  });

  it('fails clearly, changing nothing of its own, when the directory keeps changing', async () => {
    const { bookings, racingBookings, raced } = racing(Infinity);
    await expect(changeCoach(racingBookings, 'add', { userId: 'coach-aad-1', name: 'Sam Patel' }, lead)).rejects.toEqual(new UpdateConflictError('add coach'));
    expect(raced()).toBe(5);
    expect(await isCoach('coach-aad-1', roles(bookings))).toBe(false);
  });
});

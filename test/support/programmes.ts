/**
 * Programmes as the bot stores them, for tests that need someone part-way through coaching without walking
 * them there: the My coaching tab's tests (src/tabs/myCoaching.spec.ts, test/directCheck.test.ts).
 */
import type { Programme } from '../../src/coaching/programme';

/** Session 1 complete with its goal and a one-action plan; session 2 not yet begun. A new copy each call. */
export function sessionOneWithPlan(): Programme {
  return {
    startedAt: '2026-11-20T09:00:00.000Z',
    current: 2,
    sessions: {
      '1': {
        number: 1,
        startedAt: '2026-11-20T09:00:00.000Z',
        completedAt: '2026-11-20T10:00:00.000Z',
        stage: 'review',
        goal: { text: 'Lead the falls audit' },
        actionPlan: { actions: [{ what: 'Book a room' }], obstacles: [], updatedAt: '2026-11-20T10:00:00.000Z' },
      },
    },
  };
}

/**
 * The seven stages of the solution-focused model (shared/seeds: "Session 1" and "Session 2"), in order, with
 * the titles people see. The vocabulary every room shares: the self-guided dialogs and the coach's guides
 * (src/coaching, src/coachSession), the service's de-identified events and its report (src/serviceEvents).
 * It sits below all of them, so recording a stage reached never makes a room depend on the coaching dialogs.
 */
export const stageOrder = [
  'goal',
  'scaling',
  'personalSuccess',
  'othersSuccess',
  'acknowledgement',
  'actionPlan',
  'review',
] as const;
export type StageName = (typeof stageOrder)[number];

export const stageTitles: Record<StageName, string> = {
  goal: 'What you want to work on',
  scaling: 'Scaling',
  personalSuccess: 'Your own successes',
  othersSuccess: 'Success in others',
  acknowledgement: 'Acknowledgement',
  actionPlan: 'Action and obstacles',
  review: 'Review',
};

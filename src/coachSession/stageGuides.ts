/**
 * The coach's guide to each of the seven stages, as the stage catalogue gives it (src/coaching/stages/*):
 * the aim of the stage, the open questions it suggests, and what the coach notes of the client's answers.
 */
import type { SessionNumber, StageName } from '../coaching/programme';
import { stageOf } from '../coaching/stages/catalogue';
import type { CoachGuide } from '../coaching/stages/stage';

export function stageGuide(stage: StageName, session: SessionNumber): CoachGuide {
  return stageOf(stage, session).guide;
}

/** What every guide card reminds the coach of (the model's aim: coaching is not a crisis or assessment service). */
export const supportReminder =
  'If the client seems very stressed or anxious, or speaks of harming themselves or others, stop the coaching and help them find support. If it is said in the chat, I will show the contacts there and tell you.';

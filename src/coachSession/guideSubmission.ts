/**
 * The coach saves a stage guide card in their own 1:1 chat: the client's answers go into the session's record
 * (for the summary) and the coach's notes into its private notes, in the group chat's state. That is another
 * conversation's document, so it is written here conditionally on its eTag, read again on a conflict.
 */
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { isCoach } from '../booking/coachDirectory';
import { clipAnswer, MAX_ANSWER_CHARS } from '../coaching/answers';
import { submissionHeader } from '../coaching/cardSubmissions';
import { stageOrder, stageTitles } from '../coaching/programme';
import { stateDocument, updateIfUnchanged, type Decision } from '../persistence/conditionalUpdate';
import { isPerson, personId } from './roles';
import type { CoachSessionServices } from './services';
import { stageGuide } from './stageGuides';
import { firstName, sessionIn, type CoachSessionSection } from './state';

const guideSubmission = z
  .object({
    card: z.literal('stageGuide'),
    sessionId: z.string().min(1).max(100),
    stage: z.enum(stageOrder),
    chat: z.string().min(1).max(1000),
    privateNotes: z.string().max(MAX_ANSWER_CHARS * 2).optional(),
  })
  .catchall(z.unknown());

type Outcome = { saved: true; clipped: boolean; clientName: string } | { saved: false; why: 'ended' | 'notYours' };

export async function respondToStageGuide(context: TurnContext, services: CoachSessionServices): Promise<boolean> {
  const activity = context.activity;
  if (activity.conversation?.conversationType !== 'personal' || submissionHeader(activity.value)?.card !== 'stageGuide') return false;
  if (!(await isCoach(personId(activity.from), services.roles))) {
    services.logger.warn({ userId: personId(activity.from) }, 'coach-only action refused: stage guide');
    await context.sendActivity('Only coaches can save a stage guide. Nothing has been saved.');
    return true;
  }
  const parsed = guideSubmission.safeParse(activity.value);
  if (!parsed.success) {
    await context.sendActivity("That guide card didn't send what I expected, so nothing has been saved.");
    return true;
  }
  const submission = parsed.data;
  const outcome = await updateChatSession(submission.chat, services, (data): Outcome => {
    const session = sessionIn(data);
    if (!session || session.id !== submission.sessionId) return { saved: false, why: 'ended' };
    if (!isPerson(activity.from, session.coach)) return { saved: false, why: 'notYours' };
    let clipped = false;
    const keep = (raw: unknown): string | undefined => {
      if (typeof raw !== 'string') return undefined;
      const answer = clipAnswer(raw);
      clipped ||= answer.clipped;
      return answer.text || undefined;
    };
    for (const field of stageGuide(submission.stage, session.number).answers) {
      const text = keep(submission[field.id]);
      if (text !== undefined) field.save(session.record, text);
    }
    const notes = keep(submission.privateNotes);
    if (notes !== undefined) session.privateNotes[submission.stage] = notes;
    return { saved: true, clipped, clientName: session.client.name };
  });
  if (!outcome.saved) {
    services.logger.info({ why: outcome.why }, 'stage guide not saved');
    await context.sendActivity(
      outcome.why === 'ended'
        ? "That session has ended or isn't running any more, so I haven't saved this guide."
        : "That session is another coach's, so I haven't saved this guide.",
    );
    return true;
  }
  services.logger.info({ sessionId: submission.sessionId, stage: submission.stage }, 'stage guide saved');
  const first = firstName(outcome.clientName);
  await context.sendActivity(
    `Saved for stage ${stageOrder.indexOf(submission.stage) + 1} (${stageTitles[submission.stage]}). ${first}'s answers will be in the summary at the end; your private notes stay with you.` +
      (outcome.clipped ? ' One of the boxes was very long, so I kept its first 2,000 characters.' : ''),
  );
  return true;
}

/** Reads the group chat's state, applies `change` and writes it back if nobody else wrote in between. */
async function updateChatSession(key: string, services: CoachSessionServices, change: (data: CoachSessionSection) => Outcome): Promise<Outcome> {
  const { result } = await updateIfUnchanged(stateDocument(services.chats, key), {
    name: 'save stage guide answers',
    apply: (data): Decision<CoachSessionSection, Outcome> => {
      if (!data) return { keep: { saved: false, why: 'ended' } };
      const outcome = change(data);
      return outcome.saved ? { write: data, result: outcome } : { keep: outcome };
    },
  });
  return result;
}

// Seed, Stage 7: "Review of Session" (and, in session 2, "Review of Final Session") – a summary of strengths
// and positive qualities, what has been helping, role models, the plan and plans for hurdles, re-scaling,
// keeping in mind what works; in the final session, both goals' ratings and the coaching relationship.
import { MessageFactory } from 'botbuilder';
import { WaterfallDialog } from 'botbuilder-dialogs';
import { renderCard, type CardData } from '../../cards/render';
import { saysNoMore } from '../answers';
import { noteAnswer } from '../atAPrompt';
import { askText, programmeOf, quote, sessionOf } from '../dialogKit';
import { asWritten } from '../../turn/cards';
import { sessionRecord, type Programme, type SessionRecord } from '../programme';
import { recordField } from '../recordFields';
import { byWhenLabel } from './actionPlan';
import { askForScale, scaleFrom, scaleWording } from './scaling';
import { noted, type Stage } from './stage';

const REVIEW_STAGE = 'stage.review';

/** What makes two answers "the same thing": their words, ignoring case, punctuation and spacing. */
export function sameWords(text: string): string {
  return text.toLowerCase().replace(/[\p{P}\p{S}]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Lists each thing once across the summary: an answer given in both sessions (or under two headings) appears
 * the first time only, in the words first used. `seen` is shared by all the card's sections.
 */
function onceEach(items: (string | undefined)[], seen: Set<string>): string {
  const kept: string[] = [];
  for (const item of items) {
    const key = item ? sameWords(item) : '';
    if (!key || seen.has(key)) continue;
    seen.add(key);
    kept.push(quote(item, 200));
  }
  return kept.join('\n\n');
}

function uniqueBy<T>(rows: T[], key: (row: T) => string): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const k = key(row);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The review card's data for one session, or for both when the final session ends. */
export function reviewCardData(programme: Programme, final: boolean): CardData['review'] {
  const sessions = ([1, 2] as const).map((n) => sessionRecord(programme, n)).filter((s): s is SessionRecord => !!s && (final || s.number === programme.current));
  const latest = sessions[sessions.length - 1]!;
  const ratings = sessions.flatMap((s) => [
    ...(s.scaling?.before !== undefined ? [{ label: `Start of session ${s.number}`, value: s.scaling.before }] : []),
    ...(s.scaling?.after !== undefined ? [{ label: `End of session ${s.number}`, value: s.scaling.after }] : []),
  ]);
  const distinctGoals = uniqueBy(
    sessions.filter((s) => s.goal?.text?.trim()),
    (s) => sameWords(s.goal!.text!),
  );
  const goals = distinctGoals.map((s) => ({ label: distinctGoals.length > 1 ? (s.number === 1 ? 'Your first goal' : 'Your second goal') : 'Your goal', text: s.goal!.text! }));
  // The latest session's plan; in the final review, if that session has none (a coach-joined session ended
  // early), the plan from session 1, and then the heading says which session it is from.
  const planFrom = latest.actionPlan ? latest : final ? [...sessions].reverse().find((s) => s.actionPlan) : undefined;
  const plan = planFrom?.actionPlan;
  const seen = new Set<string>();
  return {
    heading: final ? 'Your coaching: a look back over both sessions' : `Session ${latest.number} summary`,
    intro: final
      ? "Here's what you've worked on across our two sessions, in your own words."
      : "Here's what we covered today, in your own words.",
    goals,
    ratings,
    strengths: onceEach(sessions.flatMap((s) => [...(s.personalSuccess?.strengths ?? []), s.personalSuccess?.pastStrengths]), seen),
    successes: onceEach(sessions.flatMap((s) => [...(s.personalSuccess?.pastSuccesses ?? []), s.personalSuccess?.exceptions, s.scaling?.whyNotLower]), seen),
    resources: onceEach(sessions.map((s) => s.acknowledgement?.resources), seen),
    roleModels: onceEach(sessions.map((s) => s.othersSuccess?.roleModels), seen),
    planHeading: planFrom && planFrom !== latest ? `Your action plan (from session ${planFrom.number})` : 'Your action plan',
    actions: uniqueBy(plan?.actions ?? [], (a) => `${sameWords(a.what)}|${a.byWhen ?? ''}`).map((a) => ({ what: asWritten(a.what), byWhen: byWhenLabel(a.byWhen) })),
    obstacles: uniqueBy(plan?.obstacles ?? [], (o) => `${sameWords(o.obstacle)}|${sameWords(o.overcome)}`).map((o) => ({
      obstacle: o.obstacle ? asWritten(o.obstacle) : 'Something unexpected',
      overcome: o.overcome ? asWritten(o.overcome) : 'Think about who could help',
    })),
    closing: final ? latest.review?.relationship ?? '' : '',
    keepInMind: 'Keep in mind what works for you: it will help with the next goal too.',
  };
}

const review = {
  keepInMind: recordField('review', 'keepInMind'),
  newGoals: recordField('review', 'newGoals'),
  relationship: recordField('review', 'relationship'),
};

function reviewDialog(): WaterfallDialog {
  return new WaterfallDialog(REVIEW_STAGE, [
    async (step) => {
      const record = sessionOf(step.context);
      if (record.scaling?.after !== undefined) return step.next();
      await step.context.sendActivity("We're nearly at the end of this session. Let's look back at where you are now.");
      const before = record.scaling?.before;
      return askForScale(step, `On ${scaleWording.now}`, before !== undefined ? scaleWording.atTheStart(before) : '');
    },
    async (step) => {
      const record = sessionOf(step.context);
      if (record.scaling?.after === undefined) {
        const after = scaleFrom(step);
        record.scaling = { ...record.scaling, after };
        noteAnswer(record, { section: 'scaling', name: 'after' });
        const before = record.scaling.before;
        if (before !== undefined) await step.context.sendActivity(scaleWording.movement(before, after).alone);
      }
      return step.next();
    },
    ...askText({
      ...review.relationship,
      answered: (r) => r.number === 1 || review.relationship.answered(r),
      question: () =>
        "This is our last session. Before I show you the summary: what's been most useful to you about working through this together?",
      help: { explain: "I'd like to hear how the coaching has been for you: what helped, and anything that made a difference.", okIsAnAnswer: true },
    }),
    async (step) => {
      const record = sessionOf(step.context);
      const programme = programmeOf(step.context);
      await step.context.sendActivity(MessageFactory.attachment(renderCard('review', reviewCardData(programme, record.number === 2))));
      if (record.number === 2) {
        await step.context.sendActivity(
          "Over these two sessions you've shown that you can set a goal, notice your own strengths and act on them. That's yours to keep, whatever comes next.",
        );
      }
      return step.next();
    },
    ...askText({
      ...review.newGoals,
      question: () => "What new goals, if any, have come up that you'd like to note for the future?",
      save: (r, answer) => review.newGoals.save(r, saysNoMore(answer) ? '' : answer),
      help: {
        explain: 'Sometimes working on one goal shows up another you might like to work on later. If nothing has come up, just say "none".',
        nothingToAdd: "That's fine. New goals often turn up later.",
      },
    }),
    async (step) => step.endDialog(),
  ]);
}

/** What the coach notes in both reviews: what works for the client, and any new goals. */
const keepInMind = noted('keepInMind', 'What they want to keep in mind', 'What works for them, for future reference', review.keepInMind);
const newGoals = noted('newGoals', 'New goals', 'Any new goals that came up', review.newGoals);

export const reviewStage: Stage = {
  dialogId: REVIEW_STAGE,
  dialogs: () => [reviewDialog()],
  guide: {
    aim:
      'Summarise for the client the strengths and positive qualities identified, what they have been doing that will help them move forward, role models who could guide them, and their plans for overcoming hurdles. Suggest they keep in mind what works for them. Repeat the scaling (the card is in the chat) so they can see where they are now. If risk came up, discuss it and explain the obligation to refer on. Note any new goals, and whether a follow-up session would help.',
    questions: [
      'Looking back over today, where are you now on the scale?',
      'What will you take away from this session?',
      'What works for you that you want to keep in mind?',
      'Have any new goals come up? Would a follow-up session help?',
    ],
    answers: [
      keepInMind,
      newGoals,
    ],
    forTheChat: 'A look back over the session, and where you are now on the scale.',
  },
};

/** Session 2's review is of the final session: the same dialog, with the coaching relationship in the guide. */
export const finalReviewStage: Stage = {
  ...reviewStage,
  guide: {
    aim:
      'This is the final session. Summarise the client’s strengths and positive qualities, what they have been doing that will help them move forward, role models who could guide them, and their plans for overcoming hurdles; suggest they keep in mind what works for them. Repeat the scaling (the card is in the chat) so they can reappraise where they are against the first and second goals. Allow time to comment on your working relationship, and emphasise the qualities and strengths you have seen over the two sessions.',
    questions: [
      'Looking back over both sessions, where are you now on the scale?',
      'What has changed for you since we started?',
      'What works for you that you want to keep in mind?',
      'How has it been working together? What has been most useful?',
    ],
    answers: [
      keepInMind,
      noted('relationship', 'Working together', 'What they said about the coaching relationship', review.relationship),
      newGoals,
    ],
    forTheChat: 'A look back over your coaching, and where you are now on the scale.',
  },
};

// Seed, Stage 4: "Discovering instances of success in others" – role models or respected others, what the
// client has seen them do, how far they could do the same, and whether they could talk to them afterwards.
import { WaterfallDialog } from 'botbuilder-dialogs';
import { askChoice, askText, field, programmeOf, quote, sessionOf } from '../dialogKit';
import { sessionRecord } from '../programme';

export const OTHERS_SUCCESS_STAGE = 'stage.othersSuccess';

export function othersSuccessStage(): WaterfallDialog {
  return new WaterfallDialog(OTHERS_SUCCESS_STAGE, [
    ...askText({
      ...field('othersSuccess', 'roleModels'),
      question: (step) => {
        const lastTime = sessionOf(step.context).number === 2 ? sessionRecord(programmeOf(step.context), 1)?.othersSuccess?.roleModels : undefined;
        return lastTime
          ? `Last time you thought of "${quote(lastTime, 80)}". Who else has achieved something like your goal: a colleague, a manager, anyone you respect?`
          : "Let's think about other people now. Who do you know, or know of, who has achieved something like your goal? It could be a colleague, a manager, or anyone you respect.";
      },
    }),
    ...askText({
      ...field('othersSuccess', 'whatTheyDo'),
      question: () => 'What have you seen them do that made the difference?',
    }),
    ...askText({
      ...field('othersSuccess', 'howFarCanYou'),
      question: () => 'How much of that could you do yourself? What would it look like if you did?',
    }),
    ...askChoice({
      ...field('othersSuccess', 'canTalkToThem'),
      question: () => 'Could you talk to them after this session about how they did it?',
      options: [
        { title: 'Yes, I could', value: 'yes', words: ['yes', 'yeah', 'yep', 'definitely'] },
        { title: 'Maybe', value: 'maybe', words: ['perhaps', 'possibly', 'not sure'] },
        { title: "Not really", value: 'no', words: ['no', 'nope', "can't", 'not possible'] },
      ],
    }),
    async (step) => {
      const answer = sessionOf(step.context).othersSuccess?.canTalkToThem;
      await step.context.sendActivity(
        answer === 'yes'
          ? "That could be a real source of support. People who've done it before are often glad to be asked."
          : answer === 'maybe'
            ? "Keep it in mind. Even a short conversation with someone who's done it can help."
            : "That's fine. Noticing what they do, and trying some of it, is useful on its own.",
      );
      return step.endDialog();
    },
  ]);
}

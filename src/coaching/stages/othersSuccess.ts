// Seed, Stage 4: "Discovering instances of success in others" – role models or respected others, what the
// client has seen them do, which parts they could do the same, and when they might talk to them afterwards.
import { WaterfallDialog } from 'botbuilder-dialogs';
import { askText, programmeOf, quote, sessionOf } from '../dialogKit';
import { sessionRecord } from '../programme';
import { recordField } from '../recordFields';
import { noted, type Stage } from './stage';

const OTHERS_SUCCESS_STAGE = 'stage.othersSuccess';

/** Answers to "when might you get a chance to ask them?" that mean there won't be one, or might not be. */
const unlikely = /^\s*(no\b|nope|nah|never|not really|not likely|unlikely|probably not|i can'?t|i couldn'?t|i won'?t|can'?t|couldn'?t|there isn'?t|none|not possible|(s?he|they)('s| has| have|'ve| is| are|'re) (left|gone|retired|moved))/i;
const unsure = /^\s*(maybe|perhaps|possibly|not sure|unsure|i'?m not sure|i don'?t know|don'?t know|dunno|might|hard to say)\b/i;

const othersSuccess = {
  roleModels: recordField('othersSuccess', 'roleModels'),
  whatTheyDo: recordField('othersSuccess', 'whatTheyDo'),
  howFarCanYou: recordField('othersSuccess', 'howFarCanYou'),
  canTalkToThem: recordField('othersSuccess', 'canTalkToThem'),
};

function othersSuccessDialog(): WaterfallDialog {
  return new WaterfallDialog(OTHERS_SUCCESS_STAGE, [
    ...askText({
      ...othersSuccess.roleModels,
      question: (step) => {
        const lastTime = sessionOf(step.context).number === 2 ? sessionRecord(programmeOf(step.context), 1)?.othersSuccess?.roleModels : undefined;
        return lastTime
          ? `Last time you thought of "${quote(lastTime, 80)}". Who else has achieved something like your goal: a colleague, a manager, anyone you respect?`
          : "Let's think about other people now. Who do you know, or know of, who has achieved something like your goal? It could be a colleague, a manager, or anyone you respect.";
      },
      help: { explain: "A role model is anyone who has managed something like your goal: a colleague, a manager, or someone you've read or heard about." },
    }),
    ...askText({
      ...othersSuccess.whatTheyDo,
      question: () => 'What have you seen them do that made the difference?',
      help: { explain: "Think about what you've seen them actually do or say: in a meeting, on the ward, or in how they plan their time." },
    }),
    ...askText({
      ...othersSuccess.howFarCanYou,
      question: () => 'Which parts of that could you do yourself, in your own way?',
      help: { explain: "Not all of it has to fit you. I mean the bits you could try, done your way." },
    }),
    ...askText({
      ...othersSuccess.canTalkToThem,
      question: () => 'When might you get a chance, after this session, to ask them how they did it?',
      help: { explain: "A short chat with someone who's done it can help a lot. If you couldn't talk to them, that's fine: just say so." },
    }),
    async (step) => {
      const answer = sessionOf(step.context).othersSuccess?.canTalkToThem ?? '';
      await step.context.sendActivity(
        answer === '' || unlikely.test(answer)
          ? "That's fine. Noticing what they do, and trying some of it, is useful on its own."
          : unsure.test(answer)
            ? "Keep it in mind. Even a short conversation with someone who's done it can help."
            : "That could be a real source of support. People who've done it before are often glad to be asked.",
      );
      return step.endDialog();
    },
  ]);
}

export const othersSuccessStage: Stage = {
  dialogId: OTHERS_SUCCESS_STAGE,
  dialogs: () => [othersSuccessDialog()],
  guide: {
    aim:
      'Help the client identify role models or respected others who have achieved the same or a similar goal: what they have seen them do, and how far they could do the same. There may be a chance to talk to them afterwards; senior colleagues can be an ongoing source of support and advice.',
    questions: [
      'Who do you know who has achieved something like this?',
      'What have you seen them do that made the difference?',
      'How far could you do the same? What would you do your own way?',
      'Could you talk to them about how they did it? Who else could support you?',
    ],
    answers: [noted('roleModels', 'Their role models', 'Who, and what the client has seen them do', othersSuccess.roleModels)],
    forTheChat: 'People who have achieved something similar, and what you could learn from them.',
  },
};

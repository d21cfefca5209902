// Seed, Stage 5: "Acknowledgement" – the resources the client has, personally and in the wider context,
// affirmed back to them in their own words, and how they might use them in the situation of their goal
// ("I was really impressed with the way you handled that situation and wonder how you might do the same…").
import { WaterfallDialog } from 'botbuilder-dialogs';
import { askText, quote, sessionOf } from '../dialogKit';
import type { SessionRecord } from '../programme';
import { recordField } from '../recordFields';
import { noted, type Stage } from './stage';

const ACKNOWLEDGEMENT_STAGE = 'stage.acknowledgement';

const said = (text: string | undefined, max: number) => (text?.trim() ? `"${quote(text, max)}"` : undefined);

/**
 * The bot's affirmation: two or three warm sentences quoting three or four of the person's own answers from
 * this session (a success or an exception, their strengths, and the support around them). The full lists
 * stay for the summary card; this picks a few so it reads as a coach speaking, not a form read back.
 */
export function reflection(record: SessionRecord): string {
  const ps = record.personalSuccess ?? {};
  const success = said(ps.pastSuccesses?.find((s) => s.trim()), 70);
  const exception = said(ps.exceptions, 70);
  const strengths = [...(ps.strengths ?? []), ps.pastStrengths]
    .map((s) => said(s, 35))
    .filter((s): s is string => !!s)
    .slice(0, 2);
  const resources = said(record.acknowledgement?.resources, 50);
  const roleModel = said(record.othersSuccess?.roleModels, 50);

  const sentences: string[] = [];
  if (success) sentences.push(`I was struck by what you've already done: ${success}.`);
  else if (exception) sentences.push(`I was struck by the times it has already been easier: ${exception}.`);
  if (strengths.length) sentences.push(`You bring real strengths too, like ${strengths.join(' and ')}.`);
  const room = 4 - (success || exception ? 1 : 0) - strengths.length;
  const support = [resources ? `${resources} around you` : undefined, roleModel ? `${roleModel} to learn from` : undefined]
    .filter((s): s is string => !!s)
    .slice(0, Math.max(1, room));
  if (support.length) sentences.push(`And you're not on your own: you have ${support.join(', and ')}.`);
  if (sentences.length === 0) return "Thank you for thinking all this through. Strengths can be hard to name, and they often show up once you start.";
  return sentences.join(' ');
}

const acknowledgement = {
  resources: recordField('acknowledgement', 'resources'),
  howToUse: recordField('acknowledgement', 'howToUse'),
};

function acknowledgementDialog(): WaterfallDialog {
  return new WaterfallDialog(ACKNOWLEDGEMENT_STAGE, [
    ...askText({
      ...acknowledgement.resources,
      question: () =>
        'Beyond your own strengths, what else is around you that could help? Think of people, teams, time, training, or anything at work or at home.',
      help: { explain: 'I mean support you could call on: a manager, colleagues, a mentor, training, time set aside, or people at home.' },
    }),
    ...askText({
      ...acknowledgement.howToUse,
      question: async (step) => {
        const record = sessionOf(step.context);
        await step.context.sendActivity({ type: 'message', text: reflection(record), textFormat: 'plain' });
        const goal = quote(record.goal?.text, 100);
        return record.personalSuccess?.pastSuccesses?.some((s) => s.trim()) || record.personalSuccess?.exceptions?.trim()
          ? `How might you do the same again, as you work towards "${goal}"?`
          : `How might you use these in working towards "${goal}"?`;
      },
      help: { explain: "Think about what you've done before, and the strengths and support you've named. I mean one way you could use them for your goal." },
    }),
    async (step) => step.endDialog(),
  ]);
}

export const acknowledgementStage: Stage = {
  dialogId: ACKNOWLEDGEMENT_STAGE,
  dialogs: () => [acknowledgementDialog()],
  guide: {
    aim:
      'Take plenty of time to establish the resources the client has, personally and around them. Affirm the positive qualities identified in the session and give them context, so the client can think about how to use them in different situations.',
    questions: [
      'What do you have around you that could help: people, time, skills, support?',
      'I was impressed by the way you handled that. How might you do the same with this new task?',
      'Which of the strengths we have talked about could you use here, and how?',
      'Who or what has helped you most so far?',
    ],
    answers: [noted('resources', 'Their resources', 'Personal resources and support around them', acknowledgement.resources)],
    forTheChat: 'The strengths and support you have to draw on, and how you might use them.',
  },
};

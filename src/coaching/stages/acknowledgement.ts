// Seed, Stage 5: "Acknowledgement" – the resources the client has, personally and in the wider context,
// affirmed back to them in their own words, and how they might use them in the situation of their goal.
import { WaterfallDialog } from 'botbuilder-dialogs';
import { askText, field, quote, sessionOf } from '../dialogKit';
import type { SessionRecord } from '../programme';

export const ACKNOWLEDGEMENT_STAGE = 'stage.acknowledgement';

/** The bot's reflection, built from the person's own words in this session. */
export function reflection(record: SessionRecord): string {
  const ps = record.personalSuccess ?? {};
  const lines: string[] = ["Here's what I've heard from you today, and it's worth taking a moment over."];
  if (ps.pastSuccesses?.length) lines.push(`You've done this kind of thing before: ${ps.pastSuccesses.map((s) => `"${quote(s, 90)}"`).join(', ')}.`);
  if (ps.exceptions) lines.push(`There have been times when it was already easier: "${quote(ps.exceptions, 120)}".`);
  if (ps.strengths?.length) lines.push(`You bring real strengths: ${ps.strengths.map((s) => `"${quote(s, 60)}"`).join(', ')}.`);
  if (ps.pastStrengths) lines.push(`And some you can bring back: "${quote(ps.pastStrengths, 100)}".`);
  if (record.acknowledgement?.resources) lines.push(`Around you there's support: "${quote(record.acknowledgement.resources, 120)}".`);
  if (record.othersSuccess?.roleModels) lines.push(`And you have people to learn from: "${quote(record.othersSuccess.roleModels, 80)}".`);
  lines.push("That's a lot to draw on.");
  return lines.join('\n\n');
}

export function acknowledgementStage(): WaterfallDialog {
  return new WaterfallDialog(ACKNOWLEDGEMENT_STAGE, [
    ...askText({
      ...field('acknowledgement', 'resources'),
      question: () =>
        'Beyond your own strengths, what else is around you that could help? Think of people, teams, time, training, or anything at work or at home.',
    }),
    ...askText({
      ...field('acknowledgement', 'howToUse'),
      question: async (step) => {
        const record = sessionOf(step.context);
        await step.context.sendActivity({ type: 'message', text: reflection(record), textFormat: 'plain' });
        return `How might you use these in working towards "${quote(record.goal?.text, 100)}"?`;
      },
    }),
    async (step) => step.endDialog(),
  ]);
}

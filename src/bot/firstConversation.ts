/**
 * What the bot says in any conversation outside a coaching question: the welcome on install or first
 * contact (what the bot is, what it is not, and the crisis numbers), help and the menu. (Support contacts are
 * the risk gate's: it answers "Not OK right now" before any route runs.)
 */
import { MessageFactory, type TurnContext } from 'botbuilder';
import { renderCard } from '../cards/render';
import type { Nation } from '../config';
import { crisisContacts } from '../safety/signposting';
import { menuOptions } from '../turn/commands';

export async function sendWelcome(context: TurnContext, nation: Nation): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(renderCard('welcome', { crisis: crisisContacts(nation) })));
}

export async function sendHelp(context: TurnContext, options = menuOptions): Promise<void> {
  await context.sendActivity({ type: 'message', text: helpText, textFormat: 'markdown' });
  await sendMenu(context, 'What would you like to do?', options);
}

export async function sendMenu(context: TurnContext, heading: string, options = menuOptions): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(renderCard('menu', { heading, options })));
}

const helpText = [
  'I offer solution-focused coaching for NHS staff: two sessions in which you set a goal for your work or career, look at what is already going well, and plan your next steps.',
  '',
  'You can type these words at any time:',
  '- **start coaching**: begin, or carry on where you left off',
  '- **where am I**: your stage, goal and latest rating',
  '- **my plan**: see or change your action plan',
  '- **pause**: stop for now; everything is kept',
  '- **start again**: restart the current session',
  '- **export my data** / **delete my data**: see or delete what I keep about you',
  '- **menu** or **help**: these options',
  '- **Not OK right now** or **I need help**: support you can reach straight away',
  '',
  'I am not a crisis service and I cannot give clinical advice.',
].join('\n');

/** Markdown (sent with textFormat markdown). */
export const notUnderstood =
  "Sorry, I didn't understand that. If you are struggling right now, type **Not OK right now** and I'll show you who can help, or call Samaritans free on 116 123 at any time.";

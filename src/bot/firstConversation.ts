import { ActivityTypes, MessageFactory, TurnContext, type Activity } from 'botbuilder';
import { renderCard } from '../cards/render';
import { signposting } from '../safety/signposting';
import { menuOptions, parseCommand } from './commands';
import type { ConversationData } from './turnPipeline';

/**
 * What the bot says in any conversation before coaching starts: a welcome on install or first contact
 * (what the bot is, what it is not, and the crisis numbers), help, the menu, and support contacts.
 */
export async function respondToActivity(context: TurnContext, data: ConversationData): Promise<void> {
  const activity = context.activity;
  if (activity.type === ActivityTypes.Message) {
    if (!data.welcomedAt) await welcome(context, data);
    await respondToMessage(context);
    return;
  }
  if (isBotAdded(activity) && !data.welcomedAt) {
    await welcome(context, data);
  }
}

async function welcome(context: TurnContext, data: ConversationData): Promise<void> {
  data.welcomedAt = new Date().toISOString();
  await context.sendActivity(MessageFactory.attachment(renderCard('welcome', { crisis: signposting.crisis })));
}

async function respondToMessage(context: TurnContext): Promise<void> {
  const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
  switch (parseCommand(text)) {
    case 'help':
      await context.sendActivity(helpText);
      await sendMenu(context, 'What would you like to do?');
      return;
    case 'menu':
      await sendMenu(context, 'What would you like to do?');
      return;
    case 'support':
      await context.sendActivity(MessageFactory.attachment(renderCard('support', { crisis: signposting.crisis })));
      return;
    default:
      await context.sendActivity(notUnderstood);
      await sendMenu(context, 'Here is what I can do');
  }
}

async function sendMenu(context: TurnContext, heading: string): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(renderCard('menu', { heading, options: menuOptions })));
}

function isBotAdded(activity: Activity): boolean {
  if (activity.type === ActivityTypes.InstallationUpdate) return activity.action === 'add' || activity.action === 'add-upgrade';
  if (activity.type === ActivityTypes.ConversationUpdate) {
    return (activity.membersAdded ?? []).some((member) => member.id === activity.recipient?.id);
  }
  return false;
}

const helpText = [
  'I offer solution-focused coaching for NHS staff: you set a goal for your work or career, look at what is already going well, and plan your next steps.',
  '',
  'You can type these words at any time:',
  '- **menu**: see what you can do',
  '- **help**: this message',
  '- **Not OK right now** or **I need help**: support you can reach straight away',
  '',
  'I am not a crisis service and I cannot give clinical advice.',
].join('\n');

const notUnderstood =
  "Sorry, I didn't understand that. If you are struggling right now, type **Not OK right now** and I'll show you who can help, or call Samaritans free on 116 123 at any time.";

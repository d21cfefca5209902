/**
 * The words the bot understands at any point, with the menu buttons that send them. A button submits its
 * words and the door (./inbound.ts) reads them as typed, so a tap and typing travel the same path through
 * the risk gate.
 */
import { TurnContext, type Activity } from 'botbuilder';

export type Command = 'help' | 'menu' | 'support' | 'startCoaching' | 'pause' | 'whereAmI' | 'myPlan' | 'startAgain' | 'exportData' | 'deleteData' | 'bookCoach' | 'myBookings' | 'publishAvailability' | 'mySlots';

const phrases: Record<Command, string[]> = {
  help: ['help', 'what can you do', 'how does this work'],
  menu: ['menu', 'show me what i can do', 'hi', 'hello', 'hey', 'options', 'good morning', 'good afternoon', 'good evening'],
  support: ['not ok right now', 'i need help', 'not ok', 'support', 'i am not ok', "i'm not ok", 'im not ok'],
  startCoaching: ['start coaching', 'start', 'continue', 'carry on', 'resume', 'start session 2', 'start session two', 'coaching', 'begin', "let's go", 'lets go'],
  pause: ['pause', 'stop for now', 'take a break', 'stop'],
  whereAmI: ['where am i', 'where was i', 'where are we', 'progress'],
  myPlan: ['my plan', 'plan', 'show my plan', 'edit my plan', 'action plan'],
  startAgain: ['start again', 'restart', 'start over', 'begin again'],
  exportData: ['export my data', 'export data', 'download my data', 'what do you know about me', 'what do you keep about me'],
  bookCoach: ['book a coach', 'book coach', 'book a session', 'book a coaching session', 'see a coach'],
  myBookings: ['my bookings', 'my booking', 'bookings'],
  publishAvailability: ['publish availability', 'add availability', 'my availability', 'availability'],
  mySlots: ['my slots', 'slots', 'my times'],
  deleteData: ['delete my data', 'delete data', 'erase my data', 'forget me', 'delete everything'],
};

const lookup = new Map<string, Command>(
  Object.entries(phrases).flatMap(([command, words]) => words.map((w) => [normaliseCommandText(w), command as Command])),
);

/**
 * What the person wrote, without the bot's @mention. A message can mention the bot and carry no text (a card
 * submission in a group chat), which botbuilder's own helper does not allow for.
 */
export function wordsOf(activity: Partial<Activity>): string {
  if (typeof activity.text !== 'string' || activity.text === '') return '';
  return TurnContext.removeRecipientMention(activity as Activity) ?? activity.text;
}

/** Lower case, single spaces, without surrounding punctuation or a leading slash. */
export function normaliseCommandText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\/+/, '')
    .replace(/^[\s.,!?;:'"]+|[\s.,!;:'"]+$/g, '')
    .trim();
}

export function parseCommand(text: string): Command | undefined {
  if (text.trim() === '?') return 'help';
  const normalised = normaliseCommandText(text);
  if (normalised === '') return undefined;
  return lookup.get(normalised) ?? lookup.get(normalised.replace(/[?]+$/, ''));
}

/** The menu's buttons in a 1:1 chat. Each button's words are also a typed command. */
export const menuOptions: { title: string; words: string }[] = [
  { title: 'Start or continue coaching', words: 'start coaching' },
  { title: 'Where am I?', words: 'where am I' },
  { title: 'My plan', words: 'my plan' },
  { title: 'Book a coach', words: 'book a coach' },
  { title: 'Help', words: 'help' },
  { title: 'Not OK right now', words: 'Not OK right now' },
];

/** In group chats and channels only these apply until a coach runs a session there. */
export const sharedChatMenuOptions = menuOptions.filter((o) => o.words === 'help' || o.words === 'Not OK right now');

/**
 * The words the bot understands at any point, with the menu buttons that send them. A button sends
 * exactly its words (Teams imBack), so a tap and typing travel the same path through the risk gate.
 */
export type Command = 'help' | 'menu' | 'support';

const phrases: Record<Command, string[]> = {
  help: ['help', '?', 'what can you do', 'how does this work'],
  menu: ['menu', 'show me what i can do', 'hi', 'hello', 'hey', 'start', 'options'],
  support: ['not ok right now', 'i need help', 'not ok', 'support', 'i am not ok', "i'm not ok", 'im not ok'],
};

const lookup = new Map<string, Command>(
  Object.entries(phrases).flatMap(([command, words]) => words.map((w) => [normaliseCommandText(w), command as Command])),
);

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
  const normalised = normaliseCommandText(text);
  return lookup.get(normalised) ?? (normalised === '' ? undefined : lookup.get(normalised.replace(/[?]+$/, '')));
}

/** The menu's buttons. Each button's words are also a typed command. */
export const menuOptions: { title: string; words: string }[] = [
  { title: 'Help', words: 'help' },
  { title: 'Not OK right now', words: 'Not OK right now' },
];

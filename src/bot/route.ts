/**
 * Ordered routes, in the style of teams-ai's: each route says when it applies (`card('slots')`,
 * `command('pause')`, `inDialog`) and what then answers. The first route that applies answers the turn; a
 * route whose handler finds the turn is not its own after all says `PASS`, and the next one is tried.
 */
import type { TurnContext } from 'botbuilder';
import type { Command } from '../turn/commands';
import { normaliseCommandText } from '../turn/commands';
import type { ConversationKind, Inbound } from '../turn/inbound';

/** What every route can read: the turn's context and the activity as the door read it. */
export interface Turn {
  context: TurnContext;
  inbound: Inbound;
}

export const PASS = Symbol('pass');
export type Handler<T extends Turn> = (turn: T) => Promise<void | typeof PASS>;
export type When<T extends Turn> = (turn: T) => boolean;

export interface Route<T extends Turn> {
  when: When<T>;
  then: Handler<T>;
}

export function route<T extends Turn>(when: When<NoInfer<T>>, then: Handler<T>): Route<T> {
  return { when, then };
}

/** Answers the turn with the first route that applies; false if none did. */
export async function answer<T extends Turn>(routes: readonly Route<T>[], turn: T): Promise<boolean> {
  for (const { when, then } of routes) {
    if (!when(turn)) continue;
    if ((await then(turn)) !== PASS) return true;
  }
  return false;
}

/** A card submission of ours, by card name (and question id, when given). */
export const card =
  (...names: string[]): When<Turn> =>
  ({ inbound }) =>
    !!inbound.card && names.includes(inbound.card.card);

export const command =
  (...commands: Command[]): When<Turn> =>
  ({ inbound }) =>
    !!inbound.command && commands.includes(inbound.command);

export const invoke =
  (name: string): When<Turn> =>
  ({ inbound }) =>
    inbound.invoke === name;

export const conversation =
  (...kinds: ConversationKind[]): When<Turn> =>
  ({ inbound }) =>
    kinds.includes(inbound.conversation);

/** The words, with every @mention taken out, are exactly these. */
export const phrase =
  (words: string): When<Turn> =>
  ({ inbound }) =>
    inbound.phrase === words;

/** The words, with every @mention taken out, begin with one of these. */
export const phraseStartsWith =
  (...starts: readonly string[]): When<Turn> =>
  ({ inbound }) =>
    starts.some((start) => inbound.phrase.startsWith(start));

/** The words (only the bot's @mention taken out) begin with one of these, as "add coach @name" does. */
export const wordsStartWith =
  (...starts: readonly string[]): When<Turn> =>
  ({ inbound }) => {
    const words = normaliseCommandText(inbound.words);
    return starts.some((start) => words.startsWith(start));
  };

/** A handler that answers "true if it was mine" passes the turn on when it was not. */
export const ifItsOwn =
  <T extends Turn>(handler: (turn: T) => Promise<boolean>): Handler<T> =>
  async (turn) =>
    (await handler(turn)) ? undefined : PASS;

export const anyOf =
  <T extends Turn>(...whens: When<T>[]): When<T> =>
  (turn) =>
    whens.some((when) => when(turn));

export const allOf =
  <T extends Turn>(...whens: When<T>[]): When<T> =>
  (turn) =>
    whens.every((when) => when(turn));

export const not =
  <T extends Turn>(when: When<T>): When<T> =>
  (turn) =>
    !when(turn);

export const always: When<Turn> = () => true;

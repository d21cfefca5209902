/**
 * Choices the bot offers as a card of buttons, each of which can also be typed: "yes", "no, carry on" and
 * the like. Used by the coaching questions, the risk gate's own questions and the personal chat's
 * confirmations alike.
 */
import { MessageFactory, type Activity } from 'botbuilder';
import { renderCard } from '../cards/render';

export interface ChoiceOption<V extends string> {
  title: string;
  value: V;
  /** Other words that pick this option when typed. */
  words?: string[];
}

const normalise = (text: string) =>
  text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[.!?,]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

export function recogniseChoice<V extends string>(text: string, options: ChoiceOption<V>[]): V | undefined {
  const said = normalise(text);
  if (!said) return undefined;
  const exact = options.find((o) => [o.title, o.value, ...(o.words ?? [])].some((w) => normalise(w) === said));
  if (exact) return exact.value;
  // A few words of a longer option ("benefits outweigh") or an option's phrase at the start of a longer
  // answer. A lone word such as "yes" must be the whole answer: "yes, delete my data" is not "yes".
  const starts = options.filter((o) =>
    [o.title, ...(o.words ?? [])].some((w) => normalise(w).startsWith(said) || (normalise(w).includes(' ') && said.startsWith(normalise(w)))),
  );
  return starts.length === 1 ? starts[0]!.value : undefined;
}

export function choiceCard(question: string, options: ChoiceOption<string>[]): Partial<Activity> {
  return MessageFactory.attachment(renderCard('choice', { question, options: options.map(({ title }) => ({ title })) }));
}

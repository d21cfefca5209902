/**
 * Ordered reply assertions for in-process transcripts, in the style of botbuilder-js's dialog tests: every reply
 * to a message is checked in turn, so a missing, extra or reordered reply fails.
 */
import type { Reply } from './inProcess';

/** What one reply should be: a plain message (the whole text, or a pattern), or a card with some of its text and (if given) its buttons. */
export type Expected = { says: string | RegExp } | { card: string | RegExp; buttons?: string[] };
export const says = (text: string | RegExp): Expected => ({ says: text });
export const card = (text: string | RegExp, buttons?: string[]): Expected => ({ card: text, buttons });

const match = (pattern: string | RegExp, within: 'exact' | 'contains') =>
  typeof pattern === 'string' ? (within === 'exact' ? pattern : expect.stringContaining(pattern)) : expect.stringMatching(pattern);

/** Every reply to one message, in order: as many as expected, each as expected. */
export function expectReplies(replies: Reply[], expected: Expected[]): void {
  const seen = replies.map((r) => (r.hasCard ? { card: r.card, buttons: r.buttons } : { says: r.text }));
  const wanted = expected.map((e) =>
    'says' in e ? { says: match(e.says, 'exact') } : { card: match(e.card, 'contains'), buttons: e.buttons ?? expect.any(Array) },
  );
  expect(seen).toEqual(wanted);
}

/** Everything in some replies as one text (messages and card text), for checks that no reply says something. */
export const allOf = (replies: Reply[]): string => replies.map((r) => `${r.text}\n${r.card}`).join('\n---\n');

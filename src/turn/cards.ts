/**
 * What every card the bot sends shares: the id of the question it asks (a submission carries it back, so a
 * card left over from an earlier question is recognised as stale), and the person's own words shown in it
 * exactly as they wrote them.
 */
import { randomUUID } from 'node:crypto';

export function newQuestionId(): string {
  return randomUUID();
}

/**
 * Card text renders a markdown subset, so a zero-width space after each markdown character keeps what a
 * person wrote looking exactly as written (no **bold**, no live [links](…)) without changing how it reads.
 */
export function asWritten(text: string): string {
  return text.replace(/([*_~`#>[\]])/g, '$1\u200B');
}

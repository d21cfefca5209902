/** How the bot reads a free-text answer: kept within a bound, and a few ways of saying "no more" or "I don't know". */
export const MAX_ANSWER_CHARS = 2000;

export interface Clipped {
  text: string;
  clipped: boolean;
}

export function clipAnswer(raw: string, max = MAX_ANSWER_CHARS): Clipped {
  const text = raw.replace(/\r\n?/g, '\n').trim();
  if (text.length <= max) return { text, clipped: false };
  return { text: Array.from(text).slice(0, max).join('').trimEnd(), clipped: true };
}

const noMore =
  /^(no+|nope|nah|none|nothing( else| more)?( i can think of)?|no more|not really|(i think )?that'?s (it|all|everything)( i can think of)?( for now)?|that is (it|all)|i can'?t think of any(thing)?( more| else)?|done|finished|no,? that'?s (it|all))[.!]*$/i;
const dontKnow = /\b(i )?(don'?t|do not|dont) know\b|\bnot sure\b|\bno idea\b|\bidk\b|\bdunno\b|\bno clue\b/i;

export function saysNoMore(text: string): boolean {
  return noMore.test(text.trim().toLowerCase().replace(/\s+/g, ' '));
}

export function saysDontKnow(text: string): boolean {
  return dontKnow.test(text) && text.trim().split(/\s+/).length <= 8;
}

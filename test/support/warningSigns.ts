/**
 * Words with warning signs but no usual risk phrase, which the risk gate meets with its direct question (the
 * `check` level) rather than a referral: for tests of the question itself (test/directCheck.test.ts) and of
 * where its answer leads (test/urgentReferralEndToEnd.test.ts).
 */
import { screenMessage } from '../../src/safety/screenMessage';

/** The gate's direct question, as the person reads it. */
export const DIRECT_QUESTION = /Are you having thoughts of suicide or of harming yourself, thoughts of harming someone else, or are you in danger from someone\?/;

const GIVING_AWAY = 'I have been giving a lot of my things away lately';
const PREPARATION = "I've sorted my will and written a few letters for the kids, just in case";
/** Wordings with warning signs and no usual risk phrase; a test takes the first the screener reads as `check` where it is said. */
const CANDIDATES = [
  GIVING_AWAY,
  PREPARATION,
  'Not sure I will be around to see it through',
  'A reason to keep going',
  'Might as well, not like I will be here for the next one',
  'I sorted out who gets the cat',
  'Honestly there might not be a six months for me',
  'To feel less trapped',
];

/** Words the screener reads as `check` (and not as distress) after this question and history; fails the test if none does. */
export function checkLevelIn(context: { question?: string; history?: string[] }): string {
  const found = CANDIDATES.find((text) => {
    const r = screenMessage({ text, ...context });
    return r.level === 'check' && !r.distressed;
  });
  if (!found) throw new Error('none of the candidate messages screens as check here: add one that does');
  return found;
}

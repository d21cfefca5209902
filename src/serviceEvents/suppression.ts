/**
 * Small-number suppression, applied to every figure a page or card shows:
 * - a count from 1 to 4 is shown as "fewer than 5" (0 is shown as 0);
 * - where parts are shown with their total (self-guided and coach-joined with all people; months with the
 *   period), and exactly one part is fewer than 5, the next smallest part is hidden too ("not shown"), so no
 *   part can be worked out by subtraction;
 * - a percentage is shown only when its numerator, its denominator and their difference are each 0 or 5 or
 *   more; a mean, interval or percentile only when it is built on 5 or more.
 */
export const FEWER_THAN_5 = 'fewer than 5';
export const NOT_SHOWN = 'not shown';
export const SMALL = 5;

/** A count as shown: the number, or "fewer than 5". */
export interface Shown {
  /** What is printed. */
  text: string;
  /** The number, only when it may be shown; null when hidden (charts draw nothing for it). */
  value: number | null;
}

export function isSmall(n: number): boolean {
  return n > 0 && n < SMALL;
}

export function showCount(n: number): Shown {
  return isSmall(n) ? { text: FEWER_THAN_5, value: null } : { text: n.toLocaleString('en-GB'), value: n };
}

/** Counts that add up to a total that is also shown: primary suppression plus one more where needed. */
export function showParts(parts: number[]): Shown[] {
  const shown = parts.map(showCount);
  const hidden = parts.filter(isSmall).length;
  if (hidden === 1) {
    let pick = -1;
    parts.forEach((n, i) => {
      if (!isSmall(n) && n > 0 && (pick < 0 || n < parts[pick]!)) pick = i;
    });
    if (pick >= 0) shown[pick] = { text: NOT_SHOWN, value: null };
  }
  return shown;
}

/** "42%", or null when it cannot be shown (a zero or small denominator, or a small numerator). */
export function percent(numerator: number, denominator: number): string | null {
  if (denominator === 0 || isSmall(denominator) || isSmall(numerator) || isSmall(denominator - numerator)) return null;
  return `${Math.round((100 * numerator) / denominator)}%`;
}

/** True when a statistic built on these counts may be shown. */
export function canShowStatistic(...counts: number[]): boolean {
  return counts.every((n) => n === 0 || n >= SMALL) && counts.some((n) => n >= SMALL);
}

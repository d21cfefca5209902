import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { screenMessage, screenRank, type ScreenLevel } from '../../src/safety/screenMessage';

/**
 * Evaluation of the screener on labelled sets: counts and rates with Wilson 95 % intervals, overall, per
 * category, for long messages and for second-language English. Never prints any message text.
 */

export interface EvalRow {
  text: string;
  label: 'urgent' | 'wellbeing' | 'none';
  category: string;
  register?: string;
  long?: boolean;
  question?: string;
  history?: string[];
}

export function loadSet(dir: string): EvalRow[] {
  const rows: EvalRow[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort())
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        const row = JSON.parse(line) as EvalRow;
        if (typeof row.text !== 'string' || !['urgent', 'wellbeing', 'none'].includes(row.label)) throw new Error(`${f} line ${i + 1} is malformed`);
        rows.push(row);
      });
  return rows;
}

export interface Rate {
  k: number;
  n: number;
  rate: number;
  low: number;
  high: number;
}

export function wilson(k: number, n: number): Rate {
  if (n === 0) return { k, n, rate: NaN, low: NaN, high: NaN };
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { k, n, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface Figures {
  urgentCaught: Rate;
  urgentUrgent: Rate;
  hardNegativeUrgent: Rate;
  hardNegativeFlagged: Rate;
  wellbeingCaught: Rate;
  /** Ordinary coaching messages (neutral, positive) given the direct question or worse: check fatigue. */
  ordinaryFlagged: Rate;
}

const HARD = (r: EvalRow): boolean => r.label === 'none' && r.category !== 'neutral-coaching' && r.category !== 'positive';

export function figures(rows: EvalRow[], levelOf: (r: EvalRow) => ScreenLevel): Figures {
  const count = (subset: EvalRow[], ok: (l: ScreenLevel) => boolean): Rate => wilson(subset.filter((r) => ok(levelOf(r))).length, subset.length);
  const urgent = rows.filter((r) => r.label === 'urgent');
  const hard = rows.filter(HARD);
  return {
    urgentCaught: count(urgent, (l) => screenRank[l] >= screenRank.check),
    urgentUrgent: count(urgent, (l) => l === 'urgent'),
    hardNegativeUrgent: count(hard, (l) => l === 'urgent'),
    hardNegativeFlagged: count(hard, (l) => screenRank[l] >= screenRank.check),
    wellbeingCaught: count(
      rows.filter((r) => r.label === 'wellbeing'),
      (l) => screenRank[l] >= screenRank.wellbeing,
    ),
    ordinaryFlagged: count(
      rows.filter((r) => r.label === 'none' && !HARD(r)),
      (l) => screenRank[l] >= screenRank.check,
    ),
  };
}

export const combined = (r: EvalRow): ScreenLevel => screenMessage(r).level;
export const lexiconOnly = (r: EvalRow): ScreenLevel => screenMessage(r).lexiconLevel;

const pct = (x: number): string => (Number.isNaN(x) ? '  n/a' : `${(100 * x).toFixed(1)}%`);
export const show = (r: Rate): string => `${pct(r.rate)} (${r.k}/${r.n}, 95% CI ${pct(r.low)}–${pct(r.high)})`;

export function report(name: string, rows: EvalRow[]): string {
  const lines = [`${name}: ${rows.length} messages`];
  for (const [label, levelOf] of [
    ['lexicon alone', lexiconOnly],
    ['lexicon + model', combined],
  ] as const) {
    const f = figures(rows, levelOf);
    lines.push(
      `  ${label}: urgent caught (check or urgent) ${show(f.urgentCaught)}; urgent screened urgent ${show(f.urgentUrgent)}; hard negatives urgent ${show(f.hardNegativeUrgent)}; hard negatives check or urgent ${show(f.hardNegativeFlagged)}; wellbeing caught ${show(f.wellbeingCaught)}; ordinary messages check or urgent ${show(f.ordinaryFlagged)}`,
    );
  }
  for (const [sub, pick] of [
    ['long messages', (r: EvalRow) => r.long === true],
    // Writers named it 'second-language', 'second-language-poland', 'l2-nigeria' or 'esl-nepal'.
    ['second-language English', (r: EvalRow) => /^(second-language|l2|esl)(-|$)/.test(r.register ?? '')],
  ] as const) {
    const f = figures(rows.filter(pick), combined);
    lines.push(`  ${sub} (lexicon + model): urgent caught ${show(f.urgentCaught)}; urgent urgent ${show(f.urgentUrgent)}; hard negatives check or urgent ${show(f.hardNegativeFlagged)}; wellbeing caught ${show(f.wellbeingCaught)}`);
  }
  const categories = [...new Set(rows.map((r) => `${r.label}/${r.category}`))].sort();
  for (const c of categories) {
    const subset = rows.filter((r) => `${r.label}/${r.category}` === c);
    if (c.startsWith('none/')) {
      lines.push(
        `  ${c}: check or urgent ${show(wilson(subset.filter((r) => screenRank[combined(r)] >= screenRank.check).length, subset.length))}; urgent ${show(wilson(subset.filter((r) => combined(r) === 'urgent').length, subset.length))}`,
      );
      continue;
    }
    const need = c.startsWith('urgent/') ? screenRank.check : screenRank.wellbeing;
    lines.push(`  ${c}: caught ${show(wilson(subset.filter((r) => screenRank[combined(r)] >= need).length, subset.length))}`);
  }
  return lines.join('\n');
}

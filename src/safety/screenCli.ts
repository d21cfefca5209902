import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { screenMessage } from './screenMessage';

/**
 * Batch screening for evaluation and clinical review: JSON Lines in, JSON Lines out, in order.
 *
 *   node dist/src/safety/screenCli.js < messages.jsonl > screened.jsonl
 *
 * Each input line is an object with a string `text`, and optionally `question` (the bot's last question) and
 * `history` (the person's earlier messages, oldest first); the output line is the same object with `level`
 * (`none` | `wellbeing` | `check` | `urgent`) and `reasons` added (any existing fields of those names are
 * replaced). A line that is not valid JSON, not an object, has no string `text`, or a `question` or `history`
 * of the wrong shape gives `{ "line": n, "error": "..." }` (an object keeps its other fields) and the run
 * carries on. Blank lines are skipped. Exit code 0 unless stdin cannot be read.
 * Uses exactly `screenMessage`, as the risk gate does; the CLI never writes message text anywhere but its
 * own output. `npm run --silent screen` starts it through scripts/screen.js, which compiles only when the
 * sources are newer than dist/.
 */

/** Screen one input line (1-based `lineNumber` for error lines). Returns null for a blank line. */
export function screenLine(line: string, lineNumber: number): string | null {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (trimmed.trim().length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return JSON.stringify({ line: lineNumber, error: 'not valid JSON' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return JSON.stringify({ line: lineNumber, error: 'expected a JSON object' });
  const record = parsed as Record<string, unknown>;
  if (typeof record.text !== 'string')
    return JSON.stringify({ ...record, line: lineNumber, error: 'expected a string "text" field' });
  if (record.question !== undefined && typeof record.question !== 'string')
    return JSON.stringify({ ...record, line: lineNumber, error: 'expected "question" to be a string' });
  if (record.history !== undefined && !(Array.isArray(record.history) && record.history.every((h) => typeof h === 'string')))
    return JSON.stringify({ ...record, line: lineNumber, error: 'expected "history" to be a list of strings' });
  const { level, reasons } = screenMessage({
    text: record.text,
    ...(typeof record.question === 'string' ? { question: record.question } : {}),
    ...(Array.isArray(record.history) ? { history: (record.history as string[]).slice(-3) } : {}),
  });
  return JSON.stringify({ ...record, level, reasons });
}

/** Screen a whole JSON Lines document; one output line per non-blank input line, in order. */
export function screenLines(input: string): string {
  const out: string[] = [];
  input.split('\n').forEach((line, i) => {
    const result = screenLine(line, i + 1);
    if (result !== null) out.push(result);
  });
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

export async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      const result = screenLine(line, ++n);
      if (result !== null && !process.stdout.write(`${result}\n`)) await once(process.stdout, 'drain');
    }
  } catch {
    process.stderr.write('screenCli: could not read stdin\n');
    process.exitCode = 2;
  }
}

if (require.main === module) void main();

import stem from 'wink-porter2-stemmer';

/**
 * Features for the learned screening model: hashed word stems, stem pairs and character n-grams of the
 * message, and word stems of the bot's last question and of the person's earlier messages, each in its own
 * namespace. The same function is used by training (scripts/trainScreening.ts) and by the bot, so the two
 * can never read a message differently. Nothing here keeps or logs any text.
 *
 * Stems come from the Porter2 (Snowball English) stemmer (wink-porter2-stemmer): "tablets", "counting" and
 * "bridges" meet their singular and base forms without a hand-kept list. Character 3- to 5-grams inside
 * word boundaries make a misspelt or text-speak word share most of its features with the word it stands for.
 */

export interface ScreeningInput {
  text: string;
  /** The bot's last question in this conversation, when the message answers one. */
  question?: string;
  /** The person's earlier messages in this conversation, oldest first. */
  history?: readonly string[];
}

/** Lower case, accents and curly quotes folded, apostrophes dropped inside words ("i'd" → "id"). */
export function wordsOf(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'");
  const words: string[] = [];
  for (const m of folded.matchAll(/[a-z0-9]+(?:'[a-z0-9]+)*/g)) words.push(m[0].replace(/'/g, ''));
  return words;
}

const stems = new Map<string, string>();
function stemOf(w: string): string {
  let s = stems.get(w);
  if (s === undefined) {
    s = /^[a-z]+$/.test(w) ? stem(w) : /^\d+$/.test(w) ? '#' : w;
    if (stems.size < 50_000) stems.set(w, s);
  }
  return s;
}

/** FNV-1a, 32 bit: a stable hash, so the same text gives the same bucket on every machine. */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Hashed feature buckets (with repeats, so a count is its multiplicity) for one input. */
export function featuresOf(input: ScreeningInput, buckets: number): number[] {
  const out: number[] = [];
  const add = (f: string): void => {
    out.push(hash(f) % buckets);
  };
  const words = wordsOf(input.text);
  const s = words.map(stemOf);
  add('bias');
  for (let i = 0; i < s.length; i++) {
    add(`w:${s[i]}`);
    if (i + 1 < s.length) add(`b:${s[i]} ${s[i + 1]}`);
    if (i + 2 < s.length) add(`s:${s[i]} _ ${s[i + 2]}`);
  }
  for (const w of words) {
    const padded = `<${w}>`;
    for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`);
  }
  if (input.question) for (const q of new Set(wordsOf(input.question).map(stemOf))) add(`q:${q}`);
  if (input.history)
    for (const h of input.history.slice(-3)) {
      const hs = wordsOf(h).map(stemOf);
      for (let i = 0; i < hs.length; i++) {
        add(`h:${hs[i]}`);
        if (i + 1 < hs.length) add(`hb:${hs[i]} ${hs[i + 1]}`);
      }
    }
  return out;
}

/**
 * The parts of a message scored on their own as well as whole: each sentence and each pair of neighbouring
 * sentences, so one risky sentence inside a long message about rotas is not drowned by the rest.
 */
export function partsOf(text: string): string[] {
  const sentences = text
    .split(/(?<=[.!?…])\s+|\n+/)
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  if (sentences.length <= 2) return [];
  const parts: string[] = [];
  for (let i = 0; i < sentences.length; i++) {
    parts.push(sentences[i]!);
    if (i + 1 < sentences.length) parts.push(`${sentences[i]} ${sentences[i + 1]}`);
  }
  return parts;
}

import stem from 'wink-porter2-stemmer';

/**
 * Features for the learned screening model: hashed word stems, stem pairs, scoped stems and character
 * n-grams of the message; the bot's last question paired with a short answer's stems; and word stems of the
 * person's earlier messages, in their own namespace. The same function is used by training (scripts/trainScreening.ts) and by the bot, so the two
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

const MAX_WORD = 30;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bit: a stable hash, so the same text gives the same bucket on every machine. */
export function hash(s: string): number {
  return extend(FNV_OFFSET, s, 0, s.length) >>> 0;
}

function extend(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** The hash state after a namespace ("w:"), so a feature's hash is taken on from it without building its string. */
const prefix = (p: string): number => extend(FNV_OFFSET, p, 0, p.length);
const CHAR_PREFIX = prefix('c:');
const WORD_PREFIX = prefix('w:');
const PAIR_PREFIX = prefix('b:');
const SKIP_PREFIX = prefix('s:');
/** hash(`${namespace}${a}`) from the namespace's state. */
const bucketOf = (state: number, a: string, buckets: number): number => (extend(state, a, 0, a.length) >>> 0) % buckets;
/** hash(`${namespace}${a}${join}${b}`) from the namespace's state. */
const pairBucket = (state: number, a: string, join: string, b: string, buckets: number): number =>
  (extend(extend(extend(state, a, 0, a.length), join, 0, join.length), b, 0, b.length) >>> 0) % buckets;

/** The sentences of a message (split after . ! ? … and at line breaks). */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?\u2026])\s+|\n+/)
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

/**
 * Who and how a clause speaks, so a linear model can tell "I have 30 tablets saved" from "the patient took
 * 30 tablets", "I'm not going to hurt myself" and "years ago I…": each content stem of a clause is also
 * emitted with the clause's scope (first person, someone else, negated, past, hypothetical or training).
 */
const CLAUSE_BREAK = new Set(['but', 'because', 'cos', 'coz', 'so', 'although', 'though', 'while', 'whereas', 'however', 'anyway', 'and']);
const FIRST_PERSON = new Set(['i', 'im', 'ive', 'id', 'ill', 'me', 'my', 'myself', 'mine', 'meself', 'masel', 'mysen']);
const SOMEONE_ELSE = new Set(['he', 'she', 'they', 'him', 'her', 'them', 'his', 'hers', 'their', 'patient', 'patients', 'pt', 'pts', 'client', 'service', 'user', 'colleague', 'colleagues', 'friend', 'friends', 'mum', 'mam', 'mom', 'dad', 'brother', 'sister', 'son', 'daughter', 'husband', 'wife', 'partner', 'neighbour', 'relative', 'relatives', 'lady', 'man', 'gentleman', 'woman', 'boy', 'girl', 'child', 'resident', 'student', 'nurse', 'doctor', 'manager', 'someone', 'somebody', 'family']);
const NEGATION = new Set(['not', 'no', 'never', 'without', 'nt', 'dont', 'didnt', 'wont', 'wouldnt', 'cant', 'couldnt', 'isnt', 'arent', 'wasnt', 'havent', 'hasnt', 'aint', 'nothing', 'nobody', 'nae', 'dinnae', 'didnae', 'willnae', 'nowt']);
const PAST = new Set(['ago', 'used', 'was', 'were', 'had', 'back', 'once', 'years', 'teenager', 'younger', 'uni', 'school', 'then', 'previously', 'past', 'recovered', 'better', 'now']);
const HYPOTHETICAL = new Set(['if', 'imagine', 'scenario', 'simulation', 'sim', 'training', 'course', 'module', 'elearning', 'essay', 'exam', 'osce', 'case', 'study', 'novel', 'book', 'film', 'series', 'episode', 'policy', 'audit', 'teaching', 'lecture', 'assignment', 'role', 'play', 'drama', 'character']);

const SCOPE = { '1p': prefix('1p:'), '1p3p': prefix('1p3p:'), '3p': prefix('3p:'), neg: prefix('neg:'), past: prefix('past:'), hyp: prefix('hyp:'), bare: prefix('bare:') };

/** The clause's scopes, each as its namespace's hash state ("1p:", "neg:" …). */
function scopesOf(words: readonly string[], from: number, to: number): number[] {
  const scopes: number[] = [];
  const has = (set: Set<string>) => {
    for (let i = from; i < to; i++) if (set.has(words[i]!)) return true;
    return false;
  };
  if (has(FIRST_PERSON)) scopes.push(SCOPE['1p']);
  if (has(SOMEONE_ELSE)) scopes.push(scopes.length ? SCOPE['1p3p'] : SCOPE['3p']);
  if (has(NEGATION)) scopes.push(SCOPE.neg);
  if (has(PAST)) scopes.push(SCOPE.past);
  if (has(HYPOTHETICAL)) scopes.push(SCOPE.hyp);
  if (scopes.length === 0) scopes.push(SCOPE.bare);
  return scopes;
}

/** Features of one sentence: stems, stem pairs, skip pairs, scoped stems, and character 3- to 5-grams of each word. */
export function sentenceFeatures(sentence: string, buckets: number, out: number[] = []): number[] {
  const words = wordsOf(sentence);
  const s = words.map(stemOf);
  for (let i = 0; i < s.length; i++) {
    out.push(bucketOf(WORD_PREFIX, s[i]!, buckets));
    if (i + 1 < s.length) out.push(pairBucket(PAIR_PREFIX, s[i]!, ' ', s[i + 1]!, buckets));
    if (i + 2 < s.length) out.push(pairBucket(SKIP_PREFIX, s[i]!, ' _ ', s[i + 2]!, buckets));
  }
  let start = 0;
  for (let i = 0; i <= words.length; i++) {
    if (i < words.length && !CLAUSE_BREAK.has(words[i]!)) continue;
    if (i > start) {
      const scopes = scopesOf(words, start, i);
      for (let j = start; j < i; j++) {
        if (words[j]!.length < 3) continue;
        for (const scope of scopes) out.push(bucketOf(scope, s[j]!, buckets));
      }
    }
    start = i + 1;
  }
  out.push(hash(`len:${Math.min(words.length, 6)}`) % buckets);
  for (const w of words) {
    // A "word" longer than any real one (a key held down, a pasted code) gives only its start.
    const padded = `<${w.length > MAX_WORD ? w.slice(0, MAX_WORD) : w}>`;
    for (let i = 0; i + 3 <= padded.length; i++) {
      let h = extend(CHAR_PREFIX, padded, i, i + 3);
      out.push((h >>> 0) % buckets);
      for (let n = 4; n <= 5 && i + n <= padded.length; n++) {
        h = extend(h, padded, i + n - 1, i + n);
        out.push((h >>> 0) % buckets);
      }
    }
  }
  return out;
}

export const biasFeature = (buckets: number): number => hash('bias') % buckets;

/** The last sentence ending in "?" in a bot message (or the whole text when none does). */
export function lastQuestionOf(text: string): string {
  const questions = text.match(/[^.!?\n]*\?/g);
  return questions?.at(-1)?.trim() ?? text.trim();
}

const QUESTION_STOPWORDS = new Set(['a', 'an', 'the', 'and', 'or', 'to', 'of', 'on', 'in', 'at', 'is', 'are', 'be', 'it', 'this', 'that', 'you', 'your', 'do', 'what', 'how', 'who', 'when', 'where', 'why', 'would', 'could', 'have', 'has', 'for', 'with', 'from', 'there', 'now', 'if', 'was', 'wa', 'not']);
/** Answers up to this many words are read with the question they answer; longer ones carry their own meaning. */
const SHORT_ANSWER_WORDS = 12;

/**
 * The bot's last question, read only together with the answer: each content stem of the question paired
 * with each stem of a short answer ("six months" × "not here"). A question has no weight of its own, so an
 * ordinary short answer to a question that others have answered with risk is not pulled up by the question.
 */
export function questionFeatures(question: string | undefined, text: string, buckets: number, out: number[] = []): number[] {
  if (!question) return out;
  // Only the question itself: the conversation memory keeps the last question the bot asked, so a training
  // example's whole prompt ("Here's a question that can help. Imagine… What's different?") is read the same way.
  question = lastQuestionOf(question);
  for (const q of new Set(wordsOf(question).map(stemOf))) out.push(hash(`q:${q}`) % buckets);
  const answer = wordsOf(text);
  if (answer.length === 0 || answer.length > SHORT_ANSWER_WORDS) return out;
  const q = [...new Set(wordsOf(question).filter((w) => !QUESTION_STOPWORDS.has(w)).map(stemOf))];
  const a = [...new Set(answer.map(stemOf))];
  for (const qs of q) for (const as of a) out.push(hash(`qa:${qs}|${as}`) % buckets);
  return out;
}

/** Features of the person's last three messages before this one, in their own namespace. */
export function historyFeatures(history: readonly string[] | undefined, buckets: number, out: number[] = []): number[] {
  if (history)
    for (const h of history.slice(-3)) {
      const hs = wordsOf(h).map(stemOf);
      for (let i = 0; i < hs.length; i++) {
        out.push(hash(`h:${hs[i]}`) % buckets);
        if (i + 1 < hs.length) out.push(hash(`hb:${hs[i]} ${hs[i + 1]}`) % buckets);
      }
    }
  return out;
}

/** Hashed feature buckets (with repeats, so a count is its multiplicity) for one whole input. */
export function featuresOf(input: ScreeningInput, buckets: number): number[] {
  const out = [biasFeature(buckets)];
  for (const sentence of sentencesOf(input.text)) sentenceFeatures(sentence, buckets, out);
  questionFeatures(input.question, input.text, buckets, out);
  historyFeatures(input.history, buckets, out);
  return out;
}

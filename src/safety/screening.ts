import { z } from 'zod';
import raw from './lexicon.json';

/**
 * Keyword screening for the risk gate: pure logic over the curated lexicon in lexicon.json.
 *
 * It never assesses or diagnoses. It only says whether a message should be routed towards help:
 * `wellbeing` (Stress Support and Wellbeing service) or `urgent` (crisis routes). When unsure, the
 * safer (higher) reading wins. Results carry category codes only, never any of the person's words,
 * and nothing here logs.
 *
 * How a message is read:
 * 1. Normalise: Unicode and case folding, curly quotes, accents, text-speak, contractions, light
 *    leetspeak, squeezed repeated letters, listed misspellings; split into sentences and clauses
 *    (punctuation, line breaks, and words such as "but" and "though").
 * 2. Match every lexicon phrase inside each clause (phrases never cross a clause). Matching walks a
 *    first-words index and short, bounded patterns: linear in the message length, no backtracking
 *    regular expressions on message text.
 * 3. For each risk phrase, apply downgrades found in its own clause only: idioms, work terms, who the
 *    phrase is about, resolved past, negation, hypotheticals and being told to. Nothing softens a phrase
 *    from another clause or sentence, so adding text never lowers a message's level.
 * 4. Decide whether urgent words are a clear statement or a warning sign (`contested`: the gate asks
 *    directly): softening in a clause next to them, no urgent phrase naming the writer in a long or
 *    softened message, or the lexicon's warning-sign wording (resolved, joking, leaving, work or study,
 *    asked about). This is the one place text elsewhere counts, and it can only move urgent to the
 *    question, never lower.
 */

export type RiskLevel = 'none' | 'wellbeing' | 'urgent';

export interface ScreeningResult {
  level: RiskLevel;
  /** Lexicon category codes that set the level (most severe first). Never the person's words. */
  reasons: string[];
  /**
   * The urgent words are a warning sign without a clear statement, read by the risk gate as `check` (ask
   * directly) rather than urgent: every urgent phrase has resolved-past, negation, hypothetical, work-frame or
   * idiom wording in a clause next to it (but not in its own clause, which would have softened it there), or
   * none of them names the writer as its subject and the message is long or softens something elsewhere.
   */
  contested?: boolean;
  /**
   * Urgent words were read as work or clinical talk ("the overdose pathway", "I audited the ligature points")
   * and nothing urgent was left: the learned model's urgent reading of the message is then a warning sign
   * (the direct question), not the crisis response (see ./screenMessage.ts).
   */
  workTalk?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Lexicon schema: validated when the module loads, so a bad edit stops start-up, not a turn.

const word = z.string().min(1).max(60);
const phrase = z.string().trim().min(1).max(2000);
const phraseList = z.array(phrase).min(1);
const code = z.string().regex(/^[a-z][a-z0-9-]*$/);

const entrySchema = z.strictObject({
  note: z.string().optional(),
  phrases: phraseList,
  subject: z.enum(['scan', 'self']).default('scan'),
  generic: z.boolean().default(false),
  eventNoun: z.boolean().default(false),
  unknownSubject: z.enum(['self', 'other']).default('self'),
  requires: z.array(code).min(1).optional(),
  /**
   * Which wording in a neighbouring clause makes this urgent phrase a warning sign (ask directly): any
   * softening, or only framing (past, hypothetical, idiom, work, being told to), not negation.
   */
  neighbours: z.enum(['any-softening', 'framing-only']).default('any-softening'),
});

const categorySchema = z.strictObject({
  code,
  level: z.enum(['wellbeing', 'urgent']),
  description: z.string().min(1),
  entries: z.array(entrySchema).min(1),
});

const idiomSchema = z
  .strictObject({
    note: z.string().optional(),
    level: z.enum(['none', 'wellbeing']),
    reason: code.optional(),
    phrases: phraseList,
  })
  .refine((i) => i.level === 'none' || i.reason !== undefined, { message: 'a wellbeing idiom needs a reason code' });

const lexiconSchema = z
  .strictObject({
    version: z.string().min(1),
    reviewDate: z.iso.date(),
    owner: z.string().min(1),
    purpose: z.string().min(1),
    howToRead: z.array(z.string()),
    categories: z.array(categorySchema).min(1),
    /** Named word classes a phrase can use as an open slot: {medicine} stands for any of them. */
    slots: z.strictObject({ note: z.string(), classes: z.record(code, phraseList) }),
    contexts: z.array(z.strictObject({ code, note: z.string(), phrases: phraseList })),
    idioms: z.array(idiomSchema),
    negation: z.strictObject({
      note: z.string(),
      window: z.number().int().min(1).max(6),
      phrases: phraseList,
      fillers: z.array(word),
    }),
    pastResolved: z.strictObject({
      note: z.string(),
      prefixWindow: z.number().int().min(0).max(6),
      prefixFillers: z.array(word),
      prefixes: phraseList,
      timeCues: phraseList,
      resolutions: phraseList,
      recurrence: phraseList,
    }),
    hypothetical: z.strictObject({ note: z.string(), phrases: phraseList }),
    warningSignWording: z.strictObject({
      note: z.string(),
      groups: z.array(
        z.strictObject({
          code,
          note: z.string(),
          /** 'message': anywhere in the message; 'clause': before the urgent phrase in its own clause. */
          scope: z.enum(['message', 'clause']),
          /** Does not count when a clause with urgent words also says it is happening now or again. */
          unlessNow: z.boolean().default(false),
          /** Counts only when no urgent phrase names the writer as who it is about ("suicide" in an exam question). */
          whenWriterUnnamed: z.boolean().default(false),
          phrases: phraseList,
        }),
      ),
    }),
    directive: z.strictObject({
      note: z.string(),
      window: z.number().int().min(0).max(5),
      phrases: phraseList,
      fillers: z.array(word),
    }),
    subjects: z.strictObject({
      note: z.string(),
      scanLimit: z.number().int().min(1).max(20),
      firstPerson: z.array(word).min(1),
      otherPeople: z.array(word).min(1),
      things: z.array(word),
      stopWords: z.array(word),
      prepositions: z.array(word),
      possessivesAndArticles: z.array(word),
      relativeWords: z.array(word),
      speechVerbs: z.array(word),
      speechObjects: z.array(word),
    }),
    professional: z.strictObject({
      note: z.string(),
      compoundsAfter: z.array(word),
      personalAfterMy: z.array(word),
      compoundPrepositions: z.array(word),
      compoundPlaces: z.array(word),
      framesBefore: phraseList,
      wellbeingFramesBefore: phraseList,
      connectors: z.array(word),
      determiners: z.array(word),
    }),
    normalisation: z.strictObject({
      note: z.string(),
      contractionIs: z.array(word),
      textSpeak: z.record(z.string().min(1).max(30), z.string().min(1).max(60)),
      misspellings: z.record(word, z.array(word).min(1)),
      rewrites: z.record(z.string().min(1).max(60), z.string().min(1).max(60)),
      leet: z.record(z.string().length(1), z.string().regex(/^[a-z]$/)),
      clauseBreakWords: z.array(word),
    }),
  })
  .superRefine((lex, ctx) => {
    const categoryCodes = new Set<string>();
    for (const c of lex.categories) {
      if (categoryCodes.has(c.code)) ctx.addIssue({ code: 'custom', message: `duplicate category ${c.code}` });
      categoryCodes.add(c.code);
    }
    const known = new Set([...categoryCodes, ...lex.contexts.map((c) => c.code)]);
    for (const c of lex.categories)
      for (const e of c.entries)
        for (const r of e.requires ?? [])
          if (!known.has(r)) ctx.addIssue({ code: 'custom', message: `${c.code}: requires unknown "${r}"` });
    const phrasesWithSlots = [
      ...lex.categories.flatMap((c) => c.entries.flatMap((e) => e.phrases)),
      ...lex.contexts.flatMap((c) => c.phrases),
      ...lex.idioms.flatMap((i) => i.phrases),
      ...lex.warningSignWording.groups.flatMap((g) => g.phrases),
    ];
    for (const phrase of phrasesWithSlots)
      for (const [, name] of phrase.matchAll(/\{([^}]*)\}/g))
        if (!Object.hasOwn(lex.slots.classes, name!)) ctx.addIssue({ code: 'custom', message: `unknown slot {${name}}` });
    for (const [name, words] of Object.entries(lex.slots.classes))
      for (const w of words) if (/[(){}|]/.test(w)) ctx.addIssue({ code: 'custom', message: `slot ${name}: "${w}" must be plain words` });
    for (const i of lex.idioms)
      if (i.reason !== undefined && !categoryCodes.has(i.reason))
        ctx.addIssue({ code: 'custom', message: `idiom reason "${i.reason}" is not a category` });
  });

type Lexicon = z.infer<typeof lexiconSchema>;

const lexicon: Lexicon = lexiconSchema.parse(raw);

/** Version and review date of the lexicon in use (for start-up logs and audit; never per message). */
export const lexiconVersion: string = lexicon.version;
export const lexiconReviewDate: string = lexicon.reviewDate;

/** True when the lexicon is past its review date, so start-up can warn the operators. */
export function lexiconReviewOverdue(today: Date = new Date()): boolean {
  return lexicon.reviewDate < today.toISOString().slice(0, 10);
}

/** Every code that can appear in `reasons`, most severe category first. */
export const screeningReasonCodes: readonly string[] = Object.freeze(lexicon.categories.map((c) => c.code));
/** Codes of the lexicon's wellbeing categories (stress, low mood …): distress named in so many words. */
export const wellbeingReasonCodes: ReadonlySet<string> = new Set(lexicon.categories.filter((c) => c.level === 'wellbeing').map((c) => c.code));

// ---------------------------------------------------------------------------------------------
// Words

const RANK: Record<RiskLevel, number> = { none: 0, wellbeing: 1, urgent: 2 };
const LEVEL_OF_RANK: readonly RiskLevel[] = ['none', 'wellbeing', 'urgent'];

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Collapse every run of the same letter to one (sooooo → so, kill → kil). Digits are left alone. */
function squeeze(w: string): string {
  let repeats = false;
  for (let i = 1; i < w.length; i++)
    if (w.charCodeAt(i) === w.charCodeAt(i - 1) && isLetter(w.charCodeAt(i))) {
      repeats = true;
      break;
    }
  if (!repeats) return w;
  let out = '';
  let prev = -1;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c === prev && isLetter(c)) continue;
    out += w[i];
    prev = c;
  }
  return out;
}

const leetMap = new Map<string, string>(Object.entries(lexicon.normalisation.leet));

/** Light leetspeak: only in words that start with a letter (so 3am, 12h and 1:1 stay as they are). */
function unleet(w: string): string {
  if (!isLetter(w.charCodeAt(0))) return w;
  let any = false;
  for (let i = 1; i < w.length; i++)
    if (!isLetter(w.charCodeAt(i))) {
      any = true;
      break;
    }
  if (!any) return w;
  let changed = false;
  let out = '';
  for (const ch of w) {
    const m = leetMap.get(ch);
    if (m !== undefined && !isLetter(ch.charCodeAt(0))) {
      out += m;
      changed = true;
    } else out += ch;
  }
  return changed ? out : w;
}

const contractionIs = new Set(lexicon.normalisation.contractionIs);
/** Look-up table: typed form (raw and squeezed) → canonical tokens. */
const wordMap = new Map<string, string[]>();

function basicWord(w: string): string[] {
  // Canonical form of a value word: no look-ups beyond squeezing, so values never chain.
  return w.split(/\s+/).filter(Boolean).map((x) => squeeze(x));
}

function addWordMapping(from: string, to: string): void {
  const value = basicWord(to.toLowerCase());
  const key = from.toLowerCase();
  if (!wordMap.has(key)) wordMap.set(key, value);
  const sq = squeeze(key);
  if (!wordMap.has(sq)) wordMap.set(sq, value);
}

for (const [from, to] of Object.entries(lexicon.normalisation.textSpeak)) addWordMapping(from, to);
for (const [to, variants] of Object.entries(lexicon.normalisation.misspellings))
  for (const v of variants) addWordMapping(v, to);

const WILL = squeeze('will');

/**
 * One typed word → canonical tokens (may be several: im → i am, kms → kill myself). Deliberately not
 * cached: a cache would keep people's words in memory between messages.
 */
function normaliseWord(w: string): string[] {
  const direct = wordMap.get(w);
  if (direct !== undefined) return direct;
  const apostrophe = w.indexOf("'");
  if (apostrophe >= 0) {
    if (w.endsWith("n't")) {
      const base = w.slice(0, -3);
      const joined = base === 'can' ? 'cant' : base === 'won' ? 'wont' : base === 'shan' ? 'shant' : `${base}nt`;
      return normaliseWord(joined);
    }
    const last = w.lastIndexOf("'");
    const base = w.slice(0, last).replace(/'/g, '');
    const suffix = w.slice(last + 1);
    if (base.length === 0) return suffix.length > 0 ? normaliseWord(suffix) : [];
    const head = normaliseWord(base);
    switch (suffix) {
      case 'm':
        return [...head, 'am'];
      case 're':
        return [...head, 'are'];
      case 've':
        return [...head, 'have'];
      case 'll':
        return [...head, WILL];
      case 'd':
        return [...head, 'would'];
      case 's':
        return contractionIs.has(base) ? [...head, 'is'] : head;
      case '':
        return head;
      default:
        return normaliseWord(base + suffix);
    }
  }
  const unleeted = unleet(w);
  if (unleeted !== w) {
    const m = wordMap.get(unleeted);
    if (m !== undefined) return m;
  }
  const sq = squeeze(unleeted);
  const m = wordMap.get(sq);
  if (m !== undefined) return m;
  return [sq];
}

// ---------------------------------------------------------------------------------------------
// Patterns

type Atom =
  | { t: 'lit'; v: string }
  | { t: 'stem'; v: string }
  | { t: 'num'; min: number }
  | { t: 'any' };

type Element =
  | { t: 'group'; lits: Set<string>; others: Atom[][]; optional: boolean; multi: boolean; endAlt: boolean }
  | { t: 'gap' }
  | { t: 'end' };

const GAP = 4;

interface Payload {
  kind: PayloadKind;
  /** Index into `entries` (risk), `idiomInfo` (idiom) or the lexicon's contexts (context), or `warningSignGroups` (warningSign); 0 otherwise. */
  ref: number;
}

type PayloadKind =
  | 'risk'
  | 'idiom'
  | 'context'
  | 'negation'
  | 'pastPrefix'
  | 'pastTime'
  | 'resolution'
  | 'recurrence'
  | 'hypothetical'
  | 'warningSign'
  | 'directive'
  | 'frame'
  | 'wellbeingFrame';

interface CompiledPhrase {
  elements: Element[];
  payload: Payload;
  /** Word sets every match must have at fixed offsets from the start (a cheap pre-check). */
  prefix: Set<string>[];
  /** One word set (the smallest required one after the fixed prefix) that must occur in the clause. */
  anchor: Set<string> | null;
}

function anchorOf(elements: Element[], prefixLength: number): Set<string> | null {
  let best: Set<string> | null = null;
  for (let i = Math.max(1, prefixLength); i < elements.length; i++) {
    const el = elements[i]!;
    if (el.t !== 'group' || el.optional || el.endAlt || el.others.length > 0) continue;
    if (best === null || el.lits.size < best.size) best = el.lits;
  }
  return best;
}

/** The leading run of one-word, non-optional choices: their sets must match at offsets 0, 1, 2 ... */
function fixedPrefix(elements: Element[]): Set<string>[] {
  const out: Set<string>[] = [];
  for (const el of elements) {
    if (el.t !== 'group' || el.optional || el.endAlt || el.others.length > 0) break;
    out.push(el.lits);
  }
  return out;
}

const SPECIAL = /^(\.\.\.|\$|\*|#|#\d+\+)$/;

function isSpecialWord(w: string): boolean {
  return SPECIAL.test(w) || (w.length > 1 && w.endsWith('*'));
}

/** Multi-word rewrites (to be honest → tbh, can not → cant), compiled as literal sequences. */
interface Rewrite {
  from: string[];
  to: string[];
}
const rewriteIndex = new Map<string, Rewrite[]>();

function canonicalWords(text: string): string[] {
  const out: string[] = [];
  for (const w of text.toLowerCase().split(/\s+/)) if (w) out.push(...normaliseWord(w));
  return out;
}

for (const [from, to] of Object.entries(lexicon.normalisation.rewrites)) {
  const f = canonicalWords(from);
  const t = canonicalWords(to);
  if (f.length === 0 || (f.length === t.length && f.every((x, i) => x === t[i]))) continue;
  const r = { from: f, to: t };
  const list = rewriteIndex.get(f[0]!) ?? [];
  list.push(r);
  list.sort((a, b) => b.from.length - a.from.length);
  rewriteIndex.set(f[0]!, list);
}

/** Apply rewrites left to right, longest first, within one run of words. */
function applyRewrites(words: string[]): string[] {
  let out: string[] | null = null;
  for (let i = 0; i < words.length; ) {
    const cands = rewriteIndex.get(words[i]!);
    let hit: Rewrite | undefined;
    if (cands !== undefined)
      for (const r of cands) {
        if (i + r.from.length > words.length) continue;
        let ok = true;
        for (let k = 1; k < r.from.length; k++)
          if (words[i + k] !== r.from[k]) {
            ok = false;
            break;
          }
        if (ok) {
          hit = r;
          break;
        }
      }
    if (hit !== undefined) {
      out ??= words.slice(0, i);
      out.push(...hit.to);
      i += hit.from.length;
    } else {
      if (out !== null) out.push(words[i]!);
      i++;
    }
  }
  return out ?? words;
}

/**
 * Canonicalise a lexicon phrase with the same normaliser as messages: each word is normalised, then
 * rewrites are applied to every run of plain words (between brackets and bars).
 */
function canonicalPhrase(source: string): string[] {
  // Split into syntax characters and words.
  const parts = source.toLowerCase().match(/[()|]|[^\s()|]+/g) ?? [];
  const out: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    if (run.length) out.push(...applyRewrites(run));
    run = [];
  };
  for (const p of parts) {
    if (p === '(' || p === ')' || p === '|' || isSpecialWord(p)) {
      flush();
      out.push(p);
    } else run.push(...normaliseWord(p));
  }
  flush();
  return out;
}

function parseAtom(w: string, source: string): Atom {
  if (w === '*') return { t: 'any' };
  if (w === '#') return { t: 'num', min: 0 };
  const num = /^#(\d+)\+$/.exec(w);
  if (num) return { t: 'num', min: Number(num[1]) };
  if (w.endsWith('*') && w.length > 1) {
    const stem = squeeze(w.slice(0, -1));
    if (stem.length < 3) throw new Error(`lexicon phrase "${source}": stem "${w}" is too short`);
    return { t: 'stem', v: stem };
  }
  if (w === '...' || w === '$') throw new Error(`lexicon phrase "${source}": "${w}" must be on its own`);
  return { t: 'lit', v: w };
}

function makeGroup(alternatives: Array<Atom[] | '$'>): Element {
  const lits = new Set<string>();
  const others: Atom[][] = [];
  let optional = false;
  let endAlt = false;
  for (const alt of alternatives) {
    if (alt === '$') endAlt = true;
    else if (alt.length === 0) optional = true;
    else if (alt.length === 1 && alt[0]!.t === 'lit') lits.add(alt[0]!.v);
    else others.push(alt);
  }
  return { t: 'group', lits, others, optional, multi: others.length > 0, endAlt };
}

function parsePhrase(source: string): Element[] {
  const tokens = canonicalPhrase(source);
  const elements: Element[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === '(') {
      const raw: string[][] = [[]];
      i++;
      for (; i < tokens.length && tokens[i] !== ')'; i++) {
        const t = tokens[i]!;
        if (t === '(') throw new Error(`lexicon phrase "${source}": brackets cannot nest`);
        if (t === '|') raw.push([]);
        else raw[raw.length - 1]!.push(t);
      }
      if (tokens[i] !== ')') throw new Error(`lexicon phrase "${source}": missing ")"`);
      // "$" may be a choice of its own: (anymore|like this|$) means "or the clause ends here".
      const alternatives = raw.map((alt): Atom[] | '$' =>
        alt.length === 1 && alt[0] === '$' ? '$' : alt.map((w) => parseAtom(w, source)),
      );
      elements.push(makeGroup(alternatives));
    } else if (tok === ')' || tok === '|') {
      throw new Error(`lexicon phrase "${source}": unexpected "${tok}"`);
    } else if (tok === '...') {
      if (elements.length === 0 || elements[elements.length - 1]!.t === 'gap')
        throw new Error(`lexicon phrase "${source}": "..." must follow a word`);
      elements.push({ t: 'gap' });
    } else if (tok === '$') {
      elements.push({ t: 'end' });
    } else {
      elements.push(makeGroup([[parseAtom(tok, source)]]));
    }
  }
  if (elements.length === 0) throw new Error(`lexicon phrase "${source}" is empty`);
  const last = elements[elements.length - 1]!;
  if (last.t === 'gap') throw new Error(`lexicon phrase "${source}": cannot end with "..."`);
  return elements;
}

/** Leading optional groups are expanded into separate phrases so every phrase starts with a real word. */
function expandLeading(elements: Element[], source: string): Element[][] {
  const first = elements[0];
  if (first === undefined) throw new Error(`lexicon phrase "${source}" matches nothing`);
  if (first.t !== 'group' || first.endAlt) throw new Error(`lexicon phrase "${source}" must start with a word`);
  const firstAtoms = [...[...first.lits].map((v): Atom => ({ t: 'lit', v })), ...first.others.map((o) => o[0]!)];
  if (firstAtoms.some((a) => a.t === 'any')) throw new Error(`lexicon phrase "${source}" cannot start with "*"`);
  if (!first.optional) return [elements];
  const without = elements.slice(1);
  const withIt: Element = { ...first, optional: false };
  const variants: Element[][] = [];
  if (withIt.lits.size > 0 || withIt.others.length > 0) variants.push([withIt, ...without]);
  if (without.length > 0) variants.push(...expandLeading(without, source));
  return variants;
}

/** Phrases by first word; those with two fixed leading words are also keyed by the second word. */
interface WordBucket {
  single: CompiledPhrase[];
  next: Map<string, CompiledPhrase[]>;
}

interface PhraseIndex {
  byWord: Map<string, WordBucket>;
  byStem: Array<{ stem: string; phrase: CompiledPhrase }>;
  byNumber: CompiledPhrase[];
}

function newIndex(): PhraseIndex {
  return { byWord: new Map(), byStem: [], byNumber: [] };
}

/** Give each several-word first choice its own phrase, so every phrase starts with a run of fixed words. */
function splitFirst(elements: Element[]): Element[][] {
  const first = elements[0] as Extract<Element, { t: 'group' }>;
  if (first.others.length === 0) return [elements];
  const rest = elements.slice(1);
  const out: Element[][] = [];
  if (first.lits.size > 0) out.push([{ ...first, others: [], multi: false }, ...rest]);
  for (const alt of first.others) out.push([...alt.map((a) => makeGroup([[a]])), ...rest]);
  return out;
}

/** Longest number of words a phrase can cover (bounds how far back an overlapping idiom can start). */
function maxLength(elements: Element[]): number {
  let n = 0;
  for (const el of elements) {
    if (el.t === 'gap') n += GAP;
    else if (el.t === 'group') n += Math.max(el.lits.size > 0 ? 1 : 0, ...el.others.map((o) => o.length));
  }
  return n;
}

let MAX_SPAN = 1;
const PAST_TIME_WINDOW = 10;

/**
 * A phrase with its slots filled: "{medicine}" becomes the choice of every word in that class, written as a
 * choice of its own, or as more alternatives inside a choice it already stands in ("(pills|{medicine})").
 */
function withSlots(source: string): string {
  let depth = 0;
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '{') {
      const close = source.indexOf('}', i);
      const words = lexicon.slots.classes[source.slice(i + 1, close)]!.join('|');
      out += depth > 0 ? words : `(${words})`;
      i = close;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') depth--;
    out += c;
  }
  return out;
}

function addPhrase(index: PhraseIndex, written: string, payload: Payload): void {
  const source = withSlots(written);
  for (const elements of expandLeading(parsePhrase(source), source).flatMap(splitFirst)) {
    const prefix = fixedPrefix(elements);
    const compiled: CompiledPhrase = { elements, payload, prefix, anchor: anchorOf(elements, prefix.length) };
    MAX_SPAN = Math.max(MAX_SPAN, maxLength(elements));
    const first = elements[0] as Extract<Element, { t: 'group' }>;
    const starts = new Set<string>(first.lits);
    let stems = false;
    let numbers = false;
    for (const alt of first.others) {
      const a = alt[0]!;
      if (a.t === 'lit') starts.add(a.v);
      else if (a.t === 'stem') {
        if (!stems) index.byStem.push({ stem: a.v, phrase: compiled });
        stems = true;
      } else if (a.t === 'num' && !numbers) {
        index.byNumber.push(compiled);
        numbers = true;
      }
    }
    for (const s of starts) {
      let bucket = index.byWord.get(s);
      if (bucket === undefined) {
        bucket = { single: [], next: new Map() };
        index.byWord.set(s, bucket);
      }
      if (prefix.length >= 2)
        for (const second of prefix[1]!) {
          const list = bucket.next.get(second);
          if (list) list.push(compiled);
          else bucket.next.set(second, [compiled]);
        }
      else bucket.single.push(compiled);
    }
  }
}

const NUMBER_WORDS = new Map<string, number>(
  [
    ...'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'.split(' ').map((w, n) => [w, n] as const),
    ...'thirty forty fifty sixty seventy eighty ninety'.split(' ').map((w, i) => [w, 30 + 10 * i] as const),
    // Tokens have their doubled letters squeezed ("fifteen" is read as "fiften").
  ].map(([w, n]) => [squeeze(w), n] as const),
);

/** A token's value as a number: digits, or a number word ("ten years" as "10 years"); undefined otherwise. */
function numberValue(tok: string): number | undefined {
  if (tok.length === 0 || tok.length > 9) return undefined;
  for (let i = 0; i < tok.length; i++) if (!isDigit(tok.charCodeAt(i))) return NUMBER_WORDS.get(tok);
  return Number(tok);
}

function atomMatches(a: Atom, tok: string): boolean {
  switch (a.t) {
    case 'lit':
      return a.v === tok;
    case 'stem':
      return tok.startsWith(a.v);
    case 'num':
      return (numberValue(tok) ?? -1) >= a.min;
    case 'any':
      return true;
  }
}

/**
 * Longest end position at which `elements[ei..]` matches from token `p` (clause ends at `end`), or -1.
 * Work is bounded by the pattern's shape (gaps are at most GAP words), not by the message.
 */
function matchFrom(toks: string[], elements: Element[], ei: number, p: number, end: number): number {
  if (ei === elements.length) return p;
  const el = elements[ei]!;
  if (el.t === 'end') return p === end ? matchFrom(toks, elements, ei + 1, p, end) : -1;
  if (el.t === 'gap') {
    let best = -1;
    for (let k = 0; k <= GAP && p + k <= end; k++) {
      const r = matchFrom(toks, elements, ei + 1, p + k, end);
      if (r > best) best = r;
    }
    return best;
  }
  let best = -1;
  if (p < end) {
    const tok = toks[p]!;
    if (el.lits.has(tok)) best = matchFrom(toks, elements, ei + 1, p + 1, end);
    if (el.multi)
      for (const alt of el.others) {
        if (p + alt.length > end) continue;
        let ok = true;
        for (let k = 0; k < alt.length; k++)
          if (!atomMatches(alt[k]!, toks[p + k]!)) {
            ok = false;
            break;
          }
        if (ok) {
          const r = matchFrom(toks, elements, ei + 1, p + alt.length, end);
          if (r > best) best = r;
        }
      }
  }
  if (el.optional || (el.endAlt && p === end)) {
    const r = matchFrom(toks, elements, ei + 1, p, end);
    if (r > best) best = r;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Compile the lexicon once.

interface EntryInfo {
  category: number;
  level: number;
  subject: 'scan' | 'self';
  generic: boolean;
  eventNoun: boolean;
  unknownOther: boolean;
  requires: readonly string[] | undefined;
  /** Negation in a neighbouring clause leaves it a clear statement (see `neighbours` in the lexicon). */
  framingOnly: boolean;
}

const categoryCodes = lexicon.categories.map((c) => c.code);
const entries: EntryInfo[] = [];
const idiomInfo: Array<{ level: number; reason: number }> = [];
const contextCodes = lexicon.contexts.map((c) => c.code);

const index = newIndex();

lexicon.categories.forEach((cat, ci) => {
  for (const e of cat.entries) {
    const id = entries.length;
    entries.push({
      category: ci,
      level: RANK[cat.level],
      subject: e.subject,
      generic: e.generic,
      eventNoun: e.eventNoun,
      unknownOther: e.unknownSubject === 'other',
      requires: e.requires,
      framingOnly: e.neighbours === 'framing-only',
    });
    for (const p of e.phrases) addPhrase(index, p, { kind: 'risk', ref: id });
  }
});
lexicon.contexts.forEach((c, ci) => {
  for (const p of c.phrases) addPhrase(index, p, { kind: 'context', ref: ci });
});
for (const idiom of lexicon.idioms) {
  const id = idiomInfo.length;
  idiomInfo.push({ level: RANK[idiom.level], reason: idiom.reason === undefined ? -1 : categoryCodes.indexOf(idiom.reason) });
  for (const p of idiom.phrases) addPhrase(index, p, { kind: 'idiom', ref: id });
}
const addAll = (list: readonly string[], kind: PayloadKind): void => {
  for (const p of list) addPhrase(index, p, { kind, ref: 0 });
};
addAll(lexicon.negation.phrases, 'negation');
addAll(lexicon.pastResolved.prefixes, 'pastPrefix');
addAll(lexicon.pastResolved.timeCues, 'pastTime');
addAll(lexicon.pastResolved.resolutions, 'resolution');
addAll(lexicon.pastResolved.recurrence, 'recurrence');
addAll(lexicon.hypothetical.phrases, 'hypothetical');
const warningSignGroups = lexicon.warningSignWording.groups;
warningSignGroups.forEach((g, gi) => {
  for (const p of g.phrases) addPhrase(index, p, { kind: 'warningSign', ref: gi });
});
addAll(lexicon.directive.phrases, 'directive');
addAll(lexicon.professional.framesBefore, 'frame');
addAll(lexicon.professional.wellbeingFramesBefore, 'wellbeingFrame');

/** A set of single words, in canonical form (a word that expands to several is kept as one squeezed word). */
function wordSet(list: readonly string[]): Set<string> {
  const s = new Set<string>();
  for (const w of list) {
    const c = normaliseWord(w.toLowerCase());
    s.add(c.length === 1 ? c[0]! : squeeze(w.toLowerCase()));
  }
  return s;
}

/** Filler words: every word a filler expands to counts (gonna → going, to). */
function fillerSet(list: readonly string[]): Set<string> {
  const s = new Set<string>();
  for (const w of list) for (const c of canonicalWords(w)) s.add(c);
  return s;
}

const S = lexicon.subjects;
const firstPerson = wordSet(S.firstPerson);
const quoteSubjects = wordSet(['i', 'id', 'my']);
const otherPeople = wordSet(S.otherPeople);
const things = wordSet(S.things);
const stopWords = wordSet(S.stopWords);
const prepositions = wordSet(S.prepositions);
const possessivesAndArticles = wordSet(S.possessivesAndArticles);
const relativeWords = wordSet(S.relativeWords);
const relativePronouns = wordSet(['who', 'whos']);
const ownersOfEvent = wordSet(['his', 'her', 'their']);
/** Pronouns that can only be a subject: never the object of a preposition before them ("after he jumped"). */
const subjectPronouns = wordSet(['he', 'she', 'they', 'hed', 'shed', 'theyd', 'hes', 'shes', 'theyre', 'theyve']);
/** Words that make "of" + people a part of those people ("one of my patients", "two of the lads"). */
const partOf = wordSet(['one', 'some', 'two', 'three', 'several', 'few', 'many', 'most', 'all', 'none', 'each', 'both', 'either', 'neither', 'any']);
const amWord = squeeze('am');
/** Words between "I am" and "who" when the writer describes themselves ("I'm the kind of person who"). */
const selfDescription = wordSet(['a', 'an', 'the', 'one', 'of', 'those', 'kind', 'type', 'sort', 'person', 'people', 'someone', 'somebody']);
/** Someone else, including the plural or the possessive written without an apostrophe ("my partners been"). */
function isOtherPerson(t: string): boolean {
  return otherPeople.has(t) || (t.length > 3 && t.endsWith('s') && otherPeople.has(t.slice(0, -1)));
}
const speechVerbs = wordSet(S.speechVerbs);
const speechObjects = wordSet(S.speechObjects);
const negationFillers = fillerSet(lexicon.negation.fillers);
const directiveFillers = fillerSet(lexicon.directive.fillers);
const pastFillers = fillerSet([...lexicon.pastResolved.prefixFillers, ...lexicon.negation.fillers]);
const compoundsAfter = wordSet(lexicon.professional.compoundsAfter);
const personalAfterMy = wordSet(lexicon.professional.personalAfterMy);
const compoundPrepositions = wordSet(lexicon.professional.compoundPrepositions);
const compoundPlaces = wordSet(lexicon.professional.compoundPlaces);
const connectors = wordSet(lexicon.professional.connectors);
const determiners = wordSet(lexicon.professional.determiners);
const clauseBreakWords = wordSet(lexicon.normalisation.clauseBreakWords);
const myWord = squeeze('my');

// ---------------------------------------------------------------------------------------------
// Text → tokens and clauses

interface Tokens {
  toks: string[];
  /** [start, end) token ranges, in order */
  clauses: Array<[number, number]>;
}

const enum Ch {
  Word,
  Apostrophe,
  ClauseBreak,
  SentenceBreak,
  Dash,
  Space,
}

/** Characters that end a sentence or a clause. Quotes and colons do not: 'she said "I want to ..."'. */
function classify(c: number): Ch {
  if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 64 /* @ */ || c === 36 /* $ */) return Ch.Word;
  if (c === 39) return Ch.Apostrophe;
  if (c === 46 || c === 33 || c === 63 || c === 59 || c === 10 || c === 13 || c === 8230 /* … */) return Ch.SentenceBreak;
  if (c === 44 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 124) return Ch.ClauseBreak;
  if (c === 45) return Ch.Dash;
  return Ch.Space;
}

const QUOTE_FOLD: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u02BC': "'",
  '\u00B4': "'",
  '\u2013': ' - ',
  '\u2014': ' - ',
  '\u2015': ' - ',
  '\u2212': '-',
};

const NON_ASCII = /[^\x00-\x7f]/;

function foldText(text: string): string {
  let t = text.toLowerCase();
  if (NON_ASCII.test(t)) {
    // Compatibility forms (ｆｕｌｌ-width, ligatures), accents off (é → e), zero-width characters out.
    t = t.normalize('NFKC').toLowerCase().normalize('NFD');
    t = t.replace(/[\u0300-\u036f\u200b-\u200d\u2060\ufeff\u00ad]/g, '');
    t = t.replace(/[\u2018\u2019\u201B\u2032\u02BC\u00B4\u2013\u2014\u2015\u2212]/g, (c) => QUOTE_FOLD[c] ?? c);
  }
  if (t.includes('`')) t = t.replace(/`/g, "'");
  if (t.includes('&') || t.includes('+')) {
    t = t.replace(/\ba\s*[&+]\s*e\b/g, ' ae ');
    t = t.replace(/&/g, ' and ');
  }
  return t;
}

/** Split folded text into clauses of canonical tokens. Linear in the length of the text. */
function tokenise(text: string): Tokens {
  const s = foldText(text);
  const toks: string[] = [];
  const clauses: Array<[number, number]> = [];
  let clauseStart = 0;
  let segment: string[] = [];

  const closeSegment = (): void => {
    // Rewrites within the segment, then split on clause-break words (but, though ...).
    const words = applyRewrites(segment);
    segment = [];
    for (const w of words) {
      if (clauseBreakWords.has(w)) {
        if (toks.length > clauseStart) clauses.push([clauseStart, toks.length]);
        clauseStart = toks.length;
      } else toks.push(w);
    }
    if (toks.length > clauseStart) clauses.push([clauseStart, toks.length]);
    clauseStart = toks.length;
  };

  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    const k = classify(c);
    if (k === Ch.Word) {
      let j = i + 1;
      while (j < n) {
        const cj = s.charCodeAt(j);
        const kj = classify(cj);
        if (kj === Ch.Word) j++;
        else if (kj === Ch.Apostrophe && j + 1 < n && classify(s.charCodeAt(j + 1)) === Ch.Word) j++;
        else break;
      }
      // Keep a trailing apostrophe (goin') out of the word.
      for (const w of normaliseWord(s.slice(i, j))) segment.push(w);
      i = j;
    } else if (k === Ch.SentenceBreak || k === Ch.ClauseBreak) {
      closeSegment();
      i++;
    } else if (k === Ch.Dash) {
      // " - " (spaced dash) ends a clause; self-harm and drop-dead are just two words.
      const spacedBefore = i === 0 || s.charCodeAt(i - 1) === 32;
      const spacedAfter = i + 1 >= n || s.charCodeAt(i + 1) === 32;
      if (spacedBefore && spacedAfter) closeSegment();
      i++;
    } else i++;
  }
  closeSegment();
  return { toks, clauses };
}

/** The canonical clauses of a message, for tests of the normaliser. Do not log the output. */
export function normaliseForScreening(text: string): string[] {
  const { toks, clauses } = tokenise(text);
  return clauses.map(([a, b]) => toks.slice(a, b).join(' '));
}

// ---------------------------------------------------------------------------------------------
// Matching and downgrades

interface Span {
  start: number;
  end: number;
  payload: Payload;
}

function matchClause(toks: string[], cs: number, ce: number): Span[] {
  const spans: Span[] = [];
  let words: Set<string> | null = null;
  const push = (p: CompiledPhrase, start: number): void => {
    const prefix = p.prefix;
    // Cheap checks first: the fixed leading words, then one required word anywhere in the clause.
    if (start + prefix.length > ce) return;
    // Words 0 and 1 of the prefix were checked by the index look-up.
    for (let k = 2; k < prefix.length; k++) if (!prefix[k]!.has(toks[start + k]!)) return;
    if (p.anchor !== null) {
      words ??= new Set(toks.slice(cs, ce));
      let found = false;
      if (p.anchor.size <= words.size) {
        for (const w of p.anchor)
          if (words.has(w)) {
            found = true;
            break;
          }
      } else
        for (const w of words)
          if (p.anchor.has(w)) {
            found = true;
            break;
          }
      if (!found) return;
    }
    const end = matchFrom(toks, p.elements, 0, start, ce);
    if (end > start) spans.push({ start, end, payload: p.payload });
  };
  for (let p = cs; p < ce; p++) {
    const tok = toks[p]!;
    const bucket = index.byWord.get(tok);
    if (bucket !== undefined) {
      for (const ph of bucket.single) push(ph, p);
      if (p + 1 < ce) {
        const two = bucket.next.get(toks[p + 1]!);
        if (two !== undefined) for (const ph of two) push(ph, p);
      }
    }
    for (const st of index.byStem) if (tok.startsWith(st.stem)) push(st.phrase, p);
    if (index.byNumber.length > 0 && numberValue(tok) !== undefined) for (const ph of index.byNumber) push(ph, p);
  }
  return spans;
}

type Subject = 'self' | 'other' | 'unknown';

/** Only filler words between a cue that ends at `from` and a phrase that starts at `to`. */
function onlyFillers(toks: string[], from: number, to: number, fillers: Set<string>): boolean {
  for (let p = from; p < to; p++) if (!fillers.has(toks[p]!)) return false;
  return true;
}

/** Who said the words that follow a speech verb at `verb`: someone else, or the writer (default). */
function speakerBefore(toks: string[], verb: number, cs: number): Subject {
  for (let p = verb - 1; p >= cs && p >= verb - 4; p--) {
    const t = toks[p]!;
    if (firstPerson.has(t)) return 'self';
    if (otherPeople.has(t)) return 'other';
    if (stopWords.has(t)) break;
  }
  return 'self';
}

/**
 * Look back from the phrase for who it is about. Stops at joining words and after `scanLimit` words.
 * A person or thing counts only when it is not the object of a preposition, unless a relative word
 * follows it ("about a patient who wanted to die"). The writer's own "I" after someone else's speech
 * verb ("my patient said I want to ...") is a quotation.
 */
function subjectOf(toks: string[], start: number, cs: number, info: EntryInfo): Subject {
  const limit = Math.max(cs, start - S.scanLimit);
  for (let p = start - 1; p >= limit; p--) {
    const t = toks[p]!;
    if (firstPerson.has(t)) {
      if (quoteSubjects.has(t)) {
        let q = p - 1;
        if (q >= cs && toks[q] === 'that') q--;
        let objects = 0;
        while (q >= cs && objects < 2 && speechObjects.has(toks[q]!) && !speechVerbs.has(toks[q]!)) {
          q--;
          objects++;
        }
        if (q >= cs && speechVerbs.has(toks[q]!) && speakerBefore(toks, q, cs) === 'other') return 'other';
      }
      return 'self';
    }
    if (stopWords.has(t)) return 'unknown';
    if (info.subject !== 'scan') continue;
    // "his overdose", "her self-harm": the event is someone else's, even after a preposition.
    if (p === start - 1 && ownersOfEvent.has(t)) return 'other';
    // "a patient on my ward who had been self-harming": the phrase is about whoever "who" stands for, which
    // is the writer only when they said what they are ("I'm someone who").
    if (relativePronouns.has(t)) {
      let q = p - 1;
      while (q >= cs && q >= p - 5 && selfDescription.has(toks[q]!)) q--;
      return q >= cs && q < p - 1 && toks[q] === amWord ? 'self' : 'other';
    }
    if (isOtherPerson(t) || things.has(t)) {
      if (subjectPronouns.has(t)) return 'other';
      const next = p + 1 < start ? toks[p + 1]! : '';
      if (relativeWords.has(next)) return 'other';
      let q = p - 1;
      while (q >= cs && possessivesAndArticles.has(toks[q]!)) q--;
      if (q >= cs && prepositions.has(toks[q]!) && !(toks[q] === 'of' && q - 1 >= cs && partOf.has(toks[q - 1]!))) continue;
      return 'other';
    }
  }
  return 'unknown';
}

/** Spans of one clause, indexed by where they start and end so every look-up is local and bounded. */
interface Clause {
  cs: number;
  ce: number;
  byStart: Map<number, Span[]>;
  byEnd: Map<number, Span[]>;
  /** Some resolved-past wording ("I'm well now", "came out the other side") is in the clause. */
  hasResolution: boolean;
  /** Some "again / still / now / lately" wording, outside any past wording, is in the clause. */
  hasRecurrence: boolean;
  /** End of the earliest hypothetical cue ("if I ever"), or Infinity. */
  firstHypotheticalEnd: number;
}

const PAST_KINDS: ReadonlySet<PayloadKind> = new Set<PayloadKind>(['pastPrefix', 'pastTime', 'resolution']);

function buildClause(cs: number, ce: number, spans: Span[]): Clause {
  const byStart = new Map<number, Span[]>();
  const byEnd = new Map<number, Span[]>();
  let hasResolution = false;
  let firstHypotheticalEnd = Infinity;
  const pastCovered = new Uint8Array(ce - cs);
  for (const s of spans) {
    const a = byStart.get(s.start);
    if (a) a.push(s);
    else byStart.set(s.start, [s]);
    const b = byEnd.get(s.end);
    if (b) b.push(s);
    else byEnd.set(s.end, [s]);
    const k = s.payload.kind;
    if (k === 'resolution') hasResolution = true;
    if (k === 'hypothetical' && s.end < firstHypotheticalEnd) firstHypotheticalEnd = s.end;
    if (PAST_KINDS.has(k)) pastCovered.fill(1, s.start - cs, s.end - cs);
  }
  let hasRecurrence = false;
  for (const s of spans) {
    if (s.payload.kind !== 'recurrence') continue;
    let covered = false;
    for (let p = s.start; p < s.end; p++) if (pastCovered[p - cs] === 1) covered = true;
    if (!covered) {
      hasRecurrence = true;
      break;
    }
  }
  return { cs, ce, byStart, byEnd, hasResolution, hasRecurrence, firstHypotheticalEnd };
}

/** Is there a span of `kind` ending between `from` and `to` (inclusive) with only fillers up to `to`? */
function cueEndingBefore(
  toks: string[],
  clause: Clause,
  kind: PayloadKind,
  to: number,
  window: number,
  fillers: Set<string> | null,
): boolean {
  for (let e = to; e >= to - window && e > clause.cs; e--) {
    const list = clause.byEnd.get(e);
    if (list === undefined) continue;
    for (const s of list)
      if (s.payload.kind === kind && (fillers === null || onlyFillers(toks, s.end, to, fillers))) return true;
  }
  return false;
}

/** Clause-scoped warning-sign wording ("asked me if") ends before the phrase in its own clause. */
function clauseWarningSignBefore(clause: Clause, m: Span): boolean {
  for (let e = m.start; e > clause.cs; e--)
    for (const s of clause.byEnd.get(e) ?? [])
      if (s.payload.kind === 'warningSign' && warningSignGroups[s.payload.ref]!.scope === 'clause') return true;
  return false;
}

/** A clinical word used as part of a work term: "suicide prevention training", "self-harm in ED". */
function professionalCompound(toks: string[], m: Span, clause: Clause): boolean {
  const { cs, ce } = clause;
  // "my suicide risk" is about the writer; "my suicide awareness e-learning" is still work.
  let mine = false;
  for (let p = m.start - 1; p >= cs && p >= m.start - 2; p--) if (toks[p] === myWord) mine = true;
  let p = m.end;
  let steps = 0;
  while (p < ce && steps < 6) {
    const t = toks[p]!;
    if (connectors.has(t)) {
      p++;
      steps++;
      continue;
    }
    const next = clause.byStart.get(p)?.find((s) => s.payload.kind === 'risk' && entries[s.payload.ref]!.generic);
    if (next !== undefined) {
      p = next.end;
      steps++;
      continue;
    }
    if (compoundsAfter.has(t)) return !(mine && personalAfterMy.has(t));
    if (mine) return false;
    if (compoundPrepositions.has(t) && p + 1 < ce && compoundPlaces.has(toks[p + 1]!)) return true;
    return false;
  }
  return false;
}

/**
 * A work frame just before a clinical word ("risk of suicide", "it covers suicide"), allowing one article
 * in between, or carried along a list ("it covers suicide and self-harm").
 */
function frameBefore(toks: string[], m: Span, clause: Clause, wellbeing: boolean, depth = 0): boolean {
  const isFrame = (s: Span): boolean =>
    s.payload.kind === 'frame' || (wellbeing && s.payload.kind === 'wellbeingFrame');
  if (clause.byEnd.get(m.start)?.some(isFrame)) return true;
  if (m.start - 1 >= clause.cs && determiners.has(toks[m.start - 1]!) && clause.byEnd.get(m.start - 1)?.some(isFrame))
    return true;
  if (depth < 3 && m.start - 1 > clause.cs && connectors.has(toks[m.start - 1]!)) {
    const before = clause.byEnd
      .get(m.start - 1)
      ?.find((s) => s.payload.kind === 'risk' && entries[s.payload.ref]!.generic);
    if (before !== undefined) return frameBefore(toks, before, clause, wellbeing, depth + 1);
  }
  return false;
}

/** The phrase's own words name the writer ("kill myself", "end my life"). */
function namesWriter(toks: string[], m: Span): boolean {
  for (let p = m.start; p < m.end; p++) if (firstPerson.has(toks[p]!)) return true;
  return false;
}

/** Effective level (rank) and reason category of one risk phrase, using cues from its own clause only. */
function evaluate(toks: string[], m: Span, clause: Clause): { level: number; reason: number; self?: boolean; workTalk?: boolean } {
  const info = entries[m.payload.ref]!;
  let level = info.level;
  let reason = info.category;
  const { cs } = clause;

  // 1. Idioms ("this rota is killing me", "could kill him for ..."), unless the risk phrase is the longer one.
  for (let q = Math.max(cs, m.start - MAX_SPAN); q < m.end; q++) {
    const list = clause.byStart.get(q);
    if (list === undefined) continue;
    for (const s of list) {
      if (s.payload.kind !== 'idiom' || s.end <= m.start) continue;
      const riskContainsIdiom = m.start <= s.start && s.end <= m.end && m.end - m.start > s.end - s.start;
      if (riskContainsIdiom) continue;
      const idiom = idiomInfo[s.payload.ref]!;
      if (idiom.level < level) {
        level = idiom.level;
        if (idiom.reason >= 0) reason = idiom.reason;
      }
    }
  }
  if (level === 0) return { level, reason };

  // 2. Clinical words inside a work term or after a work frame.
  if (info.generic) {
    if (professionalCompound(toks, m, clause)) return { level: 0, reason, workTalk: true };
    if (frameBefore(toks, m, clause, info.level === RANK.wellbeing)) return { level: 0, reason, workTalk: true };
  }

  // 3. Someone told the writer to do it ("he told me to kill myself", "she said I should"): about the writer,
  // but not their own intent.
  if (cueEndingBefore(toks, clause, 'directive', m.start, lexicon.directive.window, directiveFillers))
    return { level: level === RANK.urgent ? RANK.wellbeing : 0, reason };

  // 4. Who it is about.
  let subject = subjectOf(toks, m.start, cs, info);
  if (subject === 'unknown') {
    if (info.unknownOther) subject = 'other';
    else if (info.eventNoun && m.start - 1 >= cs && determiners.has(toks[m.start - 1]!)) subject = 'other';
  }
  if (subject === 'other') return { level: 0, reason };

  // 5. Resolved past about the writer, unless the clause says it is back or happening now.
  let past = clause.hasResolution;
  if (!past) past = cueEndingBefore(toks, clause, 'pastPrefix', m.start, lexicon.pastResolved.prefixWindow, pastFillers);
  if (!past) past = cueEndingBefore(toks, clause, 'pastTime', m.start, PAST_TIME_WINDOW, null);
  if (!past)
    for (let q = m.end; q <= m.end + PAST_TIME_WINDOW && q < clause.ce; q++)
      if (clause.byStart.get(q)?.some((s) => s.payload.kind === 'pastTime')) {
        past = true;
        break;
      }
  if (past && !clause.hasRecurrence) return { level: 0, reason };

  // 6. Softeners that keep an urgent phrase about the writer at wellbeing: negation, hypothetical.
  const softened =
    cueEndingBefore(toks, clause, 'negation', m.start, lexicon.negation.window, negationFillers) ||
    clause.firstHypotheticalEnd <= m.start;
  if (softened) return { level: level === RANK.urgent ? RANK.wellbeing : 0, reason };
  return { level, reason, self: subject === 'self' || namesWriter(toks, m) };
}

/**
 * Screen one message. Pure and synchronous; safe to call on any string. The result never contains the
 * message's words: only a level and lexicon category codes.
 */
export function screenText(text: string): ScreeningResult {
  if (typeof text !== 'string' || text.length === 0) return { level: 'none', reasons: [] };
  const { toks, clauses } = tokenise(text);
  let best = 0;
  const reasonLevels = new Map<number, number>();
  const seen = new Set<string>();
  const pending: Array<{ m: Span; clause: Clause; index: number }> = [];
  const softeningClauses = new Set<number>();
  /** Clauses with softening other than past wording (which says nothing against "tonight" or "again" next to it). */
  const presentSofteningClauses = new Set<number>();
  const urgentClauses = new Set<number>();
  let clauseIndex = -1;

  const clearClauses = new Set<number>();
  const framingClauses = new Set<number>();
  const framingOnlyClauses = new Set<number>();
  // Warning-sign wording: groups seen anywhere, urgent clauses that say "now" or "again", and urgent
  // phrases reported as a question someone asked ("the GP asked if I'd had thoughts of ending my life").
  const warningSignsInMessage = new Set<number>();
  const nowClauses = new Set<number>();
  const askedClauses = new Set<number>();
  let workTalk = false;
  const record = (r: { level: number; reason: number; self?: boolean; workTalk?: boolean }, index: number, info: EntryInfo, m: Span, clause: Clause): void => {
    if (r.workTalk && info.level === RANK.urgent) workTalk = true;
    if (r.level === 0) return;
    if (r.level === RANK.urgent) {
      urgentClauses.add(index);
      if (clause.hasRecurrence) nowClauses.add(index);
      if (clauseWarningSignBefore(clause, m)) askedClauses.add(index);
    }
    if (r.level === RANK.urgent && r.self) clearClauses.add(index);
    if (r.level === RANK.urgent && r.self && info.framingOnly) framingOnlyClauses.add(index);
    if (r.level > best) best = r.level;
    const prev = reasonLevels.get(r.reason) ?? 0;
    if (r.level > prev) reasonLevels.set(r.reason, r.level);
  };

  for (const [cs, ce] of clauses) {
    clauseIndex += 1;
    const found = matchClause(toks, cs, ce);
    if (found.length === 0) continue;
    // "I'm not joking" says the words around it are meant: its "not" softens nothing.
    const emphasis = found.filter((m) => m.payload.kind === 'warningSign' && warningSignGroups[m.payload.ref]!.code === 'joking');
    const spans = emphasis.length === 0 ? found : found.filter((n) => n.payload.kind !== 'negation' || !emphasis.some((j) => j.start >= n.end && j.start - n.end <= 2));
    if (spans.some((m) => SOFTENING.has(m.payload.kind))) softeningClauses.add(clauseIndex);
    if (spans.some((m) => SOFTENING.has(m.payload.kind) && !PAST_KINDS.has(m.payload.kind))) presentSofteningClauses.add(clauseIndex);
    if (spans.some((m) => SOFTENING.has(m.payload.kind) && m.payload.kind !== 'negation')) framingClauses.add(clauseIndex);
    const clause = buildClause(cs, ce, spans);
    for (const m of spans) {
      if (m.payload.kind === 'warningSign') {
        const group = warningSignGroups[m.payload.ref]!;
        if (group.scope === 'message' && !found.some((n) => n.payload.kind === 'negation' && m.start >= n.end && m.start - n.end <= 2))
          warningSignsInMessage.add(m.payload.ref);
        continue;
      }
      if (m.payload.kind === 'context') {
        seen.add(contextCodes[m.payload.ref]!);
        continue;
      }
      if (m.payload.kind !== 'risk') continue;
      const info = entries[m.payload.ref]!;
      if (info.requires !== undefined) {
        pending.push({ m, clause, index: clauseIndex });
        continue;
      }
      seen.add(categoryCodes[info.category]!);
      record(evaluate(toks, m, clause), clauseIndex, info, m, clause);
    }
  }
  for (const { m, clause, index } of pending) {
    const info = entries[m.payload.ref]!;
    if (info.requires!.some((r) => seen.has(r))) record(evaluate(toks, m, clause), index, info, m, clause);
  }
  // An urgent phrase is a warning sign, not a clear statement (so the bot asks directly), when softening
  // wording sits in a clause next to every urgent one, or when no urgent phrase names the writer as its
  // subject and the message is long or softens something somewhere: the stories about patients, training
  // and the past that clause-level cues miss are long and unclear about who. Danger from someone else is
  // told with negation around it ("I don't want to go home"), so only framing next to it makes it unclear.
  const unclear =
    clearClauses.size === 0 && (softeningClauses.size > 0 || clauses.length >= LONG_MESSAGE_CLAUSES);
  // Wording anywhere that says it is resolved, a joke, about leaving or retiring, or (when no urgent phrase
  // names the writer) about work or study makes the urgent words a warning sign too; "resolved" not when an
  // urgent clause says it is happening now or again.
  const saidElsewhere = [...warningSignsInMessage].some((g) => {
    const group = warningSignGroups[g]!;
    return (!group.unlessNow || nowClauses.size === 0) && (!group.whenWriterUnnamed || clearClauses.size === 0);
  });
  const contested =
    best === RANK.urgent &&
    (unclear ||
      saidElsewhere ||
      [...urgentClauses].every(
        (i) =>
          askedClauses.has(i) ||
          [i - 2, i - 1, i + 1, i + 2].some((j) =>
            (framingOnlyClauses.has(i) ? framingClauses : nowClauses.has(i) ? presentSofteningClauses : softeningClauses).has(j),
          ),
      ));

  const reasons = [...reasonLevels.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([c]) => categoryCodes[c]!);
  const result: ScreeningResult = { level: LEVEL_OF_RANK[best]!, reasons };
  if (contested) result.contested = true;
  if (workTalk && best < RANK.urgent) result.workTalk = true;
  return result;
}

/** Clauses from which a message counts as long (see `unclear` in screenText). */
const LONG_MESSAGE_CLAUSES = 6;

/** Wording that softens a risk phrase in its own clause, and makes one in a clause next to it a warning sign. */
const SOFTENING = new Set<PayloadKind>(['idiom', 'negation', 'pastPrefix', 'pastTime', 'resolution', 'hypothetical', 'directive', 'frame']);

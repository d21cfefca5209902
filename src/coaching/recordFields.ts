/**
 * Where each answer lives in a session record: the one field map that the self-guided questions and the
 * coach's stage guides both keep answers through (src/coaching/stages/*).
 */
import type { LastAnswer, SessionRecord } from './programme';

type Section = 'goal' | 'scaling' | 'personalSuccess' | 'othersSuccess' | 'acknowledgement' | 'followUp' | 'review';
type FieldOf<S extends Section> = keyof NonNullable<SessionRecord[S]>;

export interface RecordField<T> {
  /** Whether the session holds an answer here yet (an empty answer, when skipped, counts). */
  answered(record: SessionRecord): boolean;
  read(record: SessionRecord): T | undefined;
  save(record: SessionRecord, answer: T): void;
  /** How "go back" finds this answer again. */
  answerRef: Omit<LastAnswer, 'stage'>;
}

export function recordField<S extends Section, F extends FieldOf<S>>(section: S, name: F): RecordField<NonNullable<NonNullable<SessionRecord[S]>[F]>> {
  type Value = NonNullable<NonNullable<SessionRecord[S]>[F]>;
  const read = (record: SessionRecord) => (record[section] as Record<PropertyKey, unknown> | undefined)?.[name] as Value | undefined;
  return {
    answered: (record) => read(record) !== undefined,
    read,
    save: (record, answer) => {
      record[section] = { ...(record[section] as object), [name]: answer } as SessionRecord[S];
    },
    answerRef: { section, name: String(name) },
  };
}

/** A "what else?" list of stage 3 (past successes, strengths): its items, and whether the person said that was all. */
export interface AnswerList {
  items(record: SessionRecord): string[];
  complete(record: SessionRecord): boolean;
  set(record: SessionRecord, items: string[], complete: boolean): void;
}

export function answerList(name: 'pastSuccesses' | 'strengths'): AnswerList {
  const flag = name === 'pastSuccesses' ? 'pastSuccessesComplete' : 'strengthsComplete';
  return {
    items: (record) => record.personalSuccess?.[name] ?? [],
    complete: (record) => record.personalSuccess?.[flag] ?? false,
    set: (record, items, complete) => {
      record.personalSuccess = { ...record.personalSuccess, [name]: items, [flag]: complete };
    },
  };
}

/**
 * One stage of the seven-stage model as both ways of coaching read it: the dialogs a person goes through on
 * their own in a 1:1 chat, and the coach's guide to the stage in a coach-joined session. Each stage module
 * exports one (src/coaching/stages/catalogue.ts puts them in order); both ways keep answers through the same
 * record fields (src/coaching/recordFields.ts).
 */
import type { Dialog } from 'botbuilder-dialogs';
import type { SessionRecord } from '../programme';
import type { RecordField } from '../recordFields';

export interface Stage {
  /** The dialog a self-guided session begins for this stage. */
  dialogId: string;
  /** Every dialog the stage needs (the one begun first), built once with the session dialog. */
  dialogs(): Dialog[];
  guide: CoachGuide;
}

/** The coach's private guide to the stage, sent to their 1:1 chat during a coach-joined session. */
export interface CoachGuide {
  aim: string;
  /** Open questions (why, when, where, how, who, tell me more), three to five. */
  questions: string[];
  /** What the coach notes of the client's answers, for the summary. */
  answers: GuideAnswer[];
  /** One line for everyone in the chat: what this stage is about, in the client's terms. */
  forTheChat: string;
}

/** One thing the coach notes of what the client says (a box on the guide card), and where it is kept. */
export interface GuideAnswer {
  id: string;
  label: string;
  placeholder: string;
  read(record: SessionRecord): string | undefined;
  save(record: SessionRecord, text: string): void;
}

/** A guide box for an answer the self-guided stage keeps in `field`. */
export function noted(id: string, label: string, placeholder: string, field: RecordField<string>): GuideAnswer {
  return {
    id,
    label,
    placeholder,
    read: (record) => {
      const value = field.read(record);
      return typeof value === 'string' ? value : undefined;
    },
    save: field.save,
  };
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CardFactory, type Attachment } from 'botbuilder';
import { Template } from 'adaptivecards-templating';

/** A crisis or support contact as the cards show it (src/safety/signposting.ts keeps the list). */
export interface Contact {
  name: string;
  how: string;
  when: string;
}

/** The data each template in cards/ takes. Every string in it is shown literally, never evaluated. */
export interface CardData {
  availability: { date: string };
  slots: {
    heading: string;
    intro: string;
    rows: {
      label: string;
      buttonTitle: string;
      action: 'book' | 'withdraw' | 'cancel' | 'reschedule' | 'moveTo';
      slotId: string;
      coachId: string;
      /** A second button, "Change time", that sends action reschedule for this row's slot. */
      changeTitle?: string;
      /** With moveTo: the booking being moved. */
      fromSlotId?: string;
      fromCoachId?: string;
    }[];
  };
  bookingConfirm: { label: string; coachName: string; slotId: string; coachId: string };
  booked: { heading: string; when: string; withWhom: string; sharing: string; meetingLink: string; slotId: string; coachId: string };
  welcome: { crisis: Contact[] };
  menu: { heading: string; options: { title: string; words: string }[] };
  support: { crisis: Contact[] };
  checkIn: { intro: string; questionId: string };
  crisis: { heading: string; contacts: Contact[]; wellbeingName: string; wellbeingContact: string; leadNotice: string };
  wellbeing: { heading: string; about: string; contact: string; url: string };
  choice: { question: string; options: { title: string }[] };
  scaling: { heading: string; question: string; previous: string; questionId: string };
  actionPlan: {
    heading: string;
    goal: string;
    submitTitle: string;
    questionId: string;
  } & Record<`${'action' | 'byWhen' | 'obstacle' | 'overcome'}${1 | 2 | 3}`, string>;
  review: {
    heading: string;
    intro: string;
    goals: { label: string; text: string }[];
    ratings: { label: string; value: number }[];
    strengths: string;
    successes: string;
    resources: string;
    roleModels: string;
    /** "Your action plan", naming the session it is from when that is not the latest. */
    planHeading: string;
    actions: { what: string; byWhen: string }[];
    obstacles: { obstacle: string; overcome: string }[];
    closing: string;
    keepInMind: string;
  };
  /** Coach-joined session (src/coachSession): a stage's guide, sent privately to the coach's 1:1 chat. */
  stageGuide: {
    heading: string;
    subheading: string;
    aim: string;
    questions: { text: string }[];
    answersHeading: string;
    /** Inputs for the client's answers the summary needs; `id` is the field's name in the submission. */
    answers: { id: string; label: string; placeholder: string; value: string }[];
    notes: string;
    privacy: string;
    sessionId: string;
    stage: string;
    /** The group chat's state key, so a save in the 1:1 chat finds the session. */
    chat: string;
  };
  /** Coach-joined session: the stage, shown in the group chat, with the coach's controls. */
  sessionStage: { heading: string; about: string; who: string; nextTitle: string; canGoBack: boolean; sessionId: string; stage: string };
  /** A referral posted to the service leads' channel (src/safety/referralCard.ts builds it). */
  referral: {
    referralId: string;
    heading: string;
    /** Container style: "attention" for urgent, "warning" for wellbeing. */
    style: string;
    /** "" unless this is a repeat post of an unacknowledged referral. */
    reminder: string;
    summary: string;
    name: string;
    when: string;
    trigger: string;
    source: string;
    shown: string;
    consent: string;
    /** "" when the person said nothing more (for example that the bot misunderstood them). */
    personSaid: string;
    /** "" when there is no Entra object id to open a chat with. */
    chatUrl: string;
    chatTitle: string;
    acknowledged: boolean;
    acknowledgedText: string;
    guidance: string;
  };
  /** The service report's headline figures (src/serviceEvents/reportCard.ts), already suppressed for small numbers. */
  serviceReport: { heading: string; period: string; facts: { label: string; value: string }[]; note: string; tabUrl: string };
}
export type CardName = keyof CardData;

const templates = new Map<CardName, Template>();

function cardsDirectory(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'cards'))) return path.join(dir, 'cards');
    if (path.dirname(dir) === dir) throw new Error('cards/ folder not found above ' + __dirname);
  }
}

function template(name: CardName): Template {
  let found = templates.get(name);
  if (!found) {
    found = new Template(JSON.parse(readFileSync(path.join(cardsDirectory(), `${name}.json`), 'utf8')));
    templates.set(name, found);
  }
  return found;
}

/** Renders a card template from cards/ with its data as a Teams attachment. */
export function renderCard<N extends CardName>(name: N, data: CardData[N]): Attachment {
  return CardFactory.adaptiveCard(template(name).expand({ $root: data }));
}

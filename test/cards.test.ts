/**
 * Every card the bot sends, rendered exactly as the bot renders it (`renderCard`), is valid Adaptive Cards 1.5
 * that Teams renders:
 *   (a) it validates against the official Adaptive Cards 1.5 JSON schema (draft-06), kept offline in
 *       test/schemas/adaptive-card-1.5.json: a verbatim copy of schemas/1.5.0/adaptive-card.json from
 *       github.com/microsoft/AdaptiveCards (commit a34ebda030d0f7a2f026152590964b9ffe61d4e4; MIT licence);
 *   (b) its `version` is 1.5 or lower;
 *   (c) no `${` template expression survives, except text that came literally from the data (what a person
 *       typed), which appears unchanged;
 *   (d) no element, action or property is newer than the card's version (looked up in the schema);
 *   (e) every Action.Submit carries words to say (`say`, read as typed text by the turn pipeline) or a
 *       `card` field naming its template;
 * and the Adaptive Cards JavaScript SDK (the `adaptivecards` package, its UMD build) parses it without a
 * validation event.
 *
 * The templates are found by listing cards/, so a new template without a case below fails this test.
 * Teams' own root-level extension (`"msteams": { "width": "Full" }`, documented by Microsoft for full-width
 * cards) is not in the Adaptive Cards schema, whose AdaptiveCard forbids extra properties: it is checked on
 * its own and left out of the schema validation.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json';
import type * as AdaptiveCardsSdk from 'adaptivecards';
import { menuOptions, sharedChatMenuOptions } from '../src/turn/commands';
import { renderCard, type CardData, type CardName } from '../src/cards/render';
import { crisisContacts } from '../src/safety/signposting';
import { stageOrder } from '../src/coaching/programme';
import { stageGuide } from '../src/coachSession/stageGuides';
import schema from './schemas/adaptive-card-1.5.json';

// The package's ESM build does not load in Node; its webpack UMD build does.
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCardsSdk;

const MAX_VERSION = '1.5';
const cardsDir = path.join(__dirname, '..', 'cards');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface SchemaNode {
  version?: string;
  properties?: Record<string, SchemaNode>;
  allOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  $ref?: string;
}
const definitions = schema.definitions as unknown as Record<string, SchemaNode>;

// ---------------------------------------------------------------------------------------------------------
// What people type, at its worst: template syntax, quotes, markdown, HTML, and answers of the full 2,000
// characters the bot accepts (MAX_ANSWER_CHARS).

const TEMPLATE_LOOKALIKES = 'Ask ${user.name} about ${1+1} and ${if(true, "a", "b")}, not $ {this} or ${';
const awkward = `${TEMPLATE_LOOKALIKES} "double" 'single' ‘curly’ **bold** _it_ [link](http://x) <b>html</b> <script>alert(1)</script> & \\ back\\slash {braces} @{at} 😊 café`;

function answerOf(length: number, seed = awkward): string {
  let text = '';
  for (let i = 1; text.length < length; i++) text += `${i}. ${seed}\n\n`;
  return text.slice(0, length - 1) + '.';
}
const long = answerOf(2000);
const plan500 = answerOf(500, 'Book a ${user.name} "chat" with **my manager** <b>soon</b>');
const questionId = '5b2f1c9e-8a47-4d0c-9a3e-2f6d8c1b7e40';

// ---------------------------------------------------------------------------------------------------------
// One or more realistic data sets per template, in the shapes src/ passes to renderCard (see each caller).

type Cases = { [N in CardName]: [label: string, data: CardData[N]][] };

const cases: Cases = {
  // src/serviceEvents/reportCard.ts
  serviceReport: [
    [
      'monthly, with the tab link',
      {
        heading: 'Staff coaching: service report',
        period: 'November 2026, and the 12 months to 30 November 2026',
        facts: [
          { label: 'People who started session 1', value: '42' },
          { label: 'Urgent referrals', value: 'fewer than 5' },
          { label: awkward, value: TEMPLATE_LOOKALIKES },
        ],
        note: 'Counts of 1 to 4 are shown as "fewer than 5".',
        tabUrl: 'https://teams.microsoft.com/l/entity/3f2504e0-4f89-41d3-9a0c-0305e82c3301/service',
      },
    ],
    ['on request, local', { heading: 'Staff coaching: service report', period: 'Last 12 months', facts: [], note: long, tabUrl: '' }],
  ],
  // src/booking/bookingConversation.ts
  availability: [['tomorrow', { date: '2026-11-25' }]],
  slots: [
    ['free times to book', { heading: 'Free coaching times', intro: long, rows: [{ label: 'Tue 1 Dec, 10:00–11:00 with ' + awkward, buttonTitle: 'Book', action: 'book', slotId: 'slot-1', coachId: 'coach-1' }] }],
    ['nothing free', { heading: 'Free coaching times', intro: 'There are no free times in the next 14 days.', rows: [] }],
    ['my bookings: cancel or change time', { heading: 'Your bookings', intro: 'You can change the time of a booking or cancel it here.', rows: [{ label: 'Tue 1 Dec, 10:00–11:00 with ' + awkward, buttonTitle: 'Cancel', action: 'cancel', slotId: 'slot-1', coachId: 'coach-1', changeTitle: 'Change time' }] }],
    ['new times for a booking', { heading: 'Choose a new time', intro: 'Choose a new time.', rows: [{ label: 'Wed 2 Dec, 09:00–10:00 with ' + awkward, buttonTitle: 'Move here', action: 'moveTo', slotId: 'slot-2', coachId: 'coach-1', fromSlotId: 'slot-1', fromCoachId: 'coach-1' }] }],
  ],
  bookingConfirm: [['a slot', { label: 'Tue 1 Dec, 10:00–11:00', coachName: awkward, slotId: 'slot-1', coachId: 'coach-1' }]],
  booked: [
    [
      'confirmation',
      { heading: 'Your coaching session is booked', when: 'Tue 1 Dec, 10:00–11:00', withWhom: awkward, sharing: 'Not shared', meetingLink: 'https://teams.microsoft.com/l/meeting/new?subject=Coaching', slotId: 'slot-1', coachId: 'coach-1' },
    ],
  ],
  // src/bot/firstConversation.ts sendWelcome
  welcome: (['england', 'scotland', 'wales', 'northern-ireland'] as const).map((nation) => [nation, { crisis: crisisContacts(nation) }]),
  // src/bot/firstConversation.ts sendMenu / sendHelp
  menu: [
    ['1:1 menu', { heading: 'What would you like to do?', options: menuOptions }],
    ['shared chat menu', { heading: 'Hello! Here is what I can do in this chat.', options: sharedChatMenuOptions }],
    ['awkward heading and options', { heading: long, options: [{ title: awkward, words: TEMPLATE_LOOKALIKES }] }],
  ],
  // src/safety/riskGate.ts sendSupportContacts
  support: [['england', { crisis: crisisContacts('england') }]],
  // src/safety/riskGate.ts sendCheckIn
  checkIn: [
    ['check-in', { intro: 'Before we carry on, a few quick questions about how you have been feeling.', questionId }],
    ['awkward intro', { intro: long, questionId }],
  ],
  // src/safety/riskGate.ts urgent stop
  crisis: [
    [
      'urgent stop',
      {
        heading: "I'm really glad you told me. You don't have to face this on your own.",
        contacts: crisisContacts('wales'),
        wellbeingName: 'Stress Support and Wellbeing service',
        wellbeingContact: 'Call 01234 567890 (Monday to Friday, 9am to 5pm) or email wellbeing@example.nhs.uk',
        leadNotice: "I've stopped our coaching for now. Because you may be at risk, I'm letting a service lead know.",
      },
    ],
    [
      'awkward text',
      { heading: awkward, contacts: [{ name: awkward, how: TEMPLATE_LOOKALIKES, when: long }], wellbeingName: awkward, wellbeingContact: long, leadNotice: long },
    ],
  ],
  // src/safety/riskGate.ts sendWellbeingService
  wellbeing: [
    [
      'with a url',
      {
        heading: "It sounds like things are a lot at the moment. Let's pause the coaching here.",
        about: 'The Stress Support and Wellbeing service is there for NHS staff who are feeling stressed, anxious or worn down.',
        contact: 'Call 01234 567890 or email wellbeing@example.nhs.uk',
        url: 'https://www.example.nhs.uk/staff-wellbeing?from=coaching-bot&lang=en',
      },
    ],
    ['without a url', { heading: awkward, about: long, contact: TEMPLATE_LOOKALIKES, url: '' }],
  ],
  // src/coaching/dialogKit.ts choiceCard (questions quote what the person said)
  choice: [
    ['safe now?', { question: 'Are you safe right now?', options: [{ title: "Yes, I'm safe right now" }, { title: "No, I'm not safe" }, { title: "I'd rather not say" }] }],
    ['awkward question', { question: `You said "${long}". Is that right?`, options: [{ title: 'Yes' }, { title: awkward }] }],
  ],
  // src/coaching/stages/scaling.ts askForScale
  scaling: [
    [
      'first rating',
      {
        heading: 'Where are you now?',
        question: `On a scale of 1 to 10, where are you today with "${answerOf(120)}"?`,
        previous: '',
        questionId,
      },
    ],
    ['re-rating', { heading: 'Where are you now?', question: long, previous: 'At the end of our first session you put yourself at 4.', questionId }],
  ],
  // src/coaching/stages/actionPlan.ts actionPlanCard
  actionPlan: [
    [
      'blank plan',
      {
        heading: 'Your action plan',
        goal: long,
        submitTitle: 'Save my plan',
        questionId,
        action1: '', byWhen1: '', action2: '', byWhen2: '', action3: '', byWhen3: '',
        obstacle1: '', overcome1: '', obstacle2: '', overcome2: '', obstacle3: '', overcome3: '',
      },
    ],
    [
      'plan to edit',
      {
        heading: 'Change your plan',
        goal: awkward,
        submitTitle: 'Save changes',
        questionId,
        action1: plan500, byWhen1: '2026-12-05', action2: awkward, byWhen2: '', action3: TEMPLATE_LOOKALIKES, byWhen3: '2027-01-31',
        obstacle1: plan500, overcome1: plan500, obstacle2: awkward, overcome2: '', obstacle3: '', overcome3: TEMPLATE_LOOKALIKES,
      },
    ],
  ],
  // src/coaching/stages/review.ts reviewCardData
  review: [
    [
      'final review',
      {
        heading: 'Your coaching: a look back over both sessions',
        intro: "Here's what you've worked on across our two sessions, in your own words.",
        goals: [
          { label: 'Your first goal', text: long },
          { label: 'Your second goal', text: awkward },
        ],
        ratings: [
          { label: 'Start of session 1', value: 1 },
          { label: 'End of session 1', value: 4 },
          { label: 'Start of session 2', value: 5 },
          { label: 'End of session 2', value: 10 },
        ],
        strengths: long,
        successes: awkward,
        resources: TEMPLATE_LOOKALIKES,
        roleModels: awkward,
        planHeading: 'Your action plan (from session 1)',
        actions: [
          { what: plan500, byWhen: 'By Friday 5 December' },
          { what: awkward, byWhen: 'No date yet' },
        ],
        obstacles: [{ obstacle: awkward, overcome: 'Think about who could help' }],
        closing: long,
        keepInMind: 'Keep in mind what works for you: it will help with the next goal too.',
      },
    ],
    [
      'first session, little said',
      {
        heading: 'Session 1 summary',
        intro: "Here's what we covered today, in your own words.",
        goals: [{ label: 'Your goal', text: awkward }],
        ratings: [{ label: 'Start of session 1', value: 3 }],
        strengths: '',
        successes: '',
        resources: '',
        roleModels: '',
        planHeading: 'Your action plan',
        actions: [],
        obstacles: [],
        closing: '',
        keepInMind: 'Keep in mind what works for you: it will help with the next goal too.',
      },
    ],
    [
      'nothing recorded',
      {
        heading: 'Session 2 summary',
        intro: "Here's what we covered today, in your own words.",
        goals: [],
        ratings: [],
        strengths: '',
        successes: '',
        resources: '',
        roleModels: '',
        planHeading: 'Your action plan',
        actions: [],
        obstacles: [],
        closing: '',
        keepInMind: 'Keep in mind what works for you: it will help with the next goal too.',
      },
    ],
  ],
  // src/coachSession/toCoach.ts stageGuideCard (sent privately to the coach): every stage of both sessions, as the bot fills it
  stageGuide: [
    ...([1, 2] as const).flatMap((session) =>
      stageOrder.map((stage, i): [string, CardData['stageGuide']] => {
        const guide = stageGuide(stage, session);
        return [
          `session ${session}, stage ${i + 1}`,
          {
            heading: `Stage ${i + 1} of 7: ${stage}`,
            subheading: `Session ${session} with Sam Patel. Only you can see this card.`,
            aim: guide.aim,
            questions: guide.questions.map((text) => ({ text })),
            answersHeading: 'What Sam says (it goes into the summary Sam sees at the end)',
            answers: guide.answers.map((a) => ({ id: a.id, label: a.label, placeholder: a.placeholder, value: '' })),
            notes: '',
            privacy: 'Your private notes are for you alone.',
            sessionId: questionId,
            stage,
            chat: 'msteams/conversations/19:3f1c2a9e8b7d4c6a@thread.v2',
          },
        ];
      }),
    ),
    [
      'filled in with awkward answers',
      {
        heading: 'Stage 1 of 7: What you want to work on',
        subheading: `Session 1 with ${awkward}. Only you can see this card.`,
        aim: long,
        questions: [{ text: awkward }, { text: TEMPLATE_LOOKALIKES }],
        answersHeading: awkward,
        answers: [
          { id: 'goal', label: 'Their goal', placeholder: 'What they want to achieve', value: long },
          { id: 'whyNow', label: 'Why now', placeholder: awkward, value: TEMPLATE_LOOKALIKES },
        ],
        notes: long,
        privacy: awkward,
        sessionId: questionId,
        stage: 'goal',
        chat: 'msteams/conversations/19:meeting_NjM5@thread.v2',
      },
    ],
  ],
  // src/coachSession/stages.ts enterStage (in the group chat, with the coach's controls)
  sessionStage: [
    ['first stage (no Back)', { heading: 'Stage 1 of 7: What you want to work on', about: stageGuide('goal', 1).forTheChat, who: 'Daniel Okafor guides the session: only they can move it on or end it.', nextTitle: 'Next stage', canGoBack: false, sessionId: questionId, stage: 'goal' }],
    ['review', { heading: 'Stage 7 of 7: Review', about: stageGuide('review', 2).forTheChat, who: `${awkward} guides the session: only they can move it on or end it.`, nextTitle: 'Finish and show the summary', canGoBack: true, sessionId: questionId, stage: 'review' }],
  ],
  // src/safety/referralCard.ts referralCardData (posted to the service leads' channel)
  referral: [
    [
      'urgent, open',
      {
        referralId: 'ref-7f3a9c2e',
        heading: 'Urgent referral',
        style: 'attention',
        reminder: '',
        summary: `Sam O'Neil "${TEMPLATE_LOOKALIKES}" may need urgent support. Please contact them as soon as you can.`,
        name: `Sam O'Neil "${TEMPLATE_LOOKALIKES}"`,
        when: 'Tuesday 24 November 2026 at 19:34 (UK time)',
        trigger: 'thoughts of suicide and feeling hopeless',
        source: 'Words they used with the coaching bot (their message is not shared)',
        shown: 'crisis and support contacts (such as 999, NHS 111 and Samaritans) and details of the Stress Support and Wellbeing service',
        consent: 'Not asked: urgent concerns are always passed on to a service lead',
        personSaid: '',
        chatUrl: 'https://teams.microsoft.com/l/chat/0/0?users=8%3Aorgid%3A0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9',
        chatTitle: `Chat with Sam O'Neil "${TEMPLATE_LOOKALIKES}"`,
        acknowledged: false,
        acknowledgedText: '',
        guidance: 'For their privacy, this card never includes what they wrote. Press Acknowledge when you take this on, so the other leads know it is in hand.',
      },
    ],
    [
      'wellbeing reminder, acknowledged, no chat link',
      {
        referralId: 'ref-0b1c2d3e',
        heading: 'Wellbeing referral',
        style: 'warning',
        reminder: 'Reminder: nobody has acknowledged this yet. It was first raised on Tuesday 24 November 2026 at 19:34.',
        summary: 'A member of staff would like to hear from the Stress Support and Wellbeing service. Please get in touch with them.',
        name: 'A member of staff',
        when: 'Tuesday 24 November 2026 at 19:34 (UK time)',
        trigger: 'asking to hear from the Stress Support and Wellbeing service',
        source: 'Their answers to the wellbeing check-in',
        shown: 'the support contacts card',
        consent: 'Yes, they agreed to this referral',
        personSaid: 'That the bot misunderstood what they meant',
        chatUrl: '',
        chatTitle: 'Chat with A member of staff',
        acknowledged: true,
        acknowledgedText: `Acknowledged by ${awkward} at 19:50 on Tuesday 24 November 2026`,
        guidance: 'For their privacy, this card never includes what they wrote.',
      },
    ],
  ],
};

// ---------------------------------------------------------------------------------------------------------
// Helpers

// Strict about unknown keywords; the schema's own style (`required` beside an `allOf` $ref, untyped `pattern`) is allowed.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false });
ajv.addMetaSchema(draft06MetaSchema);
// Annotations the Adaptive Cards schema uses besides JSON Schema's own.
ajv.addVocabulary(['version', 'features', 'example']);
addFormats(ajv);
// The schema names itself with draft-04's "id", which Ajv 8 refuses; draft-06 spells it "$id". Its $refs are all local.
const { id: schemaId, ...schemaBody } = schema;
const validateCard = ajv.compile({ ...schemaBody, $id: schemaId });
/**
 * The parts of Teams' host config the SDK's checks use: Teams shows up to 6 actions where the SDK's default
 * host allows 5 (as in the Adaptive Cards designer's Teams container, microsoft/AdaptiveCards
 * source/nodejs/adaptivecards-designer/src/containers/teams/teams-container.ts).
 */
const teamsHostConfig = new AC.HostConfig({ supportsInteractivity: true, actions: { maxActions: 6 } });
/** Teams' root-level extension: https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format */
const validateTeamsExtension = ajv.compile({
  type: 'object',
  additionalProperties: false,
  properties: { width: { enum: ['Full'] }, entities: { type: 'array', items: { type: 'object' } } },
});

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function versionNumber(version: string): [number, number] {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`not a version: ${JSON.stringify(version)}`);
  return [Number(match[1]), Number(match[2])];
}
function newerThan(version: string, limit: string): boolean {
  const [a, b] = versionNumber(version);
  const [c, d] = versionNumber(limit);
  return a > c || (a === c && b > d);
}

/** Every string in a JSON value, with its JSON path. */
function strings(value: Json, at = '$'): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
  return [];
}

/**
 * Every card item (element, action, column, inline, nested card) with its JSON path: objects with a `type`,
 * not descending into free-form payloads (an action's `data`, Teams' `msteams`).
 */
function items(value: Json, at = '$'): [string, JsonObject][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => items(v, `${at}[${i}]`));
  if (!isObject(value)) return [];
  const own: [string, JsonObject][] = typeof value.type === 'string' ? [[at, value]] : [];
  const nested = Object.entries(value)
    .filter(([k]) => k !== 'msteams' && !(k === 'data' && typeof value.type === 'string' && value.type.startsWith('Action.')))
    .flatMap(([k, v]) => items(v, `${at}.${k}`));
  return [...own, ...nested];
}

/** The schema for a property of a definition, including what it inherits through allOf. */
function propertySchema(definition: SchemaNode, property: string, seen = new Set<SchemaNode>()): SchemaNode | undefined {
  if (seen.has(definition)) return undefined;
  seen.add(definition);
  const own = definition.properties?.[property];
  if (own && Object.keys(own).length > 0) return own;
  for (const part of definition.allOf ?? []) {
    const target = part.$ref ? definitions[part.$ref.replace('#/definitions/', '')] : part;
    const found = target && propertySchema(target, property, seen);
    if (found) return found;
  }
  return undefined;
}

/** The version a property needs: its own, or that of the type it refers to (such as TextBlockStyle, 1.5). */
function propertySince(node: SchemaNode | undefined): string | undefined {
  if (!node) return undefined;
  const referred = [node, ...(node.anyOf ?? [])]
    .map((n) => (n.$ref ? definitions[n.$ref.replace('#/definitions/', '')]?.version : undefined))
    .filter((v): v is string => v !== undefined);
  return [node.version, ...referred].filter((v): v is string => v !== undefined).sort((a, b) => (newerThan(a, b) ? -1 : 1))[0];
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function render<N extends CardName>(name: N, data: CardData[N]): JsonObject {
  const attachment = renderCard(name, data);
  expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
  // What goes over the wire is JSON: a card must survive the round trip unchanged.
  const card = JSON.parse(JSON.stringify(attachment.content)) as Json;
  expect(card).toEqual(attachment.content);
  if (!isObject(card)) throw new Error(`${name} did not render to an object`);
  return card;
}

const templateNames = readdirSync(cardsDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

const noProblems = { schema: [], version: [], templateLeftovers: [], newerThanVersion: [], submitWithoutTarget: [], sdk: [] };
type Problems = { [K in keyof typeof noProblems]: string[] };

/** Everything wrong with a rendered card, by check, so one run reports every failure of every card. */
function problemsWith(card: JsonObject, data: unknown): Problems {
  const problems: Problems = { schema: [], version: [], templateLeftovers: [], newerThanVersion: [], submitWithoutTarget: [], sdk: [] };

  // (a) the official schema, with Teams' own root extension checked on its own
  const { msteams, ...adaptiveCard } = card;
  if (msteams !== undefined && !validateTeamsExtension(msteams)) problems.schema.push(...describeErrors(validateTeamsExtension.errors).map((e) => `msteams${e}`));
  if (!validateCard(adaptiveCard)) problems.schema.push(...describeErrors(validateCard.errors));
  if (card.type !== 'AdaptiveCard') problems.schema.push(`type is ${JSON.stringify(card.type)}`);

  // (b) version
  let version = MAX_VERSION;
  if (typeof card.version !== 'string' || !/^\d+\.\d+$/.test(card.version)) problems.version.push(`version ${JSON.stringify(card.version)} is not like "1.5"`);
  else if (newerThan(card.version, MAX_VERSION)) problems.version.push(`version ${card.version} is newer than ${MAX_VERSION}`);
  else version = card.version;

  // (c) no template expression left, except text that was in the data, which must appear unchanged
  const literal = [...new Set(strings(data as Json).map(([, s]) => s).filter((s) => s.includes('${')))].sort((a, b) => b.length - a.length);
  const rendered = strings(card);
  for (const [at, s] of rendered) {
    const rest = literal.reduce((text, l) => text.split(l).join(''), s);
    if (rest.includes('${')) problems.templateLeftovers.push(`${at}: ${JSON.stringify(rest.slice(Math.max(0, rest.indexOf('${') - 40), rest.indexOf('${') + 60))}`);
  }
  for (const l of literal) {
    if (!rendered.some(([, s]) => s.includes(l))) problems.templateLeftovers.push(`data text not shown unchanged: ${JSON.stringify(l.slice(0, 80))}`);
  }

  // (d) no element, action or property newer than the card's version, nothing unknown to Adaptive Cards 1.5
  const cardItems = items(card);
  for (const [at, item] of cardItems) {
    const type = item.type as string;
    const definition = definitions[type];
    if (!definition) {
      problems.newerThanVersion.push(`${at}: ${type} is not in Adaptive Cards ${MAX_VERSION}`);
      continue;
    }
    if (definition.version && newerThan(definition.version, version)) problems.newerThanVersion.push(`${at}: ${type} needs ${definition.version}`);
    for (const property of Object.keys(item)) {
      const since = propertySince(propertySchema(definition, property));
      if (since && newerThan(since, version)) problems.newerThanVersion.push(`${at}.${property} needs ${since}`);
    }
  }

  // (e) every Action.Submit says where it goes: words to say, or the template it came from
  for (const [at, item] of cardItems) {
    if (item.type !== 'Action.Submit') continue;
    const submitted = item.data;
    const words = isObject(submitted) && typeof submitted.say === 'string' && submitted.say.trim() !== '' && !('msteams' in submitted);
    const fromCard = isObject(submitted) && typeof submitted.card === 'string' && templateNames.includes(submitted.card);
    if (!words && !fromCard) problems.submitWithoutTarget.push(`${at} (title ${JSON.stringify(item.title)}): data ${JSON.stringify(submitted)}`);
  }

  // and the Adaptive Cards JavaScript SDK, set up like Teams, parses it as 1.5 and finds nothing wrong
  const sdkCard = new AC.AdaptiveCard();
  sdkCard.hostConfig = teamsHostConfig;
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  sdkCard.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.sdk.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of sdkCard.validateProperties().validationEvents) problems.sdk.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);

  return problems;
}

// ---------------------------------------------------------------------------------------------------------

describe('the official Adaptive Cards 1.5 schema (test/schemas/adaptive-card-1.5.json)', () => {
  it('is the complete 1.5 schema, offline', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-06/schema#');
    expect(definitions.Table?.version).toBe('1.5');
    expect(Object.keys(definitions)).toEqual(
      expect.arrayContaining(['AdaptiveCard', 'Action.Submit', 'Action.Execute', 'Action.ShowCard', 'ColumnSet', 'FactSet', 'TextBlock', 'Input.Text', 'Input.Date', 'Input.ChoiceSet']),
    );
  });
});

describe('the checks themselves', () => {
  const card = (extra: JsonObject): JsonObject => ({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Hello' }], ...extra });
  const submit = (data: Json): JsonObject => card({ actions: [{ type: 'Action.Submit', title: 'Go', data }] });

  it('pass a plain 1.5 card', () => {
    expect(problemsWith(card({ msteams: { width: 'Full' } }), {})).toEqual(noProblems);
  });
  it('catch a template expression left behind, but not one that was in the data', () => {
    const leftover = card({ body: [{ type: 'TextBlock', text: 'Hello ${name}' }] });
    expect(problemsWith(leftover, { name: 'Sam' }).templateLeftovers).toHaveLength(1);
    expect(problemsWith(leftover, { name: 'Hello ${name}' }).templateLeftovers).toEqual([]);
    expect(problemsWith(card({}), { name: '${user.name}' }).templateLeftovers).toEqual(['data text not shown unchanged: "${user.name}"']);
  });
  it('catch versions, elements and properties newer than 1.5 or than the card says', () => {
    expect(problemsWith(card({ version: '1.6' }), {}).version).toHaveLength(1);
    const carousel = problemsWith(card({ body: [{ type: 'Carousel', pages: [] }] }), {});
    expect(carousel.schema.length).toBeGreaterThan(0);
    expect(carousel.newerThanVersion).toEqual(['$.body[0]: Carousel is not in Adaptive Cards 1.5']);
    const heading = problemsWith(card({ version: '1.2', body: [{ type: 'TextBlock', text: 'Hi', style: 'heading' }] }), {});
    expect(heading.newerThanVersion).toEqual(['$.body[0].style needs 1.5']);
    const table = problemsWith(card({ version: '1.4', body: [{ type: 'Table', columns: [{ width: 1 }], rows: [] }] }), {});
    expect(table.newerThanVersion).toEqual(['$.body[0]: Table needs 1.5']);
  });
  it('catch an Action.Submit with neither words to say nor a card', () => {
    expect(problemsWith(submit({ say: 'menu' }), {}).submitWithoutTarget).toEqual([]);
    expect(problemsWith(submit({ card: 'scaling', questionId: 'q' }), {}).submitWithoutTarget).toEqual([]);
    // imBack data cannot be submitted from the Agents Playground, so it is refused too.
    const untargeted: Json[] = [{ say: '' }, { card: 'no-such-template' }, { msteams: { type: 'imBack', value: 'menu' } }, 'menu'];
    for (const data of untargeted) {
      expect(problemsWith(submit(data), {}).submitWithoutTarget).toHaveLength(1);
    }
  });
  it('catch what only the SDK sees: two inputs with one id, more actions than Teams shows', () => {
    const twins = card({ body: [{ type: 'Input.Text', id: 'a' }, { type: 'Input.Text', id: 'a' }] });
    expect(problemsWith(twins, {}).schema).toEqual([]);
    expect(problemsWith(twins, {}).sdk.length).toBeGreaterThan(0);
    const buttons = (n: number) => card({ actions: Array.from({ length: n }, (_, i) => ({ type: 'Action.OpenUrl', title: `${i}`, url: 'https://example.org' })) });
    expect(problemsWith(buttons(6), {}).sdk).toEqual([]);
    expect(problemsWith(buttons(7), {}).sdk).toEqual(['TooManyActions: Maximum number of actions exceeded (6).']);
  });
});

describe('card templates in cards/', () => {
  it('each has test cases here (and each case has a template)', () => {
    expect(templateNames).toEqual(Object.keys(cases).sort());
  });
});

describe.each(templateNames)('cards/%s.json', (templateName) => {
  const name = templateName as CardName;
  const scenarios = (cases[name] ?? []) as [string, CardData[CardName]][];

  if (scenarios.length === 0) {
    it('has test cases in test/cards.test.ts', () => {
      throw new Error(`cards/${templateName}.json has no test case: add realistic data for it to \`cases\``);
    });
    return;
  }

  it.each(scenarios)('%s: valid Adaptive Cards 1.5 that Teams renders', (_label, data) => {
    expect(problemsWith(render(name, data), data)).toEqual(noProblems);
  });
});

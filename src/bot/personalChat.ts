/**
 * What the 1:1 chat's routes (./router.ts) do: the person's own commands, their confirmations, their plan,
 * their data, and handing everything else to the coaching dialogs. Each handler reads the turn as the door
 * read it and changes the person's document only through its operations (src/documents/person.ts).
 */
import { TeamsInfo, TurnContext } from 'botbuilder';
import { DialogTurnStatus, type DialogContext } from 'botbuilder-dialogs';
import type { BookingServices } from '../booking/bookingConversation';
import { actionPlanCard, reviseLatestPlan } from '../coaching/stages/actionPlan';
import { parsePlan } from '../coaching/dialogKit';
import { activeGoal, currentSession, latestPlan, latestScale, whereWeWere, type Programme } from '../coaching/programme';
import { COACHING_SESSION, type CoachingDialogs } from '../coaching/session';
import { answerOutsideSession } from '../coaching/everydayWords';
import type { CoachSessionServices } from '../coachSession/services';
import type { SafetySettings } from '../config';
import {
  askToConfirm,
  awaitExport,
  clearCurrentSession,
  erasePerson,
  notePaused,
  noteMessage,
  reachChanged,
  rememberReach,
  rememberSignInName,
  takeConfirmation,
  type PersonDocument,
} from '../documents/person';
import { deletionExplained, exportSize, exportSummary, fileConsentAnswered, fileConsentCard, newExportId, referralsAbout } from '../documents/yourData';
import { errorFields, type Logger } from '../logger';
import { HELD_ANSWER, type HeldInput } from '../safety/directCheck';
import type { Referrals } from '../safety/referralsPort';
import { forgetServicePerson } from '../serviceEvents/events';
import type { ServiceReports } from '../serviceEvents/service';
import { choiceCard, recogniseChoice, type ChoiceOption } from '../turn/choices';
import { notUnderstood, sendHelp, sendMenu } from './firstConversation';
import { PASS, type Turn } from './route';
import { forgetThisTurn } from './turnPipeline';

/** What the router needs from the rest of the bot, given once at start-up. */
export interface RouterServices {
  safety: SafetySettings;
  /** Referrals and the leads' channel registration. */
  referrals: Referrals;
  logger: Logger;
  /** Coaches' availability and bookings; absent in tests that drive only the coaching. */
  booking?: BookingServices;
  /** Coach-joined sessions in group chats. */
  coachSessions?: CoachSessionServices;
  /** The service report: `service report`, `add viewer @name`, `remove viewer @name`. */
  serviceReports?: ServiceReports;
  /** The self-guided session's dialogs, built once; tests that drive only the coaching get them with nothing set off on completion. */
  coaching?: CoachingDialogs;
}

/** A message in a 1:1 chat, with the person's document and their place in the coaching dialogs. */
export interface PersonalTurn extends Turn {
  doc: PersonDocument;
  dc: DialogContext;
  /** How long since their last message (0 the first time). */
  awayFor: number;
  services: RouterServices;
}

/** After this long away, a greeting brings a "welcome back" instead of being taken as an answer. */
const AWAY_MS = 6 * 3600 * 1000;
export const MY_PLAN_QUESTION = 'myPlan';

const deleteOptions: ChoiceOption<'yes' | 'no'>[] = [
  { title: 'Yes, delete my data', value: 'yes', words: ['yes', 'delete', 'yes delete'] },
  { title: 'No, keep it', value: 'no', words: ['no', 'keep', 'cancel', 'keep it'] },
];

const confirmOptions: ChoiceOption<'yes' | 'no'>[] = [
  { title: 'Yes, start again', value: 'yes', words: ['yes', 'yeah', 'yep', 'start again'] },
  { title: 'No, carry on', value: 'no', words: ['no', 'nope', 'carry on', 'cancel'] },
];

/** Every 1:1 message: noted, the way to reach the person kept up to date, and their place in coaching loaded. */
export async function personalTurn(turn: Turn, doc: PersonDocument, services: RouterServices): Promise<PersonalTurn> {
  const awayFor = noteMessage(doc, new Date());
  await rememberHowToReach(doc, turn.context, services.logger);
  const dc = services.coaching!.contextFor(turn.context, doc);
  return { ...turn, doc, dc, awayFor, services };
}

export const inDialog = ({ dc }: PersonalTurn) => !!dc.activeDialog;
export const awayLong = ({ awayFor }: PersonalTurn) => awayFor >= AWAY_MS;
export const waitingFor =
  (what: NonNullable<PersonDocument['pendingConfirmation']>) =>
  ({ doc }: PersonalTurn) =>
    doc.pendingConfirmation === what;
/** The plan card "my plan" shows, saved (a card for another question, or one that does not validate, is not this). */
export const myPlanCard = ({ inbound, context }: PersonalTurn) =>
  inbound.card?.questionId === MY_PLAN_QUESTION && parsePlan(context.activity, MY_PLAN_QUESTION) !== undefined;
export const noWords = ({ inbound }: PersonalTurn) => inbound.words.trim() === '';
export const noCommand = ({ inbound }: PersonalTurn) => inbound.command === undefined;
/** A session begun and not finished. */
export const sessionUnfinished = ({ doc }: PersonalTurn) => {
  const record = doc.programme && currentSession(doc.programme);
  return !!record && !record.completedAt;
};

export async function deleteAnswered({ context, inbound, doc, dc }: PersonalTurn): Promise<void | typeof PASS> {
  takeConfirmation(doc);
  const answer = recogniseChoice(inbound.words, deleteOptions);
  if (answer === 'yes') return deleteEverything(context, doc);
  if (answer !== 'no') return PASS;
  await context.sendActivity('OK, I have kept everything as it was.');
  return continueOrOffer(dc, doc.programme);
}

export async function startAgainAnswered({ context, inbound, doc, dc }: PersonalTurn): Promise<void | typeof PASS> {
  takeConfirmation(doc);
  const answer = recogniseChoice(inbound.words, confirmOptions);
  if (answer === 'yes') return startSessionAgain(context, dc, doc);
  if (answer !== 'no') return PASS;
  await context.sendActivity("OK, we'll carry on from where we were.");
  return continueOrOffer(dc, doc.programme);
}

export async function help({ context }: PersonalTurn): Promise<void> {
  await sendHelp(context);
}

export async function menu({ context }: PersonalTurn): Promise<void> {
  await sendMenu(context, 'What would you like to do?');
}

export async function startOrContinue({ context, dc, doc }: PersonalTurn): Promise<void> {
  const programme = doc.programme;
  if (dc.activeDialog) {
    await context.sendActivity({ type: 'message', text: `Let's carry on. ${reminder(programme)}`, textFormat: 'plain' });
    await dc.repromptDialog();
    return;
  }
  const record = programme && currentSession(programme);
  if (record && !record.completedAt) {
    await context.sendActivity({ type: 'message', text: `Welcome back. ${reminder(programme)}`, textFormat: 'plain' });
  } else if (!programme || programme.current === 1) {
    await context.sendActivity(
      "Let's begin. There are seven short stages and I'll ask one question at a time. There are no right or wrong answers. You can type \"pause\" whenever you like and carry on later.",
    );
  }
  await dc.beginDialog(COACHING_SESSION);
}

export async function pause({ context, dc, doc }: PersonalTurn): Promise<void> {
  if (!doc.programme || !dc.activeDialog) {
    await context.sendActivity("There's nothing to pause right now. Type \"start coaching\" whenever you're ready.");
    return;
  }
  await dc.cancelAllDialogs();
  notePaused(doc);
  await context.sendActivity('Paused. Everything you have told me is kept. When you want to carry on, type "start coaching" and we will pick up where we left off.');
}

export async function whereAmI({ context, dc, doc }: PersonalTurn): Promise<void> {
  await context.sendActivity({ type: 'message', text: whereAmIText(doc.programme), textFormat: 'plain' });
  if (dc.activeDialog) await dc.repromptDialog();
}

export async function showPlan({ context, doc }: PersonalTurn): Promise<void> {
  const programme = doc.programme;
  const latest = programme && latestPlan(programme);
  if (!programme || !latest) {
    await context.sendActivity("You haven't made an action plan yet. It comes in stage 6 of a session: type \"start coaching\" to work towards it.");
    return;
  }
  await context.sendActivity(actionPlanCard(programme, latest.plan, MY_PLAN_QUESTION, `Your action plan (session ${latest.session})`, 'Save changes'));
}

export async function saveEditedPlan({ context, dc, doc }: PersonalTurn): Promise<void> {
  const parsed = parsePlan(context.activity, MY_PLAN_QUESTION);
  if (!(doc.programme && latestPlan(doc.programme))) {
    await context.sendActivity("I couldn't find a plan to change. Type \"my plan\" to see yours.");
  } else if (parsed === 'noAction') {
    await context.sendActivity('Your plan needs at least one action, so I have kept it as it was.');
  } else if (typeof parsed === 'object') {
    reviseLatestPlan(doc.programme, parsed, new Date());
    await context.sendActivity('Your plan is updated.');
  } else {
    await context.sendActivity("Something in that card didn't look right, so I have kept your plan as it was. Type \"my plan\" to try again.");
  }
  if (dc.activeDialog) await dc.repromptDialog();
}

export async function exportData({ context, inbound, doc, services }: PersonalTurn): Promise<void> {
  const referrals = await referralsAbout(services.referrals, inbound.person);
  const exportId = newExportId();
  awaitExport(doc, exportId);
  await context.sendActivity({ type: 'message', text: exportSummary(doc, referrals), textFormat: 'plain' });
  await context.sendActivity({ attachments: [fileConsentCard(exportId, exportSize(inbound.person, doc, referrals))] });
}

/** Teams' answer to the export's file consent card. */
export async function fileConsent({ context, inbound }: Turn, doc: PersonDocument, services: RouterServices): Promise<void> {
  await fileConsentAnswered(context, doc, services.referrals, inbound.person);
}

export async function askToDelete({ context, doc }: PersonalTurn): Promise<void> {
  askToConfirm(doc, 'deleteData');
  await context.sendActivity(choiceCard(deletionExplained, deleteOptions));
}

export async function askToStartAgain({ context, doc }: PersonalTurn): Promise<void> {
  const programme = doc.programme;
  if (!programme || !currentSession(programme)) {
    await context.sendActivity("There's nothing to start again yet. Type \"start coaching\" to begin.");
    return;
  }
  askToConfirm(doc, 'startAgain');
  await context.sendActivity(
    choiceCard(`Start session ${programme.current} again from the beginning? Your answers from this session so far will be cleared.`, confirmOptions),
  );
}

export async function welcomeBackToQuestion({ context, dc, doc }: PersonalTurn): Promise<void> {
  await context.sendActivity({ type: 'message', text: `Welcome back. ${reminder(doc.programme)}`, textFormat: 'plain' });
  await dc.repromptDialog();
}

/** The answer to the question coaching is waiting on; a dialog that does not take it passes it on. */
export async function coaching({ dc }: PersonalTurn): Promise<void | typeof PASS> {
  const result = await dc.continueDialog();
  if (result.status === DialogTurnStatus.empty) return PASS;
}

/** "thanks", "later", "what?"… and answers it cannot use, outside a session: answered for where they are. */
export async function outsideSession({ context, inbound, doc }: PersonalTurn): Promise<void | typeof PASS> {
  if (!(await answerOutsideSession(context, doc, inbound.words))) return PASS;
}

export async function offerToCarryOn({ context, doc }: PersonalTurn): Promise<void> {
  await context.sendActivity({ type: 'message', text: `Welcome back. ${reminder(doc.programme)}`, textFormat: 'plain' });
  await context.sendActivity(choiceCard('Would you like to carry on?', [{ title: 'Start or continue coaching', value: 'start coaching' }]));
}

export async function notUnderstoodWithMenu({ context }: PersonalTurn): Promise<void> {
  await context.sendActivity({ type: 'message', text: notUnderstood, textFormat: 'markdown' });
  await sendMenu(context, 'Here is what I can do');
}

/** A booking word or card answered: coaching, if a question is waiting, asks it again (not after a card). */
export const thenBackToQuestion =
  (handler: (turn: PersonalTurn) => Promise<boolean>) =>
  async (turn: PersonalTurn): Promise<void | typeof PASS> => {
    if (!(await handler(turn))) return PASS;
    if (turn.dc.activeDialog && !turn.context.activity.value) await turn.dc.repromptDialog();
  };

/**
 * After the risk gate's direct question was answered "no": coaching takes the words that raised it as the
 * answer to the question it was waiting on, or asks that question again.
 */
export async function resumeCoaching(context: TurnContext, doc: PersonDocument, coaching: CoachingDialogs): Promise<void> {
  const dc = coaching.contextFor(context, doc);
  if (!dc.activeDialog) return;
  const held = context.turnState.get(HELD_ANSWER) as HeldInput | undefined;
  if (held === undefined) {
    await dc.repromptDialog();
    return;
  }
  // The dialog reads the turn's activity: it sees what was held for the length of this call only.
  const activity = context.activity;
  const { text, value } = activity;
  activity.text = held.text ?? '';
  activity.value = held.value;
  try {
    await dc.continueDialog();
  } finally {
    activity.text = text;
    activity.value = value;
  }
}

/** The person's document is erased; while an urgent referral is open, one note is kept: that coaching is stopped. */
async function deleteEverything(context: TurnContext, doc: PersonDocument): Promise<void> {
  forgetThisTurn(context);
  forgetServicePerson(context, personOf(context));
  if (erasePerson(doc, new Date())) {
    await context.sendActivity(
      'Done: I have deleted your coaching data. I have kept one note, for your safety: that coaching is paused while a service lead follows up the referral. Referrals already sent are kept by the service; they hold your name and why you were referred, never your messages.',
    );
    return;
  }
  await context.sendActivity(
    'Done: I have deleted your coaching data. Referrals already sent to the service leads are kept by the service, because it must keep a record of them; they hold your name and why you were referred, never your messages. You can start afresh at any time.',
  );
}

async function startSessionAgain(context: TurnContext, dc: DialogContext, doc: PersonDocument): Promise<void> {
  await dc.cancelAllDialogs();
  clearCurrentSession(doc);
  await context.sendActivity(`Starting session ${doc.programme!.current} again from the beginning.`);
  await dc.beginDialog(COACHING_SESSION);
}

async function continueOrOffer(dc: DialogContext, programme: Programme | undefined): Promise<void> {
  if (dc.activeDialog) {
    await dc.repromptDialog();
    return;
  }
  if (programme) await dc.context.sendActivity('Type "start coaching" to carry on.');
}

/**
 * The 1:1 conversation reference, kept so others' booking news can reach this person later, and their sign-in
 * name (asked of Teams once per chat) for the meeting links. A failed look-up only leaves the name out.
 */
async function rememberHowToReach(doc: PersonDocument, context: TurnContext, logger: Logger): Promise<void> {
  const reference = TurnContext.getConversationReference(context.activity);
  if (!reachChanged(doc, reference)) return;
  rememberReach(doc, reference);
  try {
    const member = await TeamsInfo.getMember(context, context.activity.from.id);
    const upn = member.userPrincipalName ?? member.email;
    if (upn) rememberSignInName(doc, upn);
  } catch (err) {
    logger.debug({ err: errorFields(err) }, 'sign-in name not available');
  }
}

function personOf(context: TurnContext): string {
  return context.activity.from.aadObjectId ?? context.activity.from.id;
}

function reminder(programme: Programme | undefined): string {
  const record = programme && currentSession(programme);
  if (!programme || !record) return '';
  return whereWeWere(record.stage, record.number, activeGoal(programme));
}

function whereAmIText(programme: Programme | undefined): string {
  const record = programme && currentSession(programme);
  if (programme?.completedAt) return 'You have completed both coaching sessions.';
  if (programme && !record && programme.current === 2) {
    const scale = latestScale(programme);
    return `You've finished session 1${scale !== undefined ? `, and your latest rating was ${scale} out of 10` : ''}. When you're ready for session 2, type "start coaching".`;
  }
  if (!programme || !record) return "You haven't started coaching yet. Type \"start coaching\" to begin.";
  const scale = latestScale(programme);
  const lines = [
    record.completedAt ? `You've finished session ${record.number}.` : whereWeWere(record.stage, record.number, activeGoal(programme)),
    scale !== undefined ? `Your latest rating: ${scale} out of 10.` : 'You have not rated where you are on the scale yet.',
  ];
  if (programme.paused) lines.push('Coaching is paused. Type "start coaching" to carry on.');
  return lines.join('\n');
}


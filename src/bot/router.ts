import { ActivityTypes, TeamsInfo, TurnContext, type ConversationReference } from 'botbuilder';
import { respondToBooking, type BookingServices } from '../booking/bookingConversation';
import type { CoachSessionServices } from '../coachSession/services';
import { respondInCoachSession } from '../coachSession/inChat';
import { respondToStageGuide } from '../coachSession/guideSubmission';
import { handleCoachRoleCommand } from '../booking/coachDirectory';
import type { DialogContext, DialogState } from 'botbuilder-dialogs';
import { DialogTurnStatus } from 'botbuilder-dialogs';
import { actionPlanCard, planFromSubmission } from '../coaching/stages/actionPlan';
import { submissionHeader } from '../coaching/cardSubmissions';
import { choiceCard, parsePlan, recogniseChoice, type ChoiceOption, type CoachingData } from '../coaching/dialogKit';
import { activeGoal, currentSession, latestPlan, latestScale, whereWeWere, type Programme } from '../coaching/programme';
import { COACHING_SESSION, CoachingDialogs } from '../coaching/session';
import { answerOutsideSession } from '../coaching/everydayWords';
import { parseCommand, sharedChatMenuOptions, wordsOf, type Command } from './commands';
import { deletionExplained, exportSize, exportSummary, fileConsentAnswered, fileConsentCard, newExportId, referralsAbout } from './yourData';
import type { SafetyState } from '../safety/riskGate';
import { HELD_ANSWER, type HeldInput } from '../safety/directCheck';
import { isBotAdded, notUnderstood, sendHelp, sendMenu, sendSupport, sendWelcome } from './firstConversation';
import { handleLeadsActivity } from '../safety/leadsChannel';
import type { Referrals } from '../safety/referralsPort';
import type { Nation, SafetySettings } from '../config';
import { errorFields, type Logger } from '../logger';
import { forgetThisTurn, resumingCoaching, type ConversationData, type ConversationLogic } from './turnPipeline';
import { forgetServicePerson } from '../serviceEvents/events';
import { handleServiceReportCommands } from '../serviceEvents/leadsCommands';
import type { ServiceReports } from '../serviceEvents/service';

/** What the bot keeps for a 1:1 chat: the person's programme and their place in the dialogs. */
export interface PersonalData extends ConversationData, CoachingData {
  dialogState?: DialogState;
  lastMessageAt?: string;
  pendingConfirmation?: 'startAgain' | 'deleteData';
  pendingExport?: string;
  safety?: SafetyState;
  conversationReference?: Partial<ConversationReference>;
  /** Their sign-in name, for filling in Teams meeting links; looked up once per chat. */
  upn?: string;
}

/** After this long away, a greeting brings a "welcome back" instead of being taken as an answer. */
const AWAY_MS = 6 * 3600 * 1000;
const MY_PLAN_QUESTION = 'myPlan';

const deleteOptions: ChoiceOption<'yes' | 'no'>[] = [
  { title: 'Yes, delete my data', value: 'yes', words: ['yes', 'delete', 'yes delete'] },
  { title: 'No, keep it', value: 'no', words: ['no', 'keep', 'cancel', 'keep it'] },
];

const confirmOptions: ChoiceOption<'yes' | 'no'>[] = [
  { title: 'Yes, start again', value: 'yes', words: ['yes', 'yeah', 'yep', 'start again'] },
  { title: 'No, carry on', value: 'no', words: ['no', 'nope', 'carry on', 'cancel'] },
];

/** What the router needs from the rest of the bot, given once at start-up. */
export interface RouterServices {
  safety: SafetySettings;
  /** The referrals container: referrals and the leads' channel registration. */
  referrals: Referrals;
  logger: Logger;
  /** Coaches' availability and bookings; absent in tests that drive only the coaching. */
  booking?: BookingServices;
  /** Coach-joined sessions in group chats. */
  coachSessions?: CoachSessionServices;
  /** The self-guided session's dialogs; tests that drive only the coaching get them with nothing set off on completion. */
  coaching?: CoachingDialogs;
  /** The service report: `service report`, `add viewer @name`, `remove viewer @name`. */
  serviceReports?: ServiceReports;
}

/** Builds the conversation logic that runs after the risk gate. */
export function createRouter(services: RouterServices): ConversationLogic {
  const routed = { ...services, coaching: services.coaching ?? new CoachingDialogs({ onSessionCompleted: async () => {} }) };
  return (context, data) => respondToActivity(context, data, routed, services.coachSessions);
}

type Routed = RouterServices & { coaching: CoachingDialogs };

/** Routes every activity after the risk gate: by conversation type, then commands, then the coaching dialogs. */
async function respondToActivity(context: TurnContext, data: ConversationData, services: Routed, coachSessions?: CoachSessionServices): Promise<void> {
  // The service leads' own actions: "register referrals" in their channel, Acknowledge on a referral card.
  if (await handleLeadsActivity(context, services)) return;
  if (services.serviceReports && (await handleServiceReportCommands(context, services.serviceReports, services.logger))) return;
  if (services.booking && (await handleCoachRoleCommand(context, { ...services.booking, serviceLeadIds: services.safety.serviceLeadIds }))) return;
  const activity = context.activity;
  const { nation } = services.safety;
  if (activity.type === ActivityTypes.Invoke && activity.name === 'fileConsent/invoke' && activity.conversation.conversationType === 'personal') {
    await fileConsentAnswered(context, data as PersonalData, services.referrals, personOf(activity));
    return;
  }
  if (activity.type !== ActivityTypes.Message) {
    if (isBotAdded(activity) && !data.welcomedAt) {
      data.welcomedAt = new Date().toISOString();
      await sendWelcome(context, nation);
    }
    return;
  }
  if (resumingCoaching(context)) {
    if (activity.conversation.conversationType === 'personal') await resumeCoaching(context, data as PersonalData, services.coaching);
    return;
  }
  const shared = activity.conversation.conversationType !== 'personal';
  // With the chat-messages permission Teams sends every message in a group chat: the risk gate has screened
  // it; the bot only answers what is addressed to it (an @mention or one of its buttons).
  if (shared && !addressedToBot(activity)) return;
  if (!data.welcomedAt) {
    data.welcomedAt = new Date().toISOString();
    await sendWelcome(context, nation);
  }
  const text = wordsOf(activity);
  if (shared) {
    if (coachSessions && (await respondInCoachSession(context, data, text, coachSessions))) return;
    await respondInSharedChat(context, parseCommand(text), nation);
    return;
  }
  // A coach saving a coach-joined session's stage guide in their 1:1 chat.
  if (coachSessions && (await respondToStageGuide(context, coachSessions))) return;
  await respondInPersonalChat(context, data as PersonalData, text, services);
}

/**
 * After the risk gate's direct question was answered "no": coaching takes the words that raised it as the
 * answer to the question it was waiting on, or asks that question again.
 */
async function resumeCoaching(context: TurnContext, data: PersonalData, coaching: CoachingDialogs): Promise<void> {
  const dc = coaching.contextFor(context, data);
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

async function respondInSharedChat(context: TurnContext, command: Command | undefined, nation: Nation): Promise<void> {
  if (command === 'support') return sendSupport(context, nation);
  if (command === 'help' || command === 'menu') return sendHelp(context, sharedChatMenuOptions);
  await context.sendActivity('Self-guided coaching happens in a 1:1 chat with me, so your answers stay private. Open a chat with me to start.');
  await sendMenu(context, 'In this chat I can', sharedChatMenuOptions);
}

async function respondInPersonalChat(context: TurnContext, data: PersonalData, text: string, services: Routed): Promise<void> {
  const { nation } = services.safety;
  const awayFor = data.lastMessageAt ? Date.now() - Date.parse(data.lastMessageAt) : 0;
  data.lastMessageAt = new Date().toISOString();
  await rememberHowToReach(data, context, services.logger);
  const dc = services.coaching.contextFor(context, data);
  const programme = data.programme;
  const activity = context.activity;

  if (parsePlan(activity, MY_PLAN_QUESTION) !== undefined && (activity.value as { questionId?: string }).questionId === MY_PLAN_QUESTION) {
    return saveEditedPlan(context, dc, data);
  }

  if (data.pendingConfirmation === 'deleteData') {
    delete data.pendingConfirmation;
    const answer = recogniseChoice(text, deleteOptions);
    if (answer === 'yes') return deleteEverything(context, data);
    if (answer === 'no') {
      await context.sendActivity('OK, I have kept everything as it was.');
      return continueOrOffer(dc, programme);
    }
  }

  if (data.pendingConfirmation === 'startAgain') {
    delete data.pendingConfirmation;
    const answer = recogniseChoice(text, confirmOptions);
    if (answer === 'yes') return startSessionAgain(context, dc, data);
    if (answer === 'no') {
      await context.sendActivity("OK, we'll carry on from where we were.");
      return continueOrOffer(dc, programme);
    }
  }

  // A check-in the risk gate let through is a clean one taken before coaching: carry on into coaching.
  const command = submissionHeader(activity.value)?.card === 'checkIn' ? 'startCoaching' : parseCommand(text);
  if (services.booking && (await respondToBooking(context, data, command, services.booking))) {
    if (dc.activeDialog && !activity.value) await dc.repromptDialog();
    return;
  }
  switch (command) {
    case 'help':
      return sendHelp(context);
    case 'menu':
      if (dc.activeDialog && awayFor < AWAY_MS) {
        await sendMenu(context, 'What would you like to do?');
        return;
      }
      break;
    case 'support':
      return sendSupport(context, nation);
    case 'startCoaching':
      return startOrContinue(context, dc, programme);
    case 'pause':
      return pause(context, dc, data);
    case 'whereAmI':
      await context.sendActivity({ type: 'message', text: whereAmI(programme), textFormat: 'plain' });
      if (dc.activeDialog) await dc.repromptDialog();
      return;
    case 'myPlan':
      return showPlan(context, programme);
    case 'exportData': {
      const userId = personOf(activity);
      const referrals = await referralsAbout(services.referrals, userId);
      data.pendingExport = newExportId();
      await context.sendActivity({ type: 'message', text: exportSummary(data, referrals), textFormat: 'plain' });
      await context.sendActivity({ attachments: [fileConsentCard(data.pendingExport, exportSize(userId, data, referrals))] });
      return;
    }
    case 'deleteData':
      data.pendingConfirmation = 'deleteData';
      await context.sendActivity(choiceCard(deletionExplained, deleteOptions));
      return;
    case 'startAgain':
      if (!programme || !currentSession(programme)) {
        await context.sendActivity("There's nothing to start again yet. Type \"start coaching\" to begin.");
        return;
      }
      data.pendingConfirmation = 'startAgain';
      await context.sendActivity(
        choiceCard(
          `Start session ${programme.current} again from the beginning? Your answers from this session so far will be cleared.`,
          confirmOptions,
        ),
      );
      return;
  }

  if (dc.activeDialog) {
    if (awayFor >= AWAY_MS && (command === 'menu' || text.trim() === '')) {
      await context.sendActivity({ type: 'message', text: `Welcome back. ${reminder(programme)}`, textFormat: 'plain' });
      await dc.repromptDialog();
      return;
    }
    const result = await dc.continueDialog();
    if (result.status !== DialogTurnStatus.empty) return;
  }
  // "thanks", "later", "what?"… and answers it cannot use, outside a session: answered for where they are.
  if (command === undefined && (await answerOutsideSession(context, data, text))) return;
  if (programme && currentSession(programme) && !currentSession(programme)!.completedAt) {
    await context.sendActivity({ type: 'message', text: `Welcome back. ${reminder(programme)}`, textFormat: 'plain' });
    await context.sendActivity(choiceCard('Would you like to carry on?', [{ title: 'Start or continue coaching', value: 'start coaching' }]));
    return;
  }
  if (command === 'menu') return sendMenu(context, 'What would you like to do?');
  await context.sendActivity({ type: 'message', text: notUnderstood, textFormat: 'markdown' });
  await sendMenu(context, 'Here is what I can do');
}

async function startOrContinue(context: TurnContext, dc: DialogContext, programme: Programme | undefined): Promise<void> {
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

async function pause(context: TurnContext, dc: DialogContext, data: PersonalData): Promise<void> {
  if (!data.programme || !dc.activeDialog) {
    await context.sendActivity("There's nothing to pause right now. Type \"start coaching\" whenever you're ready.");
    return;
  }
  await dc.cancelAllDialogs();
  data.programme.paused = true;
  await context.sendActivity('Paused. Everything you have told me is kept. When you want to carry on, type "start coaching" and we will pick up where we left off.');
}

async function startSessionAgain(context: TurnContext, dc: DialogContext, data: PersonalData): Promise<void> {
  await dc.cancelAllDialogs();
  const programme = data.programme!;
  delete programme.sessions[`${programme.current}`];
  await context.sendActivity(`Starting session ${programme.current} again from the beginning.`);
  await dc.beginDialog(COACHING_SESSION);
}

async function continueOrOffer(dc: DialogContext, programme: Programme | undefined): Promise<void> {
  if (dc.activeDialog) {
    await dc.repromptDialog();
    return;
  }
  if (programme) await dc.context.sendActivity('Type "start coaching" to carry on.');
}

async function showPlan(context: TurnContext, programme: Programme | undefined): Promise<void> {
  const latest = programme && latestPlan(programme);
  if (!programme || !latest) {
    await context.sendActivity("You haven't made an action plan yet. It comes in stage 6 of a session: type \"start coaching\" to work towards it.");
    return;
  }
  await context.sendActivity(actionPlanCard(programme, latest.plan, MY_PLAN_QUESTION, `Your action plan (session ${latest.session})`, 'Save changes'));
}

async function saveEditedPlan(context: TurnContext, dc: DialogContext, data: PersonalData): Promise<void> {
  const parsed = parsePlan(context.activity, MY_PLAN_QUESTION);
  const latest = data.programme && latestPlan(data.programme);
  if (!latest) {
    await context.sendActivity("I couldn't find a plan to change. Type \"my plan\" to see yours.");
  } else if (parsed === 'noAction') {
    await context.sendActivity('Your plan needs at least one action, so I have kept it as it was.');
  } else if (typeof parsed === 'object') {
    data.programme!.sessions[`${latest.session}`]!.actionPlan = planFromSubmission(parsed, new Date());
    await context.sendActivity('Your plan is updated.');
  } else {
    await context.sendActivity("Something in that card didn't look right, so I have kept your plan as it was. Type \"my plan\" to try again.");
  }
  if (dc.activeDialog) await dc.repromptDialog();
}

/** Erases the person's document. While an urgent referral is open, one note is kept: that coaching is stopped. */
async function deleteEverything(context: TurnContext, data: PersonalData): Promise<void> {
  const safety = data.safety;
  forgetThisTurn(context);
  forgetServicePerson(context, personOf(context.activity));
  for (const key of Object.keys(data)) delete data[key];
  if (safety?.status === 'urgentStop') {
    data.welcomedAt = new Date().toISOString();
    data.safety = { status: 'urgentStop', since: safety.since, flaggedBy: safety.flaggedBy, referralIds: safety.referralIds };
    await context.sendActivity(
      'Done: I have deleted your coaching data. I have kept one note, for your safety: that coaching is paused while a service lead follows up the referral. Referrals already sent are kept by the service; they hold your name and why you were referred, never your messages.',
    );
    return;
  }
  data.erase = true;
  await context.sendActivity(
    'Done: I have deleted your coaching data. Referrals already sent to the service leads are kept by the service, because it must keep a record of them; they hold your name and why you were referred, never your messages. You can start afresh at any time.',
  );
}

/**
 * The 1:1 conversation reference, kept so others' booking news can reach this person later, and their sign-in
 * name (asked of Teams once per chat) for the meeting links. A failed look-up only leaves the name out.
 */
async function rememberHowToReach(data: PersonalData, context: TurnContext, logger: Logger): Promise<void> {
  const reference = TurnContext.getConversationReference(context.activity);
  const known = data.conversationReference;
  if (known?.conversation?.id === reference.conversation?.id && known?.serviceUrl === reference.serviceUrl) return;
  data.conversationReference = {
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    conversation: reference.conversation,
    bot: reference.bot,
    user: reference.user,
  };
  try {
    const member = await TeamsInfo.getMember(context, context.activity.from.id);
    const upn = member.userPrincipalName ?? member.email;
    if (upn) data.upn = upn;
  } catch (err) {
    logger.debug({ err: errorFields(err) }, 'sign-in name not available');
  }
}

function addressedToBot(activity: { value?: unknown; recipient: { id: string }; entities?: { type: string; mentioned?: { id?: string } }[] }): boolean {
  if (activity.value) return true;
  return (activity.entities ?? []).some((e) => e.type === 'mention' && e.mentioned?.id === activity.recipient.id);
}

function personOf(activity: { from: { aadObjectId?: string; id: string } }): string {
  return activity.from.aadObjectId ?? activity.from.id;
}

function reminder(programme: Programme | undefined): string {
  const record = programme && currentSession(programme);
  if (!programme || !record) return '';
  return whereWeWere(record.stage, record.number, activeGoal(programme));
}

function whereAmI(programme: Programme | undefined): string {
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


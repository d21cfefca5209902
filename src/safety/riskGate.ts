/**
 * The risk gate. Every inbound message and every free-text card input (in a message or an invoke) passes
 * here before any command, dialog or card handler runs (the turn pipeline calls it first, for every conversation type, with the
 * activity as the door read it: src/turn/inbound.ts).
 *
 * - Screening of everything the person wrote, read with the bot's last question and their last few messages
 *   (./screenMessage.ts: the lexicon, raised by the learned model), plus the self-report check-in.
 * - check (warning signs without a clear statement): the bot asks directly (./directCheck.ts), privately in
 *   the person's 1:1 chat when the message was in a group chat; coaching waits at the same question.
 * - wellbeing: coaching pauses (nothing is lost), the Stress Support and Wellbeing service is explained and a
 *   referral is offered with consent; coaching resumes only after a fresh check-in that does not flag.
 * - urgent: coaching stops, crisis signposting is shown, the person is told a service lead is being informed,
 *   a referral is written to the store (the outbox delivers it) and they are asked whether they are safe.
 * Nothing here assesses or diagnoses, and no score ever takes support away.
 *
 * The gate owns the safety section of the conversation's document; the rest of the document it reaches only
 * through its owners' operations (CoachingControls).
 */
import { ActivityTypes, MessageFactory, TurnContext, type Activity } from 'botbuilder';
import { renderCard } from '../cards/render';
import type { SafetySettings } from '../config';
import type { Logger } from '../logger';
import type { Command } from '../turn/commands';
import { afterTurnSaved } from '../turn/afterSave';
import { newQuestionId } from '../turn/cards';
import { choiceCard, recogniseChoice, type ChoiceOption } from '../turn/choices';
import type { Inbound } from '../turn/inbound';
import { checkInSubmission, scoreCheckIn } from './checkIn';
import { recordReferral, referralId, type Referral, type ReferralLevel, type ReferralTrigger } from './referrals';
import type { Referrals } from './referralsPort';
import type { RiskLevel } from './screening';
import { screenCardValue, screenMessage, screenRank, type ScreenLevel } from './screenMessage';
import { screeningInputFor, type ConversationMemory } from './conversationMemory';
import {
  askPrivately,
  checkQuietReminder,
  directCheckCard,
  HELD_ANSWER,
  heldInputOf,
  neutralSupportPointer,
  newDirectCheck,
  recogniseDirectAnswer,
  recentlyBelieved,
  recordCheck,
  type DirectCheck,
  type DirectCheckAnswer,
  type HeldInput,
  type PrivateCheckServices,
} from './directCheck';
import { crisisContacts, signposting } from './signposting';
import { recordServiceEvent } from '../serviceEvents/events';

export interface SafetyState {
  status: 'clear' | 'wellbeingPause' | 'urgentStop';
  since?: string;
  flaggedBy?: 'keywords' | 'checkIn' | 'directCheck';
  /** The person said the bot misunderstood their words: a clean check-in may then reopen coaching. */
  saidMisunderstood?: boolean;
  /** The gate's own question waiting for an answer. */
  pending?: 'safeNow' | 'referralConsent' | 'okNow' | 'directCheck';
  /** The direct question waiting for its answer (pending 'directCheck'). */
  directCheck?: DirectCheck;
  /** Direct checks asked, newest last (reason codes and answers; never the text). */
  checks?: DirectCheck[];
  /**
   * What the person sent when the direct question was raised (their words, or a card's values), held only
   * until they answer it, so a "no" loses nothing: coaching then takes it as the answer it was.
   */
  heldInput?: HeldInput;
  checkInQuestionId?: string;
  /** What a clean check-in leads on to. */
  afterCheckIn?: 'startCoaching';
  lastCleanCheckInAt?: string;
  referralIds?: string[];
}

/** The gate's own section of a conversation's stored document (the person's in a 1:1 chat, the chat's elsewhere). */
export interface SafetySection {
  safety?: SafetyState;
  /** The bot's last question and the person's last few messages (./conversationMemory.ts). */
  screeningMemory?: ConversationMemory;
}

/** What the gate asks of the coaching in the document it guards, through the document's own operations. */
export interface CoachingControls<D extends SafetySection> {
  /**
   * Coaching stops where it is, every answer kept; in a chat, a coach-joined session there pauses and its
   * coach is told privately (src/coachSession/support.ts).
   */
  pause(context: TurnContext, doc: D, level: 'urgent' | 'wellbeing'): void;
  /** Whether "start coaching" would begin a session rather than carry one on. */
  startsNewSession(doc: D): boolean;
  /** The personal chat's "delete your data?" is waiting for its answer. */
  confirmingDeletion(doc: D): boolean;
}

/**
 * - handled: the gate has answered; nothing else runs.
 * - continue: the turn goes on to the router as usual.
 * - resume: the gate has answered its own question and coaching picks up where it was (the router asks the
 *   waiting question again).
 */
export type GateDecision = 'handled' | 'continue' | 'resume';
export type RiskGate<D extends SafetySection> = (context: TurnContext, inbound: Inbound, data: D) => Promise<GateDecision>;

export interface RiskGateServices<D extends SafetySection> {
  safety: SafetySettings;
  referrals: Referrals;
  /** Posts a referral to the leads' channel now (the referral outbox); urgent ones go straight after their turn. */
  sendReferralNow?: (id: string) => Promise<unknown>;
  logger: Logger;
  coaching: CoachingControls<D>;
  /** People's own documents and the proactive sender, for asking a direct question privately from a group chat. */
  privately?: PrivateCheckServices;
}

const rank: Record<RiskLevel, number> = { none: 0, wellbeing: 1, urgent: 2 };


interface Screened {
  level: ScreenLevel;
  reasons: string[];
  distressed: boolean;
}
/** Commands that never touch coaching and so still work while coaching is paused or stopped. */
const alwaysAllowed = new Set<Command>(['help', 'menu', 'whereAmI', 'myPlan', 'pause', 'exportData', 'deleteData']);

const safeNowOptions: ChoiceOption<'yes' | 'no' | 'ratherNot'>[] = [
  { title: "Yes, I'm safe right now", value: 'yes', words: ['yes', 'yeah', 'yep', 'i am safe', "i'm safe", 'safe'] },
  { title: "No, I'm not safe", value: 'no', words: ['no', 'not safe', "i'm not safe", 'i am not safe', 'nope'] },
  { title: "I'd rather not say", value: 'ratherNot', words: ['rather not say', 'rather not', 'skip'] },
];
const consentOptions: ChoiceOption<'yes' | 'no'>[] = [
  { title: 'Yes, please ask them', value: 'yes', words: ['yes', 'yes please', 'please do', 'yeah'] },
  { title: 'No, thank you', value: 'no', words: ['no', 'no thanks', 'not now', 'nope'] },
];
const okNowOptions: ChoiceOption<'ok' | 'support'>[] = [
  { title: "I'm OK", value: 'ok', words: ["i'm ok", 'i am ok', 'ok', 'fine', "i'm fine", 'yes'] },
  { title: "I'd like some support", value: 'support', words: ['support', 'help', 'not ok', 'no'] },
];
const misunderstood =
  /\b(you('ve| have)? (misunderstood|got (it|that|me) wrong)|misunderstood me|not what i meant|i didn'?t mean (it|that)|i was (only )?joking|it was a joke|just a joke|wrong end of the stick|figure of speech|didn'?t mean it like that|you read (that|it) wrong)\b/i;

export function createRiskGate<D extends SafetySection>(services: RiskGateServices<D>): RiskGate<D> {
  return async (context, inbound, data) => {
    const decision = await guard(context, inbound, data, services);
    // The gate's replies go to the chat as messages; the invoke itself is answered, so the card shows no error.
    if (decision === 'handled' && inbound.kind === 'invoke') await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } });
    return decision;
  };
}

/** The services as the gate's steps use them for one turn: coaching's controls bound to this turn's document. */
type Services = Omit<RiskGateServices<SafetySection>, 'coaching'> & {
  coaching: { pause(context: TurnContext, level: 'urgent' | 'wellbeing'): void };
};

async function guard<D extends SafetySection>(context: TurnContext, inbound: Inbound, data: D, services: RiskGateServices<D>): Promise<GateDecision> {
  // An invoke is screened when it carries free text (an Action.Execute's inputs), as a card submission is.
  if (inbound.kind === 'event' || (inbound.kind === 'invoke' && inbound.written.length === 0)) return 'continue';
  const activity = context.activity;
  const safety = (data.safety ??= { status: 'clear' });
  const log = services.logger.child({ activityId: activity.id, conversationType: activity.conversation?.conversationType });
  const text = inbound.words;
  const gated: Services = { ...services, coaching: { pause: (turn, level) => services.coaching.pause(turn, data, level) } };

  if (inbound.card?.card === 'checkIn') return checkInSubmitted(context, inbound, safety, gated, log);

  // The answer to the gate's own direct question is read on its own: the message that raised the question
  // is what it answers, and must not turn a plain "no" into something else.
  const answering = safety.pending === 'directCheck';
  const screened = [
    screenMessage(answering ? { text } : screeningInputFor(data, activity, text)),
    ...inbound.written.map((t) => screenCardValue(screeningInputFor(data, activity, t))),
  ]
    .reduce<Screened>(
      (worst, next) => ({
        level: screenRank[next.level] > screenRank[worst.level] ? next.level : worst.level,
        reasons:
          screenRank[next.level] > screenRank[worst.level] ? [...next.reasons] : screenRank[next.level] === screenRank[worst.level] ? [...new Set([...worst.reasons, ...next.reasons])] : worst.reasons,
        distressed: worst.distressed || next.distressed,
      }),
      { level: 'none', reasons: [], distressed: false },
    );
  if (screened.level !== 'none' && inbound.card?.card === 'stageGuide') {
    // A coach's notes about their client, from the coach's own 1:1 chat: screened like everything else, but
    // the words are about someone else, so the coach is pointed to the support route instead of being referred.
    log.info({ level: screened.level, reasons: screened.reasons, source: 'coachNotes' }, 'risk mentioned in a coach’s notes about their client');
    await context.sendActivity(
      "Your notes are saved. They mention something that may mean your client needs support: if so, say so in the session chat, where I'll show them the crisis contacts and tell a service lead, and follow your service's safeguarding procedure.",
    );
    return 'continue';
  }
  if (screened.level !== 'none') log.info({ level: screened.level, reasons: screened.reasons, source: 'keywords' }, 'risk screening flagged a message');
  if (screened.level === 'urgent') return urgent(context, safety, { source: 'keywords', reasons: screened.reasons }, gated, log);
  const command = inbound.command;
  const personal = inbound.conversation === 'personal';
  if (safety.pending === 'directCheck' && safety.directCheck && command !== 'support' && !(command && alwaysAllowed.has(command))) {
    return directCheckAnswered(context, safety, safety.directCheck, text, screened, gated, log);
  }
  if (command === 'support') {
    if (safety.pending === 'directCheck') delete safety.pending; // the check-in below asks the same, and more
    await sendSupportContacts(context, gated);
    if (personal) {
      await sendCheckIn(context, safety, 'If you feel able to, this short check-in helps me point you to the right support. You don\'t have to fill it in.');
    } else {
      await context.sendActivity('If you would like a private check-in, send me "Not OK right now" in a 1:1 chat: no one else will see your answers.');
    }
    return 'handled';
  }
  if (safety.pending && safety.pending !== 'directCheck') {
    const answered = await pendingAnswered(context, safety, text, gated, log);
    if (answered) return 'handled';
  }
  if (screened.level === 'check' && safety.status !== 'urgentStop' && recentlyBelieved(safety.checks)) {
    // Check fatigue: someone who answered "no" a short while ago is not asked the same question again for
    // warning signs alone; they are reminded where help is, and coaching goes on. Urgent always acts.
    log.info({ reasons: screened.reasons, code: 'check-quiet-after-no' }, 'direct check not repeated');
    await context.sendActivity(checkQuietReminder);
    return 'continue';
  }
  if (screened.level === 'check' && safety.status !== 'urgentStop') {
    if (personal) return askDirectly(context, safety, newDirectCheck('personal', screened.reasons, screened.distressed), log);
    if (inbound.conversation !== 'channel') return askInPrivate(context, inbound, newDirectCheck('groupChat', screened.reasons, screened.distressed), gated, log);
  }
  if (screened.level === 'wellbeing' && safety.status === 'clear') return wellbeing(context, safety, gated);
  if (misunderstood.test(text) && (safety.status !== 'clear' || safety.pending)) return saidMisunderstood(context, safety, gated);

  if (safety.status === 'clear') {
    if (command === 'startCoaching' && personal && services.coaching.startsNewSession(data)) {
      safety.afterCheckIn = 'startCoaching';
      await sendCheckIn(context, safety, 'Before each session I ask everyone the same few questions, so I can point you to the right support if you need it.');
      return 'handled';
    }
    return 'continue';
  }
  // Pausing and stopping are about coaching; a channel (such as the leads' own) has none to block.
  if ((command && alwaysAllowed.has(command)) || inbound.conversation === 'channel') return 'continue';
  // The answer to "delete your data?" asked by the personal chat.
  if (services.coaching.confirmingDeletion(data)) return 'continue';
  if (safety.status === 'wellbeingPause') {
    if (command === 'bookCoach') {
      await context.sendActivity('Coaching is paused for now. When you feel ready, type "start coaching" and we will begin with a quick check-in; you can book a coach after that.');
      return 'handled';
    }
    if (command === 'startCoaching') {
      safety.afterCheckIn = 'startCoaching';
      await sendCheckIn(context, safety, "Welcome back. Before we carry on, let's do a quick check-in.");
      return 'handled';
    }
    return 'continue';
  }
  // urgentStop
  if (command === 'startCoaching' && safety.saidMisunderstood) {
    safety.afterCheckIn = 'startCoaching';
    await sendCheckIn(context, safety, "Before we carry on, let's do a quick check-in.");
    return 'handled';
  }
  await context.sendActivity(
    "Coaching is stopped for now, because of what you told me earlier. A service lead has been told so they can make sure you're supported. The people below are there for you right now.",
  );
  await sendSupportContacts(context, gated);
  return 'handled';
}

async function urgent(
  context: TurnContext,
  safety: SafetyState,
  trigger: ReferralTrigger,
  services: Services,
  log: Logger,
  heading = "I'm really glad you told me. You don't have to face this on your own.",
): Promise<GateDecision> {
  // Coaching stops; a coach-joined session in this group chat pauses, and its coach is told privately.
  services.coaching.pause(context, 'urgent');
  const alreadyReferred = safety.status === 'urgentStop' && (safety.referralIds?.length ?? 0) > 0;
  safety.status = 'urgentStop';
  safety.since = new Date().toISOString();
  safety.flaggedBy = trigger.source;
  safety.saidMisunderstood = false;
  if (!alreadyReferred) {
    const referral = await refer(context, 'urgent', trigger, ['crisis-signposting', 'wellbeing-service'], true, services);
    safety.referralIds = [...(safety.referralIds ?? []), referral.id];
    log.warn({ referralId: referral.id, level: 'urgent', reasons: trigger.reasons }, 'urgent referral recorded');
  }
  await context.sendActivity(crisisMessage(services.safety, trigger.reasons, heading));
  safety.pending = 'safeNow';
  await context.sendActivity(safeNowQuestion());
  return 'handled';
}

/** The urgent response's card: crisis contacts (those for the reasons first) and what happens next. */
export function crisisMessage(settings: SafetySettings, reasons: readonly string[], heading: string): Partial<Activity> {
  return MessageFactory.attachment(
    renderCard('crisis', {
      heading,
      contacts: crisisContacts(settings.nation, reasons),
      wellbeingName: signposting.wellbeingService.name,
      wellbeingContact: settings.wellbeingService.contact,
      leadNotice:
        "I've stopped our coaching for now. Because you may be at risk, I'm letting a service lead know, so they can make sure you are supported: it's what we always do when someone might not be safe. They will see your name and that you may need support, not what you wrote.",
    }),
  );
}

/** Asked after the crisis card; its answer is read while the safety section's `pending` is 'safeNow'. */
export function safeNowQuestion(): Partial<Activity> {
  return choiceCard('Are you safe right now?', safeNowOptions);
}

/** Warning signs without a clear statement, in a 1:1 chat: ask directly; coaching waits at its question. */
async function askDirectly(context: TurnContext, safety: SafetyState, check: DirectCheck, log: Logger): Promise<GateDecision> {
  safety.pending = 'directCheck';
  safety.directCheck = check;
  safety.checks = recordCheck(safety.checks, check);
  const held = heldInputOf(context.activity);
  if (held) safety.heldInput = held;
  else delete safety.heldInput;
  log.info({ checkId: check.id, reasons: check.reasons, origin: check.origin }, 'direct check asked');
  await context.sendActivity(directCheckCard('Thank you for telling me.'));
  return 'handled';
}

/**
 * Warning signs in a group chat: the question is never asked in front of others. Once the turn is saved it
 * goes to the person's own 1:1 chat; the chat gets only the neutral pointer, and any coach-joined session
 * there carries on.
 */
async function askInPrivate(context: TurnContext, inbound: Inbound, check: DirectCheck, services: Services, log: Logger): Promise<GateDecision> {
  const userId = inbound.person;
  await context.sendActivity(neutralSupportPointer);
  const privately = services.privately;
  if (!userId || !privately) {
    log.warn({ checkId: check.id, reasons: check.reasons, origin: check.origin, code: 'check-not-deliverable' }, 'direct check could not be asked privately');
    return 'handled';
  }
  afterTurnSaved(context, async () => {
    const asked = (await askPrivately(userId, check, privately).catch(() => 'unreachable' as const)) !== 'unreachable';
    if (asked) log.info({ checkId: check.id, reasons: check.reasons, origin: check.origin }, 'direct check asked privately');
    else log.warn({ checkId: check.id, reasons: check.reasons, origin: check.origin, code: 'check-not-deliverable' }, 'direct check could not be asked privately');
  });
  // Messages addressed to the bot still reach the router (a coach's "next stage"); others need no answer.
  return 'handled';
}

async function directCheckAnswered(
  context: TurnContext,
  safety: SafetyState,
  check: DirectCheck,
  text: string,
  screened: Screened,
  services: Services,
  log: Logger,
): Promise<GateDecision> {
  let answer: DirectCheckAnswer | undefined = recogniseDirectAnswer(text);
  if (!answer) {
    check.unclear = (check.unclear ?? 0) + 1;
    if (check.unclear < 2) {
      safety.checks = recordCheck(safety.checks, check);
      await context.sendActivity(directCheckCard('I need to be sure I understand you, so please tap one of these, or type yes, no, not sure or rather not say.'));
      return 'handled';
    }
    // A question about safety is never dropped: a second reply that does not answer it counts as "not sure".
    answer = 'notSure';
  }
  const answered: DirectCheck = { ...check, answer, answeredAt: new Date().toISOString() };
  recordServiceEvent(context, { kind: 'directCheck', answer, origin: check.origin });
  const held = safety.heldInput;
  delete safety.pending;
  delete safety.directCheck;
  delete safety.heldInput;
  safety.checks = recordCheck(safety.checks, answered);
  log.info({ checkId: check.id, answer, origin: check.origin, reasons: check.reasons }, 'direct check answered');
  if (answer !== 'no') {
    const heading =
      answer === 'yes'
        ? "Thank you for telling me. I'm really glad you did, and you don't have to face this on your own."
        : "Thank you for answering. When I'm not sure someone is safe, I'd rather make sure they have support.";
    return urgent(context, safety, { source: 'directCheck', reasons: [...check.reasons, `answer-${answer}`] }, services, log, heading);
  }
  if (check.distressed || screenRank[screened.level] >= screenRank.wellbeing) {
    if (safety.status === 'clear') return wellbeing(context, safety, services, "Thank you for answering. It still sounds like things are a lot at the moment, so let's pause the coaching here.");
    await context.sendActivity('Thank you for answering.');
    return 'handled';
  }
  if (check.origin !== 'personal') {
    await context.sendActivity('Thank you for answering. The support contacts are here whenever you want them: just say "Not OK right now".');
    return 'handled';
  }
  if (safety.status !== 'clear') {
    await context.sendActivity('Thank you for answering.');
    return 'handled';
  }
  // Coaching takes what raised the question (their words or the card they sent) as the answer it was.
  if (held) context.turnState.set(HELD_ANSWER, held);
  await context.sendActivity(held ? "Thank you for answering. Let's carry on." : "Thank you for answering. Let's carry on where we were.");
  return 'resume';
}

async function wellbeing(
  context: TurnContext,
  safety: SafetyState,
  services: Services,
  heading = "It sounds like things are a lot at the moment. Let's pause the coaching here.",
): Promise<GateDecision> {
  services.coaching.pause(context, 'wellbeing'); // as in urgent()
  safety.status = 'wellbeingPause';
  safety.since = new Date().toISOString();
  safety.flaggedBy = 'keywords';
  safety.pending = 'referralConsent';
  await sendWellbeingService(context, services, heading);
  return 'handled';
}

async function sendWellbeingService(context: TurnContext, services: Services, heading: string): Promise<void> {
  const { wellbeingService } = services.safety;
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard('wellbeing', { heading, about: signposting.wellbeingService.about, contact: wellbeingService.contact, url: wellbeingService.url ?? '' }),
    ),
  );
}

async function pendingAnswered(context: TurnContext, safety: SafetyState, text: string, services: Services, log: Logger): Promise<boolean> {
  const pending = safety.pending;
  if (pending === 'safeNow') {
    const answer = recogniseChoice(text, safeNowOptions);
    if (!answer) return false;
    delete safety.pending;
    log.info({ answer }, 'safe-now answered');
    await context.sendActivity(
      answer === 'no'
        ? "Please call 999 now, or go to your nearest A&E. If it isn't safe to talk, call 999 from a mobile and press 55 when you're asked: they will know it's an emergency. If you can, tell someone you trust how you are feeling. You can also call Samaritans free on 116 123 at any time."
        : answer === 'yes'
          ? "I'm glad you're safe right now. Please keep these numbers close. A service lead will be in touch. If things change, call 999, or Samaritans free on 116 123."
          : "That's OK. If you are in any danger, please call 999. The numbers above are there whenever you need them.",
    );
    return true;
  }
  if (pending === 'referralConsent') {
    const answer = recogniseChoice(text, consentOptions);
    if (!answer) return false;
    delete safety.pending;
    if (answer === 'yes') {
      const referral = await refer(context, 'wellbeing', { source: safety.flaggedBy ?? 'keywords', reasons: ['asked-for-wellbeing-service'] }, ['wellbeing-service'], true, services);
      safety.referralIds = [...(safety.referralIds ?? []), referral.id];
      log.info({ referralId: referral.id, level: 'wellbeing' }, 'wellbeing referral recorded with consent');
      await context.sendActivity("Thank you. I've asked the service to get in touch with you. They'll see your name, not what you've written here.");
    } else {
      await context.sendActivity("That's fine. The details are there whenever you want them.");
    }
    await context.sendActivity('When you feel ready to carry on with coaching, type "start coaching" and we will begin with a quick check-in.');
    return true;
  }
  if (pending === 'okNow') {
    const answer = recogniseChoice(text, okNowOptions);
    if (!answer) return false;
    delete safety.pending;
    if (answer === 'support') {
      await sendSupportContacts(context, services);
      await sendWellbeingService(context, services, 'You can also talk to the Stress Support and Wellbeing service');
      safety.pending = 'referralConsent';
    } else {
      await context.sendActivity('Thank you for letting me know. Whenever you want to carry on with coaching, type "start coaching" and we will start with a quick check-in.');
    }
    return true;
  }
  return false;
}

async function saidMisunderstood(context: TurnContext, safety: SafetyState, services: Services): Promise<GateDecision> {
  safety.saidMisunderstood = safety.flaggedBy === 'keywords';
  if (safety.referralIds?.length) await noteMisunderstood(services.referrals, safety.referralIds[safety.referralIds.length - 1]!);
  await context.sendActivity("Thank you for telling me, and I'm sorry if I read that wrongly. I'll leave these here, just in case they're ever useful:");
  await sendSupportContacts(context, services);
  safety.pending = 'okNow';
  await context.sendActivity(choiceCard('Just so I know, gently: are you OK right now?', okNowOptions));
  return 'handled';
}


async function checkInSubmitted(context: TurnContext, inbound: Inbound, safety: SafetyState, services: Services, log: Logger): Promise<GateDecision> {
  if (!safety.checkInQuestionId || inbound.card?.questionId !== safety.checkInQuestionId) {
    await sendCheckIn(context, safety, "That check-in card is an old one, so I haven't used it. Here's a fresh one.");
    return 'handled';
  }
  const parsed = checkInSubmission.safeParse(context.activity.value);
  if (!parsed.success) {
    // Anything written in a card that did not validate is still screened.
    const urgentText = inbound.written
      .map((text) => screenCardValue({ text }))
      .find((r) => r.level === 'urgent');
    if (urgentText) return urgent(context, safety, { source: 'keywords', reasons: urgentText.reasons }, services, log);
    await sendCheckIn(context, safety, 'Please answer each question, then press Send.');
    return 'handled';
  }
  delete safety.checkInQuestionId;
  const scored = scoreCheckIn(parsed.data);
  // "Anything else" is screened as every free-text input is; warning signs there without a clear statement
  // bring the direct question, unless the answers themselves already call for more.
  const written = screenCardValue({ text: parsed.data.anythingElse ?? '' });
  if (written.level === 'check' && scored.level !== 'urgent') {
    recordServiceEvent(context, { kind: 'checkIn', level: 'check' });
    return askDirectly(context, safety, newDirectCheck('personal', written.reasons, written.distressed || scored.level === 'wellbeing'), log);
  }
  const extra = { level: (written.level === 'check' ? 'none' : written.level) as RiskLevel, reasons: written.reasons };
  const level: RiskLevel = rank[extra.level] > rank[scored.level] ? extra.level : scored.level;
  log.info({ level, reasons: [...scored.reasons, ...extra.reasons], source: 'checkIn' }, 'check-in scored');
  recordServiceEvent(context, { kind: 'checkIn', level });
  if (level === 'urgent') {
    const trigger: ReferralTrigger = scored.level === 'urgent' ? { source: 'checkIn', reasons: scored.reasons } : { source: 'keywords', reasons: extra.reasons };
    return urgent(context, safety, trigger, services, log);
  }
  if (level === 'wellbeing') {
    services.coaching.pause(context, 'wellbeing');
    safety.status = 'wellbeingPause';
    safety.since = new Date().toISOString();
    safety.flaggedBy = 'checkIn';
    safety.pending = 'referralConsent';
    delete safety.afterCheckIn;
    await sendWellbeingService(context, services, "Thank you for answering. It sounds like things are hard at the moment, so let's pause the coaching for now.");
    return 'handled';
  }
  safety.lastCleanCheckInAt = new Date().toISOString();
  if (safety.status === 'wellbeingPause' || (safety.status === 'urgentStop' && safety.saidMisunderstood)) {
    safety.status = 'clear';
    delete safety.since;
  }
  if (safety.status === 'urgentStop') {
    await context.sendActivity('Thank you for checking in. Coaching stays stopped for now; a service lead will be in touch, and the support numbers are there whenever you need them.');
    return 'handled';
  }
  await context.sendActivity('Thank you for checking in.');
  if (safety.afterCheckIn === 'startCoaching') {
    delete safety.afterCheckIn;
    return 'continue';
  }
  return 'handled';
}

async function sendCheckIn(context: TurnContext, safety: SafetyState, intro: string): Promise<void> {
  safety.checkInQuestionId = newQuestionId();
  await context.sendActivity(MessageFactory.attachment(renderCard('checkIn', { intro, questionId: safety.checkInQuestionId })));
}

async function sendSupportContacts(context: TurnContext, services: Services): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(renderCard('support', { crisis: crisisContacts(services.safety.nation) })));
}

async function refer(context: TurnContext, level: ReferralLevel, trigger: ReferralTrigger, shown: string[], consented: boolean, services: Services): Promise<Referral> {
  const activity: Partial<Activity> = context.activity;
  const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? 'unknown-tenant';
  const userId = activity.from?.aadObjectId ?? activity.from?.id ?? 'unknown';
  recordServiceEvent(context, { kind: 'referral', level, trigger: trigger.source, categories: trigger.reasons });
  const referral = await recordReferral(services.referrals, referralId(tenantId, userId, activity.id ?? newQuestionId(), level), {
    tenantId,
    level,
    person: { userId, teamsId: activity.from?.id ?? '', name: activity.from?.name ?? 'A member of staff' },
    trigger,
    shown,
    consented,
    conversationType: activity.conversation?.conversationType ?? 'unknown',
  });
  const sendNow = services.sendReferralNow;
  if (level === 'urgent' && sendNow) {
    afterTurnSaved(context, () =>
      sendNow(referral.id).then(
        () => undefined,
        (err: unknown) => services.logger.warn({ referralId: referral.id, code: (err as { code?: unknown })?.code }, 'urgent referral not sent straight away; the outbox will retry'),
      ),
    );
  }
  return referral;
}

async function noteMisunderstood(referrals: Referrals, id: string): Promise<void> {
  const found = await referrals.read(id);
  if (!found || found.doc.personSaid === 'misunderstood') return;
  const updated: Referral = {
    ...found.doc,
    personSaid: 'misunderstood',
    audit: [...found.doc.audit, { at: new Date().toISOString(), event: 'person said the bot misunderstood their wording' }],
  };
  // A concurrent change (the outbox delivering it) wins; the note is informative, not safety-critical.
  await referrals.replaceIfUnchanged(updated, found.eTag).catch(() => undefined);
}


/**
 * The route table: where every activity goes once the risk gate has let it through, on one page, in order.
 * The first route that applies answers; a route marked "if its own" passes the turn on when its handler
 * finds it is not. Read with src/turn/inbound.ts (what a turn is) and src/bot/route.ts (the matchers).
 */
import { bookingCards, bookingCommands, respondToBooking } from '../booking/bookingConversation';
import { COACH_ROLE_WORDS, handleCoachRoleCommand } from '../booking/coachDirectory';
import { CoachingDialogs } from '../coaching/session';
import { respondToStageGuide } from '../coachSession/guideSubmission';
import { respondInCoachSession } from '../coachSession/inChat';
import type { ConversationDocument } from '../documents/conversation';
import { chatDocument } from '../documents/chat';
import { personDocument } from '../documents/person';
import { handleLeadsActivity, REGISTER_WORDS } from '../safety/leadsChannel';
import { handleServiceReportCommands, SERVICE_REPORT_WORDS, VIEWER_WORDS } from '../serviceEvents/leadsCommands';
import { sharedChatMenuOptions } from '../turn/commands';
import { inboundOf } from '../turn/inbound';
import { sendHelp, sendMenu, sendWelcome } from './firstConversation';
import {
  askToDelete,
  askToStartAgain,
  awayLong,
  coaching,
  deleteAnswered,
  exportData,
  fileConsent,
  help,
  inDialog,
  menu,
  myPlanCard,
  noCommand,
  notUnderstoodWithMenu,
  noWords,
  offerToCarryOn,
  outsideSession,
  pause,
  personalTurn,
  resumeCoaching,
  saveEditedPlan,
  sessionUnfinished,
  showPlan,
  startAgainAnswered,
  startOrContinue,
  thenBackToQuestion,
  waitingFor,
  welcomeBackToQuestion,
  whereAmI,
  type PersonalTurn,
  type RouterServices,
} from './personalChat';
import { allOf, always, answer, anyOf, card, command, conversation, ifItsOwn, invoke, not, PASS, phrase, phraseStartsWith, route, wordsStartWith, type Route, type Turn } from './route';
import { resumingCoaching, type ConversationLogic } from './turnPipeline';

export type { RouterServices } from './personalChat';

interface ConversationTurn extends Turn {
  data: ConversationDocument;
}

export function createRouter(given: RouterServices): ConversationLogic {
  const services: RouterServices = { ...given, coaching: given.coaching ?? new CoachingDialogs({ onSessionCompleted: async () => {} }) };
  const { booking, coachSessions, serviceReports } = services;
  const { nation } = services.safety;
  const when = <T extends Turn>(present: unknown, ...routes: Route<T>[]) => (present ? routes : []);

  /** 1:1 chat: the person's own words and cards, then the coaching dialogs, then a reply for where they are. */
  const personalChat: Route<PersonalTurn>[] = [
    route(myPlanCard, saveEditedPlan),
    route(waitingFor('deleteData'), deleteAnswered), // if it answers "delete your data?"
    route(waitingFor('startAgain'), startAgainAnswered), // if it answers "start again?"
    // A check-in the risk gate let through is a clean one taken before coaching: carry on into coaching.
    route(card('checkIn'), startOrContinue),
    ...when(
      booking,
      route<PersonalTurn>(
        anyOf(card(...bookingCards), command(...bookingCommands)),
        thenBackToQuestion((t) => respondToBooking(t.context, t.doc, t.inbound.command, booking!)),
      ),
    ),
    route(command('help'), help),
    route(allOf(command('menu'), inDialog, not(awayLong)), menu),
    route(command('startCoaching'), startOrContinue),
    route(command('pause'), pause),
    route(command('whereAmI'), whereAmI),
    route(command('myPlan'), showPlan),
    route(command('exportData'), exportData),
    route(command('deleteData'), askToDelete),
    route(command('startAgain'), askToStartAgain),
    route(allOf(inDialog, awayLong, anyOf(command('menu'), noWords)), welcomeBackToQuestion),
    route(inDialog, coaching), // if the question takes it
    route(noCommand, outsideSession), // if it is one of the everyday words
    route(sessionUnfinished, offerToCarryOn),
    route(command('menu'), menu),
    route(always, notUnderstoodWithMenu),
  ];

  /** Group chats and channels: a coach-joined session, else what the bot does there. */
  const sharedChat: Route<ConversationTurn>[] = [
    ...when(coachSessions, route(conversation('groupChat'), ifItsOwn<ConversationTurn>((t) => respondInCoachSession(t.context, chatDocument(t.data), t.inbound.words, coachSessions!)))),
    route(command('help', 'menu'), ({ context }) => sendHelp(context, sharedChatMenuOptions)),
    route(always, pointToPersonalChat),
  ];

  /** Every activity, in any conversation. */
  const everyConversation: Route<ConversationTurn>[] = [
    // The service leads' own actions, wherever they are taken (normally the leads' channel).
    route(anyOf(invoke('adaptiveCard/action'), card('referral'), phrase(REGISTER_WORDS)), ifItsOwn(({ context }) => handleLeadsActivity(context, services))),
    ...when(serviceReports, route(anyOf(phrase(SERVICE_REPORT_WORDS), phraseStartsWith(...VIEWER_WORDS)), ifItsOwn(({ context }) => handleServiceReportCommands(context, serviceReports!, services.logger)))),
    ...when(booking, route(wordsStartWith(...COACH_ROLE_WORDS), ifItsOwn(({ context }) => handleCoachRoleCommand(context, { ...booking!, serviceLeadIds: services.safety.serviceLeadIds })))),
    route(allOf(invoke('fileConsent/invoke'), conversation('personal')), (t: ConversationTurn) => fileConsent(t, personDocument(t.data), services)),
    route(not(isMessage), welcomeIfAdded),
    route(resuming, async (t: ConversationTurn) => {
      if (t.inbound.conversation === 'personal') await resumeCoaching(t.context, personDocument(t.data), services.coaching!);
    }),
    // With the chat-messages permission Teams sends every message in a group chat: the risk gate has screened
    // it; the bot only answers what is addressed to it (an @mention or one of its buttons).
    route(allOf(shared, not(addressedToBot)), async () => undefined),
    route(notWelcomed, welcomeFirst),
    route(shared, async (t: ConversationTurn) => void (await answer(sharedChat, t))),
    ...when(coachSessions, route(card('stageGuide'), ifItsOwn(({ context }) => respondToStageGuide(context, coachSessions!)))), // a coach's stage guide, in their 1:1 chat
    route(always, async (t: ConversationTurn) => void (await answer(personalChat, await personalTurn(t, personDocument(t.data), services)))),
  ];

  async function welcomeIfAdded({ context, inbound, data }: ConversationTurn): Promise<void> {
    if (!inbound.botAdded || data.welcomedAt) return;
    data.welcomedAt = new Date().toISOString();
    await sendWelcome(context, nation);
  }

  /** First contact: the welcome, then the message is answered as usual. */
  async function welcomeFirst({ context, data }: ConversationTurn): Promise<typeof PASS> {
    data.welcomedAt = new Date().toISOString();
    await sendWelcome(context, nation);
    return PASS;
  }

  return async (context, data) => {
    await answer(everyConversation, { context, inbound: inboundOf(context), data });
  };
}

const isMessage = ({ inbound }: Turn) => inbound.kind === 'message';
/** The risk gate has answered its own question and coaching picks up where it was. */
const resuming = ({ context }: Turn) => resumingCoaching(context);
const shared = ({ inbound }: Turn) => inbound.conversation !== 'personal';
const addressedToBot = ({ inbound }: Turn) => inbound.addressedToBot;
const notWelcomed = ({ data }: ConversationTurn) => !data.welcomedAt;

async function pointToPersonalChat({ context }: Turn): Promise<void> {
  await context.sendActivity('Self-guided coaching happens in a 1:1 chat with me, so your answers stay private. Open a chat with me to start.');
  await sendMenu(context, 'In this chat I can', sharedChatMenuOptions);
}

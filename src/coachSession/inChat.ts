/**
 * A coach-joined session in a Teams group chat (or meeting chat). The coach starts it with "start session" and
 * moves it on with "next stage", "back" and "end session" (words or the buttons on the stage card); the client
 * answers the scale; both edit the plan. Every action checks who is acting.
 */
import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { normaliseCommandText } from '../turn/commands';
import { conversationKey } from '../turn/inbound';
import { isCoach } from '../booking/coachDirectory';
import { submissionHeader } from '../coaching/cardSubmissions';
import { parsePlan, parseScale } from '../coaching/dialogKit';
import { choiceCard, recogniseChoice, type ChoiceOption } from '../turn/choices';
import { stageOrder, stageTitles } from '../coaching/programme';
import { actionCount, planFromSubmission } from '../coaching/stages/actionPlan';
import { scaleWording } from '../coaching/stages/scaling';
import { isPerson, personId, roleOf, whoIsHere } from './roles';
import type { CoachSessionServices } from './services';
import { enterStage } from './stages';
import { recordServiceEvent } from '../serviceEvents/events';
import type { SafetySection } from '../safety/riskGate';
import { firstName, sessionIn, type CoachJoinedSession, type CoachSessionSection } from './state';
import { endSession } from './summary';
import { coachCanBeReached, sendGuideLater } from './toCoach';

/** Every group-chat activity comes here first; false when it is not about a coach-joined session. */
export async function respondInCoachSession(context: TurnContext, data: CoachSessionSection & SafetySection, text: string, services: CoachSessionServices): Promise<boolean> {
  const activity = context.activity;
  if (activity.conversation?.conversationType !== 'groupChat') return false;
  const said = recogniseWords(text);
  const session = sessionIn(data);
  if (said === 'start') return start(context, data, session, services);
  if (!session) return false;

  const card = submissionHeader(activity.value)?.card;
  if (card === 'sessionStage') return controlPressed(context, data, session, services);
  if (card === 'scaling') return scaleAnswered(context, session, undefined, services);
  if (card === 'actionPlan') return planSaved(context, session, services);
  if (card) return false;

  if (session.confirmingEnd && (await roleOf(activity.from, session, services)) === 'coach') {
    const answer = recogniseChoice(text, endOptions);
    if (answer === 'yes') {
      await endSession(context, data, session, services);
      return true;
    }
    if (answer === 'no') {
      delete session.confirmingEnd;
      await context.sendActivity(`OK, carrying on with stage ${stageNumber(session)}: ${stageTitles[session.record.stage]}.`);
      return true;
    }
  }
  if (said === 'next' || said === 'back' || said === 'end' || said === 'guide') return control(context, data, session, said, services);
  if (recogniseChoice(text, endOptions) === 'yes' && session.confirmingEnd) {
    await context.sendActivity(`Only ${session.coach.name}, the coach, can end the session.`);
    return true;
  }
  // A typed number counts as a tap on the scale while it is asked (in a group chat Teams only sends messages
  // that mention the bot, so "@Staff coaching 6").
  const typed = isScaleStage(session) ? parseScale({ text: text.replace(/<at>[^<]*<\/at>/gi, ' ') }, '*') : undefined;
  if (typeof typed === 'number') return scaleAnswered(context, session, typed, services);
  await context.sendActivity({ type: 'message', textFormat: 'markdown', text: sessionHelp(session) });
  return true;
}

type Words = 'start' | 'next' | 'back' | 'end' | 'guide';
const phrases: Record<Words, string[]> = {
  start: ['start session', 'start a session', 'start the session', 'start coaching session', 'start a coaching session', 'begin session', 'resume session', 'carry on session'],
  next: ['next stage', 'next', 'next stage please', 'move on', 'move to the next stage', 'next step'],
  back: ['back', 'go back', 'previous stage', 'back a stage', 'back one stage', 'stage back'],
  end: ['end session', 'end the session', 'finish session', 'finish the session', 'stop session', 'stop the session'],
  guide: ['guide', 'stage guide', 'send guide', 'send the guide', 'resend guide', 'send guide again'],
};

/** The words said, with every @mention taken out (the bot's, and the client's in "start session @Sam"). */
function recogniseWords(text: string): Words | undefined {
  const words = normaliseCommandText(text.replace(/<at>[^<]*<\/at>/gi, ' '));
  return (Object.keys(phrases) as Words[]).find((w) => phrases[w].includes(words));
}

const endOptions: ChoiceOption<'yes' | 'no'>[] = [
  { title: 'Yes, end the session', value: 'yes', words: ['yes', 'yes end it', 'end it'] },
  { title: 'No, carry on', value: 'no', words: ['no', 'carry on', 'cancel'] },
];

async function start(context: TurnContext, data: CoachSessionSection & SafetySection, session: CoachJoinedSession | undefined, services: CoachSessionServices): Promise<boolean> {
  const from = context.activity.from;
  if (!(await isCoach(personId(from), services.roles))) {
    services.logger.warn({ userId: personId(from) }, 'coach-only action refused: start session');
    await context.sendActivity(
      'Only a coach can start a coaching session in a group chat. If you would like coaching, open a 1:1 chat with me and say "start coaching", or "book a coach".',
    );
    return true;
  }
  const supportInChat = data.safety?.status !== undefined && data.safety.status !== 'clear';
  if (session?.status === 'support') {
    if (!isPerson(from, session.coach)) {
      await context.sendActivity(`This chat's session is ${session.coach.name}'s; only they can carry it on.`);
      return true;
    }
    if (supportInChat) {
      await context.sendActivity('Coaching is still paused in this chat while support is offered, so I have not carried on the session.');
      return true;
    }
    session.status = 'active';
    delete session.supportSince;
    await context.sendActivity(`Carrying on session ${session.number} with ${session.client.name}, where we paused.`);
    await enterStage(context, session, session.record.stage, services);
    return true;
  }
  if (session) {
    await context.sendActivity(
      `A session is already running here: session ${session.number} with ${session.client.name}, at stage ${stageNumber(session)} (${stageTitles[session.record.stage]}).`,
    );
    return true;
  }
  if (supportInChat) {
    await context.sendActivity('Coaching is paused in this chat while support is offered, so I have not started a session.');
    return true;
  }

  const who = await whoIsHere(context, services);
  if ('refused' in who) {
    await context.sendActivity(who.refused);
    return true;
  }
  const { coach, client } = who;
  if (!(await coachCanBeReached(coach.id, services))) {
    await context.sendActivity(
      `${coach.name}, I send the coach a private guide for each stage in their 1:1 chat with me, and I can't find yours yet. Say hi to me in a 1:1 chat, then say "start session" here again.`,
    );
    return true;
  }
  const person = await services.people.readOne(client.id);
  const programme = person?.programme;
  if (programme?.completedAt) {
    await context.sendActivity(`${client.name} has completed both coaching sessions, so there is no session to start.`);
    return true;
  }
  // As in a self-guided session: while coaching is paused or stopped for the client, it does not start.
  if (person?.safety?.status && person.safety.status !== 'clear') {
    await context.sendActivity(
      `I can't start a coaching session with ${client.name} just now: coaching is paused in their own chat with me. ${firstName(client.name)}, say "start coaching" to me in a 1:1 chat when you are ready.`,
    );
    return true;
  }
  const number = programme?.current ?? 1;
  const now = new Date().toISOString();
  const created: CoachJoinedSession = {
    id: randomUUID(),
    number,
    status: 'active',
    startedAt: now,
    coach,
    client,
    chat: conversationKey(context.activity),
    record: { number, startedAt: now, stage: 'goal' },
    privateNotes: {},
  };
  data.coachSession = created;
  recordServiceEvent(context, { kind: 'sessionStarted', session: number, mode: 'coach', person: client.id });
  services.logger.info({ sessionId: created.id, session: number, coachId: coach.id, clientId: client.id }, 'coach-joined session started');
  await context.sendActivity(
    `Welcome to session ${number} of ${client.name}'s coaching, with ${coach.name}. We'll go through the seven stages of solution-focused coaching together. ` +
      `${coach.name} gets a private guide for each stage from me; ${firstName(client.name)}, the scale and the plan here are for you, and at the end the summary is saved to your own coaching with me` +
      ` (if you began session ${number} on your own, this session takes its place). ` +
      'Anyone can say "Not OK right now" at any time to see support you can reach straight away.',
  );
  await enterStage(context, created, 'goal', services);
  return true;
}

const controlSubmission = z.object({
  card: z.literal('sessionStage'),
  control: z.enum(['next', 'back', 'end']),
  sessionId: z.string().max(100),
  stage: z.enum(stageOrder),
});

async function controlPressed(context: TurnContext, data: CoachSessionSection & SafetySection, session: CoachJoinedSession, services: CoachSessionServices): Promise<boolean> {
  const parsed = controlSubmission.safeParse(context.activity.value);
  if (!(await coachOnly(context, session, services))) return true;
  if (!parsed.success || parsed.data.sessionId !== session.id) {
    await context.sendActivity("That button is from an earlier session, so I haven't used it.");
    return true;
  }
  if (parsed.data.stage !== session.record.stage) {
    await context.sendActivity(`That button is from an earlier stage, so I haven't used it. We are at stage ${stageNumber(session)}: ${stageTitles[session.record.stage]}.`);
    return true;
  }
  return control(context, data, session, parsed.data.control, services);
}

async function control(context: TurnContext, data: CoachSessionSection & SafetySection, session: CoachJoinedSession, said: 'next' | 'back' | 'end' | 'guide', services: CoachSessionServices): Promise<boolean> {
  if (!(await coachOnly(context, session, services))) return true;
  if (session.status === 'support') {
    await context.sendActivity(pausedForSupport(session));
    return true;
  }
  const index = stageOrder.indexOf(session.record.stage);
  if (said === 'guide') {
    await context.sendActivity(`I've sent ${session.coach.name} the guide for stage ${index + 1} again, in their 1:1 chat with me.`);
    sendGuideLater(context, session, session.record.stage, services);
    return true;
  }
  if (said === 'end') {
    session.confirmingEnd = true;
    await context.sendActivity(
      choiceCard(`End the session now? I'll show the summary here and save it to ${session.client.name}'s coaching as session ${session.number}.`, endOptions),
    );
    return true;
  }
  if (said === 'back') {
    if (index === 0) {
      await context.sendActivity('We are at the first stage already.');
      return true;
    }
    await enterStage(context, session, stageOrder[index - 1]!, services);
    return true;
  }
  const next = stageOrder[index + 1];
  if (next) await enterStage(context, session, next, services);
  else await endSession(context, data, session, services);
  return true;
}

/** A tap on the scaling card, or (`typed`) a number the client typed while the scale is asked. */
async function scaleAnswered(context: TurnContext, session: CoachJoinedSession, typed: number | undefined, services: CoachSessionServices): Promise<boolean> {
  const activity = context.activity;
  const role = await roleOf(activity.from, session, services);
  if (role !== 'client') {
    await context.sendActivity(
      role === 'coach'
        ? `Thanks, ${firstName(session.coach.name)}, but only ${session.client.name}'s own answer counts on the scale, so I haven't recorded that.`
        : `Thank you, but only ${session.client.name} can answer the scale: it's their own view of where they are.`,
    );
    return true;
  }
  if (session.status === 'support') {
    await context.sendActivity(pausedForSupport(session));
    return true;
  }
  // The card is read as in a 1:1 chat: a card for another question is stale.
  const scale = typed ?? (isScaleStage(session) ? parseScale(activity, session.scaleQuestionId ?? '') : 'stale');
  if (scale === 'stale') {
    await context.sendActivity("That scale is from an earlier question, so I haven't used it.");
    return true;
  }
  if (scale === undefined) {
    await context.sendActivity('Please tap a number from 1 to 10.');
    return true;
  }
  const scaling = (session.record.scaling ??= {});
  const first = firstName(session.client.name);
  if (session.record.stage === 'scaling') {
    scaling.before = scale;
    recordServiceEvent(context, { kind: 'scaling', session: session.number, mode: 'coach', point: 'start', value: scale, person: session.client.id });
    await context.sendActivity(`Thank you, ${first}: ${scale} out of 10.`);
  } else {
    scaling.after = scale;
    const before = scaling.before;
    await context.sendActivity(
      before === undefined ? `Thank you, ${first}: ${scale} out of 10.` : `Thank you, ${first}. ${scaleWording.movement(before, scale).inChat}`,
    );
  }
  services.logger.info({ sessionId: session.id, stage: session.record.stage }, 'client answered the scale');
  return true;
}

async function planSaved(context: TurnContext, session: CoachJoinedSession, services: CoachSessionServices): Promise<boolean> {
  const activity = context.activity;
  const role = await roleOf(activity.from, session, services);
  if (role === 'other') {
    await context.sendActivity(`Only ${session.client.name} and ${session.coach.name} can change this plan.`);
    return true;
  }
  if (session.status === 'support') {
    await context.sendActivity(pausedForSupport(session));
    return true;
  }
  const parsed = session.planQuestionId ? parsePlan(activity, session.planQuestionId) : 'stale';
  if (parsed === 'stale') {
    await context.sendActivity("That plan card isn't this session's, so I haven't used it.");
    return true;
  }
  if (parsed === 'noAction') {
    await context.sendActivity('The plan needs at least one action: one small step is enough. Nothing has been changed.');
    return true;
  }
  if (!parsed) {
    await context.sendActivity("Something in that card didn't look right, so I haven't changed the plan.");
    return true;
  }
  session.record.actionPlan = planFromSubmission(parsed, new Date());
  const count = session.record.actionPlan.actions.length;
  services.logger.info({ sessionId: session.id, by: role, actions: count }, 'coach-joined action plan saved');
  await context.sendActivity(
    `Plan saved by ${activity.from.name ?? (role === 'coach' ? session.coach.name : session.client.name)}: ${actionCount(count)}. Either of you can change it and save again.`,
  );
  return true;
}

async function coachOnly(context: TurnContext, session: CoachJoinedSession, services: CoachSessionServices): Promise<boolean> {
  if ((await roleOf(context.activity.from, session, services)) === 'coach') return true;
  services.logger.warn({ userId: personId(context.activity.from), sessionId: session.id }, 'coach-only action refused');
  await context.sendActivity(`Only ${session.coach.name}, the coach, can move the session on or end it.`);
  return false;
}

function isScaleStage(session: CoachJoinedSession): boolean {
  return session.record.stage === 'scaling' || session.record.stage === 'review';
}

function stageNumber(session: CoachJoinedSession): number {
  return stageOrder.indexOf(session.record.stage) + 1;
}

function pausedForSupport(session: CoachJoinedSession): string {
  return `This session is paused because support was offered in this chat. When ${session.client.name} is ready, ${session.coach.name} can say "start session" to carry on from stage ${stageNumber(session)}.`;
}

function sessionHelp(session: CoachJoinedSession): string {
  return [
    `This is session ${session.number} of ${session.client.name}'s coaching, with ${session.coach.name}: stage ${stageNumber(session)} of 7, ${stageTitles[session.record.stage]}.`,
    `${session.coach.name} can say **next stage**, **back**, **end session**, or **guide** (the private stage guide again).`,
    `${firstName(session.client.name)}, tap the scale when it appears; either of you can fill in the action plan.`,
    'Anyone can say **Not OK right now** to see support you can reach straight away.',
  ].join('\n\n');
}

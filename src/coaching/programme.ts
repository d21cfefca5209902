/**
 * A staff member's coaching programme: two sessions of the seven-stage solution-focused model
 * (shared/seeds: "Session 1" and "Session 2"). Everything here is their own words and ratings.
 */
import { stageOrder, stageTitles, type StageName } from '../coachingModel/stages';

export { stageOrder, stageTitles, type StageName } from '../coachingModel/stages';

export type SessionNumber = 1 | 2;

export interface PlannedAction {
  what: string;
  byWhen?: string;
}
export interface Obstacle {
  obstacle: string;
  overcome: string;
}
export interface ActionPlan {
  actions: PlannedAction[];
  obstacles: Obstacle[];
  updatedAt: string;
}

export type ProgressSinceLastTime = 'goalMet' | 'struggling' | 'notMovedOn';

/** Where the answer given last in a session lives, so that "go back" can ask that question again. */
export interface LastAnswer {
  stage: StageName;
  section: 'goal' | 'scaling' | 'personalSuccess' | 'othersSuccess' | 'acknowledgement' | 'actionPlan' | 'followUp' | 'review';
  name: string;
  /** In a "what else?" list: the item added last, or the list closed ("That's all"). */
  list?: 'item' | 'closed';
}

export interface SessionRecord {
  number: SessionNumber;
  startedAt: string;
  completedAt?: string;
  stage: StageName;
  lastAnswer?: LastAnswer;
  /** Session 2 only: how things went since session 1. */
  followUp?: {
    howItWent?: string;
    builtOnPlan?: string;
    progress?: ProgressSinceLastTime;
    whatGotInTheWay?: string;
    keepGoal?: boolean;
  };
  goal?: {
    text?: string;
    term?: 'short' | 'longer';
    whyNow?: string;
    sessionHope?: string;
    /** How they will know the session has been useful. */
    sessionUseful?: string;
    preferredFuture?: string;
    costs?: string;
    weighing?: 'benefitsOutweigh' | 'unsure' | 'costsOutweigh';
  };
  scaling?: {
    before?: number;
    whyNotLower?: string;
    onePointHigher?: string;
    after?: number;
  };
  personalSuccess?: {
    pastSuccesses?: string[];
    pastSuccessesComplete?: boolean;
    exceptions?: string;
    strengths?: string[];
    strengthsComplete?: boolean;
    pastStrengths?: string;
    skillsToLearn?: string;
  };
  othersSuccess?: {
    roleModels?: string;
    whatTheyDo?: string;
    howFarCanYou?: string;
    canTalkToThem?: string;
  };
  acknowledgement?: {
    resources?: string;
    howToUse?: string;
  };
  actionPlan?: ActionPlan;
  review?: {
    keepInMind?: string;
    newGoals?: string;
    relationship?: string;
  };
}

export interface Programme {
  startedAt: string;
  /** The session in progress, or the next one to start. */
  current: SessionNumber;
  /** True when the person paused; they continue where they left off. */
  paused?: boolean;
  sessions: Partial<Record<`${SessionNumber}`, SessionRecord>>;
  /** Set when both sessions are complete. */
  completedAt?: string;
}

export function newProgramme(now: Date): Programme {
  return { startedAt: now.toISOString(), current: 1, sessions: {} };
}

export function sessionRecord(programme: Programme, number: SessionNumber): SessionRecord | undefined {
  return programme.sessions[`${number}`];
}

export function currentSession(programme: Programme): SessionRecord | undefined {
  return sessionRecord(programme, programme.current);
}

/** The goal the person is working on now: this session's, else the one carried over from session 1. */
export function activeGoal(programme: Programme): string | undefined {
  return currentSession(programme)?.goal?.text ?? sessionRecord(programme, 1)?.goal?.text;
}

/** The latest rating on the scale, from any session. */
export function latestScale(programme: Programme): number | undefined {
  for (const number of [2, 1] as const) {
    const scaling = sessionRecord(programme, number)?.scaling;
    if (scaling?.after !== undefined) return scaling.after;
    if (scaling?.before !== undefined) return scaling.before;
  }
  return undefined;
}

/** The most recent action plan, if any. */
export function latestPlan(programme: Programme): { session: SessionNumber; plan: ActionPlan } | undefined {
  for (const number of [2, 1] as const) {
    const plan = sessionRecord(programme, number)?.actionPlan;
    if (plan) return { session: number, plan };
  }
  return undefined;
}

/** "We were looking at role models for your goal to …": where the person is, in one line. */
export function whereWeWere(stage: StageName, session: SessionNumber, goal: string | undefined): string {
  const focus: Record<StageName, string> = {
    goal: session === 1 ? 'what you want to work on' : 'how things have gone since your first session',
    scaling: 'where you are on the scale of 1 to 10',
    personalSuccess: 'your own past successes and strengths',
    othersSuccess: 'role models and what you have seen them do',
    acknowledgement: 'the strengths and support you have to draw on',
    actionPlan: 'your action plan',
    review: 'a review of the session',
  };
  const goalPart = goal ? ` for your goal "${goal.length > 100 ? `${goal.slice(0, 99)}…` : goal}"` : '';
  return `We were looking at ${focus[stage]}${goalPart} (session ${session}, stage ${stageOrder.indexOf(stage) + 1} of 7: ${stageTitles[stage]}).`;
}

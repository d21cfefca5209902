/**
 * Booking a coach, coach roles and the coach-joined session in process: `InProcessBotWithCoaches` is
 * InProcessBot (./inProcess.ts) with the bot's own composition (`composeConversations` in src/app.ts, as startBot
 * uses it): booking and its stored jobs, the coach directory, coach-joined sessions in group chats and the
 * referral outbox around the real turn pipeline, every port on its memory twin (src/store/memory*.ts).
 *
 * What the bot asks of Teams outside its replies goes to `InProcessTeams`, a stand-in that answers the members
 * API (who is in a chat, a person's sign-in name) and records every proactive message and every replaced one in
 * order, and that a test can tell to refuse the next ones (403, 429 with Retry-After, 503) to a person or a
 * channel as Teams would, or to hold the next one in flight until the test lets it through.
 *
 * Nothing runs on a timer: the job worker, the referral outbox and the monthly report post are never started. A
 * booking's notices go out straight after its turn (the pipeline waits for that), and a test runs the worker's
 * passes itself with `jobWorker.runOnce()` after moving the workers' clock (`clock.at`).
 *
 * Service events are composed as the bot has them (the recorder, writing behind, over the memory service store;
 * the `service report` and viewer commands; the monthly post): a test that reads them from the store first calls
 * `serviceEvents.flush()`, and never waits for the recorder's own timer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Activity, ConversationReference } from 'botbuilder';
import { composeConversations } from '../../src/app';
import type { ServiceEventRecorder } from '../../src/serviceEvents/recorder';
import type { ServiceReports } from '../../src/serviceEvents/service';
import type { MonthlyReportWorker } from '../../src/serviceEvents/monthlyReport';
import type { JobWorker, Job } from '../../src/booking/jobs';
import { loadConfig, type Config } from '../../src/config';
import type { Logger } from '../../src/logger';
import { channelRoot, SendError, type ProactiveSender } from '../../src/proactive/sender';
import type { ReferralOutbox } from '../../src/safety/referralOutbox';
import { MemoryBookings } from '../../src/store/memoryBookings';
import { MemoryJobs } from '../../src/store/memoryJobs';
import { MemoryReferrals } from '../../src/store/memoryReferrals';
import { MemoryStateDocuments } from '../../src/store/memoryState';
import { memoryServiceStore } from '../../src/store/serviceStore';
import { silentLogger } from './bot';
import { submitData } from './chat';
import { asReply, InProcessBot, type Reply } from './inProcess';
import { botAccount, type TeamsUser } from './teams';

/** A person in a chat as Teams' members API gives them, with the sign-in name it knows. */
export interface Member extends TeamsUser {
  userPrincipalName?: string;
}

/** Teams turning down a proactive message: its status, and how long it asked the bot to wait (Retry-After). */
export interface Refusal {
  status: number;
  retryAfterSeconds?: number;
}

/** A proactive message held in flight (`InProcessTeams.holdNextIn`): `reached` once the bot has sent it, answered once released. */
export interface HeldPost {
  reached: Promise<void>;
  release(): void;
}

/** A proactive message Teams accepted, with the id it gave it. */
export interface Posted extends Reply {
  id: string;
}

/** An error shaped as botframework-connector throws it, so the bot classifies it exactly as a real one. */
function connectorError(status: number, retryAfterSeconds?: number): Error {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  return Object.assign(new Error(`Teams answered ${status}`), { statusCode: status, response: { status, headers } });
}

/**
 * Teams as the bot reaches it outside its replies: the members API (through botbuilder's TeamsInfo, which takes
 * the connector client from the turn) and proactive messages (the ProactiveSender). It learns each 1:1 chat and
 * its one person from the activities the bot is sent, as Teams knows them.
 */
export class InProcessTeams implements ProactiveSender {
  /** Proactive messages Teams accepted, in order, with the id it gave each (shared by every instance of the bot). */
  readonly delivered: { id: string; conversationId: string; activity: Partial<Activity> }[] = [];
  /** Proactive messages Teams refused, in order. */
  readonly refused: { conversationId: string; status: number }[] = [];
  /** Messages the bot replaced (updateActivity), in a turn or proactively, in order. */
  readonly updates: { conversationId: string; activityId: string; activity: Partial<Activity> }[] = [];
  /** Conversations whose member list the bot asked for, in order. */
  readonly memberRequests: string[] = [];
  /** The most members one page of the list holds (Teams pages too). */
  membersPageSize = 500;

  private readonly members = new Map<string, Member[]>();
  private readonly signInNames = new Map<string, string>();
  /** Each person's 1:1 chats with the bot, by Entra object id. */
  private readonly personalChats = new Map<string, Set<string>>();
  private readonly people = new Map<string, Member>();
  private readonly refusals = new Map<string, Refusal[]>();
  /** Refusals and holds for a channel or group chat, by its id without the thread. */
  private readonly refusalsIn = new Map<string, Refusal[]>();
  private readonly holds = new Map<string, { reached: () => void; released: Promise<void> }[]>();

  /** Who is in a group chat, channel or team, as the members API will report them. */
  setMembers(chatId: string, members: Member[]): void {
    this.members.set(channelRoot(chatId), members.map((m) => ({ ...m })));
  }

  /** The person's sign-in name (user principal name), which the members API gives with them. */
  setSignInName(person: TeamsUser, userPrincipalName: string): void {
    this.signInNames.set(person.aadObjectId, userPrincipalName);
  }

  /** Refuses the next proactive messages to this person's 1:1 chat, in order. */
  refuseNext(person: TeamsUser, ...refusals: Refusal[]): void {
    this.refusals.set(person.aadObjectId, [...(this.refusals.get(person.aadObjectId) ?? []), ...refusals]);
  }

  /** Refuses the next proactive messages to this channel (or group chat), in order. */
  refuseNextIn(conversationId: string, ...refusals: Refusal[]): void {
    const root = channelRoot(conversationId);
    this.refusalsIn.set(root, [...(this.refusalsIn.get(root) ?? []), ...refusals]);
  }

  /** Holds the next proactive message to this channel in flight (the bot waits for Teams' answer) until `release()`. */
  holdNextIn(conversationId: string): HeldPost {
    const root = channelRoot(conversationId);
    let reached!: () => void;
    let release!: () => void;
    const hold = { reached: new Promise<void>((resolve) => (reached = resolve)), released: new Promise<void>((resolve) => (release = resolve)) };
    this.holds.set(root, [...(this.holds.get(root) ?? []), { reached, released: hold.released }]);
    return { reached: hold.reached, release };
  }

  /** Every proactive message Teams accepted in this channel (posted to it, not into a thread), in order, with its id. */
  postedIn(conversationId: string): Posted[] {
    return this.delivered.filter((d) => d.conversationId === conversationId).map((d) => ({ ...asReply(d.activity), id: d.id }));
  }

  /** Notes a 1:1 chat and its person from an activity sent to the bot. */
  saw(activity: Partial<Activity>): void {
    const person = activity.from as TeamsUser | undefined;
    const chatId = activity.conversation?.id;
    if (activity.conversation?.conversationType !== 'personal' || !person?.aadObjectId || !chatId) return;
    this.people.set(person.aadObjectId, { id: person.id, aadObjectId: person.aadObjectId, name: person.name });
    this.personalChats.set(person.aadObjectId, (this.personalChats.get(person.aadObjectId) ?? new Set()).add(chatId));
  }

  /** Every proactive message to this conversation that Teams accepted, in order. */
  sentTo(conversationId: string): Reply[] {
    return this.delivered.filter((d) => d.conversationId === conversationId).map((d) => asReply(d.activity));
  }

  /** Every proactive message that reached this person in a 1:1 chat with the bot, in order. */
  heardBy(person: TeamsUser): Reply[] {
    const chats = this.personalChats.get(person.aadObjectId) ?? new Set();
    return this.delivered.filter((d) => chats.has(d.conversationId)).map((d) => asReply(d.activity));
  }

  /** Proactive messages this person's 1:1 chats were sent, accepted or refused. */
  attemptsTo(person: TeamsUser): number {
    const chats = this.personalChats.get(person.aadObjectId) ?? new Set();
    return [...this.delivered, ...this.refused].filter((d) => chats.has(d.conversationId)).length;
  }

  /** What reaches the person outside their own turns, read a batch at a time: `next()` is what came since it was last called. */
  inbox(person: TeamsUser): { next(): Reply[] } {
    let read = this.heardBy(person).length;
    return {
      next: () => {
        const all = this.heardBy(person);
        const batch = all.slice(read);
        read = all.length;
        return batch;
      },
    };
  }

  async send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<string> {
    const conversationId = reference.conversation?.id;
    // As the real sender (src/proactive/sender.ts): no request is made without somewhere to send it.
    if (!reference.serviceUrl || !conversationId) throw new SendError('later', 'bad-reference');
    const hold = this.holds.get(channelRoot(conversationId))?.shift();
    if (hold) {
      hold.reached();
      await hold.released;
    }
    const owner = [...this.personalChats].find(([, chats]) => chats.has(conversationId))?.[0];
    const refusal = (owner ? this.refusals.get(owner)?.shift() : undefined) ?? this.refusalsIn.get(channelRoot(conversationId))?.shift();
    if (refusal) {
      this.refused.push({ conversationId, status: refusal.status });
      throw connectorError(refusal.status, refusal.retryAfterSeconds);
    }
    const id = `proactive-${this.delivered.length + 1}`;
    this.delivered.push({ id, conversationId, activity });
    return id;
  }

  async update(reference: Partial<ConversationReference>, activityId: string, activity: Partial<Activity>): Promise<void> {
    this.replaced(reference.conversation?.id ?? '', activityId, activity);
  }

  /** Notes a message the bot replaced, proactively or in a turn (a card acted on). */
  replaced(conversationId: string, activityId: string, activity: Partial<Activity>): void {
    this.updates.push({ conversationId, activityId, activity });
  }

  /** The part of botframework-connector's ConnectorClient that TeamsInfo calls for the bot (one member, a page of members). */
  readonly connector = {
    conversations: {
      getConversationMember: async (chatId: string, userId: string) => {
        const member = this.membersOf(chatId)?.find((m) => m.id === userId);
        if (!member) throw connectorError(404);
        return member;
      },
      getConversationPagedMembers: async (chatId: string, options: { pageSize?: number; continuationToken?: string } = {}) => {
        this.memberRequests.push(chatId);
        const members = this.membersOf(chatId);
        if (!members) throw connectorError(404);
        const pageSize = Math.min(this.membersPageSize, options.pageSize || this.membersPageSize);
        const start = Number(options.continuationToken ?? '0') || 0;
        const next = start + pageSize;
        return { members: members.slice(start, next), ...(next < members.length ? { continuationToken: String(next) } : {}) };
      },
    },
  };

  /** A group chat's or channel's members as listed, or a 1:1 chat's one person. */
  private membersOf(chatId: string): (Member & { userRole: string; tenantId: string })[] | undefined {
    const listed: Member[] | undefined = this.members.get(channelRoot(chatId));
    const person = [...this.personalChats].find(([, chats]) => chats.has(chatId))?.[0];
    const members = listed ?? (person ? [this.people.get(person)!] : undefined);
    return members?.map((m) => {
      const userPrincipalName = m.userPrincipalName ?? this.signInNames.get(m.aadObjectId);
      return { id: m.id, name: m.name, aadObjectId: m.aadObjectId, userRole: 'user', tenantId: 'tenant-1', ...(userPrincipalName ? { userPrincipalName } : {}) };
    });
  }
}

/**
 * The workers' clock: real time moved on by the test (`at`, `advance`), never by sleeping; or held still
 * (`holdAt`) where a due time is checked to the millisecond, which real time passing would blur.
 */
export class WorkersClock {
  private shift = 0;
  private held: number | undefined;
  readonly now = (): number => this.held ?? Date.now() + this.shift;
  /** From now on the workers' time runs from this moment. */
  at(ms: number): void {
    this.held = undefined;
    this.shift = ms - Date.now();
  }
  /** The workers' time stands still at this moment until the test moves it. */
  holdAt(ms: number): void {
    this.held = ms;
  }
  /** Moves the workers' time on by `ms` (still standing if it was held). */
  advance(ms: number): void {
    if (this.held !== undefined) this.held += ms;
    else this.shift += ms;
  }
}

/** The jobs port's memory twin, which can also list every job it holds (the port only finds the due ones). */
export class ListedMemoryJobs extends MemoryJobs {
  private readonly ids = new Set<string>();

  override async create(job: Job): Promise<'created' | 'exists'> {
    this.ids.add(job.id);
    return super.create(job);
  }

  /** Every job, in the order they were created. */
  async all(): Promise<Job[]> {
    const found = await Promise.all([...this.ids].map((id) => this.read(id)));
    return found.flatMap((f) => (f ? [f.doc] : []));
  }
}

/** What the bot stores, each port on its memory twin; a restarted bot is given the same ones. */
export interface CoachesStores {
  people: MemoryStateDocuments;
  chats: MemoryStateDocuments;
  bookings: MemoryBookings;
  jobs: ListedMemoryJobs;
  referrals: MemoryReferrals;
  /** The service events' store, and the pseudonym key every instance on it shares (PSEUDONYM_KEY). */
  service: ReturnType<typeof memoryServiceStore>;
  pseudonymKey: Buffer;
}

export function memoryStores(): CoachesStores {
  return {
    people: new MemoryStateDocuments(),
    chats: new MemoryStateDocuments(),
    bookings: new MemoryBookings(),
    jobs: new ListedMemoryJobs(),
    referrals: new MemoryReferrals(),
    service: memoryServiceStore(),
    pseudonymKey: randomBytes(32),
  };
}

export interface InProcessBotWithCoachesOptions {
  /** Settings as in the environment (COACH_IDS, SERVICE_LEAD_IDS, PLAN_CHECK_IN_DAYS, …). */
  env?: Record<string, string>;
  logger?: Logger;
  /** Another bot's store (a restart, or a second instance): by default a new, empty one. */
  stores?: CoachesStores;
  teams?: InProcessTeams;
  clock?: WorkersClock;
}

/** The whole bot in process (booking, coaches, coach-joined sessions, service events), with Teams and the store stood in for. */
export class InProcessBotWithCoaches extends InProcessBot {
  readonly config: Config;
  readonly stores: CoachesStores;
  readonly teams: InProcessTeams;
  readonly clock: WorkersClock;
  /** Sends booking notices, reminders and plan check-ins; not started: `runOnce()` is one pass. */
  readonly jobWorker: JobWorker;
  /** Delivers referrals to the leads' channel; not started. */
  readonly referralOutbox: ReferralOutbox;
  /** Records de-identified service events, writing behind: `flush()` stores what is waiting (in `serviceStore`). */
  readonly serviceEvents: ServiceEventRecorder;
  readonly serviceStore: CoachesStores['service'];
  readonly serviceReports: ServiceReports;
  /** Posts the service report to the leads' channel on the workers' clock; not started: `runOnce()` is one pass. */
  readonly monthlyReports: MonthlyReportWorker;
  private readonly options: InProcessBotWithCoachesOptions;

  constructor(options: InProcessBotWithCoachesOptions = {}) {
    const stores = options.stores ?? memoryStores();
    const logger = options.logger ?? silentLogger;
    const teams = options.teams ?? new InProcessTeams();
    const clock = options.clock ?? new WorkersClock();
    const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...options.env });
    const { people, chats, bookings, jobs, referrals } = stores;

    // src/app.ts's own composition, without the server.
    const composed = composeConversations({
      config,
      logger,
      ports: { people, chats, bookings, jobs, referrals },
      sender: teams,
      service: { store: stores.service, key: stores.pseudonymKey, monthlyReports: { now: clock.now } },
      outbox: { now: clock.now, random: () => 0.5 },
      jobs: { now: clock.now, random: () => 0.5 },
    });
    super({ state: people, handleTurn: composed.handleTurn });
    this.options = options;
    this.stores = stores;
    this.teams = teams;
    this.clock = clock;
    this.config = config;
    this.jobWorker = composed.jobWorker;
    this.referralOutbox = composed.outbox;
    this.serviceEvents = composed.service.events;
    this.serviceStore = stores.service;
    this.serviceReports = composed.service.reports;
    this.monthlyReports = composed.service.monthlyReports;
    // A message the bot replaces in a turn (a card acted on) goes to Teams, as its proactive messages do. The
    // pipeline runs the turn's logic on a context of its own, so this is the adapter's, not the turn's.
    const updateInTurn = this.adapter.updateActivity.bind(this.adapter);
    this.adapter.updateActivity = async (context, activity) => {
      this.teams.replaced(activity.conversation?.id ?? '', activity.id ?? '', activity);
      return updateInTurn(context, activity);
    };
  }

  /** Another instance of the bot on the same store, Teams and clock: a second worker, or the bot after a restart. */
  anotherInstance(): InProcessBotWithCoaches {
    return new InProcessBotWithCoaches({ ...this.options, stores: this.stores, teams: this.teams, clock: this.clock });
  }

  /**
   * Runs one activity through the pipeline with the members API at hand; resolves with the messages the bot
   * replied in this turn, in order (turns may run at the same time).
   */
  override async run(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    // Ids unique across bots, as Teams' are: the pipeline remembers which activities it has answered.
    const incoming = { id: randomUUID(), ...activity };
    this.teams.saw(incoming);
    const replies: Partial<Activity>[] = [];
    await this.adapter.processActivity(incoming, async (context) => {
      context.turnState.set(this.adapter.ConnectorClientKey, this.teams.connector);
      context.onSendActivities(async (_context, activities, next) => {
        replies.push(...activities);
        return next();
      });
      await this.handleTurn(context);
    });
    this.adapter.activeQueue.splice(0);
    this.lastTurn = replies;
    return replies.filter((a) => a.type === 'message');
  }
}

const tenant = { tenantId: 'tenant-1', channelData: { tenant: { id: 'tenant-1' } } };
const mentionOf = (who: Pick<TeamsUser, 'id' | 'name'>) => ({ type: 'mention', mentioned: { id: who.id, name: who.name }, text: `<at>${who.name}</at>` });

/**
 * A Teams group chat with members (the members API answers with them), each message from one of them. Teams
 * only sends the bot messages that @mention it, so `say` mentions the bot, and anyone in `mentions` after the words.
 */
export class InProcessGroupChatWithMembers {
  readonly conversationId = `19:${randomUUID().replace(/-/g, '')}@thread.v2`;
  /** Every reply the bot posted in the chat, in order. */
  readonly transcript: Reply[] = [];

  constructor(
    readonly bot: InProcessBotWithCoaches,
    readonly members: TeamsUser[],
  ) {
    bot.teams.setMembers(this.conversationId, members);
  }

  say(from: TeamsUser, text: string, mentions: TeamsUser[] = []): Promise<Reply[]> {
    const fullText = [`<at>${botAccount.name}</at>`, text, ...mentions.map((m) => `<at>${m.name}</at>`)].join(' ');
    return this.send(from, { text: fullText, entities: [botAccount, ...mentions].map(mentionOf) });
  }

  /** Presses an Action.Submit button on a card in the chat: a message with the button's value and no text. */
  submit(from: TeamsUser, value: Record<string, unknown>): Promise<Reply[]> {
    return this.send(from, { value });
  }

  /** The submit data of the latest card of this name the bot posted in the chat (optionally: the button that matches). */
  card(name: string, where: (data: any) => boolean = () => true): any {
    for (const reply of [...this.transcript].reverse()) {
      const found = submitData(reply.activity.attachments?.map((a) => a.content), name, where);
      if (found) return found;
    }
    throw new Error(`no ${name} card in the chat`);
  }

  /** Everything posted in the chat, replies and proactive messages, as one text. */
  everythingPosted(): string {
    return [...this.transcript, ...this.bot.teams.sentTo(this.conversationId)].map((r) => `${r.text}\n${r.card}`).join('\n---\n');
  }

  private async send(from: TeamsUser, fields: Partial<Activity>): Promise<Reply[]> {
    const replies = (
      await this.bot.run({
        type: 'message',
        channelId: 'msteams',
        from,
        recipient: botAccount,
        conversation: { id: this.conversationId, conversationType: 'groupChat', isGroup: true, name: '', tenantId: tenant.tenantId },
        channelData: tenant.channelData,
        textFormat: 'plain',
        locale: 'en-GB',
        ...fields,
      })
    ).map(asReply);
    this.transcript.push(...replies);
    return replies;
  }
}

/** A channel (not in a team the bot knows of) where people @mention the bot; the members API answers with `members`. */
export class InProcessChannel {
  constructor(
    readonly bot: InProcessBotWithCoaches,
    readonly channelId: string,
    members: TeamsUser[],
  ) {
    bot.teams.setMembers(channelId, members);
  }

  /**
   * A message to the bot in a thread of the channel, optionally @mentioning someone after the words. The mention
   * carries no Entra id, as Teams sends it: the bot asks the members API.
   */
  async say(from: TeamsUser, words: string, mention?: TeamsUser): Promise<Reply[]> {
    const replies = await this.bot.run({
      type: 'message',
      channelId: 'msteams',
      from,
      recipient: botAccount,
      conversation: { id: `${this.channelId};messageid=1`, conversationType: 'channel', isGroup: true, name: '', tenantId: tenant.tenantId },
      channelData: { ...tenant.channelData, channel: { id: this.channelId } },
      text: `<at>${botAccount.name}</at> ${words}${mention ? ` <at>${mention.name}</at>` : ''}`,
      entities: [botAccount, ...(mention ? [mention] : [])].map(mentionOf),
    });
    return replies.map(asReply);
  }
}

/** The submit data of the button with this title on a card's row (a ColumnSet) whose label mentions `labelPart`. */
export function rowButton(replies: Reply[], title: string, labelPart?: string): any {
  const rows = replies.flatMap((r) => r.activity.attachments ?? []).flatMap((a) => (a.content.body ?? []).filter((b: any) => b.type === 'ColumnSet'));
  for (const row of rows) {
    if (labelPart && !JSON.stringify(row.columns[0]).includes(labelPart)) continue;
    const action = row.columns[1].items[0].actions.find((a: any) => a.title === title);
    if (action) return action.data;
  }
  throw new Error(`no "${title}" button${labelPart ? ` for ${labelPart}` : ''}`);
}

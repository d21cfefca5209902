import type { AddressInfo } from 'node:net';
import type { TurnContext } from 'botbuilder';
import type { Config } from './config';
import type { Logger } from './logger';
import { createAdapter } from './bot/adapter';
import { createRouter } from './bot/router';
import { FloodGuard } from './bot/floodGuard';
import { createRiskGate } from './safety/riskGate';
import { coachingControls } from './documents/gateControls';
import { pauseCoaching, takeCoachJoinedSession } from './documents/person';
import { shippedModel } from './safety/model/riskModel';
import { createCoachSessions } from './coachSession/services';
import { TurnPipeline, type ConversationLogic } from './bot/turnPipeline';
import { createServer, settlesBy } from './server';
import { CloudAdapterSender, type ProactiveSender } from './proactive/sender';
import { ReferralOutbox, referralProblems, type ReferralOutboxOptions } from './safety/referralOutbox';
import { JobQueue, JobWorker, type JobWorkerOptions } from './booking/jobs';
import { CoachingDialogs, type OnSessionCompleted } from './coaching/session';
import { openStore, type Store } from './store/store';
import { cosmosServiceStore } from './store/serviceStore';
import { ServiceEventRecorder, WRITE_BEHIND } from './serviceEvents/recorder';
import { provideServiceEvents } from './serviceEvents/events';
import { pseudonymKey } from './serviceEvents/key';
import { ServiceReports } from './serviceEvents/service';
import { MonthlyReportWorker } from './serviceEvents/monthlyReport';
import { allLeadsChannels, openReferralsSummary } from './safety/referralStore';
import type { ServiceStore } from './serviceEvents/store';
import { createTabAuthenticator, playgroundUser } from './tabs/auth';
import { MyCoaching } from './tabs/myCoaching';
import { registerTabRoutes } from './tabs/routes';

export interface RunningBot {
  /** http://host:port of the listening server. */
  url: string;
  store: Store;
  /** Delivers referrals to the service leads' channel (started once the server listens, unless told not to). */
  outbox: ReferralOutbox;
  /** Sends booking notices, reminders and plan check-ins that are due (started like the outbox). */
  jobs: JobWorker;
  /** Records de-identified service events (src/serviceEvents), writing behind: `flush()` stores what is waiting. */
  serviceEvents: ServiceEventRecorder;
  serviceStore: ServiceStore;
  serviceReports: ServiceReports;
  /** Posts the service report to the leads' channel on the first working day of each month (started like the outbox). */
  monthlyReports: MonthlyReportWorker;
  /**
   * Graceful stop, never longer than SHUTDOWN_GRACE_SECONDS: refuse new requests and close every connection, let
   * in-flight turns finish, stop the outbox and workers, store the service events waiting, close the store
   * (saving the local snapshot).
   */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The conversation logic; the product's own unless a test drives the pipeline with another. */
  logic?: ConversationLogic;
  /** An already open store shared with another instance (it is then not closed by stop). */
  store?: Store;
  /** For tests: a clock or instance id for the referral outbox, or `autoStart: false` to drive it with runOnce(). */
  outbox?: Partial<Pick<ReferralOutboxOptions, 'now' | 'random' | 'instanceId'>> & { autoStart?: boolean };
  /** For tests: the same for the job worker (reminders, booking notices, plan check-ins). */
  jobs?: Partial<Pick<JobWorkerOptions, 'now' | 'random' | 'instanceId'>> & { autoStart?: boolean };
  /** For tests: the same for the monthly report post. */
  monthlyReports?: { now?: () => number; instanceId?: string; autoStart?: boolean };
  /** For tests: how long a turn runs before the typing indicator shows (1 s by default). */
  typingDelayMs?: number;
}

/** The ports every conversation reads and writes (the store's, or their memory twins in tests). */
export type ConversationPorts = Pick<Store, 'people' | 'chats' | 'referrals' | 'bookings' | 'jobs'>;

export interface ConversationDeps {
  config: Config;
  logger: Logger;
  ports: ConversationPorts;
  /** How the bot reaches someone outside their turn (Teams through the adapter, or a stand-in). */
  sender: ProactiveSender;
  /** De-identified service events: recorded in every turn, reported to leads and viewers, posted monthly. */
  service?: ServiceDeps;
  /** The conversation logic; the product's own unless a test drives the pipeline with another. */
  logic?: ConversationLogic;
  outbox?: Partial<Pick<ReferralOutboxOptions, 'now' | 'random' | 'instanceId'>>;
  jobs?: Partial<Pick<JobWorkerOptions, 'now' | 'random' | 'instanceId'>>;
  typingDelayMs?: number;
  floodGuard?: FloodGuard;
}

export interface Conversations {
  /** One turn: the door, the risk gate, the route table, the conditional save, the held replies. */
  pipeline: TurnPipeline;
  /** Delivers referrals to the leads' channel (not started here). */
  outbox: ReferralOutbox;
  /** Sends booking notices, reminders and plan check-ins (not started here). */
  jobWorker: JobWorker;
  jobQueue: JobQueue;
  /** One turn as the server hands it over: the service events made reachable (when composed with them), then the pipeline. */
  handleTurn(context: TurnContext): Promise<void>;
  /** The service events' parts, when composed with them (`service`). */
  service?: ServiceParts;
}

/** What the service events are kept with: their store (Cosmos, or its memory twin) and the pseudonym key. */
export interface ServiceDeps {
  store: ServiceStore;
  /** The HMAC key pseudonyms are made with (src/serviceEvents/key.ts); instances on one store share it. */
  key: Buffer;
  /** For tests: a clock or instance id for the monthly report post. */
  monthlyReports?: { now?: () => number; instanceId?: string };
}

export interface ServiceParts {
  store: ServiceStore;
  /** Records de-identified service events, writing behind: `flush()` stores what is waiting. */
  events: ServiceEventRecorder;
  /** The service report and who may see it (the `service report` and viewer commands, the Service tab). */
  reports: ServiceReports;
  /** Posts the service report to the leads' channel on the first working day of each month (not started here). */
  monthlyReports: MonthlyReportWorker;
}

/**
 * The bot's conversations composed from their ports: the turn pipeline with the gate and the route table,
 * and the proactive workers the turns hand work to. startBot serves it over HTTP; the in-process tests run
 * the same composition on memory twins, so there is one place where the rooms are wired together.
 */
export function composeConversations(deps: ConversationDeps & { service: ServiceDeps }): Conversations & { service: ServiceParts };
export function composeConversations(deps: ConversationDeps): Conversations;
export function composeConversations({ config, logger, ports, sender, service: serviceDeps, logic, outbox: outboxOverrides = {}, jobs: jobOverrides = {}, typingDelayMs, floodGuard }: ConversationDeps): Conversations {
  const { people, chats, referrals, bookings, jobs } = ports;
  const service = serviceDeps && composeService(serviceDeps, { config, logger, sender, referrals });
  const events = service?.events;
  const serviceReports = service?.reports;
  const jobWorker = new JobWorker({ jobs, bookings, people, sender, booking: config.booking, logger, ...jobOverrides });
  const jobQueue = new JobQueue({
    jobs,
    planCheckInDays: config.booking.planCheckInDays,
    logger,
    deliverNow: async (ids) => {
      await jobWorker.deliverNow(ids);
    },
  });
  const outbox = new ReferralOutbox({ referrals, sender, safety: config.safety, logger, ...(events ? { events } : {}), ...outboxOverrides });
  // After session 1, on their own or with a coach, the plan check-in is scheduled.
  const onSessionCompleted: OnSessionCompleted = async (_context, { personId, session, programme }) => {
    if (session === 1) await jobQueue.planCheckIn(personId, programme);
  };
  const coachSessions = createCoachSessions({
    people,
    takeCoachJoinedSession,
    chats,
    sender,
    roles: { bookings, booking: config.booking },
    onSessionCompleted,
    logger,
  });
  const pipeline = new TurnPipeline({
    storage: { person: people, conversation: chats },
    dedupeWindowMs: config.dedupeWindowSeconds * 1000,
    ...(typingDelayMs !== undefined ? { typingDelayMs } : {}),
    ...(floodGuard ? { floodGuard } : {}),
    gate: createRiskGate({
      safety: config.safety,
      referrals,
      sendReferralNow: (id) => outbox.sendNow(id),
      logger,
      coaching: coachingControls(coachSessions),
      privately: { people, sender, logger },
    }),
    logic:
      logic ??
      createRouter({
        safety: config.safety,
        referrals,
        logger,
        booking: { bookings, booking: config.booking, sender, jobs: jobQueue, logger },
        coachSessions,
        coaching: new CoachingDialogs({ onSessionCompleted }),
        ...(serviceReports ? { serviceReports } : {}),
      }),
    logger,
  });
  const handleTurn = (context: TurnContext) => {
    if (events) provideServiceEvents(context, events);
    return pipeline.run(context);
  };
  return { pipeline, outbox, jobWorker, jobQueue, handleTurn, ...(service ? { service } : {}) };
}

/** The service events' recorder, the service report and the monthly post, on their store. */
function composeService(
  { store, key, monthlyReports: monthlyOverrides = {} }: ServiceDeps,
  { config, logger, sender, referrals }: Pick<ConversationDeps, 'config' | 'logger' | 'sender'> & Pick<ConversationPorts, 'referrals'>,
): ServiceParts {
  const events = new ServiceEventRecorder({ store, key, logger, retentionDays: config.serviceEvents.retentionDays, buffer: WRITE_BEHIND });
  const reports = new ServiceReports({
    store,
    openReferrals: () => openReferralsSummary(referrals),
    serviceLeadIds: config.safety.serviceLeadIds,
    appId: config.identity.appId || undefined,
  });
  const monthlyReports = new MonthlyReportWorker({
    store,
    reports,
    sender,
    leadsChannels: () => allLeadsChannels(referrals),
    nation: config.safety.nation,
    logger,
    pollMs: Math.max(config.booking.jobPollMs, 60_000),
    ...monthlyOverrides,
  });
  return { store, events, reports, monthlyReports };
}

/** Composition root: config → store → adapter → turn pipeline → server. */
export async function startBot(
  config: Config,
  logger: Logger,
  { logic, store: shared, outbox: outboxOptions = {}, jobs: jobOptions = {}, monthlyReports: monthlyOptions = {}, typingDelayMs }: StartOptions = {},
): Promise<RunningBot> {
  // The screening model's file is read and checked (schema, checksum) before anything listens: a damaged
  // file stops start-up rather than a turn.
  const model = shippedModel();
  if (model.file.reviewDate < new Date().toISOString().slice(0, 10)) logger.warn({ version: model.file.version, reviewDate: model.file.reviewDate }, 'screening model is past its review date');
  const store = shared ?? (await openStore(config.store, logger));
  const closeStore = () => (shared ? Promise.resolve() : store.close());
  try {
    const adapter = createAdapter(config.identity, logger);
    const { referrals } = store;
    const sender = new CloudAdapterSender(adapter, config.identity.appId);
    const { autoStart = true, ...outboxOverrides } = outboxOptions;
    const { autoStart: jobsAutoStart = true, ...jobOverrides } = jobOptions;
    const { autoStart: monthlyAutoStart = true, ...monthlyOverrides } = monthlyOptions;
    const { outbox, jobWorker, jobQueue, handleTurn, service } = composeConversations({
      config,
      logger,
      ports: store,
      sender,
      service: { store: cosmosServiceStore(store.containers), key: await pseudonymKey(config), monthlyReports: monthlyOverrides },
      logic,
      outbox: outboxOverrides,
      jobs: jobOverrides,
      typingDelayMs,
      floodGuard: new FloodGuard({ limit: config.messagesPerMinutePerPerson, windowMs: 60_000 }),
    });
    const { store: serviceStore, events: serviceEvents, reports: serviceReports, monthlyReports } = service;
    const { people } = store;
    const { server, drain } = createServer({
      adapter,
      handleTurn,
      checkStore: () => store.ping(),
      checkReferrals: async () => {
        const referrals = await outbox.backlog();
        return { referrals, problems: referralProblems(referrals) };
      },
      requestBodyLimitBytes: config.requestBodyLimitBytes,
      logger,
      registerRoutes: (routes) => {
        const localUser = playgroundUser();
        registerTabRoutes(routes, {
          auth: createTabAuthenticator(config, logger, localUser),
          reports: serviceReports,
          myCoaching: new MyCoaching({
            people,
            bookings: store.bookings,
            referrals,
            jobs: jobQueue,
            deliverNow: (ids) => jobWorker.deliverNow(ids),
            daysAhead: config.booking.daysAhead,
            events: serviceEvents,
            logger,
            risk: {
              referrals,
              sendReferralNow: (id) => outbox.sendNow(id),
              sender,
              safety: config.safety,
              ...(config.identity.tenantId ? { tenantId: config.identity.tenantId } : {}),
              events: serviceEvents,
              pauseCoaching,
            },
          }),
          nation: config.safety.nation,
          logger,
          localUserName: config.unauthenticated ? localUser.name : undefined,
        });
      },
    });
    // No host: listen on every interface, IPv4 and IPv6 (the Playground may resolve localhost to ::1).
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(config.port, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    if (autoStart) outbox.start();
    if (jobsAutoStart) jobWorker.start();
    if (monthlyAutoStart) monthlyReports.start();
    let stopping: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      store,
      outbox,
      jobs: jobWorker,
      serviceEvents,
      serviceStore,
      serviceReports,
      monthlyReports,
      stop: () =>
        (stopping ??= (async () => {
          const deadline = Date.now() + config.shutdownGraceMs;
          // In order, and whatever is not done by the deadline is left: stop never outlasts the grace.
          if (!(await drain(config.shutdownGraceMs))) logger.warn('shutdown grace ended with turns still running');
          const workersStopped = Promise.all([outbox.stop(), jobWorker.stop(), monthlyReports.stop()]);
          if (!(await settlesBy(workersStopped, deadline))) logger.warn('shutdown grace ended with proactive sends still running');
          // The service events the turns and workers recorded, written behind until now.
          if (!(await settlesBy(serviceEvents.close(), deadline))) logger.warn('shutdown grace ended before the service events waiting were stored');
          if (!(await settlesBy(closeStore(), deadline))) logger.warn('shutdown grace ended before the store closed');
        })()),
    };
  } catch (err) {
    await closeStore();
    throw err;
  }
}

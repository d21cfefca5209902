import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActivityHandler, ConversationState, MemoryStorage, type TurnContext } from 'botbuilder';
import { startBot } from '../src/app';
import { createAdapter } from '../src/bot/adapter';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createServer as createBotServer } from '../src/server';
import { startEmbeddedCosmos } from '../src/store/embeddedCosmos';
import { openStore, type StoreRequest } from '../src/store/store';

/**
 * Turn benchmark: the coaching bot against a bare botbuilder echo bot, over real HTTP on loopback.
 *
 *   npm run build && node dist/scripts/bench.js [--users N] [--rounds R] [--conversations C] [--store separate|in-process] [--turns-only] [--profile DIR] [--json]
 *
 * Processes (so that each figure belongs to what it measures, on a 2-core machine):
 * - this one: the simulated staff (an HTTP client) and the reply sink standing in for Teams (answers 200 {id});
 * - a bot worker: the coaching bot (startBot, the product's composition root) or the echo bot (the product's
 *   restify server and CloudAdapter in unauthenticated mode, an ActivityHandler with ConversationState on
 *   MemoryStorage). CPU per turn and RSS are the worker's own;
 * - a store worker: the embedded Cosmos-protocol server (@vercel/cosmosdb-server), as a Cosmos account would be
 *   another machine. The coaching worker reaches it as it would reach Azure (COSMOS_ENDPOINT + COSMOS_KEY), with
 *   TLS verification off in that worker only, because the embedded server's certificate is self-signed.
 *   `--store in-process` instead runs the product's local mode as `npm start` does (embedded store inside the
 *   bot, snapshots to a temp folder): RSS and CPU then include the store.
 *
 * What it does, in order (about 3 minutes on 2 cores with the defaults, most of it two fixed one-minute waits):
 * 1. the coaching bot: a warm-up, then `users` people at once each walking session 1 `rounds` times back to back
 *    (throughput and latency at saturation), then one walk each with 250–750 ms between turns (latency when not
 *    saturated); then one person alone, with the store requests of each turn recorded;
 * 2. a fresh coaching bot warmed up with 1,000 first messages; while its flood-protection window passes, the echo
 *    bot gets exactly the same turns, and the real entry point is started three times to a healthy /healthz;
 * 3. heap after GC of that bot a minute after its last message (when the flood guard has forgotten everyone),
 *    `conversations` first messages from distinct people (sampled at each quarter), and heap again a minute later.
 * `--turns-only` runs 1 and the echo bot's turns and leaves out the fresh bot, the memory and start-up (about a minute
 * and a half): for comparing CPU per turn between changes.
 *
 * Round trips are counted by the optional onRequest hook of openStore (one call per HTTP request to Cosmos).
 * The referral outbox is not started in the worker: it polls the store every OUTBOX_POLL_SECONDS whatever the
 * traffic, which is not a per-turn cost. Flood protection is left at its default (60 messages a minute per person;
 * a walk is 28). Only timings and counts are printed, never message text.
 * With BENCH_CPU_PROFILE_DIR set, each bot worker writes a V8 CPU profile of its whole life there (open it in Chrome
 * DevTools). `--profile DIR` instead profiles only the measured turns: each bot writes `coaching-back-to-back`,
 * `coaching-paced`, `echo-back-to-back` and `echo-paced.cpuprofile` to DIR, each from its CPU mark to its report;
 * read them with `node dist/scripts/profileTop.js`. Profiling costs CPU of its own: compare figures only between
 * runs that both profile or both do not.
 */

const GOALS = { throughputRatio: 0.7, cpuRatio: 2, roundTripsPerOrdinaryTurn: 2, p99Ms: 50, p99AtUsers: 20 } as const;
/** Think time between one person's turns in the paced runs: uniform in this range (ms). */
const THINK_MS = [250, 750] as const;
const thinkTime = () => THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0]);
/**
 * The flood guard (src/bot/floodGuard.ts, window set in src/app.ts) remembers everyone who wrote in the last
 * minute; the memory check samples once more after that window, when only what the bot keeps for good is left.
 */
const FLOOD_WINDOW_MS = 60_000;

// ---------------------------------------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------------------------------------

export type WorkerRole = 'store' | 'coaching' | 'echo';
interface WorkerMessage {
  id: number;
  cmd: string;
  [field: string]: unknown;
}

const silent = createLogger('silent');

function category(request: StoreRequest): 'read' | 'write' | 'query' | 'meta' {
  if (request.resource !== 'docs') return 'meta';
  if (request.operation === 'read') return 'read';
  if (['create', 'replace', 'upsert', 'delete', 'patch', 'batch'].includes(request.operation)) return 'write';
  return 'query';
}

async function runWorker(role: WorkerRole, options: Record<string, string>): Promise<void> {
  const send = (message: unknown) => process.send!(message);
  const counts: Record<string, number> = { read: 0, write: 0, query: 0, meta: 0 };
  const detail: Record<string, number> = {};
  let recording: string[] | undefined;
  const onRequest = (r: StoreRequest) => {
    const kind = category(r);
    counts[kind]! += 1;
    const key = `${kind} ${r.operation} ${r.container ?? r.resource} ${r.status ?? 'none'}`;
    detail[key] = (detail[key] ?? 0) + 1;
    recording?.push(`${r.operation} ${r.container ?? r.resource} ${r.status ?? '-'}`);
  };
  let stop: () => Promise<void> = async () => undefined;
  let url = '';

  if (role === 'store') {
    const store = await startEmbeddedCosmos({ logger: silent });
    send({ ready: true, endpoint: store.endpoint, key: store.key });
    stop = () => store.close();
  } else {
    const env: Record<string, string> = { PORT: '0', LOG_LEVEL: 'silent', LOCAL_DATA_DIR: options.dataDir! };
    // A store of its own (not embedded) needs the pseudonym key, as production does: one for this run alone.
    if (options.endpoint) Object.assign(env, { COSMOS_ENDPOINT: options.endpoint, COSMOS_KEY: options.key!, PSEUDONYM_KEY: randomBytes(32).toString('base64') });
    const config = loadConfig(env);
    if (role === 'coaching') {
      const store = await openStore(config.store, silent, { onRequest });
      const bot = await startBot(config, silent, { store, outbox: { autoStart: false } });
      url = bot.url;
      stop = async () => {
        await bot.stop();
        await store.close();
      };
    } else {
      const adapter = createAdapter(config.identity, silent);
      const echo = new EchoBot(new ConversationState(new MemoryStorage()));
      const { server, drain } = createBotServer({
        adapter,
        handleTurn: (context) => echo.run(context),
        checkStore: async () => undefined,
        requestBodyLimitBytes: config.requestBodyLimitBytes,
        logger: silent,
      });
      await new Promise<void>((resolve) => server.listen(0, () => resolve()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      stop = async () => {
        await drain(1000);
      };
    }
    send({ ready: true, url });
  }

  const profiler = options.profile ? await windowProfiler(options.profile, role) : undefined;
  let mark = { cpu: process.cpuUsage(), counts: { ...counts } };
  process.on('message', async (message: WorkerMessage) => {
    const reply = (body: Record<string, unknown>) => send({ id: message.id, ...body });
    switch (message.cmd) {
      case 'mark':
        await profiler?.start();
        mark = { cpu: process.cpuUsage(), counts: { ...counts } };
        return reply({});
      case 'report': {
        const cpu = process.cpuUsage(mark.cpu);
        await profiler?.stop();
        const delta = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v - (mark.counts[k] ?? 0)]));
        return reply({ cpuMs: (cpu.user + cpu.system) / 1000, counts: delta, maxRssKb: process.resourceUsage().maxRSS, rss: process.memoryUsage().rss });
      }
      case 'counts':
        return reply({ counts: { ...counts } });
      case 'detail':
        return reply({ detail: { ...detail } });
      case 'record':
        recording = [];
        return reply({});
      case 'recorded': {
        const seen = recording ?? [];
        recording = [];
        return reply({ requests: seen });
      }
      case 'memory': {
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
        return reply({ rss, heapUsed, heapTotal, external, gc: !!gc });
      }
      case 'stop':
        await stop();
        reply({});
        setTimeout(() => process.exit(0), 50);
        return;
    }
  });
}

/**
 * A V8 CPU profile of each measured window of a bot worker (from 'mark' to 'report'), through the inspector in
 * this process, so that start-up and warm-up are left out: the first window is the back-to-back load, the second
 * the paced one.
 */
async function windowProfiler(dir: string, role: WorkerRole): Promise<{ start(): Promise<void>; stop(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  // Loaded only when profiling, so that a bench without --profile runs exactly the code it measures.
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  const windows = ['back-to-back', 'paced'];
  let taken = 0;
  let running = false;
  return {
    async start() {
      if (running) return;
      await session.post('Profiler.start');
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      const { profile } = await session.post('Profiler.stop');
      const name = windows[taken] ?? `window-${taken + 1}`;
      taken += 1;
      writeFileSync(path.join(dir, `${role}-${name}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

/** The bare echo bot: one conversation-state property, one reply per message. */
class EchoBot extends ActivityHandler {
  constructor(private readonly state: ConversationState) {
    super();
    const turns = state.createProperty<number>('turns');
    this.onMessage(async (context, next) => {
      const count = (await turns.get(context, 0)) + 1;
      await turns.set(context, count);
      await context.sendActivity(`Echo ${count}: ${context.activity.text ?? '(card)'}`);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.state.saveChanges(context);
  }
}

export interface Worker {
  child: ChildProcess;
  ready: Record<string, string>;
  call(cmd: string): Promise<Record<string, any>>;
}

/** Where the bot workers write the profiles of their measured windows (--profile), if anywhere. */
let windowProfileDir: string | undefined;

/** Forks a worker: this script by default, or the same script of another build (scripts/benchCompare.ts). */
export async function startWorker(role: WorkerRole, options: Record<string, string>, env: Record<string, string> = {}, script = __filename): Promise<Worker> {
  const withProfile = windowProfileDir && role !== 'store' ? { ...options, profile: windowProfileDir } : options;
  const args = ['--role', role, ...Object.entries(withProfile).flatMap(([k, v]) => [`--${k}`, v])];
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const child = fork(script, args, {
    execArgv: ['--expose-gc', ...(profileDir && role !== 'store' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let next = 0;
  const waiting = new Map<number, (body: Record<string, any>) => void>();
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} worker exited (${code}): ${stderr.slice(-2000)}`)));
    child.on('message', (message: any) => {
      if (message.ready) resolve(message);
      else waiting.get(message.id)?.(message);
    });
  });
  return {
    child,
    ready,
    call: (cmd) =>
      new Promise((resolve) => {
        const id = ++next;
        waiting.set(id, (body) => {
          waiting.delete(id);
          resolve(body);
        });
        child.send({ id, cmd });
      }),
  };
}

export async function stopWorker(worker: Worker): Promise<void> {
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  await worker.call('stop');
  await exited;
}

// ---------------------------------------------------------------------------------------------------------
// The reply sink (Teams stand-in) and the HTTP client
// ---------------------------------------------------------------------------------------------------------

interface Seen {
  texts: string[];
  cards: Map<string, Record<string, unknown>>;
}

/** Answers every POST/PUT to /v3/conversations/... with 200 {id}; keeps the latest cards per watched conversation. */
export class Sink {
  private server?: Server;
  /** Requests the bot made to the Teams stand-in (replies, typing, updates). */
  received = 0;
  readonly watched = new Map<string, Seen>();
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
        if (match) {
          const seen = this.watched.get(decodeURIComponent(match[1]!));
          if (seen) record(seen, JSON.parse(Buffer.concat(chunks).toString('utf8')));
        }
        this.received += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"id":"r${this.received}"}`);
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function record(seen: Seen, activity: { type?: string; text?: string; attachments?: { content?: unknown }[] }): void {
  if (activity.type !== 'message') return;
  seen.texts.push(activity.text ?? '');
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, any>;
    if (n.type === 'Action.Submit' && typeof n.data?.card === 'string') seen.cards.set(n.data.card, n.data);
    if (typeof n.text === 'string') seen.texts.push(n.text);
    Object.values(n).forEach(walk);
  };
  walk(activity.attachments?.map((a) => a.content));
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function postJson(url: string, body: unknown): Promise<{ status: number; ms: number }> {
  const payload = Buffer.from(JSON.stringify(body));
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------------------
// A staff member walking session 1 (the answers of test/support/walkThrough.ts)
// ---------------------------------------------------------------------------------------------------------

type Step =
  | { kind: 'say'; text: string; label: string }
  | { kind: 'submit'; card: string; values: Record<string, unknown>; label: string };

const say = (text: string, label = 'answer'): Step => ({ kind: 'say', text, label });
const submit = (card: string, values: Record<string, unknown>, label: string): Step => ({ kind: 'submit', card, values, label });

const SESSION_ONE: Step[] = [
  say('start coaching', 'first message (start coaching)'),
  submit('checkIn', { nervous: '0', worrying: '0', littleInterest: '0', down: '0', harmSelf: '0', harmOthers: 'no' }, 'check-in card'),
  ...['Get a clinical educator role', 'Longer term', 'It is the right time', 'A direction', 'I would know my next step', 'I would be teaching', 'Less time with family', 'The benefits outweigh the costs'].map((t) => say(t)),
  submit('scaling', { scale: 3 }, 'scaling card'),
  ...['I turn up and try', 'I would ask for help sooner', 'I ran the flu clinic', 'no', 'Quiet weeks were easier', 'Patient', 'no', 'Running', 'Delegating', 'My team leader', 'She plans her week', 'Some of it', 'Maybe', 'My union rep'].map((t) => say(t)),
  say('Use my patience'),
  submit('actionPlan', { action1: 'Book a meeting with my manager', byWhen1: '2027-01-15', obstacle1: 'No time', overcome1: 'Block it in my diary' }, 'action-plan card'),
  say('5', 'rescaling (typed)'),
  say('no', 'last answer (session ends)'),
];

const botAccount = { id: '28:coaching-bot', name: 'Staff coaching' };

function newPerson() {
  const aadObjectId = randomUUID();
  return { user: { id: `29:${aadObjectId}`, aadObjectId, name: 'Bench Staff' }, conversationId: `a:${randomUUID()}` };
}

function activity(sinkUrl: string, person: ReturnType<typeof newPerson>, fields: Record<string, unknown>) {
  return {
    type: 'message',
    id: `${Date.now()}${Math.floor(Math.random() * 1e9)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: sinkUrl,
    from: person.user,
    recipient: botAccount,
    conversation: { id: person.conversationId, conversationType: 'personal', tenantId: 'tenant-bench' },
    channelData: { tenant: { id: 'tenant-bench' } },
    locale: 'en-GB',
    ...fields,
  };
}

interface Walk {
  latencies: number[];
  failures: string[];
  /** How many times the risk gate asked its direct question (each answered "No", one turn more). */
  directQuestions?: number;
}

const DIRECT_QUESTION = /Are you having thoughts of suicide or of harming yourself/;

/**
 * One new person through session 1. With `watchCards` each card submission carries the data of the card the bot
 * sent (the coaching bot) and the replies are checked; otherwise the same activities are sent with made-up card
 * data (the echo bot: the same turns). `before` and `after` run around each POST, outside its timing.
 */
async function walk(botUrl: string, sink: Sink, watchCards: boolean, walkResult: Walk, before?: (step: Step) => Promise<void>, after?: (step: Step) => Promise<void>): Promise<void> {
  const person = newPerson();
  const seen: Seen = { texts: [], cards: new Map() };
  // Replies are always read for the risk gate's direct question: some ordinary answers raise it (check fatigue,
  // measured in the README), and a person who is fine answers "No" once, as the test chats do.
  sink.watched.set(person.conversationId, seen);
  try {
    for (const step of SESSION_ONE) {
      seen.texts = [];
      let body;
      if (step.kind === 'say') body = activity(sink.url, person, { text: step.text, textFormat: 'plain' });
      else {
        const cardData = watchCards ? seen.cards.get(step.card) : { card: step.card, questionId: 'bench' };
        if (!cardData) {
          walkResult.failures.push(`no ${step.card} card before "${step.label}"`);
          return;
        }
        body = activity(sink.url, person, { value: { ...cardData, ...step.values } });
      }
      await before?.(step);
      const { status, ms } = await postJson(`${botUrl}/api/messages`, body);
      await after?.(step);
      walkResult.latencies.push(ms);
      if (status !== 200) walkResult.failures.push(`HTTP ${status} at "${step.label}"`);
      if (seen.texts.some((t) => DIRECT_QUESTION.test(t))) {
        seen.texts = [];
        const answered = await postJson(`${botUrl}/api/messages`, activity(sink.url, person, { text: 'No', textFormat: 'plain' }));
        walkResult.latencies.push(answered.ms);
        walkResult.directQuestions = (walkResult.directQuestions ?? 0) + 1;
      }
      if (watchCards && seen.texts.some((t) => /something went wrong on my side|crossed with another one/.test(t))) {
        walkResult.failures.push(`apology at "${step.label}"`);
      }
    }
    if (watchCards && !seen.texts.some((t) => /end of your first session/.test(t))) walkResult.failures.push('session 1 did not end');
  } finally {
    sink.watched.delete(person.conversationId);
  }
}

/** `users` people at once, each walking session 1 `rounds` times as a new person; back to back unless `thinkMs` is given. */
export async function load(botUrl: string, sink: Sink, users: number, rounds: number, watchCards: boolean, thinkMs?: () => number): Promise<Walk & { seconds: number; outbound: number }> {
  const result: Walk = { latencies: [], failures: [] };
  const think = thinkMs ? async () => new Promise<void>((resolve) => setTimeout(resolve, thinkMs())) : undefined;
  const sentBefore = sink.received;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: users }, async () => {
      for (let round = 0; round < rounds; round++) await walk(botUrl, sink, watchCards, result, think);
    }),
  );
  return { ...result, seconds: (performance.now() - started) / 1000, outbound: sink.received - sentBefore };
}

// ---------------------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

interface BotFigures {
  turns: number;
  seconds: number;
  turnsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuMsPerTurn: number;
  storeCpuMsPerTurn?: number;
  peakRssMb: number;
  teamsCallsPerTurn: number;
  /** Direct questions asked (and answered "No") during the run. */
  directQuestions: number;
  failures: string[];
}

export function figures(run: Walk & { seconds: number; outbound: number }, report: Record<string, any>, storeCpuMs?: number): BotFigures {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const turns = sorted.length;
  return {
    turns,
    seconds: round(run.seconds, 2),
    turnsPerSecond: round(turns / run.seconds, 1),
    p50Ms: round(percentile(sorted, 0.5), 1),
    p95Ms: round(percentile(sorted, 0.95), 1),
    p99Ms: round(percentile(sorted, 0.99), 1),
    maxMs: round(sorted[sorted.length - 1] ?? NaN, 1),
    cpuMsPerTurn: round(report.cpuMs / turns, 2),
    ...(storeCpuMs !== undefined ? { storeCpuMsPerTurn: round(storeCpuMs / turns, 2) } : {}),
    peakRssMb: round(report.maxRssKb / 1024, 1),
    teamsCallsPerTurn: round(run.outbound / turns, 2),
    directQuestions: run.directQuestions ?? 0,
    failures: [...new Set(run.failures)].slice(0, 10),
  };
}

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

export function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = 'true';
    else out[a.slice(2)] = argv[++i]!;
  }
  return out;
}

export function whole(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1 (got "${value}")`);
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// Start-up time of the real entry point
// ---------------------------------------------------------------------------------------------------------

async function startupToHealthy(): Promise<{ ms: number; botReportedMs?: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'coaching-bench-start-'));
  const entry = path.resolve(__dirname, '..', 'src', 'index.js');
  const started = performance.now();
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: '0', LOCAL_DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development', MicrosoftAppId: '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    let buffered = '';
    const listening = await new Promise<{ url: string; startupMs?: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bot did not report listening within 60 s')), 60_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the bot exited with ${code} before listening`));
      });
      child.stdout!.on('data', (chunk) => {
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          try {
            const entry = JSON.parse(line) as { msg?: string; url?: string; startupMs?: number };
            if (entry.msg === 'bot listening' && entry.url) {
              clearTimeout(timer);
              resolve({ url: entry.url, startupMs: entry.startupMs });
            }
          } catch {
            // not a log line
          }
        }
      });
    });
    child.stdout!.resume();
    while ((await getStatus(`${listening.url}/healthz`)) !== 200) {
      if (performance.now() - started > 60_000) throw new Error('/healthz did not answer 200 within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { ms: round(performance.now() - started, 0), botReportedMs: listening.startupMs };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = args(process.argv.slice(2));
  if (opts.role) return runWorker(opts.role as WorkerRole, opts);

  const users = whole(opts.users, 20, 'users');
  const rounds = whole(opts.rounds, 3, 'rounds');
  const conversations = whole(opts.conversations, 10_000, 'conversations');
  const storeMode = opts.store ?? 'separate';
  if (storeMode !== 'separate' && storeMode !== 'in-process') throw new Error('--store must be separate or in-process');
  const json = opts.json === 'true';
  const turnsOnly = opts['turns-only'] === 'true';
  if (opts.profile === 'true') throw new Error('--profile needs a folder to write the profiles to');
  windowProfileDir = opts.profile ? path.resolve(opts.profile) : undefined;
  const log = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  const benchStarted = performance.now();
  const tempDirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coaching-bench-'));
    tempDirs.push(dir);
    return dir;
  };

  const sink = new Sink();
  await sink.start();
  let store: Worker | undefined;
  const coachingWorker = async () => {
    if (storeMode === 'in-process') return startWorker('coaching', { dataDir: dataDir() });
    store ??= await startWorker('store', {});
    // The embedded server's certificate is self-signed: TLS verification is off in this worker only (loopback).
    return startWorker('coaching', { dataDir: dataDir(), endpoint: store.ready.endpoint!, key: store.ready.key! }, { NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1' });
  };

  try {
    // 1. The coaching bot under load.
    log(`coaching bot: ${users} users × ${rounds} rounds of session 1 (${SESSION_ONE.length} turns each), store ${storeMode}`);
    const coaching = await coachingWorker();
    const warmUp = await load(coaching.ready.url!, sink, Math.min(users, 4), 1, true);
    if (warmUp.failures.length > 0) throw new Error(`warm-up failed: ${warmUp.failures.slice(0, 3).join('; ')}`);
    await coaching.call('mark');
    if (store) await store.call('mark');
    const coachingRun = await load(coaching.ready.url!, sink, users, rounds, true);
    const coachingReport = await coaching.call('report');
    const storeReport = store ? await store.call('report') : undefined;
    const coachingFigures = figures(coachingRun, coachingReport, storeReport?.cpuMs);
    log(`coaching bot paced: ${users} users, one walk each, ${THINK_MS[0]}–${THINK_MS[1]} ms between turns`);
    await coaching.call('mark');
    const coachingPaced = figures(await load(coaching.ready.url!, sink, users, 1, true, thinkTime), await coaching.call('report'));
    const perTurn = Object.fromEntries(
      Object.entries(coachingReport.counts as Record<string, number>).map(([k, v]) => [k, round(v / coachingFigures.turns, 2)]),
    ) as Record<'read' | 'write' | 'query' | 'meta', number>;

    // 2. Round trips turn by turn for one person on an idle bot.
    log('round trips per turn: one person, turn by turn');
    const probe: { label: string; trips: number; requests: string[] }[] = [];
    const probeWalk: Walk = { latencies: [], failures: [] };
    await walk(
      coaching.ready.url!,
      sink,
      true,
      probeWalk,
      async () => void (await coaching.call('record')),
      async (step) => {
        const { requests } = await coaching.call('recorded');
        probe.push({ label: step.label, trips: requests.length, requests });
      },
    );
    await stopWorker(coaching);

    // 3. Memory over many distinct conversations (first messages from distinct people), measured on a fresh bot.
    //    Warm it up first (1,000 first messages) so that code loading, JIT and the allocator's first growth are not
    //    counted, then measure heap after GC once the flood window has passed, before and after the conversations.
    const fresh = turnsOnly ? undefined : await warmFreshBot();

    // 4. While the warm-up's flood window passes: the echo bot, the same turns at the same concurrency, and start-up.
    log('echo bot: the same turns');
    const echo = await startWorker('echo', { dataDir: dataDir() });
    await load(echo.ready.url!, sink, Math.min(users, 4), 1, false);
    await echo.call('mark');
    const echoRun = await load(echo.ready.url!, sink, users, rounds, false);
    const echoFigures = figures(echoRun, await echo.call('report'));
    await echo.call('mark');
    const echoPaced = figures(await load(echo.ready.url!, sink, users, 1, false, thinkTime), await echo.call('report'));
    await stopWorker(echo);
    const later = fresh ? await startupAndMemory(fresh) : undefined;

    // Goals.
    const ordinary = probe.filter((p) => p.label === 'answer');
    const ordinaryTrips = ordinary.map((p) => p.trips).sort((a, b) => a - b);
    const ordinaryMedian = percentile(ordinaryTrips, 0.5);
    const typicalOrdinary = ordinary.find((p) => p.trips === ordinaryMedian)?.requests ?? [];
    const ratio = round(coachingFigures.turnsPerSecond / echoFigures.turnsPerSecond, 2);
    const cpuRatio = { backToBack: round(coachingFigures.cpuMsPerTurn / echoFigures.cpuMsPerTurn, 2), paced: round(coachingPaced.cpuMsPerTurn / echoPaced.cpuMsPerTurn, 2) };
    const goals = {
      throughput: { goal: `coaching ≥ ${GOALS.throughputRatio}× echo turns/s`, value: ratio, met: ratio >= GOALS.throughputRatio },
      cpu: {
        goal: `bot CPU per turn ≤ ${GOALS.cpuRatio}× echo's, back to back`,
        value: cpuRatio.backToBack,
        met: cpuRatio.backToBack <= GOALS.cpuRatio,
      },
      roundTrips: {
        goal: `≤ ${GOALS.roundTripsPerOrdinaryTurn} store round trips per ordinary turn`,
        value: ordinaryMedian,
        met: ordinaryMedian <= GOALS.roundTripsPerOrdinaryTurn,
      },
      p99Paced: {
        goal: `p99 ≤ ${GOALS.p99Ms} ms at ${GOALS.p99AtUsers} users, each pausing ${THINK_MS[0]}–${THINK_MS[1]} ms between turns`,
        value: coachingPaced.p99Ms,
        met: users === GOALS.p99AtUsers ? coachingPaced.p99Ms <= GOALS.p99Ms : null,
      },
      p99Saturated: {
        goal: `p99 ≤ ${GOALS.p99Ms} ms at ${GOALS.p99AtUsers} users sending back to back (the bot saturated)`,
        value: coachingFigures.p99Ms,
        met: users === GOALS.p99AtUsers ? coachingFigures.p99Ms <= GOALS.p99Ms : null,
      },
      flatMemory: {
        goal: 'no memory kept per conversation: heap after GC (flood window passed) grows < 100 KB per 1,000 conversations',
        value: later?.memory.retainedPerThousandConversationsKb ?? null,
        met: later && storeMode === 'separate' ? later.memory.retainedPerThousandConversationsKb < 100 : null,
      },
      screening: { goal: '≤ 50 µs per 1 KB message', value: null, met: null, note: 'measured by npm run bench:screening' },
    };

    const result = {
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      sizes: { users, rounds, turnsPerWalk: SESSION_ONE.length, turnsPerBot: coachingFigures.turns, warmUpWalks: Math.min(users, 4), conversations: later ? conversations : 0, memoryWarmUp: later ? 1000 : 0, store: storeMode },
      coaching: coachingFigures,
      echo: echoFigures,
      paced: { thinkMs: THINK_MS, coaching: coachingPaced, echo: echoPaced },
      throughputRatio: ratio,
      cpuRatio,
      storeRoundTripsPerTurn: { ...perTurn, total: round(perTurn.read + perTurn.write + perTurn.query + perTurn.meta, 2) },
      roundTripsByTurn: probe.map(({ label, trips, requests }) => ({ label, trips, requests })),
      ordinaryTurn: { median: ordinaryMedian, min: ordinaryTrips[0], max: ordinaryTrips[ordinaryTrips.length - 1], requests: typicalOrdinary },
      memory: later?.memory,
      startup: later?.startup,
      goals,
      failures: [...new Set([...coachingFigures.failures, ...echoFigures.failures, ...coachingPaced.failures, ...echoPaced.failures, ...probeWalk.failures])],
      benchSeconds: round((performance.now() - benchStarted) / 1000, 1),
    };

    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      printTable(result);
    }
    if (result.failures.length > 0 || (later?.memory.failures ?? 0) > 0) process.exitCode = 1;
  } finally {
    if (store) await stopWorker(store);
    await sink.stop();
    agent.destroy();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  }

  /** 3. A fresh coaching bot, warmed up with 1,000 first messages for the memory check (before the echo bot runs). */
  async function warmFreshBot(): Promise<{ worker: Worker; hi: () => Promise<{ status: number }>; lastMessageAt: number }> {
    log(`memory: warming up a fresh coaching bot with 1,000 first messages`);
    const worker = await coachingWorker();
    const hi = () => postJson(`${worker.ready.url}/api/messages`, activity(sink.url, newPerson(), { text: 'hi', textFormat: 'plain' }));
    await Promise.all(Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 50; i++) await hi();
    }));
    return { worker, hi, lastMessageAt: performance.now() };
  }

  /** Start-up of the real entry point, then the fresh bot's memory over `conversations` distinct conversations. */
  async function startupAndMemory(fresh: { worker: Worker; hi: () => Promise<{ status: number }>; lastMessageAt: number }) {
    const { hi } = fresh;
    let { lastMessageAt } = fresh;
    log('start-up: node dist/src/index.js to /healthz 200 (3 runs)');
    const startups = [];
    for (let i = 0; i < 3; i++) startups.push(await startupToHealthy());
    const startupMs = [...startups.map((s) => s.ms)].sort((a, b) => a - b);

    const memory: { conversations: number; settled: boolean; rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number }[] = [];
    const sample = async (count: number, settled: boolean) => {
      const m = await fresh.worker.call('memory');
      memory.push({ conversations: count, settled, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) });
    };
    /** Waits until the flood guard's window has passed since the last message, then lets it forget (it does so on its next check). */
    const settle = async (count: number) => {
      const wait = lastMessageAt + FLOOD_WINDOW_MS + 1000 - performance.now();
      if (wait > 0) log(`memory: waiting ${Math.round(wait / 1000)} s for the flood-protection window to pass`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
      await hi();
      await sample(count, true);
    };
    await settle(0);
    log(`memory: ${conversations} distinct conversations ("hi" from ${conversations} people)`);
    let sent = 0;
    let memoryFailures = 0;
    const checkpoints = [...new Set([1, 2, 3, 4].map((q) => Math.floor((conversations * q) / 4)).filter((c) => c > 0))];
    const memoryStarted = performance.now();
    while (sent < conversations) {
      const batchEnd = Math.min(conversations, checkpoints.find((c) => c > sent)!);
      let nextIndex = sent;
      await Promise.all(
        Array.from({ length: users }, async () => {
          while (nextIndex < batchEnd) {
            nextIndex += 1;
            const { status } = await hi();
            if (status !== 200) memoryFailures += 1;
          }
        }),
      );
      sent = batchEnd;
      await sample(sent, false);
    }
    lastMessageAt = performance.now();
    const memorySeconds = (lastMessageAt - memoryStarted) / 1000;
    await settle(conversations);
    const storeMemory = store ? await store.call('memory') : undefined;
    await stopWorker(fresh.worker);
    const before = memory[0]!;
    const after = memory[memory.length - 1]!;
    return {
      memory: {
        samples: memory,
        retainedPerThousandConversationsKb: round(((after.heapUsedMb - before.heapUsedMb) * 1024) / (conversations / 1000), 1),
        rssChangeMb: round(after.rssMb - before.rssMb, 1),
        seconds: round(memorySeconds, 1),
        failures: memoryFailures,
        storeProcessRssMb: storeMemory ? mb(storeMemory.rss) : undefined,
      },
      startup: { medianMs: startupMs[1], runsMs: startups.map((s) => s.ms), botReportedMs: startups.map((s) => s.botReportedMs) },
    };
  }
}

function printTable(r: any): void {
  const row = (label: string, a: unknown, b: unknown = '') => console.log(`${label.padEnd(34)}${String(a).padStart(12)}${String(b).padStart(12)}`);
  console.log(`Turn benchmark (node ${r.node}, ${r.cpus} CPUs; store: ${r.sizes.store})`);
  console.log(`Back to back: ${r.sizes.users} users × ${r.sizes.rounds} walks of session 1 × ${r.sizes.turnsPerWalk} turns = ${r.sizes.turnsPerBot} turns per bot, after ${r.sizes.warmUpWalks} warm-up walks`);
  console.log('');
  row('', 'coaching', 'echo');
  row('turns/s', r.coaching.turnsPerSecond, r.echo.turnsPerSecond);
  row('p50 turn latency (ms)', r.coaching.p50Ms, r.echo.p50Ms);
  row('p95 turn latency (ms)', r.coaching.p95Ms, r.echo.p95Ms);
  row('p99 turn latency (ms)', r.coaching.p99Ms, r.echo.p99Ms);
  row('max turn latency (ms)', r.coaching.maxMs, r.echo.maxMs);
  row('bot CPU per turn (ms)', r.coaching.cpuMsPerTurn, r.echo.cpuMsPerTurn);
  if (r.coaching.storeCpuMsPerTurn !== undefined) row('store process CPU per turn (ms)', r.coaching.storeCpuMsPerTurn, '-');
  row('peak RSS of the bot (MB)', r.coaching.peakRssMb, r.echo.peakRssMb);
  row('calls to Teams per turn', r.coaching.teamsCallsPerTurn, r.echo.teamsCallsPerTurn);
  row('throughput coaching / echo', r.throughputRatio);
  row('bot CPU per turn coaching / echo', r.cpuRatio.backToBack);
  console.log('');
  console.log(`Paced: ${r.sizes.users} users, one walk each (${r.paced.coaching.turns} turns), ${r.paced.thinkMs[0]}–${r.paced.thinkMs[1]} ms between one person's turns`);
  row('turns/s', r.paced.coaching.turnsPerSecond, r.paced.echo.turnsPerSecond);
  row('p50 turn latency (ms)', r.paced.coaching.p50Ms, r.paced.echo.p50Ms);
  row('p95 turn latency (ms)', r.paced.coaching.p95Ms, r.paced.echo.p95Ms);
  row('p99 turn latency (ms)', r.paced.coaching.p99Ms, r.paced.echo.p99Ms);
  row('max turn latency (ms)', r.paced.coaching.maxMs, r.paced.echo.maxMs);
  row('bot CPU per turn (ms)', r.paced.coaching.cpuMsPerTurn, r.paced.echo.cpuMsPerTurn);
  row('bot CPU per turn coaching / echo', r.cpuRatio.paced);
  console.log('');
  const t = r.storeRoundTripsPerTurn;
  console.log(`Store round trips per turn under load: ${t.total} (reads ${t.read}, writes ${t.write}, queries ${t.query}, metadata ${t.meta})`);
  console.log(`Per turn, one person on an idle bot: ${r.roundTripsByTurn.map((p: any) => p.trips).join(' ')}`);
  for (const p of r.roundTripsByTurn.filter((x: any) => x.label !== 'answer')) console.log(`  ${p.label.padEnd(32)}${String(p.trips).padStart(4)}: ${p.requests.join(', ')}`);
  console.log(`  ordinary answers (${r.roundTripsByTurn.filter((x: any) => x.label === 'answer').length})`.padEnd(34) + `${String(r.ordinaryTurn.median).padStart(4)} median (min ${r.ordinaryTurn.min}, max ${r.ordinaryTurn.max}): ${r.ordinaryTurn.requests.join(', ')}`);
  if (r.memory) printMemoryAndStartup(r);
  console.log('');
  console.log('Goals:');
  for (const g of Object.values(r.goals) as any[]) {
    const verdict = g.met === true ? 'MET' : g.met === false ? 'MISSED' : 'n/a';
    console.log(`  ${verdict.padEnd(7)} ${g.goal}${g.value !== null ? `: ${g.value}` : ''}${g.note ? ` (${g.note})` : ''}`);
  }
  if (r.failures.length > 0 || r.memory?.failures) console.log(`FAILURES: ${r.failures.join('; ')}${r.memory?.failures ? `; ${r.memory.failures} first messages not answered 200` : ''}`);
  console.log(`Bench took ${r.benchSeconds} s`);
}

function printMemoryAndStartup(r: any): void {
  console.log('');
  console.log(`Memory of the bot process over ${r.sizes.conversations} distinct conversations (${r.memory.seconds} s), heap after GC; "settled" = a minute after the last message, once the flood guard has forgotten everyone:`);
  for (const s of r.memory.samples)
    console.log(`  ${String(s.conversations).padStart(6)} conversations${s.settled ? ', settled' : '         '}: RSS ${String(s.rssMb).padStart(6)} MB, heap used ${String(s.heapUsedMb).padStart(6)} MB of ${String(s.heapTotalMb).padStart(6)} MB, external ${String(s.externalMb).padStart(5)} MB`);
  console.log(`  kept per 1,000 conversations (settled to settled): ${r.memory.retainedPerThousandConversationsKb} KB${r.memory.storeProcessRssMb !== undefined ? `; the store process's RSS at the end: ${r.memory.storeProcessRssMb} MB` : ''}`);
  console.log('');
  console.log(`Start-up to /healthz 200: median ${r.startup.medianMs} ms (runs ${r.startup.runsMs.join(', ')} ms; the bot's own start-up log ${r.startup.botReportedMs.join(', ')} ms)`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

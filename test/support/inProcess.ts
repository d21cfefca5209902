/**
 * The bot's own turn logic in process: botbuilder's TestAdapter carries each activity through the real turn
 * pipeline (risk gate first, then the router and the coaching dialogs) on state kept in memory, with no HTTP
 * server. Referrals go nowhere (a chat that refers anyone fails the test) unless the bot is opened with a store:
 * then they go to an embedded Cosmos-protocol store, in memory, in this process, and (with `sendReferralsNow`)
 * an urgent one is posted to the leads' channel straight after its turn, as the bot does. Proactive sends (a
 * direct question asked privately, a referral card) are recorded in `sent`.
 *
 * This composition (the gate and the router alone) is in `InProcessBot`'s constructor, so it is the one place to
 * re-point when it changes; a bot composed elsewhere (./inProcessCoaches.ts: src/app.ts's own composition) hands
 * the base its turn instead, and nothing is built twice. Transcript tests read every reply in order (./transcript.ts).
 */
import { randomUUID } from 'node:crypto';
import { TestAdapter, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import { createRouter } from '../../src/bot/router';
import { TurnPipeline } from '../../src/bot/turnPipeline';
import type { Programme } from '../../src/coaching/programme';
import { loadConfig, type SafetySettings } from '../../src/config';
import type { Logger } from '../../src/logger';
import type { ProactiveSender } from '../../src/proactive/sender';
import { coachingControls } from '../../src/documents/gateControls';
import { createRiskGate } from '../../src/safety/riskGate';
import { ReferralOutbox } from '../../src/safety/referralOutbox';
import type { Referrals } from '../../src/safety/referralsPort';
import type { Referral } from '../../src/safety/referrals';
import { MemoryStateDocuments } from '../../src/store/memoryState';
import { openStore, type Store } from '../../src/store/store';
import { silentLogger } from './bot';
import { submitData } from './chat';
import { cardText } from './replySink';
import { botAccount, newUser, personalConversationId, type TeamsUser } from './teams';

/** Referrals that fail the test if anything touches them: these chats never refer anyone. */
const noReferrals = new Proxy({} as Referrals, {
  get(_target, property) {
    throw new Error(`the referrals were used (${String(property)}) in a chat that should not refer anyone`);
  },
});

/** One reply as the person sees it: its text, the text of any card, and the card's buttons. */
export interface Reply {
  text: string;
  /** All text in the reply's cards (headings, questions, button titles, values), one item a line. */
  card: string;
  hasCard: boolean;
  buttons: string[];
  activity: Partial<Activity>;
}

export function asReply(activity: Partial<Activity>): Reply {
  const buttons: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'Action.Submit' && typeof n.title === 'string') buttons.push(n.title);
      Object.values(n).forEach(walk);
    }
  };
  walk(activity.attachments?.map((a) => a.content));
  return {
    text: activity.text ?? '',
    card: cardText(activity as Parameters<typeof cardText>[0]),
    hasCard: (activity.attachments?.length ?? 0) > 0,
    buttons,
    activity,
  };
}

/** The values a card's inputs start with (a plan card filled in from last time), by input id. */
function inputValues(node: unknown, into: Record<string, unknown> = {}): Record<string, unknown> {
  if (Array.isArray(node)) node.forEach((n) => inputValues(n, into));
  else if (node && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    if (typeof n.type === 'string' && n.type.startsWith('Input.') && typeof n.id === 'string' && n.value !== undefined) into[n.id] = n.value;
    Object.values(n).forEach((v) => inputValues(v, into));
  }
  return into;
}

const DIRECT_QUESTION = /Are you having thoughts of suicide or of harming yourself/;
const QUIET_REMINDER = /^If anything changes, or things feel like too much, say "Not OK right now"/;

/** Proactive messages the bot sent outside a turn, in order. */
class RecordingSender implements ProactiveSender {
  readonly sent: { conversationId?: string; activity: Partial<Activity> }[] = [];
  async send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<string> {
    this.sent.push({ conversationId: reference.conversation?.id, activity });
    return `proactive-${this.sent.length}`;
  }
  async update(): Promise<void> {}
}

export interface InProcessBotOptions {
  /** Settings as in the environment (SERVICE_LEAD_IDS, …). */
  env?: Record<string, string>;
  logger?: Logger;
  /** Where referrals are written; by default nowhere, and any use fails the test. */
  referrals?: Referrals;
  /** State documents another bot kept (a restart: nothing but the store carries over). */
  state?: MemoryStateDocuments;
  /** Posts an urgent referral to the registered leads' channel straight after its turn (recorded in `sent`), as the bot does. */
  sendReferralsNow?: boolean;
}

/** botbuilder's TestAdapter as Teams would address the bot (each activity brings its own conversation). */
export function newTestAdapter(): TestAdapter {
  return new TestAdapter({
    channelId: 'msteams',
    serviceUrl: 'https://smba.example.invalid/',
    user: newUser(),
    bot: botAccount,
    conversation: { id: personalConversationId(), conversationType: 'personal', tenantId: 'tenant-1', isGroup: false, name: '' },
  });
}

/** One turn on the adapter's context: the pipeline `InProcessBot` builds, or a bot's composed elsewhere. */
export type TurnHandler = (context: TurnContext) => Promise<void>;

/** A turn composed elsewhere (src/app.ts's `handleTurn`, as InProcessBotWithCoaches has it) and the state it keeps people's documents in. */
export interface ComposedTurns {
  state: MemoryStateDocuments;
  handleTurn: TurnHandler;
}

/** The bot's turn logic with its state in memory. Each activity is run through the real pipeline in turn. */
export class InProcessBot {
  readonly state: MemoryStateDocuments;
  /** The proactive sender of the pipeline this class builds, for parts of the bot outside a turn (the My coaching tab). */
  readonly sender = new RecordingSender();
  /** Proactive sends of the pipeline this class builds (a bot composed elsewhere sends through its own sender). */
  readonly sent = this.sender.sent;
  /** The safety settings the gate was built with. */
  readonly safety: SafetySettings = loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }).safety;
  /** Posts an urgent referral to the leads' channel now, when the bot was opened with `sendReferralsNow`. */
  sendReferralNow?: (id: string) => Promise<unknown>;
  /** Everything the bot sent in the latest turn, of every type (typing, invoke responses as well as messages), in order. */
  lastTurn: Partial<Activity>[] = [];
  protected readonly handleTurn: TurnHandler;
  protected readonly adapter = newTestAdapter();

  /** With options, builds the gate and the router on memory state; with `ComposedTurns`, runs that turn and builds nothing. */
  constructor(options: InProcessBotOptions | ComposedTurns = {}) {
    if ('handleTurn' in options) {
      this.state = options.state;
      this.handleTurn = options.handleTurn;
      return;
    }
    const { env = {}, logger = silentLogger, referrals = noReferrals, state = new MemoryStateDocuments(), sendReferralsNow = false } = options;
    this.state = state;
    const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...env });
    this.safety = config.safety;
    const storage = this.state;
    const outbox = sendReferralsNow ? new ReferralOutbox({ referrals, sender: this.sender, safety: config.safety, logger }) : undefined;
    if (outbox) this.sendReferralNow = (id) => outbox.sendNow(id);
    const pipeline = new TurnPipeline({
      storage: { person: storage, conversation: storage },
      dedupeWindowMs: 60_000,
      gate: createRiskGate({
        safety: config.safety,
        referrals,
        ...(outbox ? { sendReferralNow: (id: string) => outbox.sendNow(id) } : {}),
        logger,
        coaching: coachingControls(),
        privately: { people: this.state, sender: this.sender, logger },
      }),
      logic: createRouter({ safety: config.safety, referrals, logger }),
      logger,
    });
    this.handleTurn = (context) => pipeline.run(context);
  }

  /** Runs one activity through the pipeline; resolves with the messages the bot replied, in order. */
  async run(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    this.adapter.activeQueue.splice(0);
    // Ids unique across bots, as Teams' are: the pipeline remembers which activities it has answered.
    await this.adapter.processActivity({ id: randomUUID(), ...activity }, this.handleTurn);
    this.lastTurn = this.adapter.activeQueue.splice(0);
    return this.lastTurn.filter((a) => a.type === 'message');
  }

  chat(user?: TeamsUser): InProcessChat {
    return new InProcessChat(this, user);
  }
}

/** An InProcessBot whose referrals go to an embedded store (in memory, in this process), read back with `referralsFor`. */
export class InProcessBotWithStore extends InProcessBot {
  private constructor(
    readonly store: Store,
    options: InProcessBotOptions,
  ) {
    super({ ...options, referrals: store.referrals });
  }

  static async open(options: Omit<InProcessBotOptions, 'referrals'> = {}): Promise<InProcessBotWithStore> {
    const store = await openStore({ kind: 'embedded', dataDir: '', database: 'in-process' }, silentLogger);
    return new InProcessBotWithStore(store, options);
  }

  async referralsFor(user: TeamsUser): Promise<Referral[]> {
    return this.store.referrals.about(user.aadObjectId);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** A staff member's 1:1 chat, driven in process. Every reply of the whole chat is kept in `transcript`. */
export class InProcessChat {
  /** Every reply in order, with the message that brought it. */
  readonly transcript: { said: string; reply: Reply }[] = [];
  readonly conversationId = personalConversationId();
  /** Whether a direct safety question is answered "no" and passed (see directQuestions); off for tests about the gate. */
  answerDirectQuestions = true;

  constructor(
    /** The bot this chat talks to; a test may put a restarted one here. */
    public bot: InProcessBot = new InProcessBot(),
    readonly user: TeamsUser = newUser(),
  ) {}

  /** The state documents (the person's own, in a 1:1 chat). */
  get store(): MemoryStateDocuments {
    return this.bot.state;
  }

  /**
   * Times the risk gate asked its direct safety question (the `check` level) of words a transcript types.
   * These transcripts are about coaching: the person answers "no", as someone not at risk would, the gate
   * believes them and coaching takes the words as their answer; the replies returned are coaching's, and the
   * tests bound how often this happens in a session. test/directCheck.test.ts is about the question itself.
   */
  directQuestions = 0;
  /** Times, after such a "no", warning signs brought only the one-line reminder of where help is. */
  quietReminders = 0;

  /** Types a message; returns the replies to it, in order. */
  say(text: string): Promise<Reply[]> {
    return this.send(text, { text });
  }

  /** Coaching's replies to what was sent, past the risk gate's direct question answered "no" (see directQuestions). */
  private async pastDirectQuestion(replies: Reply[]): Promise<Reply[]> {
    if (!this.answerDirectQuestions) return replies;
    if (replies[0] && QUIET_REMINDER.test(replies[0].text)) {
      // After a "no", warning signs alone bring this one line before coaching's reply (check fatigue).
      this.quietReminders += 1;
      return replies.slice(1);
    }
    if (!replies.some((r) => DIRECT_QUESTION.test(r.card))) return replies;
    this.directQuestions += 1;
    const [thanks, ...carryOn] = await this.sendOnce('No', { text: 'No' });
    if (!/^Thank you for answering\. Let's carry on/.test(thanks?.text ?? '')) return [thanks!, ...carryOn];
    return carryOn;
  }

  /** A message that @mentions the bot, as Teams sends it when someone does in a 1:1 chat: the mention is part of the text. */
  sayMentioningBot(text: string): Promise<Reply[]> {
    const mention = { type: 'mention', mentioned: botAccount, text: `<at>${botAccount.name}</at>` };
    return this.send(`@${botAccount.name} ${text}`, { text: `${mention.text} ${text}`, entities: [mention] });
  }

  /** The conversationUpdate Teams sends when the bot is installed in this chat; returns the replies to it. */
  installed(): Promise<Reply[]> {
    return this.sendOnce('[installed]', { type: 'conversationUpdate', membersAdded: [{ id: botAccount.id, name: botAccount.name }], channelData: { tenant: { id: 'tenant-1' }, eventType: 'teamMemberAdded' } });
  }

  /** An invoke from Teams in this chat (such as `fileConsent/invoke`): the status of the bot's invoke response and its replies. */
  async invoke(name: string, value: unknown): Promise<{ status?: number; replies: Reply[] }> {
    const replies = await this.sendOnce(`[${name}]`, { type: 'invoke', name, value });
    const response = this.bot.lastTurn.find((a) => a.type === 'invokeResponse');
    return { status: (response?.value as { status?: number } | undefined)?.status, replies };
  }

  /** Taps a button that stands for words (menu options, choices, "That's all"). */
  tap(words: string): Promise<Reply[]> {
    return this.send(`[tap] ${words}`, { value: { say: words } });
  }

  /**
   * Presses the submit button of the latest card of that name in the chat, as Teams sends it: the card's
   * inputs as they were filled in (their values unless `fields` changes them) and the button's data.
   */
  submit(card: string, fields: Record<string, unknown>): Promise<Reply[]> {
    for (const { reply } of [...this.transcript].reverse()) {
      const content = reply.activity.attachments?.map((a) => a.content);
      const data = submitData(content, card);
      if (data) return this.send(`[${card} card]`, { value: { ...inputValues(content), ...data, ...fields } });
    }
    throw new Error(`no ${card} card in the chat`);
  }

  /** Sends a card submission with exactly these values, as a stale, replayed or tampered card would. */
  submitValue(value: Record<string, unknown>): Promise<Reply[]> {
    return this.send('[a card]', { value });
  }

  /** "start coaching" and a clean check-in. */
  async startCoaching(): Promise<Reply[]> {
    await this.say('start coaching');
    return this.submit('checkIn', { nervous: '0', worrying: '0', littleInterest: '0', down: '0', harmSelf: '0', harmOthers: 'no' });
  }

  async programme(): Promise<Programme | undefined> {
    return (await this.store.readOne(this.user.aadObjectId))?.programme as Programme | undefined;
  }

  private async send(said: string, fields: Partial<Activity>): Promise<Reply[]> {
    return this.pastDirectQuestion(await this.sendOnce(said, fields));
  }

  private async sendOnce(said: string, fields: Partial<Activity>): Promise<Reply[]> {
    const replies = (
      await this.bot.run({
        type: 'message',
        channelId: 'msteams',
        from: this.user,
        recipient: botAccount,
        conversation: { id: this.conversationId, conversationType: 'personal', tenantId: 'tenant-1', isGroup: false, name: '' },
        textFormat: 'plain',
        locale: 'en-GB',
        channelData: { tenant: { id: 'tenant-1' } },
        ...fields,
      })
    ).map(asReply);
    for (const reply of replies) this.transcript.push({ said, reply });
    return replies;
  }
}

/** A Teams group chat in process: each message from one member, mentioning the bot unless told not to. */
export class InProcessGroupChat {
  readonly conversationId = `19:${personalConversationId().slice(2).replace(/-/g, '')}@thread.v2`;
  constructor(readonly bot: InProcessBot) {}

  /** A message addressed to the bot (Teams only sends those, and the mention is part of the text). */
  say(from: TeamsUser, text: string): Promise<Reply[]> {
    const mention = { type: 'mention', mentioned: botAccount, text: `<at>${botAccount.name}</at>` };
    return this.send(from, { text: `${mention.text} ${text}`, entities: [mention] });
  }

  /** A message in the chat that does not mention the bot. */
  overheard(from: TeamsUser, text: string): Promise<Reply[]> {
    return this.send(from, { text });
  }

  private async send(from: TeamsUser, fields: Partial<Activity>): Promise<Reply[]> {
    const replies = await this.bot.run({
      type: 'message',
      channelId: 'msteams',
      from,
      recipient: botAccount,
      conversation: { id: this.conversationId, conversationType: 'groupChat', tenantId: 'tenant-1', isGroup: true, name: '' },
      textFormat: 'plain',
      locale: 'en-GB',
      channelData: { tenant: { id: 'tenant-1' } },
      ...fields,
    });
    return replies.map(asReply);
  }
}

/**
 * A 1:1 chat with the bot's own turn logic, in process: botbuilder's TestAdapter carries each activity through
 * the real turn pipeline (risk gate first, then the router and the coaching dialogs) on state kept in memory,
 * with no HTTP server and no store. Used by the transcript tests, which read every reply in order.
 */
import { TestAdapter, type Activity } from 'botbuilder';
import { createRouter } from '../../src/bot/router';
import { TurnPipeline } from '../../src/bot/turnPipeline';
import type { Programme } from '../../src/coaching/programme';
import { loadConfig } from '../../src/config';
import { coachingControls } from '../../src/documents/gateControls';
import { createRiskGate } from '../../src/safety/riskGate';
import type { Referrals } from '../../src/safety/referralsPort';
import { MemoryStateDocuments } from '../../src/store/memoryState';
import { silentLogger } from './bot';
import { submitData } from './chat';
import { cardText } from './replySink';
import { botAccount, newUser, personalConversationId, type TeamsUser } from './teams';

/** Referrals that fail the test if anything touches them: these chats never refer anyone. */
const noReferrals = new Proxy({} as Referrals, {
  get(_target, property) {
    throw new Error(`the referrals container was used (${String(property)}) in a chat that should not refer anyone`);
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

function asReply(activity: Partial<Activity>): Reply {
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

/** A staff member's 1:1 chat, driven in process. Every reply of the whole chat is kept in `transcript`. */
export class InProcessChat {
  readonly user: TeamsUser = newUser();
  readonly store = new MemoryStateDocuments();
  /** Every reply in order, with the message that brought it. */
  readonly transcript: { said: string; reply: Reply }[] = [];
  private readonly conversationId = personalConversationId();
  private readonly adapter: TestAdapter;
  private readonly pipeline: TurnPipeline;

  constructor() {
    const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent' });
    const storage = this.store;
    this.pipeline = new TurnPipeline({
      storage: { person: storage, conversation: storage },
      dedupeWindowMs: 60_000,
      gate: createRiskGate({ safety: config.safety, referrals: noReferrals, logger: silentLogger, coaching: coachingControls() }),
      logic: createRouter({ safety: config.safety, referrals: noReferrals, logger: silentLogger }),
      logger: silentLogger,
    });
    this.adapter = new TestAdapter({
      channelId: 'msteams',
      serviceUrl: 'https://smba.example.invalid/',
      user: this.user,
      bot: botAccount,
      conversation: { id: this.conversationId, conversationType: 'personal', tenantId: 'tenant-1', isGroup: false, name: '' },
    });
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
    const activity: Partial<Activity> = {
      type: 'message',
      from: this.user,
      textFormat: 'plain',
      locale: 'en-GB',
      channelData: { tenant: { id: 'tenant-1' } },
      ...fields,
    };
    this.adapter.activeQueue.splice(0);
    await this.adapter.processActivity(activity, (context) => this.pipeline.run(context));
    const replies = this.adapter.activeQueue.splice(0).filter((a) => a.type === 'message').map(asReply);
    for (const reply of replies) this.transcript.push({ said, reply });
    return replies;
  }
}

import type { CapturedReply, ReplySink } from './replySink';
import { cardText } from './replySink';
import { newUser, personalConversationId, post, teamsMessage, type TeamsUser } from './teams';

/** What a person sees in reply to one message: texts and card texts in order, and the raw activities. */
export interface Seen {
  all: string;
  activities: CapturedReply['activity'][];
  /** The last card's submit data for a given card name, for tapping it. */
  card(name: string): any;
}

const DIRECT_QUESTION = /Are you having thoughts of suicide or of harming yourself/;

/** A 1:1 chat with the bot over HTTP, as one staff member. */
export class PersonalChat {
  readonly conversationId = personalConversationId();
  constructor(
    public botUrl: string,
    private readonly sink: ReplySink,
    readonly user: TeamsUser = newUser(),
  ) {}

  /**
   * How many times the bot asked this person its direct safety question (the `check` screening level). Tests
   * about coaching answer it "no", as a person without risk would, and carry on (the bot then takes the words
   * that raised it as their answer); tests about the question itself set `answerDirectQuestions` to false.
   */
  directQuestions = 0;
  answerDirectQuestions = true;

  async say(text: string, extra: Record<string, unknown> = {}): Promise<Seen> {
    const seen = await this.send(teamsMessage(this.sink.url, this.conversationId, this.user, text, extra));
    if (!DIRECT_QUESTION.test(seen.all)) return seen;
    this.directQuestions += 1;
    return this.answerDirectQuestions ? this.send(teamsMessage(this.sink.url, this.conversationId, this.user, 'No')) : seen;
  }

  /** Submits a card (Action.Submit): a message with a value and no text, as Teams sends it. */
  async submit(value: Record<string, unknown>): Promise<Seen> {
    const activity = teamsMessage(this.sink.url, this.conversationId, this.user, '', { value });
    delete (activity as { text?: string }).text;
    return this.send(activity);
  }

  /** Answers the check-in card in the last reply: "not at all" and "no" unless told otherwise. */
  async checkIn(seen: Seen, answers: Record<string, string> = {}): Promise<Seen> {
    return this.submit({
      ...seen.card('checkIn'),
      nervous: '0',
      worrying: '0',
      littleInterest: '0',
      down: '0',
      harmSelf: '0',
      harmOthers: 'no',
      ...answers,
    });
  }

  /** "start coaching" and a clean check-in: what anyone starting a session goes through. */
  async startCoaching(): Promise<Seen> {
    return this.checkIn(await this.say('start coaching'));
  }

  private send(activity: unknown): Promise<Seen> {
    return sendAndSee(this.botUrl, this.sink, this.conversationId, activity);
  }
}

/** POSTs an activity to the bot and collects what it said back in that conversation. */
export async function sendAndSee(botUrl: string, sink: ReplySink, conversationId: string, activity: unknown): Promise<Seen> {
  const before = sink.replies.length;
  const response = await post(botUrl, activity);
  if (response.status !== 200) throw new Error(`bot answered ${response.status}`);
  const activities = sink.replies
    .slice(before)
    .filter((r) => r.conversationId === conversationId && r.activity.type === 'message')
    .map((r) => r.activity);
  return {
    activities,
    all: activities.map((a) => [a.text ?? '', cardText(a)].join('\n')).join('\n---\n'),
    card: (name: string) => {
      for (const a of [...activities].reverse()) {
        const found = submitData(a.attachments?.map((x) => x.content), name);
        if (found) return found;
      }
      throw new Error(`no ${name} card in the reply`);
    },
  };
}

/** The data of the first Action.Submit for `card` (matching `where`) anywhere in a card. */
export function submitData(node: unknown, card: string, where: (data: any) => boolean = () => true): any {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = submitData(n, card, where);
      if (found) return found;
    }
    return undefined;
  }
  if (node && typeof node === 'object') {
    const n = node as Record<string, any>;
    if (n.type === 'Action.Submit' && n.data?.card === card && where(n.data)) return n.data;
    for (const v of Object.values(n)) {
      const found = submitData(v, card, where);
      if (found) return found;
    }
  }
  return undefined;
}

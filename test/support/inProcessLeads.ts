/**
 * The service leads' Teams channel in process, on InProcessBotWithCoaches (./inProcessCoaches.ts): messages to the
 * bot in a thread of the channel, and the Acknowledge button on a referral card the bot posted there, pressed as
 * Teams sends it: Action.Execute (an invoke, answered with an invoke response Teams shows the person who pressed
 * it) or the Action.Submit fallback of older clients (a message in the card's thread). The activities are the
 * ones the HTTP tests send (./leads.ts). What the bot posts to the channel and the posts it replaces are read
 * from the Teams stand-in, in order.
 */
import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { asReply, type Reply } from './inProcess';
import type { InProcessBotWithCoaches, Posted } from './inProcessCoaches';
import { cardExecute, cardSubmit, channelMessage, newChannelId } from './leads';
import type { TeamsUser } from './teams';

/** Where Teams says it can be reached, on every activity in the channel (the bot keeps it to post there later). */
export const LEADS_SERVICE_URL = 'https://smba.trafficmanager.net/uk/';

/** The bot's answer to an Action.Execute: the invoke response's status and body, and any messages in the thread. */
export interface ExecuteAnswer {
  status?: number;
  /** What Teams shows: a card in place of the one pressed, or a message to the person who pressed it. */
  body?: { statusCode: number; type: string; value: any };
  replies: Reply[];
}

/** One post the bot replaced, with the conversation the request named. */
export interface Replaced extends Reply {
  conversationId: string;
}

export class InProcessLeadsChannel {
  readonly channelId = newChannelId();

  constructor(
    readonly bot: InProcessBotWithCoaches,
    readonly tenantId = 'tenant-1',
  ) {}

  /**
   * A message in a thread of the channel that @mentions the bot; the bot's replies in that thread, in order.
   * `fields` change the activity as Teams would send it (the entities of someone else @mentioned as well).
   */
  say(from: TeamsUser, text: string, fields: Partial<Activity> = {}): Promise<Reply[]> {
    return this.run({ ...channelMessage(LEADS_SERVICE_URL, this.channelId, from, text, this.tenantId), ...fields });
  }

  /** Presses an Action.Execute button with this verb and data on a post of the bot's in the channel. */
  async execute(from: TeamsUser, postId: string, verb: string, data: Record<string, unknown>): Promise<ExecuteAnswer> {
    const replies = await this.run(cardExecute(LEADS_SERVICE_URL, this.channelId, postId, from, verb, data, this.tenantId));
    const response = this.bot.lastTurn.find((a) => a.type === 'invokeResponse')?.value as { status?: number; body?: ExecuteAnswer['body'] } | undefined;
    return { status: response?.status, body: response?.body, replies };
  }

  /** Presses an Action.Submit button (the fallback on older clients) with this value on a post of the bot's in the channel. */
  submit(from: TeamsUser, postId: string, value: Record<string, unknown>): Promise<Reply[]> {
    return this.run(cardSubmit(LEADS_SERVICE_URL, this.channelId, postId, from, value, this.tenantId));
  }

  /** Every new post the bot made in the channel (not a reply in a thread), in order, with the id Teams gave it. */
  posts(): Posted[] {
    return this.bot.teams.postedIn(this.channelId);
  }

  /** The posts in the channel that are this referral's card, in order. */
  cardsAbout(referralId: string): Posted[] {
    return this.posts().filter((p) => JSON.stringify(p.activity.attachments ?? []).includes(referralId));
  }

  /** Every time the bot replaced this post, in order. */
  replacementsOf(postId: string): Replaced[] {
    return this.bot.teams.updates.filter((u) => u.activityId === postId).map((u) => ({ ...asReply(u.activity), conversationId: u.conversationId }));
  }

  private async run(activity: object): Promise<Reply[]> {
    // Ids unique across bots, as Teams' are: the pipeline remembers which activities it has answered.
    return (await this.bot.run({ ...(activity as Partial<Activity>), id: randomUUID() })).map(asReply);
  }
}

import { randomUUID } from 'node:crypto';
import { sendAndSee, submitData, type Seen } from './chat';
import { cardText, type ReplySink } from './replySink';
import { botAccount, teamsMessage, type TeamsUser } from './teams';

/**
 * A Teams group chat with the bot over HTTP: several people, each message from one of them. Teams only sends
 * the bot group-chat messages that @mention it, so `say` mentions the bot (and anyone in `mentions`). The
 * chat's members are given to the Teams stand-in, which answers the members API with them.
 */
export class GroupChat {
  readonly conversationId = `19:${randomUUID().replace(/-/g, '')}@thread.v2`;

  constructor(
    private readonly botUrl: string,
    private readonly sink: ReplySink,
    readonly members: TeamsUser[],
  ) {
    sink.setMembers(this.conversationId, members);
  }

  /** A message that mentions the bot, as Teams sends it: the mention is part of the text and an entity. */
  async say(from: TeamsUser, text: string, mentions: TeamsUser[] = []): Promise<Seen> {
    const tag = (name: string) => `<at>${name}</at>`;
    const entities = [botAccount, ...mentions].map((who) => ({ type: 'mention', mentioned: { id: who.id, name: who.name }, text: tag(who.name) }));
    const fullText = [tag(botAccount.name), text, ...mentions.map((m) => tag(m.name))].join(' ');
    return this.send({ ...this.activity(from, fullText), entities });
  }

  /** Pressing an Action.Submit button on a card in the chat: a message with a value and no text. */
  async submit(from: TeamsUser, value: Record<string, unknown>): Promise<Seen> {
    const activity: Record<string, unknown> = { ...this.activity(from, ''), value };
    delete activity.text;
    return this.send(activity);
  }

  /** The submit data of the latest card of this name the bot posted in the chat (optionally: the button that matches). */
  card(name: string, where: (data: any) => boolean = () => true): any {
    for (const a of [...this.sink.messagesTo(this.conversationId)].reverse()) {
      const found = submitData(a.attachments?.map((x) => x.content), name, where);
      if (found) return found;
    }
    throw new Error(`no ${name} card in the chat`);
  }

  /** Everything the bot has posted in this chat so far, texts and card texts. */
  transcript(): string {
    return this.sink
      .messagesTo(this.conversationId)
      .map((a) => [a.text ?? '', cardText(a)].join('\n'))
      .join('\n---\n');
  }

  private activity(from: TeamsUser, text: string) {
    return teamsMessage(this.sink.url, this.conversationId, from, text, {
      conversation: { id: this.conversationId, conversationType: 'groupChat', isGroup: true, tenantId: 'tenant-1' },
    });
  }

  private send(activity: unknown): Promise<Seen> {
    return sendAndSee(this.botUrl, this.sink, this.conversationId, activity);
  }
}

export { submitData };

/**
 * The person a message @mentions (other than the bot), as a service lead names someone in a command such as
 * "add coach @name" or "add viewer @name": their Entra object id from the mention, or asked of Teams when the
 * mention carries none. Tells the sender what is needed when nobody, or nobody in the chat, is mentioned.
 */
import { TeamsInfo, type TurnContext } from 'botbuilder';
import { errorFields, type Logger } from '../logger';

/** The mentioned person, or undefined once the sender has been told what to do (`example` shows the command). */
export async function mentionedPerson(context: TurnContext, example: string, logger: Logger): Promise<{ userId: string; name: string } | undefined> {
  const activity = context.activity;
  const mentioned = (activity.entities ?? [])
    .filter((e) => e.type === 'mention')
    .map((e) => (e as unknown as { mentioned?: { id?: string; name?: string; aadObjectId?: string } }).mentioned)
    .find((m) => m?.id && m.id !== activity.recipient.id);
  if (!mentioned?.id) {
    await context.sendActivity(`Please mention the person, for example: "${example}".`);
    return undefined;
  }
  let userId = mentioned.aadObjectId;
  let name = mentioned.name ?? 'them';
  if (!userId) {
    try {
      const member = await TeamsInfo.getMember(context, mentioned.id);
      userId = member.aadObjectId;
      name = member.name ?? name;
    } catch (err) {
      logger.warn({ err: errorFields(err) }, 'could not look up the mentioned person');
    }
  }
  if (!userId) {
    await context.sendActivity(`I couldn't find ${name} in this chat. Please mention someone who is a member here.`);
    return undefined;
  }
  return { userId, name };
}

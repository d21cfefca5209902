import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import { z } from 'zod';
import { normaliseCommandText } from '../turn/commands';
import type { SafetySettings } from '../config';
import { errorFields, type Logger } from '../logger';
import { channelRoot } from '../proactive/sender';
import { londonTime, referralCard } from './referralCard';
import { recordServiceEvent } from '../serviceEvents/events';
import { leadsChannelDocId, readLeadsChannel, readReferral, updateReferral, type LeadsChannelRegistration } from './referralStore';
import type { Referrals } from './referralsPort';

/**
 * What the service leads do in their own Teams channel:
 * - "register referrals" (by a service lead, in the channel) makes it the channel referrals are posted to;
 * - Acknowledge on a referral card (Action.Execute, or the Action.Submit fallback on older clients) marks the
 *   referral as in hand and updates the card for everyone.
 * Only the Entra object ids in SERVICE_LEAD_IDS may do either; anyone else is refused and nothing changes.
 * Logs carry ids only.
 */
export interface LeadsDeps {
  referrals: Referrals;
  safety: Pick<SafetySettings, 'serviceLeadIds'>;
  logger: Logger;
  now?: () => Date;
}

export const REGISTER_WORDS = 'register referrals';

const acknowledgeRequest = z.object({
  card: z.literal('referral'),
  verb: z.literal('acknowledge'),
  referralId: z.string().regex(/^[0-9a-f]{32}$/),
});

type Ask = { kind: 'register' } | { kind: 'acknowledge'; via: 'invoke' | 'message'; referralId?: string };

/** True if the activity was a leads' channel action and has been answered; false leaves it to the rest of the bot. */
export async function handleLeadsActivity(context: TurnContext, deps: LeadsDeps): Promise<boolean> {
  const ask = recognise(context.activity);
  if (!ask) return false;
  if (ask.kind === 'register') await register(context, deps);
  else await acknowledge(context, deps, ask);
  return true;
}

function recognise(activity: Activity): Ask | undefined {
  if (activity.type === ActivityTypes.Invoke && activity.name === 'adaptiveCard/action') {
    const action = (activity.value as { action?: { verb?: unknown; data?: unknown } } | undefined)?.action;
    const data = (action?.data ?? {}) as Record<string, unknown>;
    if (action?.verb !== 'acknowledge' && data.card !== 'referral') return undefined;
    const parsed = acknowledgeRequest.safeParse({ ...data, verb: action?.verb });
    return { kind: 'acknowledge', via: 'invoke', referralId: parsed.success ? parsed.data.referralId : undefined };
  }
  if (activity.type !== ActivityTypes.Message) return undefined;
  const value = activity.value as Record<string, unknown> | undefined;
  if (value && typeof value === 'object' && value.card === 'referral') {
    const parsed = acknowledgeRequest.safeParse(value);
    return { kind: 'acknowledge', via: 'message', referralId: parsed.success ? parsed.data.referralId : undefined };
  }
  if (typeof activity.text === 'string' && textWithoutMentions(activity) === REGISTER_WORDS) return { kind: 'register' };
  return undefined;
}

/** The message text without the bot's @mention (on a copy: botbuilder's helper edits the activity it is given). */
function textWithoutMentions(activity: Activity): string {
  const copy = { ...activity } as Activity;
  const text = (activity.recipient ? TurnContext.removeRecipientMention(copy) : activity.text) ?? '';
  return normaliseCommandText(text.replace(/<at>[^<]*<\/at>/gi, ' '));
}

function isServiceLead(activity: Activity, deps: LeadsDeps): boolean {
  const id = activity.from?.aadObjectId?.toLowerCase();
  return !!id && deps.safety.serviceLeadIds.includes(id);
}

function tenantOf(activity: Activity): string | undefined {
  return activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
}

async function register(context: TurnContext, deps: LeadsDeps): Promise<void> {
  const activity = context.activity;
  const userId = activity.from?.aadObjectId;
  const tenantId = tenantOf(activity);
  const log = deps.logger.child({ event: 'leads-channel-registration', userId, tenantId, conversationType: activity.conversation?.conversationType });
  if (activity.conversation?.conversationType !== 'channel') {
    log.info('registration asked for outside a channel');
    await context.sendActivity(
      `Referrals are posted to the service leads' Teams channel, so please send "${REGISTER_WORDS}" there: add me to the leads' team, then mention me in its channel with those words.`,
    );
    return;
  }
  if (!isServiceLead(activity, deps)) {
    log.warn({ conversationId: channelRoot(activity.conversation.id) }, 'registration refused: not a service lead');
    await context.sendActivity(
      "Sorry, only the service leads can choose where referrals are posted, so I haven't changed anything. If this should be the leads' channel, please ask one of them to send this.",
    );
    return;
  }
  if (!tenantId) {
    log.error('registration refused: no tenant id on the activity');
    await context.sendActivity("Sorry, I couldn't tell which organisation this channel belongs to, so I haven't changed anything. Please try again in a moment.");
    return;
  }
  const reference = TurnContext.getConversationReference(activity);
  const conversation = { ...activity.conversation, id: channelRoot(activity.conversation.id) };
  const registration: LeadsChannelRegistration = {
    id: leadsChannelDocId(tenantId),
    docType: 'leadsChannel',
    tenantId,
    // New posts go to the channel itself, not into the thread this message happened to be in; no user, no reply-to.
    reference: { ...reference, activityId: undefined, user: undefined, conversation },
    registeredBy: userId!,
    registeredAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  const previous = await readLeadsChannel(deps.referrals, tenantId);
  await deps.referrals.saveLeadsChannel(registration);
  const moved = previous && previous.reference.conversation?.id !== registration.reference.conversation?.id;
  log.info({ conversationId: registration.reference.conversation?.id, replacedChannel: !!moved }, 'leads channel registered');
  await context.sendActivity(
    [
      "Thank you. I'll post referrals for your organisation in this channel from now on" + (moved ? ', instead of the channel used before.' : '.'),
      "Each one shows the person's name, what raised it and what they were shown, never what they wrote, with a button to acknowledge it so the other leads know it's in hand. Any referrals already waiting will arrive here shortly.",
    ].join(' '),
  );
}

async function acknowledge(context: TurnContext, deps: LeadsDeps, ask: Extract<Ask, { kind: 'acknowledge' }>): Promise<void> {
  const activity = context.activity;
  const userId = activity.from?.aadObjectId;
  const log = deps.logger.child({ event: 'referral-acknowledge', via: ask.via, userId, referralId: ask.referralId });
  const answer = (text: string) => (ask.via === 'invoke' ? sendInvokeMessage(context, text) : context.sendActivity(text).then(() => undefined));

  if (!isServiceLead(activity, deps)) {
    log.warn('acknowledge refused: not a service lead');
    await answer("Sorry, only the service leads can acknowledge referrals, so I haven't changed anything.");
    return;
  }
  const found = ask.referralId ? await readReferral(deps.referrals, ask.referralId) : undefined;
  if (!found) {
    log.warn({ validId: ask.referralId !== undefined }, 'acknowledge refused: unknown or malformed referral id');
    await answer("Sorry, I couldn't find that referral, so nothing has changed. Please use the Acknowledge button on the referral card itself.");
    return;
  }
  const at = (deps.now?.() ?? new Date()).toISOString();
  const result = await updateReferral(
    deps.referrals,
    found.referral.id,
    'acknowledge referral',
    (current) =>
      current.status !== 'open'
        ? undefined
        : {
            ...current,
            status: 'acknowledged',
            acknowledged: { by: userId!, byName: activity.from?.name?.trim() || 'A service lead', at },
            audit: [...current.audit, { at, event: 'acknowledged', by: userId }],
          },
    found,
  );
  const referral = result!.referral;
  if (result!.changed) recordServiceEvent(context, { kind: 'referralAcknowledged', level: referral.level, delaySeconds: (Date.parse(at) - Date.parse(referral.createdAt)) / 1000 });
  log.info({ changed: result!.changed, level: referral.level }, result!.changed ? 'referral acknowledged' : 'referral was already acknowledged');

  const card = referralCard(referral);
  // Every copy in the channel (the first post and any reminders) shows it is in hand, for everyone.
  const postedIds = [...(referral.delivery.earlierActivityIds ?? []), referral.delivery.channelActivityId].filter((id): id is string => !!id);
  for (const id of postedIds) {
    try {
      await context.updateActivity({ id, type: ActivityTypes.Message, attachments: [card] });
    } catch (err) {
      log.error({ err: errorFields(err), channelActivityId: id }, 'could not update the referral card in the channel');
    }
  }

  if (ask.via === 'invoke') {
    await context.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card.content } },
    });
    return;
  }
  await context.sendActivity(
    result!.changed
      ? "Thank you. I've marked this referral as acknowledged by you, so the other leads can see it's in hand."
      : `This referral was already acknowledged by ${referral.acknowledged?.byName ?? 'a service lead'} at ${londonTime(referral.acknowledged?.at ?? at, "HH:mm 'on' cccc d LLLL")}. Nothing else has changed.`,
  );
}

/** For Action.Execute: a message shown to the person who pressed the button, with the card left as it was. */
async function sendInvokeMessage(context: TurnContext, text: string): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text } },
  });
}

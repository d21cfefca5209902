import { randomBytes, randomUUID } from 'node:crypto';
import type { NewReferral } from '../../src/safety/referrals';
import { botAccount, type TeamsUser } from './teams';

/** A Teams channel id, as in `19:…@thread.tacv2`. */
export function newChannelId(): string {
  return `19:${randomUUID().replace(/-/g, '')}@thread.tacv2`;
}

export function newReferralId(): string {
  return randomBytes(16).toString('hex');
}

const mention = { type: 'mention', mentioned: botAccount, text: `<at>${botAccount.name}</at>` };

function channelActivity(serviceUrl: string, channelId: string, threadId: string, from: TeamsUser, tenantId: string) {
  return {
    id: `${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: botAccount,
    // In a channel thread Teams gives the conversation id with the thread's root message id.
    conversation: { id: `${channelId};messageid=${threadId}`, conversationType: 'channel', isGroup: true, tenantId },
    channelData: { tenant: { id: tenantId }, team: { id: '19:leads-team@thread.tacv2' }, channel: { id: channelId } },
    locale: 'en-GB',
  };
}

/** A message in a channel that @mentions the bot, as Teams sends it (the mention is part of the text). */
export function channelMessage(serviceUrl: string, channelId: string, from: TeamsUser, text: string, tenantId: string) {
  const activity = channelActivity(serviceUrl, channelId, `${Date.now()}`, from, tenantId);
  return { ...activity, type: 'message', text: `<at>${botAccount.name}</at> ${text}`, textFormat: 'plain', entities: [mention] };
}

/** Pressing an Action.Execute button on a card the bot posted in the channel. */
export function cardExecute(serviceUrl: string, channelId: string, cardActivityId: string, from: TeamsUser, verb: string, data: Record<string, unknown>, tenantId: string) {
  return {
    ...channelActivity(serviceUrl, channelId, cardActivityId, from, tenantId),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: cardActivityId,
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

/** Pressing the Action.Submit fallback on a card the bot posted in the channel (older clients). */
export function cardSubmit(serviceUrl: string, channelId: string, cardActivityId: string, from: TeamsUser, value: Record<string, unknown>, tenantId: string) {
  return { ...channelActivity(serviceUrl, channelId, cardActivityId, from, tenantId), type: 'message', replyToId: cardActivityId, value };
}

/** An urgent keyword referral about `person` (from a 1:1 chat, no consent asked), with any field changed. */
export function referralInput(person: TeamsUser, tenantId: string, overrides: Partial<NewReferral> = {}): NewReferral {
  return {
    tenantId,
    level: 'urgent',
    person: { userId: person.aadObjectId, teamsId: person.id, name: person.name },
    trigger: { source: 'keywords', reasons: ['suicidal-ideation'] },
    shown: ['crisis-signposting', 'wellbeing-service'],
    consented: false,
    conversationType: 'personal',
    ...overrides,
  };
}

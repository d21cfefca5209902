import { randomUUID } from 'node:crypto';

export interface TeamsUser {
  id: string;
  aadObjectId: string;
  name: string;
}

export const botAccount = { id: '28:coaching-bot', name: 'Staff coaching' };

export function newUser(name = 'Alex Morgan'): TeamsUser {
  const aadObjectId = randomUUID();
  return { id: `29:${aadObjectId}`, aadObjectId, name };
}

export function personalConversationId(): string {
  return `a:${randomUUID()}`;
}

/** A message activity as Teams sends it to the bot in a personal (1:1) chat. */
export function teamsMessage(serviceUrl: string, conversationId: string, from: TeamsUser, text: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: `${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: botAccount,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' } },
    text,
    textFormat: 'plain',
    locale: 'en-GB',
    ...extra,
  };
}

/** The conversationUpdate Teams sends when the bot is installed in a personal chat. */
export function botInstalled(serviceUrl: string, conversationId: string, from: TeamsUser) {
  return {
    type: 'conversationUpdate',
    id: `f:${randomUUID()}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: botAccount,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
    membersAdded: [{ id: botAccount.id }],
    channelData: { tenant: { id: 'tenant-1' }, eventType: 'teamMemberAdded' },
  };
}

export async function post(botUrl: string, activity: unknown): Promise<Response> {
  return fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
}

import { randomUUID } from 'node:crypto';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { BotIdentity } from '../config';
import { errorFields, type Logger } from '../logger';

export const apologyText = (errorId: string) =>
  `Sorry, something went wrong on my side and I couldn't finish that. Please try again in a moment. If it keeps happening, quote this reference to your service: ${errorId}`;

/**
 * The Bot Framework adapter. With an empty app id it accepts unauthenticated requests, as the Bot
 * Framework does for local development; config refuses that in production.
 */
export function createAdapter(identity: BotIdentity, logger: Logger): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    ...(identity.appId
      ? {
          MicrosoftAppId: identity.appId,
          MicrosoftAppType: identity.appType,
          MicrosoftAppTenantId: identity.tenantId,
          MicrosoftAppPassword: identity.password,
        }
      : {}),
    ...(identity.openIdMetadataUrl ? { BotOpenIdMetadata: identity.openIdMetadataUrl } : {}),
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const errorId = randomUUID();
    logger.error({ errorId, activityId: context.activity?.id, err: errorFields(error) }, 'turn failed');
    try {
      await context.sendActivity(apologyText(errorId));
    } catch (sendError) {
      logger.error({ errorId, err: errorFields(sendError) }, 'could not send the apology');
    }
  };
  return adapter;
}

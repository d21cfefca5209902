import { randomUUID } from 'node:crypto';
import { CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication, StatusCodes, type TurnContext } from 'botbuilder';
import { AuthenticationConstants, AuthenticationError } from 'botframework-connector';
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
    // Naming the OpenID metadata makes botbuilder treat every channel setting as given, so the public-cloud
    // values are given with it; without them every genuine token is refused.
    ...(identity.openIdMetadataUrl
      ? {
          BotOpenIdMetadata: identity.openIdMetadataUrl,
          ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
          ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
          ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
          OAuthUrl: AuthenticationConstants.OAuthUrl,
          ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
          CallerId: CallerIdConstants.PublicAzureChannel,
        }
      : {}),
  });
  const adapter = new CloudAdapter(auth);
  refuseBadTokensWith401(adapter);
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

/**
 * A forged or unsigned token makes the token library throw its own error, which CloudAdapter answers with
 * 500 and the library's message. Any authentication failure is answered 401 "Unauthorized", saying no more.
 */
function refuseBadTokensWith401(adapter: CloudAdapter): void {
  const target = adapter as unknown as { processActivity: (...args: unknown[]) => Promise<unknown> };
  const processActivity = target.processActivity.bind(adapter);
  const tokenErrors = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);
  target.processActivity = async (...args) => {
    try {
      return await processActivity(...args);
    } catch (err) {
      if (err instanceof AuthenticationError || (err instanceof Error && tokenErrors.has(err.name))) {
        throw new AuthenticationError('Unauthorized', StatusCodes.UNAUTHORIZED);
      }
      throw err;
    }
  };
}

import { ActivityTypes, MessageFactory, type TurnContext } from 'botbuilder';
import { normaliseCommandText, wordsOf } from '../turn/commands';
import type { Logger } from '../logger';
import { mentionedPerson } from '../teams/mentionedPerson';
import { periodFor } from './report';
import type { ServiceReports } from './service';

export const SERVICE_REPORT_WORDS = 'service report';
export const VIEWER_WORDS = ['add viewer', 'remove viewer'] as const;

/**
 * The leads' words about the service report, in any chat with the bot (normally the leads' channel):
 * - `service report`: the last 12 months' headline figures as a card, for a lead or a viewer;
 * - `add viewer @name` / `remove viewer @name`: a lead lets someone else (a commissioner, say) see the Service
 *   tab and the report, or stops them.
 * True if the activity was one of these and has been answered.
 */
export async function handleServiceReportCommands(context: TurnContext, reports: ServiceReports, logger: Logger): Promise<boolean> {
  const activity = context.activity;
  if (activity.type !== ActivityTypes.Message || typeof activity.text !== 'string') return false;
  const words = normaliseCommandText(wordsOf(activity).replace(/<at>[^<]*<\/at>/gi, ' '));
  const userId = activity.from?.aadObjectId;
  if (words === SERVICE_REPORT_WORDS) {
    if (!(await reports.roleOf(userId))) {
      logger.warn({ userId }, 'service report refused: not a lead or viewer');
      await context.sendActivity('Only service leads, and people they have added, can see the service report.');
      return true;
    }
    const now = new Date();
    const period = periodFor('12m', now);
    const report = await reports.report(period, now);
    await context.sendActivity(MessageFactory.attachment(reports.card(report, `${period.label}: ${period.from} to ${period.to}`)));
    return true;
  }
  const change = words.startsWith(VIEWER_WORDS[0]) ? 'add' : words.startsWith(VIEWER_WORDS[1]) ? 'remove' : undefined;
  if (!change) return false;
  if (!reports.isLead(userId)) {
    logger.warn({ userId, change }, 'viewer change refused: not a service lead');
    await context.sendActivity('Only service leads can add or remove viewers of the service report.');
    return true;
  }
  const person = await mentionedPerson(context, `${change} viewer @Helen Marsh`, logger);
  if (!person) return true;
  const { userId: personId, name } = person;
  const changed = await reports.changeViewer(change, { userId: personId, name }, userId!.toLowerCase());
  logger.info({ viewerId: personId, change, changed, by: userId }, 'service report viewers');
  await context.sendActivity(
    change === 'add'
      ? changed
        ? `${name} can now see the Service tab and the service report: aggregated figures only, never who.`
        : `${name} can already see the service report.`
      : changed
        ? `${name} can no longer see the service report.`
        : `${name} wasn't a viewer${reports.isLead(personId) ? ': they are a service lead (SERVICE_LEAD_IDS)' : ''}.`,
  );
  return true;
}

import type { Attachment } from 'botbuilder';
import { renderCard } from '../cards/render';
import { reportFor, type Period, type ServiceReport, type UnacknowledgedNow } from './report';
import { versionedDoc, type ReportDoc, type ReportViewers, type ServiceStore } from './store';
import { updateIfUnchanged, type Decision } from '../persistence/conditionalUpdate';

export const SUPPRESSION_NOTE =
  'Counts of 1 to 4 are shown as "fewer than 5", and no percentage or average is built on them, so no one can be picked out.';

export interface ServiceReportsOptions {
  store: ServiceStore;
  /** Referrals open now (from the referrals container): a count and the oldest's time, never who. */
  openReferrals: () => Promise<UnacknowledgedNow>;
  serviceLeadIds: string[];
  /** The Teams app id, for a link to the Service tab from the card (none in local mode). */
  appId?: string;
}

export type ReportRole = 'lead' | 'viewer';

/**
 * The service report for the Service tab, the `service report` command and the monthly post, and who may see
 * it: the service leads (SERVICE_LEAD_IDS) and the people a lead has added (`add viewer @name`).
 */
export class ServiceReports {
  constructor(private readonly options: ServiceReportsOptions) {}

  report(period: Pick<Period, 'from' | 'to'> & Partial<Period>, now: Date = new Date()): Promise<ServiceReport> {
    const { store, openReferrals } = this.options;
    return reportFor({ readMonths: (ids) => store.months.readMany(ids), unacknowledged: openReferrals }, period, now);
  }

  async roleOf(userId: string | undefined): Promise<ReportRole | undefined> {
    const id = userId?.toLowerCase();
    if (!id) return undefined;
    if (this.options.serviceLeadIds.includes(id)) return 'lead';
    const viewers = await this.options.store.reportDocs.read('report-viewers');
    return viewers?.doc.type === 'reportViewers' && viewers.doc.viewers.some((v) => v.userId === id) ? 'viewer' : undefined;
  }

  isLead(userId: string | undefined): boolean {
    return !!userId && this.options.serviceLeadIds.includes(userId.toLowerCase());
  }

  /** Adds or removes a viewer; true if anything changed. Conditional on the eTag, retried on a race. */
  async changeViewer(change: 'add' | 'remove', person: { userId: string; name: string }, by: string, now = new Date()): Promise<boolean> {
    const userId = person.userId.toLowerCase();
    const docs = this.options.store.reportDocs;
    const { result } = await updateIfUnchanged(versionedDoc(docs, 'report-viewers'), {
      name: `${change} report viewer`,
      apply: (found): Decision<ReportDoc, boolean> => {
        const current: ReportViewers = found?.type === 'reportViewers' ? found : { id: 'report-viewers', type: 'reportViewers', viewers: [], history: [], ttl: -1 };
        const present = current.viewers.some((v) => v.userId === userId);
        if ((change === 'add') === present) return { keep: false };
        const next: ReportViewers = {
          ...current,
          viewers: change === 'add' ? [...current.viewers, { userId, name: person.name, addedBy: by, addedAt: now.toISOString() }] : current.viewers.filter((v) => v.userId !== userId),
          history: [...current.history, { at: now.toISOString(), event: change === 'add' ? ('added' as const) : ('removed' as const), userId, by }].slice(-200),
        };
        return { write: next, result: true };
      },
    });
    return result;
  }

  /** The headline figures as an Adaptive Card. */
  card(report: ServiceReport, periodText: string): Attachment {
    return renderCard('serviceReport', {
      heading: 'Staff coaching: service report',
      period: periodText,
      facts: report.headline,
      note: SUPPRESSION_NOTE,
      tabUrl: this.options.appId ? `https://teams.microsoft.com/l/entity/${encodeURIComponent(this.options.appId)}/service` : '',
    });
  }
}

import { randomUUID } from 'node:crypto';
import { MessageFactory, type ConversationReference } from 'botbuilder';
import { DateTime } from 'luxon';
import type { Nation } from '../config';
import { errorFields, type Logger } from '../logger';
import { PassLoop } from '../proactive/passLoop';
import { backoffMs, classifySendError, type ProactiveSender } from '../proactive/sender';
import { LONDON } from './aggregate';
import { periodFor, previousMonth } from './report';
import type { ServiceReports } from './service';
import type { MonthlyReportJob, ServiceStore } from './store';
import { monthlyPostTime } from './workingDays';

export interface MonthlyReportOptions {
  store: ServiceStore;
  reports: ServiceReports;
  sender: ProactiveSender;
  /** Where to post: every registered leads' channel. */
  leadsChannels: () => Promise<{ reference: Partial<ConversationReference> }[]>;
  nation: Nation;
  logger: Logger;
  pollMs: number;
  now?: () => number;
  instanceId?: string;
}

const CLAIM_MS = 120_000;
/** A post that could not go out within a week is no longer "monthly": it is marked missed. */
const GIVE_UP_MS = 7 * 24 * 3600_000;
const KEEP_SECONDS = 400 * 24 * 3600;

/**
 * The monthly service report post: on the first working day of each month at 09:00 UK time, the previous
 * month's headline figures (with the last 12 months') go to the leads' channel as a card.
 *
 * It is a stored job (one document per month in serviceReport, id "monthly-report:2026-04", created a month
 * ahead by whichever instance gets there first; a second create is refused; one that would be created only after
 * its time is recorded as missed, so a newly deployed bot does not post straight away). Every instance runs this worker; a due
 * job is claimed with an eTag-conditional write before it is sent, so it is sent once. With no leads' channel
 * registered, or Teams failing, it is retried with backoff for up to a week.
 */
export class MonthlyReportWorker {
  private readonly loop: PassLoop<number>;
  private readonly log: Logger;
  private readonly now: () => number;
  readonly instanceId: string;

  constructor(private readonly options: MonthlyReportOptions) {
    this.now = options.now ?? Date.now;
    this.instanceId = options.instanceId ?? randomUUID();
    this.log = options.logger.child({ component: 'monthlyReport', instanceId: this.instanceId });
    this.loop = new PassLoop(
      () => this.pass(),
      () => options.pollMs,
      (err) => this.log.error({ err: errorFields(err) }, 'monthly report pass failed'),
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: makes sure this month's and next month's jobs exist, then sends any that are due. Resolves with how many were sent. */
  runOnce(): Promise<number> {
    return this.loop.runOnce();
  }

  private async pass(): Promise<number> {
    const now = DateTime.fromMillis(this.now(), { zone: LONDON });
    for (const month of [now.startOf('month'), now.startOf('month').plus({ months: 1 })]) await this.ensureJob(month.year, month.month);
    let sent = 0;
    for (const month of [now.startOf('month').minus({ months: 1 }), now.startOf('month')]) {
      const found = await this.options.store.reportDocs.read(jobId(month.year, month.month));
      if (found?.doc.type !== 'monthlyReportJob') continue;
      if (await this.process(found.doc, found.etag)) sent += 1;
    }
    return sent;
  }

  private async ensureJob(year: number, month: number): Promise<void> {
    const id = jobId(year, month);
    if (await this.options.store.reportDocs.read(id)) return;
    const dueAt = monthlyPostTime(year, month, this.options.nation).toUTC().toISO()!;
    // Jobs are made a month ahead. One made only after its time (a bot first started mid-month) is not sent
    // late: that month's post is marked missed, and the next month's is the first.
    const late = Date.parse(dueAt) <= this.now();
    const job: MonthlyReportJob = {
      id,
      type: 'monthlyReportJob',
      month: `${year}-${String(month).padStart(2, '0')}`,
      dueAt,
      state: late ? 'missed' : 'pending',
      attempts: 0,
      nextAttemptAt: dueAt,
      ttl: KEEP_SECONDS,
    };
    // Refused if another instance made it first: either way there is one.
    await this.options.store.reportDocs.write(job, undefined);
  }

  /** Claims, sends and records one due job; true if this instance sent it. */
  private async process(job: MonthlyReportJob, etag: string): Promise<boolean> {
    const now = this.now();
    const docs = this.options.store.reportDocs;
    if (job.state !== 'pending' || Date.parse(job.nextAttemptAt) > now) return false;
    if (job.claimedUntil && Date.parse(job.claimedUntil) > now) return false;
    if (now - Date.parse(job.dueAt) > GIVE_UP_MS) {
      await docs.write({ ...job, state: 'missed', claimedBy: undefined, claimedUntil: undefined }, etag);
      this.log.error({ jobId: job.id, lastError: job.lastError }, 'monthly service report could not be posted within a week; marked missed');
      return false;
    }
    const claimed: MonthlyReportJob = { ...job, claimedBy: this.instanceId, claimedUntil: new Date(now + CLAIM_MS).toISOString() };
    if (!(await docs.write(claimed, etag))) return false;
    const afterClaim = await docs.read(job.id);
    if (!afterClaim || afterClaim.doc.type !== 'monthlyReportJob' || afterClaim.doc.claimedBy !== this.instanceId) return false;

    const record = async (change: Partial<MonthlyReportJob>) => {
      const next = JSON.parse(JSON.stringify({ ...afterClaim.doc, ...change, claimedBy: undefined, claimedUntil: undefined })) as MonthlyReportJob;
      if (!(await docs.write(next, afterClaim.etag))) this.log.warn({ jobId: job.id }, 'monthly report job changed while being sent');
    };
    try {
      const channels = await this.options.leadsChannels();
      if (channels.length === 0) throw Object.assign(new Error('no leads channel'), { sendCode: 'no-leads-channel' });
      const card = await this.card(new Date(now));
      for (const channel of channels) await this.options.sender.send(channel.reference, MessageFactory.attachment(card));
      await record({ state: 'sent', sentAt: new Date(this.now()).toISOString(), attempts: job.attempts + 1, lastError: undefined });
      this.log.info({ jobId: job.id, channels: channels.length }, 'monthly service report posted');
      return true;
    } catch (err) {
      const code = (err as { sendCode?: string }).sendCode ?? classifySendError(err, this.now()).code;
      const attempts = job.attempts + 1;
      await record({ attempts, lastError: code, nextAttemptAt: new Date(this.now() + backoffMs(attempts)).toISOString() });
      this.log.warn({ jobId: job.id, attempts, code, err: errorFields(err) }, 'monthly service report not posted; will retry');
      return false;
    }
  }

  private async card(now: Date) {
    const month = previousMonth(now);
    const year = periodFor('12m', new Date(Date.parse(`${month.to}T12:00:00Z`)));
    const [monthly, yearly] = await Promise.all([this.options.reports.report(month, now), this.options.reports.report(year, now)]);
    const report = { ...monthly, headline: [...monthly.headline, ...yearly.headline.slice(0, 3).map((h) => ({ label: `${h.label} (12 months)`, value: h.value }))] };
    return this.options.reports.card(report, `${month.monthLabel}, with the 12 months to ${DateTime.fromISO(month.to).setLocale('en-GB').toFormat('d LLLL yyyy')}`);
  }
}

export function jobId(year: number, month: number): string {
  return `monthly-report:${year}-${String(month).padStart(2, '0')}`;
}

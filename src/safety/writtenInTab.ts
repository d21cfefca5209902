/**
 * Risk in what a person writes outside a chat: the My coaching tab's action-plan form (src/tabs/myCoaching.ts).
 * The tab is a web page, so the risk gate never sees it; this answers what the form's words screen as, as the
 * gate would have answered them in the person's 1:1 chat, and says what the page should tell them.
 *
 * - check: the direct question is asked privately in their 1:1 chat (as from a group chat: ./directCheck.ts),
 *   where the gate reads their answer; yes, not sure or rather not say take the urgent path there.
 * - urgent: an urgent referral is recorded and pushed to the leads' channel straight away, their coaching
 *   stops, and their 1:1 chat gets the crisis card and "Are you safe right now?", as a message would have.
 *   The page itself shows the crisis contacts ("Not OK right now" is on every view).
 * - wellbeing: the page points to support; nothing is paused, because nothing was asked in a chat.
 * Nothing the person wrote is stored or logged here: reason codes, ids and the level only.
 */
import { randomUUID } from 'node:crypto';
import type { SafetySettings } from '../config';
import type { Logger } from '../logger';
import { stateDocument, updateIfUnchanged, type Decision } from '../persistence/conditionalUpdate';
import type { People } from '../persistence/versioned';
import type { ReachSection } from '../proactive/reach';
import type { ProactiveSender } from '../proactive/sender';
import { recordServiceEvent, type ServiceEventSink } from '../serviceEvents/events';
import { askPrivately, newDirectCheck } from './directCheck';
import { recordReferral, referralId } from './referrals';
import type { Referrals } from './referralsPort';
import { crisisMessage, safeNowQuestion, type SafetySection } from './riskGate';
import type { ScreenResult } from './screenMessage';

export interface WrittenInTabServices<D extends ReachSection & SafetySection> {
  people: People<D>;
  referrals: Referrals;
  /** Posts an urgent referral to the leads' channel now (the referral outbox), as after a turn. */
  sendReferralNow?: (id: string) => Promise<unknown>;
  sender: ProactiveSender;
  safety: SafetySettings;
  /** The organisation's Entra tenant (the bot's own), for a referral when the person has no 1:1 chat to take it from. */
  tenantId?: string;
  events?: ServiceEventSink;
  /** The person document's own operation: coaching stops where it is, every answer kept. */
  pauseCoaching(doc: D): void;
  logger: Logger;
}

/**
 * - pointed: the page points to support (wellbeing; or warning signs when the question could not reach their
 *   chat, they are already on the urgent path, or they answered "no" to it a short while ago);
 * - asked: the direct question is waiting in their 1:1 chat;
 * - referred: an urgent referral is recorded (or one already was) and their coaching is stopped.
 */
export type WrittenInTabOutcome = 'none' | 'pointed' | 'asked' | 'referred';

export const tabCheckIntro = 'Something you wrote in your action plan in the My coaching tab made me want to check in with you. Nobody else can see this chat.';
const tabUrgentHeading = "Something you wrote in your action plan in the My coaching tab worried me. I'm really glad you wrote it down: you don't have to face this on your own.";

export async function respondToWritingInTab<D extends ReachSection & SafetySection>(
  person: { userId: string; name: string },
  screened: Pick<ScreenResult, 'level' | 'reasons' | 'distressed'>,
  services: WrittenInTabServices<D>,
): Promise<WrittenInTabOutcome> {
  const log = services.logger.child({ userId: person.userId, source: 'tab' });
  if (screened.level === 'none') return 'none';
  log.info({ level: screened.level, reasons: screened.reasons }, 'risk screening flagged writing in the tab');
  if (screened.level === 'wellbeing') return 'pointed';
  if (screened.level === 'check') {
    const check = newDirectCheck('tab', screened.reasons, screened.distressed);
    const outcome = await askPrivately(person.userId, check, services, tabCheckIntro).catch(() => 'unreachable' as const);
    if (outcome === 'asked') log.info({ checkId: check.id, reasons: check.reasons, origin: check.origin }, 'direct check asked privately');
    else if (outcome === 'unreachable') log.warn({ checkId: check.id, reasons: check.reasons, origin: check.origin, code: 'check-not-deliverable' }, 'direct check could not be asked privately');
    // Already on the urgent path, or a "no" a short while ago: the page points to the contacts and asks nothing.
    return outcome === 'asked' ? 'asked' : 'pointed';
  }
  return referFromTab(person, screened.reasons, services, log);
}

async function referFromTab<D extends ReachSection & SafetySection>(
  person: { userId: string; name: string },
  reasons: string[],
  services: WrittenInTabServices<D>,
  log: Logger,
): Promise<WrittenInTabOutcome> {
  const before = await services.people.readOne(person.userId);
  if (before?.safety?.status === 'urgentStop' && (before.safety.referralIds?.length ?? 0) > 0) return 'referred';
  const reference = before?.conversationReference;
  const tenantId = reference?.conversation?.tenantId ?? services.tenantId ?? 'unknown-tenant';
  const trigger = { source: 'keywords' as const, reasons };
  // One id for this save, whatever the conditional write below has to retry.
  const referral = await recordReferral(services.referrals, referralId(tenantId, person.userId, `tab:${randomUUID()}`, 'urgent'), {
    tenantId,
    level: 'urgent',
    person: { userId: person.userId, teamsId: reference?.user?.id ?? '', name: person.name || reference?.user?.name || 'A member of staff' },
    trigger,
    shown: ['crisis-signposting', 'wellbeing-service'],
    consented: true,
    conversationType: 'tab',
  });
  await recordServiceEvent(services.events, { kind: 'referral', level: 'urgent', trigger: 'keywords', categories: reasons, person: person.userId });
  log.warn({ referralId: referral.id, level: 'urgent', reasons }, 'urgent referral recorded');
  if (services.sendReferralNow) {
    await services.sendReferralNow(referral.id).catch((err: unknown) =>
      log.warn({ referralId: referral.id, code: (err as { code?: unknown })?.code }, 'urgent referral not sent straight away; the outbox will retry'),
    );
  }
  const { result: chat } = await updateIfUnchanged(stateDocument(services.people, person.userId), {
    name: 'stop coaching for risk written in the tab',
    apply: (doc): Decision<D, D['conversationReference']> => {
      const next = { ...(doc ?? {}) } as D;
      services.pauseCoaching(next);
      const safety = { ...(next.safety ?? { status: 'clear' as const }) };
      safety.status = 'urgentStop';
      safety.since = new Date().toISOString();
      safety.flaggedBy = 'keywords';
      safety.saidMisunderstood = false;
      safety.referralIds = [...(safety.referralIds ?? []).filter((id) => id !== referral.id), referral.id];
      if (next.conversationReference) safety.pending = 'safeNow';
      return { write: { ...next, safety }, result: next.conversationReference };
    },
  });
  if (chat) {
    try {
      await services.sender.send(chat, crisisMessage(services.safety, reasons, tabUrgentHeading));
      await services.sender.send(chat, safeNowQuestion());
    } catch (err) {
      log.warn({ referralId: referral.id, code: (err as { code?: string }).code }, 'crisis contacts could not be sent to the 1:1 chat');
    }
  }
  return 'referred';
}

import { bookingRef, type JobQueue } from '../booking/jobs';
import { bookingsOfStaff, bookSlot, changeSlot, freeSlots, slotLabel, type Slot } from '../booking/slots';
import type { BookingServices } from '../booking/bookingConversation';
import { exportDocument, referralsAbout } from '../documents/yourData';
import { keptAfterErasure, type PersonDocument } from '../documents/person';
import { actionPlanSubmission } from '../coaching/cardSubmissions';
import { latestPlan, sessionRecord, stageOrder, stageTitles, type ActionPlan, type Programme } from '../coaching/programme';
import { reviseLatestPlan } from '../coaching/stages/actionPlan';
import type { Logger } from '../logger';
import { screenCardValue, screenRank, type ScreenResult } from '../safety/screenMessage';
import { respondToWritingInTab, type WrittenInTabOutcome, type WrittenInTabServices } from '../safety/writtenInTab';
import { recordSlotChange, type ServiceEventSink } from '../serviceEvents/events';
import { stateDocument, updateIfUnchanged, type Decision } from '../persistence/conditionalUpdate';
import type { People } from '../persistence/versioned';
import type { TabUser } from './auth';
import { esc, jsonIn, notice } from './html';

export interface MyCoachingServices {
  /** Everyone's 1:1 state (programmes): only the signed-in person's document is ever read or written. */
  people: People<PersonDocument>;
  bookings: BookingServices['bookings'];
  referrals: Parameters<typeof referralsAbout>[0];
  jobs: JobQueue;
  /** Sends booking notices now (the job worker's deliverNow). */
  deliverNow: (ids: string[]) => Promise<unknown>;
  daysAhead: number;
  events: ServiceEventSink & { forget(person: string): Promise<void> };
  logger: Logger;
  /** What answers risk written in the plan form, as the risk gate would in a chat (without it, the page only points to support). */
  risk?: Omit<WrittenInTabServices<PersonDocument>, 'people' | 'logger'>;
}

export interface ViewOptions {
  message?: { text: string; kind?: 'success' | 'error' };
  /** Show free times to move this booking to. */
  changing?: string;
  /** Ask before deleting. */
  confirmDelete?: boolean;
  /** Field errors for the plan form, with what was typed. */
  planErrors?: { summary: string; values: Record<string, string> };
}

/** Tries of a change to the person's own document before the tab says something went wrong. */
const MAX_ATTEMPTS = 6;

/**
 * The My coaching tab: the signed-in person's own goal, plan (editable, validated as the plan card is), ratings,
 * bookings (cancel, change), export and delete. Every read and write is of the signed-in person's own document
 * (keyed by the `oid` in their token), and bookings are checked to be theirs before they are changed.
 */
export class MyCoaching {
  constructor(private readonly services: MyCoachingServices) {}

  async view(user: TabUser, options: ViewOptions = {}): Promise<string> {
    const doc: PersonDocument = (await this.services.people.readOne(user.userId)) ?? {};
    const programme = doc.programme;
    const bookings = await bookingsOfStaff(this.services.bookings, user.userId);
    const parts: string[] = [];
    if (options.message) parts.push(notice(options.message.text, options.message.kind));
    parts.push(`<p class="nhsuk-lede-text">Hello ${esc(user.name)}. This is your own coaching: only you can see it.</p>`);
    parts.push(goalSection(programme, doc));
    parts.push(planSection(programme, options.planErrors));
    parts.push(ratingsSection(programme));
    parts.push(await this.bookingsSection(user, bookings, options.changing));
    parts.push(dataSection(options.confirmDelete));
    return parts.join('\n');
  }

  async savePlan(user: TabUser, body: unknown): Promise<string> {
    const values = stringsOf(body);
    const parsed = actionPlanSubmission.safeParse({ ...values, card: 'actionPlan', questionId: 'tab' });
    // What people write here is screened as the risk gate screens everything they write to the bot, and
    // answered whether or not the plan can be saved.
    const risk = this.answerRisk(user, worstOf(Object.values(values).map((v) => screenCardValue({ text: v }))));
    if (!parsed.success) return this.view(user, { planErrors: { summary: 'Something in the form did not look right (dates must be real dates), so your plan is as it was.', values }, ...(await riskMessage(risk, '')) });
    if (!parsed.data.action1 && !parsed.data.action2 && !parsed.data.action3) {
      return this.view(user, { planErrors: { summary: 'Your plan needs at least one action, so I have kept it as it was.', values }, ...(await riskMessage(risk, '')) });
    }
    const { result: saved } = await updateIfUnchanged(
      stateDocument(this.services.people, user.userId),
      {
        name: 'save action plan from the tab',
        apply: (doc): Decision<PersonDocument, ActionPlan | undefined> => {
          const plan = doc && reviseLatestPlan(doc.programme, parsed.data, new Date());
          return plan ? { write: doc, result: plan } : { keep: undefined };
        },
      },
      { attempts: MAX_ATTEMPTS },
    );
    if (!saved) {
      return this.view(user, (await riskMessage(risk, '')) ?? { message: { text: "You haven't made an action plan yet. It comes in stage 6 of a session: say \"start coaching\" to me in Teams.", kind: 'error' } });
    }
    this.services.logger.info({ userId: user.userId, actions: saved.actions.length }, 'action plan changed in the tab');
    return this.view(user, (await riskMessage(risk, 'Your plan is saved. ')) ?? { message: { text: 'Your plan is saved. "my plan" in our chat shows it too.' } });
  }

  /** Starts answering risk in what was written (the direct question, or an urgent referral), while the plan is saved. */
  private answerRisk(user: TabUser, screened: Pick<ScreenResult, 'level' | 'reasons' | 'distressed'>): Promise<WrittenInTabOutcome> {
    const { risk, people, logger } = this.services;
    if (!risk) return Promise.resolve(screened.level === 'none' ? 'none' : 'pointed');
    return respondToWritingInTab(user, screened, { ...risk, people, logger }).catch((err: unknown) => {
      // The store or Teams failing must not lose the page: it still points to support, and the error is logged.
      logger.error({ userId: user.userId, level: screened.level, code: (err as { code?: unknown })?.code }, 'risk written in the tab could not be answered');
      return 'pointed' as const;
    });
  }

  async cancelBooking(user: TabUser, body: unknown): Promise<string> {
    const { slotId, coachId } = stringsOf(body);
    if (!slotId || !coachId) return this.view(user, { message: { text: 'That booking could not be found.', kind: 'error' } });
    const outcome = await changeSlot(this.services.bookings, coachId, slotId, { id: user.userId, asCoach: false }, 'cancel');
    if (!('changed' in outcome) || outcome.before.booking?.staffId !== user.userId) {
      return this.view(user, { message: { text: "That booking couldn't be cancelled: it may already have changed. Nothing else has changed.", kind: 'error' } });
    }
    await recordSlotChange(this.services.events, outcome.before, outcome.changed);
    const ids = await this.services.jobs.cancelled(bookingRef(outcome.before), 'staff');
    await this.services.deliverNow(ids).catch(() => undefined);
    return this.view(user, { message: { text: `Cancelled: ${slotLabel(outcome.before)} with ${outcome.before.coachName}. Your coach will be told.` } });
  }

  async moveBooking(user: TabUser, body: unknown): Promise<string> {
    const { fromSlotId, fromCoachId, slotId, coachId } = stringsOf(body);
    const old = fromSlotId && fromCoachId ? (await this.services.bookings.read<Slot>(fromSlotId, fromCoachId).catch(() => undefined))?.doc : undefined;
    if (!old || old.docType !== 'slot' || old.status !== 'booked' || old.booking?.staffId !== user.userId || !slotId || !coachId) {
      return this.view(user, { message: { text: "That booking couldn't be changed: it may already have changed.", kind: 'error' } });
    }
    if (coachId.toLowerCase() === user.userId) return this.view(user, { message: { text: "You can't book a session with yourself.", kind: 'error' } });
    const booked = await bookSlot(this.services.bookings, coachId, slotId, { ...old.booking, bookedAt: new Date().toISOString() });
    if (!('booked' in booked)) return this.view(user, { changing: old.id, message: { text: 'Sorry, someone else has just booked that time. Your booking is unchanged. Choose another time:', kind: 'error' } });
    await recordSlotChange(this.services.events, { status: 'free', start: booked.booked.start }, booked.booked);
    const released = await changeSlot(this.services.bookings, old.coachId, old.id, { id: user.userId, asCoach: false }, 'cancel');
    const next = bookingRef(booked.booked);
    let ids: string[];
    if ('changed' in released) {
      await recordSlotChange(this.services.events, released.before, released.changed);
      ids = await this.services.jobs.moved(bookingRef(released.before), next);
    } else ids = await this.services.jobs.booked(next);
    await this.services.deliverNow(ids).catch(() => undefined);
    return this.view(user, { message: { text: `Done: your session is now ${slotLabel(next)} with ${next.coachName}. Your coach will be told.` } });
  }

  /** Everything kept about the person, as the bot's "export my data" file has it. */
  async exportData(user: TabUser): Promise<string> {
    const { eTag: _e, ...record }: PersonDocument = (await this.services.people.readOne(user.userId)) ?? {};
    const referrals = await referralsAbout(this.services.referrals, user.userId);
    return JSON.stringify(exportDocument(user.userId, record, referrals), null, 2);
  }

  /** As "delete my data" in the chat: while an urgent referral is open, one safety note is kept. */
  async deleteData(user: TabUser, body: unknown): Promise<string> {
    if (stringsOf(body).confirm !== 'yes') return this.view(user, { confirmDelete: true });
    await updateIfUnchanged(
      stateDocument(this.services.people, user.userId),
      {
        name: 'delete data from the tab',
        apply: (doc): Decision<PersonDocument, undefined> => {
          if (!doc) return { keep: undefined };
          const kept = keptAfterErasure(doc, new Date());
          return kept ? { write: kept, result: undefined } : { remove: undefined };
        },
      },
      { attempts: MAX_ATTEMPTS },
    );
    await this.services.events.forget(user.userId);
    this.services.logger.info({ userId: user.userId }, 'data deleted from the tab');
    return this.view(user, {
      message: {
        text: 'Done: your coaching data is deleted. Referrals already sent to the service leads are kept by the service, because it must keep a record of them; they hold your name and why you were referred, never your messages.',
      },
    });
  }

  private async bookingsSection(user: TabUser, bookings: Slot[], changing: string | undefined): Promise<string> {
    const rows = bookings.map((s) => {
      const moving = changing === s.id;
      return `<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${esc(slotLabel(s))}</dt><dd class="nhsuk-summary-list__value">with ${esc(s.coachName)}</dd>
<dd class="nhsuk-summary-list__actions">
<form data-action="bookings/cancel" class="inline-form"><input type="hidden" name="slotId" value="${esc(s.id)}"><input type="hidden" name="coachId" value="${esc(s.coachId)}"><button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">Cancel<span class="nhsuk-u-visually-hidden"> ${esc(slotLabel(s))}</span></button></form>
${moving ? '' : `<a class="nhsuk-link" href="?change=${encodeURIComponent(s.id)}">Change time<span class="nhsuk-u-visually-hidden"> of ${esc(slotLabel(s))}</span></a>`}
</dd></div>`;
    });
    let change = '';
    const moving = changing ? bookings.find((s) => s.id === changing) : undefined;
    if (moving) {
      const free = (await freeSlots(this.services.bookings, this.services.daysAhead, new Date(), user.userId)).slice(0, 10);
      change = `<h3 class="nhsuk-heading-s" id="change-heading">Choose a new time for ${esc(slotLabel(moving))}</h3>
${free.length === 0 ? `<p class="nhsuk-body">There are no other free times in the next ${this.services.daysAhead} days, so your booking is unchanged.</p>` : `<ul class="nhsuk-list">${free
        .map(
          (f) => `<li><form data-action="bookings/move" class="inline-form"><input type="hidden" name="fromSlotId" value="${esc(moving.id)}"><input type="hidden" name="fromCoachId" value="${esc(moving.coachId)}"><input type="hidden" name="slotId" value="${esc(f.id)}"><input type="hidden" name="coachId" value="${esc(f.coachId)}">${esc(slotLabel(f))} with ${esc(f.coachName)} <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">Move here<span class="nhsuk-u-visually-hidden">: ${esc(slotLabel(f))}</span></button></form></li>`,
        )
        .join('\n')}</ul>`}`;
    }
    return `<section aria-labelledby="bookings"><h2 class="nhsuk-heading-m" id="bookings">My bookings</h2>
${bookings.length === 0 ? '<p class="nhsuk-body">You have no coaching sessions booked. Say "book a coach" to me in our chat to find a time.</p>' : `<dl class="nhsuk-summary-list">${rows.join('\n')}</dl>`}
${change}
</section>`;
  }
}

function worstOf(results: ScreenResult[]): Pick<ScreenResult, 'level' | 'reasons' | 'distressed'> {
  const level = results.reduce<ScreenResult['level']>((worst, r) => (screenRank[r.level] > screenRank[worst] ? r.level : worst), 'none');
  return { level, reasons: [...new Set(results.filter((r) => r.level === level).flatMap((r) => r.reasons))], distressed: results.some((r) => r.distressed) };
}

/** What the page says about risk in what was written, after `lead` (what happened to the plan); none when there was none. */
async function riskMessage(outcome: Promise<WrittenInTabOutcome>, lead: string): Promise<Pick<ViewOptions, 'message'> | undefined> {
  switch (await outcome) {
    case 'none':
      return undefined;
    case 'pointed':
      return { message: { text: `${lead}Some of what you wrote suggests things may be hard at the moment: the people in "Not OK right now" are there for you, and you can tell me in our chat in Teams.` } };
    case 'asked':
      return { message: { text: `${lead}Something you wrote made me want to check in with you, so I've sent you a private message in our chat in Teams. The people in "Not OK right now" are there for you too.` } };
    case 'referred':
      return {
        message: {
          text: `${lead}What you wrote makes me worried that you may not be safe, so I've stopped our coaching for now and let a service lead know, so they can make sure you are supported. They will see your name and that you may need support, not what you wrote. The people in "Not OK right now" are there for you now: if you are in danger, call 999.`,
        },
      };
  }
}

function goalSection(programme: Programme | undefined, doc: PersonDocument): string {
  const s1 = programme && sessionRecord(programme, 1);
  const s2 = programme && sessionRecord(programme, 2);
  const goals = [s1?.goal?.text && { label: 'Session 1', text: s1.goal.text }, s2?.goal?.text && s2.goal.text !== s1?.goal?.text && { label: 'Session 2', text: s2.goal.text }].filter(
    (g): g is { label: string; text: string } => !!g,
  );
  const current = programme?.sessions[`${programme.current}`];
  const where = !programme
    ? "You haven't started coaching yet. Say \"start coaching\" to me in our chat."
    : programme.completedAt
      ? 'You have completed both coaching sessions.'
      : current && !current.completedAt
        ? `You are in session ${current.number}, at stage ${stageOrder.indexOf(current.stage) + 1} of 7: ${stageTitles[current.stage]}.`
        : programme.current === 2
          ? 'You have finished session 1. Say "start coaching" to me when you are ready for session 2.'
          : 'Say "start coaching" to me in our chat to carry on.';
  const paused = doc.safety && doc.safety.status !== 'clear' ? '<p class="nhsuk-body">Coaching is paused for now, for your wellbeing.</p>' : '';
  return `<section aria-labelledby="goals"><h2 class="nhsuk-heading-m" id="goals">My goal${goals.length > 1 ? 's' : ''}</h2>
${goals.length ? `<dl class="nhsuk-summary-list">${goals.map((g) => `<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${esc(g.label)}</dt><dd class="nhsuk-summary-list__value">${esc(g.text)}</dd></div>`).join('')}</dl>` : ''}
<p class="nhsuk-body">${esc(where)}</p>${paused}
</section>`;
}

function planSection(programme: Programme | undefined, errors: ViewOptions['planErrors']): string {
  const latest = programme && latestPlan(programme);
  if (!latest) {
    return `<section aria-labelledby="plan"><h2 class="nhsuk-heading-m" id="plan">My action plan</h2><p class="nhsuk-body">You haven't made an action plan yet. It comes in stage 6 of a session.</p></section>`;
  }
  const a = latest.plan.actions;
  const o = latest.plan.obstacles;
  const value = (name: string, fallback: string | undefined) => esc(errors ? errors.values[name] ?? '' : fallback ?? '');
  const input = (name: string, label: string, fallback: string | undefined, hint = '') =>
    `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${name}">${esc(label)}</label>${hint}<input class="nhsuk-input" id="${name}" name="${name}" type="text" maxlength="500" value="${value(name, fallback)}"></div>`;
  const date = (name: string, label: string, fallback: string | undefined) =>
    `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${name}">${esc(label)}</label><input class="nhsuk-input nhsuk-input--width-10" id="${name}" name="${name}" type="date" value="${value(name, fallback)}"></div>`;
  const actions = [1, 2, 3]
    .map((i) => `<fieldset class="nhsuk-fieldset plan-item"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Action ${i}</legend>${input(`action${i}`, 'What will you do?', a[i - 1]?.what)}${date(`byWhen${i}`, 'By when (optional)', a[i - 1]?.byWhen)}</fieldset>`)
    .join('\n');
  const obstacles = [1, 2, 3]
    .map((i) => `<fieldset class="nhsuk-fieldset plan-item"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Obstacle ${i}</legend>${input(`obstacle${i}`, 'What might get in the way?', o[i - 1]?.obstacle)}${input(`overcome${i}`, 'How could you get past it?', o[i - 1]?.overcome)}</fieldset>`)
    .join('\n');
  const goal = programme!.sessions[`${latest.session}`]?.goal?.text ?? sessionRecord(programme!, 1)?.goal?.text;
  return `<section aria-labelledby="plan"><h2 class="nhsuk-heading-m" id="plan">My action plan</h2>
${goal ? `<p class="nhsuk-body">For your goal: “${esc(goal)}” (from session ${latest.session}).</p>` : ''}
${errors ? `<div class="nhsuk-error-summary" role="alert" tabindex="-1" data-focus><h2 class="nhsuk-error-summary__title">There is a problem</h2><div class="nhsuk-error-summary__body"><p>${esc(errors.summary)}</p><ul class="nhsuk-list nhsuk-error-summary__list"><li><a href="#action1">Check your actions</a></li></ul></div></div>` : ''}
<form data-action="plan" novalidate>
${actions}
${obstacles}
<button class="nhsuk-button" type="submit">Save my plan</button>
</form>
</section>`;
}

function ratingsSection(programme: Programme | undefined): string {
  const points = ([1, 2] as const).flatMap((n) => {
    const scaling = programme && sessionRecord(programme, n)?.scaling;
    return [
      ...(scaling?.before !== undefined ? [{ label: `Start of session ${n}`, value: scaling.before }] : []),
      ...(scaling?.after !== undefined ? [{ label: `End of session ${n}`, value: scaling.after }] : []),
    ];
  });
  if (points.length === 0) {
    return `<section aria-labelledby="ratings"><h2 class="nhsuk-heading-m" id="ratings">My ratings</h2><p class="nhsuk-body">You haven't rated where you are on the scale yet.</p></section>`;
  }
  const spec = { type: 'line', labels: points.map((p) => p.label), datasets: [{ label: 'Your rating (1 to 10)', data: points.map((p) => p.value), colour: '#005eb8' }], yTitle: 'Rating (1 to 10)', yMax: 10 };
  return `<section aria-labelledby="ratings"><h2 class="nhsuk-heading-m" id="ratings">My ratings</h2>
<p class="nhsuk-body">Where you put yourself on the scale of 1 (furthest from your goal) to 10 (reached it).</p>
<figure class="chart"><div class="chart__canvas"><canvas id="chart-ratings" role="img" aria-label="Line chart of your ratings: ${esc(points.map((p) => `${p.label} ${p.value}`).join(', '))}."></canvas></div>
<script type="application/json" data-chart="chart-ratings">${jsonIn(spec)}</script></figure>
<div class="nhsuk-table-container" tabindex="0" role="region" aria-label="Your ratings"><table class="nhsuk-table"><caption class="nhsuk-table__caption">Your ratings</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th scope="col" class="nhsuk-table__header">When</th><th scope="col" class="nhsuk-table__header nhsuk-table__header--numeric">Rating</th></tr></thead>
<tbody class="nhsuk-table__body">${points.map((p) => `<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__header">${esc(p.label)}</th><td class="nhsuk-table__cell nhsuk-table__cell--numeric">${p.value} out of 10</td></tr>`).join('')}</tbody></table></div>
</section>`;
}

function dataSection(confirmDelete: boolean | undefined): string {
  return `<section aria-labelledby="your-data"><h2 class="nhsuk-heading-m" id="your-data">My data</h2>
<p class="nhsuk-body">Download everything the coaching bot keeps about you, or delete it.</p>
<p class="nhsuk-body"><a class="nhsuk-button nhsuk-button--secondary" href="/tabs/api/my-coaching/export" data-download="my-coaching-data.json" role="button">Download my data</a></p>
${
  confirmDelete
    ? `<div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label"><span class="nhsuk-u-visually-hidden">Important: </span>Delete your data?</h3>
<p>This deletes your coaching answers, ratings, action plans and your place in the sessions. It cannot be undone. Referrals already sent to the service leads are kept, because the service must keep a record of them.</p>
<form data-action="delete" class="inline-form"><input type="hidden" name="confirm" value="yes"><button class="nhsuk-button nhsuk-button--warning" type="submit">Yes, delete my data</button></form>
<a class="nhsuk-link" href="?">No, keep it</a></div>`
    : `<form data-action="delete"><button class="nhsuk-button nhsuk-button--warning" type="submit">Delete my data</button></form>`
}
</section>`;
}

function stringsOf(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k, v]) => typeof v === 'string' && /^[A-Za-z0-9]{1,20}$/.test(k)).map(([k, v]) => [k, (v as string).slice(0, 2000)]));
}

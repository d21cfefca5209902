/**
 * The service events recorder, writing behind: with `buffer` (as the bot runs it, src/app.ts) a turn's events are
 * kept in memory and the turn goes on; they are stored together when 100 are waiting, 2 s after the first, on
 * `flush()` and on the bot's graceful stop (`close()`). One flush reads the pseudonym records of everyone in it in
 * one bulk request and writes those with a new milestone in one more (each conditional on its eTag; a conflict is
 * done again on its own), adds to each month's aggregate in one conditional write, and appends the events in one
 * transactional batch per month and 100 events: about five requests a flush, instead of about five a turn.
 * The trade-off: a hard crash (no graceful stop) loses at most the events of those few seconds, which are
 * service statistics only; referrals have their own documents and outbox and are not recorded here.
 * Every store (a flush, or a call without `buffer`) and "delete my data" runs one after another, in the order
 * asked, so a person's events keep their order, a person forgotten is forgotten after their earlier events and
 * before their later ones, and nothing in this process races itself for a month's aggregate or a person's
 * record: only another instance can change them meanwhile, which the eTag-conditional writes meet.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { errorFields, type Logger } from '../logger';
import { addToMonth, countedOn, countersFor, emptyMonth, milestones, monthOf, type MonthAggregate } from './aggregate';
import { aboutAPerson, type ServiceEvent, type ServiceEventInput, type ServiceEventSink } from './events';
import { EVENTS_PER_BATCH, versionedDoc, type PersonLink, type ServiceStore, type StoredEvent, type Versioned } from './store';
import { updateIfUnchanged, type Decision } from '../persistence/conditionalUpdate';

export interface RecorderOptions {
  store: ServiceStore;
  /** The HMAC key (PSEUDONYM_KEY): pseudonyms cannot be worked out without it. */
  key: Buffer;
  logger: Logger;
  /** Days events, aggregates and pseudonym records are kept after their last change (0 = until deleted). */
  retentionDays: number;
  now?: () => Date;
  /** Write-behind (see the file's header); without it every call stores its events before it resolves. */
  buffer?: BufferOptions;
}

export interface BufferOptions {
  /** Events waiting that start a flush (at most 100 make one batch of a month's events). */
  maxEvents: number;
  /** How long the first event waiting may wait for others before a flush. */
  delayMs: number;
  /** Events waiting or being stored beyond which new ones are dropped (and logged by kind) while the store is behind. */
  maxHeld?: number;
}

/** The bot's write-behind. */
export const WRITE_BEHIND: BufferOptions = { maxEvents: 100, delayMs: 2000, maxHeld: 20_000 };

/** Tries of an addition to a month's aggregate: every instance adds to the same document, so it meets more conflicts than most. */
const MONTH_ATTEMPTS = 10;

/**
 * Records service events: turns the person into a pseudonym, notes which milestones are their first, adds the
 * event's counters to its month's aggregate (an eTag-conditional write, retried on a conflict), and keeps the
 * event itself. Never throws: a store failure is logged (without the event's person) and the event is lost,
 * because counting must never break coaching.
 */
export class ServiceEventRecorder implements ServiceEventSink {
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly ttl: number | undefined;
  /** Write-behind: the events waiting, the timer that flushes them, the flushes in order, and how many are held. */
  private waiting: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushes: Promise<void> = Promise.resolve();
  private held = 0;
  private closed = false;

  constructor(private readonly options: RecorderOptions) {
    this.log = options.logger.child({ component: 'serviceEvents' });
    this.now = options.now ?? (() => new Date());
    this.ttl = options.retentionDays > 0 ? options.retentionDays * 86400 : undefined;
  }

  async record(input: ServiceEventInput): Promise<void> {
    await this.recordAll([input]);
  }

  /**
   * Records events, in order, storing what recording them one after another would. Written behind (with
   * `buffer`): they wait, in order after everything recorded before them, for the next flush.
   */
  async recordAll(inputs: ServiceEventInput[]): Promise<void> {
    const items: Pending[] = inputs.map(({ person, at, ...rest }) => {
      const event = rest as ServiceEvent;
      return { event, at: at ?? this.now(), person: person && aboutAPerson(event.kind) ? person : undefined };
    });
    const buffer = this.options.buffer;
    if (!buffer || this.closed) return this.inOrder(() => this.store(items));
    if (items.length === 0) return;
    if (this.held + items.length > (buffer.maxHeld ?? Infinity)) {
      this.log.error({ kinds: kindsOf(items), count: items.length }, 'service events dropped: the store is behind');
      return;
    }
    this.held += items.length;
    this.waiting.push(...items);
    if (this.waiting.length >= buffer.maxEvents) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), buffer.delayMs).unref();
  }

  /** Stores every event waiting, after the flushes before it; resolves when they are stored (or logged as lost). */
  flush(): Promise<void> {
    const items = this.takeWaiting();
    return this.inOrder(() => this.storeHeld(items));
  }

  /** For the bot's graceful stop: stores what is waiting; anything recorded afterwards is stored at once. */
  close(): Promise<void> {
    this.closed = true;
    return this.flush();
  }

  private takeWaiting(): Pending[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.waiting.splice(0);
  }

  private inOrder(work: () => Promise<void>): Promise<void> {
    const run = this.flushes.then(work);
    this.flushes = run.catch(() => undefined);
    return run;
  }

  /** Never rejects: a flush started by size or by the timer has no one to answer to. */
  private async storeHeld(items: Pending[]): Promise<void> {
    try {
      await this.store(items);
    } catch (err) {
      this.log.error({ err: errorFields(err), kinds: kindsOf(items), count: items.length }, 'service events not recorded');
    } finally {
      this.held -= items.length;
    }
  }

  /**
   * Stores events together, in order, as storing them one after another would: each person's pseudonym record
   * is read once for all their events (and written once, if any milestone is new), each month's aggregate takes
   * all their counters in one write, and the events are appended in one batch per month (of up to 100). An
   * event whose step fails is logged (by kind, never by person) and lost, as on its own; the others are kept.
   * Never throws.
   */
  private async store(items: Pending[]): Promise<void> {
    if (items.length === 0) return;
    const failed = new Map<Pending, unknown>();

    const byPerson = new Map<string, Pending[]>();
    for (const item of items) if (item.person) byPerson.set(item.person, [...(byPerson.get(item.person) ?? []), item]);
    const marked = await this.firstsOfAll([...byPerson].map(([person, theirs]) => ({ person, events: theirs.map((item) => ({ markers: milestones(item.event), at: item.at })) })));
    for (const [person, theirs] of byPerson) {
      const their = marked.get(person)!;
      if ('err' in their) for (const item of theirs) failed.set(item, their.err);
      else theirs.forEach((item, n) => (item.who = { pseudonym: their.pseudonym, firsts: their.firsts[n]! }));
    }

    type Additions = { days: Map<string, Record<string, number>>; items: Pending[] };
    const byMonth = new Map<string, Additions>();
    for (const item of items) {
      if (failed.has(item)) continue;
      item.day = countedOn(item.event, item.at);
      const counters = countersFor(item.event, item.who?.firsts ?? new Set());
      if (Object.keys(counters).length === 0) continue;
      const month = item.day.slice(0, 7);
      const additions: Additions = byMonth.get(month) ?? { days: new Map(), items: [] };
      const into = additions.days.get(item.day) ?? {};
      for (const [key, n] of Object.entries(counters)) into[key] = (into[key] ?? 0) + n;
      additions.days.set(item.day, into);
      additions.items.push(item);
      byMonth.set(month, additions);
    }
    await Promise.all(
      [...byMonth].map(async ([month, additions]) => {
        try {
          await this.addToMonth(month, additions.days);
        } catch (err) {
          for (const item of additions.items) failed.set(item, err);
        }
      }),
    );

    const toAppend = new Map<string, { item: Pending; stored: StoredEvent }[]>();
    for (const item of items) {
      if (failed.has(item)) continue;
      const { event, at, day, who } = item;
      const month = day!.slice(0, 7);
      const stored = { ...event, id: randomUUID(), type: 'serviceEvent', month, at: at.toISOString(), day, ...(who ? { person: who.pseudonym } : {}) } as StoredEvent;
      toAppend.set(month, [...(toAppend.get(month) ?? []), { item, stored }]);
    }
    const batches = [...toAppend.values()].flatMap((theirs) => Array.from({ length: Math.ceil(theirs.length / EVENTS_PER_BATCH) }, (_, n) => theirs.slice(n * EVENTS_PER_BATCH, (n + 1) * EVENTS_PER_BATCH)));
    await Promise.all(
      batches.map(async (batch) => {
        try {
          await this.options.store.events.appendAll(batch.map((b) => b.stored));
        } catch (err) {
          for (const { item } of batch) failed.set(item, err);
        }
      }),
    );

    // One line per failure and kind: the error, the kind and how many, never whose.
    const lost = new Map<unknown, Map<string, number>>();
    for (const [item, err] of failed) {
      const kinds = lost.get(err) ?? new Map<string, number>();
      kinds.set(item.event.kind, (kinds.get(item.event.kind) ?? 0) + 1);
      lost.set(err, kinds);
    }
    for (const [err, kinds] of lost) for (const [kind, count] of kinds) this.log.error({ err: errorFields(err), kind, count }, 'service event not recorded');
  }

  /**
   * "delete my data": the person's pseudonym record goes, so nothing links them to the events already counted,
   * and if they come back they are counted as someone new. Written behind, the events waiting are stored first
   * (as they would have been before the deletion) and the record goes before any event recorded after this call.
   */
  async forget(person: string): Promise<void> {
    const remove = () => this.options.store.people.delete(this.linkId(person));
    const items = this.takeWaiting();
    return this.inOrder(async () => {
      await this.storeHeld(items);
      await remove();
    });
  }

  /**
   * `markFirsts` for several people at once: every record read in one bulk request, and those with a new milestone
   * written in one more, each only if unchanged since read. Anyone whose read or write failed, or whose record
   * another instance changed meanwhile, is done again on their own (read afresh, written conditionally).
   */
  private async firstsOfAll(people: { person: string; events: Markers }[]): Promise<Map<string, Marked | { err: unknown }>> {
    const out = new Map<string, Marked | { err: unknown }>();
    const oneByOne = (list: { person: string; events: Markers }[]) =>
      Promise.all(
        list.map(async ({ person, events }) => {
          try {
            out.set(person, await this.markFirsts(this.linkId(person), person, events));
          } catch (err) {
            out.set(person, { err });
          }
        }),
      );
    if (people.length < 2) {
      await oneByOne(people);
      return out;
    }
    const store = this.options.store.people;
    const ids = people.map(({ person }) => this.linkId(person));
    const read = await store.readAll(ids).catch(() => new Map<string, Versioned<PersonLink> | undefined | Error>());
    const again: typeof people = [];
    const writes: { who: (typeof people)[number]; doc: PersonLink; etag: string | undefined; result: Marked }[] = [];
    people.forEach((who, n) => {
      const found = read.get(ids[n]!);
      if (!read.has(ids[n]!) || found instanceof Error) return void again.push(who);
      const decision = this.mark(ids[n]!, who.person, who.events, found?.doc);
      if ('keep' in decision) out.set(who.person, decision.keep);
      else if ('write' in decision) writes.push({ who, doc: decision.write, etag: found?.etag, result: decision.result });
    });
    const written = writes.length > 0 ? await store.writeAll(writes.map(({ doc, etag }) => ({ doc, etag }))).catch((err: unknown) => writes.map(() => err)) : [];
    writes.forEach((w, n) => (written[n] === true ? out.set(w.who.person, w.result) : again.push(w.who)));
    await oneByOne(again);
    return out;
  }

  /**
   * The person's pseudonym, and for each of their events in turn which of its milestones they reach then for the
   * first time (marked as reached, in the month of that event); another instance's change is met by re-reading.
   */
  private async markFirsts(id: string, person: string, events: Markers): Promise<Marked> {
    const { result } = await updateIfUnchanged(versionedDoc(this.options.store.people, id), {
      name: 'mark milestones',
      apply: (found) => this.mark(id, person, events, found),
    });
    return result;
  }

  /** Given the person's record as found (or none), their pseudonym and firsts, and the record to write if it changes. */
  private mark(id: string, person: string, events: Markers, found: PersonLink | undefined): Decision<PersonLink, Marked> {
    const link: PersonLink = found ?? { id, type: 'servicePerson', nonce: randomBytes(16).toString('base64url'), firsts: {} };
    const next: PersonLink = { ...link, firsts: { ...link.firsts }, ...(this.ttl ? { ttl: this.ttl } : {}) };
    const firsts = events.map(({ markers, at }) => {
      const reached = new Set(markers.filter((m) => !(m in next.firsts)));
      for (const m of reached) next.firsts[m] = monthOf(at);
      return reached;
    });
    const pseudonym = this.hmac(`person\n${person.toLowerCase()}\n${link.nonce}`);
    if (found && firsts.every((f) => f.size === 0)) return { keep: { pseudonym, firsts } };
    return { write: next, result: { pseudonym, firsts } };
  }

  /** Adds a store's counters to a month's aggregate in one eTag-conditional write; another instance's additions are met by re-reading and adding on top. */
  private async addToMonth(id: string, days: Map<string, Record<string, number>>): Promise<void> {
    await updateIfUnchanged(
      versionedDoc(this.options.store.months, id),
      {
        name: 'add to month',
        apply: (found): Decision<MonthAggregate, undefined> => {
          let next = found ?? emptyMonth(id, this.now());
          for (const [day, counters] of days) next = addToMonth(next, day, counters, this.now());
          if (this.ttl) next.ttl = this.ttl;
          return { write: next, result: undefined };
        },
      },
      {
        attempts: MONTH_ATTEMPTS,
        // Another instance added to this month first: read it again and add on top, after a short random pause.
        onConflict: (attempt) => new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt)),
      },
    );
  }

  private linkId(person: string): string {
    return this.hmac(`link\n${person.toLowerCase()}`);
  }

  private hmac(text: string): string {
    return createHmac('sha256', this.options.key).update(text).digest('base64url');
  }
}

/** A person's events in turn: the milestone markers each would set, and when it happened. */
type Markers = { markers: string[]; at: Date }[];
/** A person's pseudonym, and for each of their events the milestones reached then for the first time. */
type Marked = { pseudonym: string; firsts: Set<string>[] };

function kindsOf(items: Pending[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const { event } of items) kinds[event.kind] = (kinds[event.kind] ?? 0) + 1;
  return kinds;
}

/** One event of a batch on its way to the store. */
interface Pending {
  event: ServiceEvent;
  at: Date;
  /** Whose it is, for events about a person. */
  person?: string;
  who?: { pseudonym: string; firsts: Set<string> };
  /** The UK date it is counted on. */
  day?: string;
}

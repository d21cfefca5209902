import type { Bookings } from '../src/booking/bookingsPort';
import { newJob, type Job } from '../src/booking/jobs';
import type { Jobs } from '../src/booking/jobsPort';
import type { Slot } from '../src/booking/slots';
import { StateConflictError, type StateDocuments } from '../src/persistence/versioned';
import type { LeadsChannelRegistration, StoredReferral } from '../src/safety/referralStore';
import type { Referrals } from '../src/safety/referralsPort';
import { MemoryBookings } from '../src/store/memoryBookings';
import { MemoryJobs } from '../src/store/memoryJobs';
import { MemoryReferrals } from '../src/store/memoryReferrals';
import { MemoryStateDocuments } from '../src/store/memoryState';
import { openStore } from '../src/store/store';
import { cosmosServiceStore, memoryServiceStore } from '../src/store/serviceStore';
import type { ServiceStore, StoredEvent } from '../src/serviceEvents/store';
import { silentLogger } from './support/bot';

/**
 * One contract for every port with a version, run against both implementations: the memory twins the fast
 * tests use and the Cosmos ones the bot runs on (over HTTPS, against the embedded Cosmos-protocol server). In
 * the manner of botbuilder-js storageBaseTests: create, read, a conflicting create, a write with a stale eTag,
 * delete, delete with a stale eTag, and odd keys; then each port's own questions.
 */
interface Ports {
  people: StateDocuments;
  chats: StateDocuments;
  referrals: Referrals;
  jobs: Jobs;
  bookings: Bookings;
  service: ServiceStore;
  close(): Promise<void>;
}

const implementations: [string, () => Promise<Ports>][] = [
  [
    'in memory',
    async () => ({
      people: new MemoryStateDocuments(),
      chats: new MemoryStateDocuments(),
      referrals: new MemoryReferrals(),
      jobs: new MemoryJobs(),
      bookings: new MemoryBookings(),
      service: memoryServiceStore(),
      close: async () => undefined,
    }),
  ],
  [
    'on Cosmos DB',
    async () => {
      const store = await openStore({ kind: 'embedded', dataDir: '', database: 'contract' }, silentLogger);
      return { people: store.people, chats: store.chats, referrals: store.referrals, jobs: store.jobs, bookings: store.bookings, service: cosmosServiceStore(store.containers), close: () => store.close() };
    },
  ],
];

let unique = 0;
const fresh = (name: string) => `${name}-${++unique}`;

function referral(id: string, overrides: Partial<StoredReferral> = {}): StoredReferral {
  return {
    id,
    docType: 'referral',
    tenantId: 'tenant-contract',
    level: 'urgent',
    person: { userId: `user-of-${id}`, teamsId: '29:x', name: 'Alex Morgan' },
    trigger: { source: 'keywords', reasons: ['suicidal-ideation'] },
    shown: ['crisis-signposting'],
    consented: false,
    conversationType: 'personal',
    createdAt: '2026-03-02T10:00:00.000Z',
    status: 'open',
    delivery: { state: 'pending', attempts: 0, nextAttemptAt: '2026-03-02T10:00:00.000Z', reposts: 0 },
    audit: [{ at: '2026-03-02T10:00:00.000Z', event: 'recorded (urgent, keywords)' }],
    ...overrides,
  };
}

function job(id: string, nextAttemptAt: string, overrides: Partial<Job> = {}): Job {
  const made = newJob(
    { id, kind: 'planCheckIn', payload: { programmeStartedAt: '2026-03-01T09:00:00.000Z' }, recipientUserId: 'user-1', dueAt: new Date(nextAttemptAt), expiresAt: new Date('2026-04-01T00:00:00.000Z') },
    new Date('2026-03-01T09:00:00.000Z'),
  );
  return { ...made, ...overrides } as Job;
}

function serviceEvent(id: string, month: string, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return { id, type: 'serviceEvent', month, at: `${month}-15T12:00:00.000Z`, day: `${month}-15`, kind: 'checkIn', level: 'none', person: 'pseudonym-1', ...overrides } as StoredEvent;
}

function slot(id: string, coachId: string, start: string, overrides: Partial<Slot> = {}): Slot {
  const end = new Date(Date.parse(start) + 3600_000).toISOString();
  return { id, docType: 'slot', coachId, coachName: 'Dr Coach', start, end, status: 'free', history: [], ...overrides };
}

describe.each(implementations)('the store %s', (_name, open) => {
  let ports: Ports;
  beforeAll(async () => {
    ports = await open();
  });
  afterAll(() => ports.close());

  describe.each(['people', 'chats'] as const)('%s (state documents by key)', (which) => {
    const documents = () => ports[which];

    it('creates a document and reads it back with its eTag; a missing key reads as nothing', async () => {
      const key = fresh('create');
      const eTag = await documents().writeIfUnchanged(key, { count: 1 }, undefined);
      expect(typeof eTag).toBe('string');
      expect(await documents().readOne(key)).toEqual({ count: 1, eTag });
      expect(await documents().readOne(fresh('missing'))).toBeUndefined();
    });

    it('refuses a second create of the same key, so two first turns cannot overwrite each other', async () => {
      const key = fresh('first-turn');
      await documents().writeIfUnchanged(key, { from: 'first' }, undefined);
      await expect(documents().writeIfUnchanged(key, { from: 'second' }, undefined)).rejects.toBeInstanceOf(StateConflictError);
      expect((await documents().readOne(key))?.from).toBe('first');
    });

    it('writes on the current eTag, refuses a stale one and keeps the newer state', async () => {
      const key = fresh('contested');
      const first = await documents().writeIfUnchanged(key, { step: 1 }, undefined);
      const second = await documents().writeIfUnchanged(key, { step: 2 }, first);
      expect(second).not.toBe(first);
      await expect(documents().writeIfUnchanged(key, { step: 3 }, first)).rejects.toBeInstanceOf(StateConflictError);
      expect(await documents().readOne(key)).toEqual({ step: 2, eTag: second });
    });

    it('deletes on the current eTag, refuses a stale one, and counts deleting what has gone as done', async () => {
      const key = fresh('delete');
      const first = await documents().writeIfUnchanged(key, { v: 1 }, undefined);
      const second = await documents().writeIfUnchanged(key, { v: 2 }, first);
      await expect(documents().deleteIfUnchanged(key, first)).rejects.toBeInstanceOf(StateConflictError);
      expect((await documents().readOne(key))?.v).toBe(2);
      await documents().deleteIfUnchanged(key, second);
      expect(await documents().readOne(key)).toBeUndefined();
      await expect(documents().deleteIfUnchanged(key, second)).resolves.toBeUndefined();
    });

    it('refuses an eTag for a document deleted meanwhile', async () => {
      const key = fresh('deleted-meanwhile');
      const eTag = await documents().writeIfUnchanged(key, { v: 1 }, undefined);
      await documents().deleteIfUnchanged(key, eTag);
      await expect(documents().writeIfUnchanged(key, { v: 2 }, eTag)).rejects.toBeInstanceOf(StateConflictError);
      expect(await documents().readOne(key)).toBeUndefined();
    });

    it('does not keep the eTag inside the state', async () => {
      const key = fresh('clean');
      await documents().writeIfUnchanged(key, { v: 1 }, undefined);
      const read = (await documents().readOne(key))!;
      await documents().writeIfUnchanged(key, read, read.eTag);
      const { eTag: _eTag, ...state } = (await documents().readOne(key))!;
      expect(state).toEqual({ v: 1 });
    });

    it.each([
      ['a 300-character key', 'k'.repeat(300)],
      ['a 1000-character key', `${'long/'.repeat(199)}end`],
      ['slashes, hashes and question marks', 'msteams/conversations/19:abc@thread.v2;messageid=123?x#y\\z'],
      ['odd characters', "!@$%^&*()~[]{}<>,.;'\"`|+=- ünïcødé 🙂 \t tab"],
      ['a key that looks percent-encoded', 'a%2Fb'],
      ['a trailing space', 'ends with space '],
    ])('round-trips %s', async (_what, key) => {
      const eTag = await documents().writeIfUnchanged(key, { answer: key }, undefined);
      expect((await documents().readOne(key))?.answer).toBe(key);
      await documents().deleteIfUnchanged(key, eTag);
      expect(await documents().readOne(key)).toBeUndefined();
    });

    it('keeps two long keys that differ only at the end apart', async () => {
      const a = `${'x'.repeat(300)}a`;
      const b = `${'x'.repeat(300)}b`;
      await documents().writeIfUnchanged(a, { who: 'a' }, undefined);
      await documents().writeIfUnchanged(b, { who: 'b' }, undefined);
      expect((await documents().readOne(a))?.who).toBe('a');
      expect((await documents().readOne(b))?.who).toBe('b');
    });
  });

  describe('referrals', () => {
    it('creates a referral once and reads it back as it was written', async () => {
      const id = fresh('referral');
      const written = referral(id);
      expect(await ports.referrals.create(written)).toBe('created');
      expect(await ports.referrals.create({ ...written, level: 'wellbeing' })).toBe('exists');
      const found = await ports.referrals.read(id);
      expect(found?.doc).toEqual(written);
      expect(typeof found?.eTag).toBe('string');
      expect(await ports.referrals.read(fresh('missing'))).toBeUndefined();
    });

    it('replaces on the current eTag only, and not once the referral has gone', async () => {
      const id = fresh('referral');
      await ports.referrals.create(referral(id));
      const read = (await ports.referrals.read(id))!;
      const acknowledged = { ...read.doc, status: 'acknowledged' as const };
      const next = await ports.referrals.replaceIfUnchanged(acknowledged, read.eTag);
      expect(next).toEqual(expect.any(String));
      expect(await ports.referrals.replaceIfUnchanged({ ...read.doc, status: 'closed' }, read.eTag)).toBeUndefined();
      expect((await ports.referrals.read(id))?.doc.status).toBe('acknowledged');
      expect(await ports.referrals.replaceIfUnchanged(referral(fresh('never-made')), next!)).toBeUndefined();
    });

    it('answers the outbox, the health check, the report and the export from what is stored', async () => {
      const person = fresh('person');
      const due = referral(fresh('due'), { person: { userId: person, teamsId: '29:y', name: 'Sam' }, delivery: { state: 'failed', attempts: 8, nextAttemptAt: '2000-01-01T00:00:00.000Z', reposts: 0 } });
      const later = referral(fresh('later'), { delivery: { state: 'pending', attempts: 0, nextAttemptAt: '2999-01-01T00:00:00.000Z', reposts: 0 } });
      const posted = referral(fresh('posted'), { delivery: { state: 'delivered', attempts: 0, nextAttemptAt: '2000-01-01T00:00:00.000Z', postedAt: '2000-01-01T00:00:00.000Z', reposts: 0, channelActivityId: 'a-1' } });
      const acknowledged = referral(fresh('acknowledged'), { person: { userId: person, teamsId: '29:y', name: 'Sam' }, status: 'acknowledged', delivery: posted.delivery });
      for (const r of [due, later, posted, acknowledged]) await ports.referrals.create(r);
      const ids = (found: { doc: { id: string } }[]) => found.map((f) => f.doc.id);

      expect(ids(await ports.referrals.dueForPosting('2026-01-01T00:00:00.000Z'))).toContain(due.id);
      expect(ids(await ports.referrals.dueForPosting('2026-01-01T00:00:00.000Z'))).not.toContain(later.id);
      expect(ids(await ports.referrals.dueForReminder('2026-01-01T00:00:00.000Z'))).toContain(posted.id);
      expect(ids(await ports.referrals.dueForReminder('2026-01-01T00:00:00.000Z'))).not.toContain(acknowledged.id);
      expect(await ports.referrals.waiting()).toEqual(expect.arrayContaining([{ tenantId: due.tenantId, createdAt: due.createdAt, state: 'failed' }]));
      expect((await ports.referrals.waiting()).length).toBe((await ports.referrals.dueForPosting('3000-01-01T00:00:00.000Z')).length);
      expect((await ports.referrals.about(person)).map((r) => r.id).sort()).toEqual([due.id, acknowledged.id].sort());
      const open = await ports.referrals.openSince();
      expect(open.length).toBeGreaterThanOrEqual(3);
      expect(open.every((at) => at === due.createdAt)).toBe(true);
    });

    it('keeps one leads channel per tenant, moved by registering again, and never reads it as a referral', async () => {
      const tenantId = fresh('tenant');
      const registration: LeadsChannelRegistration = {
        id: `leads-channel:${tenantId}`,
        docType: 'leadsChannel',
        tenantId,
        reference: { serviceUrl: 'https://smba.example/', conversation: { id: '19:first@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' } },
        registeredBy: 'lead-1',
        registeredAt: '2026-03-02T10:00:00.000Z',
      };
      expect(await ports.referrals.leadsChannel(tenantId)).toBeUndefined();
      await ports.referrals.saveLeadsChannel(registration);
      const moved = { ...registration, reference: { ...registration.reference, conversation: { ...registration.reference.conversation!, id: '19:second@thread.tacv2' } } };
      await ports.referrals.saveLeadsChannel(moved);
      expect(await ports.referrals.leadsChannel(tenantId)).toEqual(moved);
      expect((await ports.referrals.leadsChannels()).filter((c) => c.tenantId === tenantId)).toEqual([moved]);
      expect(await ports.referrals.read(registration.id)).toBeUndefined();
    });
  });

  describe('jobs', () => {
    it('creates a job once by its id (odd characters and all) and reads it back as it was written', async () => {
      const id = `plan-check-in:${fresh('ünïcødé 🙂')}:2026-03-01T09:00:00.000Z`;
      const written = job(id, '2026-03-05T09:00:00.000Z');
      expect(await ports.jobs.create(written)).toBe('created');
      expect(await ports.jobs.create({ ...written, recipientUserId: 'someone-else' })).toBe('exists');
      expect((await ports.jobs.read(id))?.doc).toEqual(written);
      expect(await ports.jobs.read(fresh('missing'))).toBeUndefined();
    });

    it('replaces on the current eTag only, dropping fields left undefined', async () => {
      const id = fresh('job');
      await ports.jobs.create(job(id, '2026-03-05T09:00:00.000Z'));
      const read = (await ports.jobs.read(id))!;
      const claimed = await ports.jobs.replaceIfUnchanged({ ...read.doc, claimedBy: 'worker-1', claimedUntil: '2026-03-05T09:01:00.000Z' }, read.eTag);
      expect(claimed).toEqual(expect.any(String));
      expect(await ports.jobs.replaceIfUnchanged({ ...read.doc, state: 'sent' }, read.eTag)).toBeUndefined();
      const released = await ports.jobs.replaceIfUnchanged({ ...read.doc, state: 'sent', claimedBy: undefined, claimedUntil: undefined }, claimed!);
      expect(released).toEqual(expect.any(String));
      const stored = (await ports.jobs.read(id))!.doc;
      expect(stored.state).toBe('sent');
      expect(stored).not.toHaveProperty('claimedBy');
    });

    it('finds the pending jobs that are due, soonest first', async () => {
      const soon = job(fresh('soon'), '2001-01-02T00:00:00.000Z');
      const sooner = job(fresh('sooner'), '2001-01-01T00:00:00.000Z');
      const notYet = job(fresh('not-yet'), '2999-01-01T00:00:00.000Z');
      const done = job(fresh('done'), '2001-01-01T00:00:00.000Z', { state: 'sent' });
      for (const j of [soon, sooner, notYet, done]) await ports.jobs.create(j);
      const due = (await ports.jobs.due('2026-01-01T00:00:00.000Z')).map((f) => f.doc.id);
      expect(due.filter((id) => [soon.id, sooner.id, notYet.id, done.id].includes(id))).toEqual([sooner.id, soon.id]);
    });
  });

  describe('bookings', () => {
    it('creates a slot once in its coach’s calendar, replaces it on the current eTag only, and answers the three questions', async () => {
      const coachId = fresh('coach');
      const free = slot(fresh('slot'), coachId, '2030-01-07T10:00:00.000Z');
      expect(await ports.bookings.create(free)).toBe('created');
      expect(await ports.bookings.create(free)).toBe('exists');
      const read = (await ports.bookings.read<Slot>(free.id, coachId))!;
      expect(read.doc).toEqual(free);
      expect(await ports.bookings.read(free.id, fresh('another-coach'))).toBeUndefined();

      const booked: Slot = { ...free, status: 'booked', booking: { staffId: `staff-of-${coachId}`, staffName: 'Sam', bookedAt: '2030-01-01T09:00:00.000Z', shareProgramme: false } };
      expect(await ports.bookings.replaceIfUnchanged(booked, read.eTag)).toBe('saved');
      expect(await ports.bookings.replaceIfUnchanged({ ...free, status: 'withdrawn' } as Slot, read.eTag)).toBe('changed');
      expect((await ports.bookings.read<Slot>(free.id, coachId))?.doc.status).toBe('booked');

      const other = slot(fresh('slot'), coachId, '2030-01-08T10:00:00.000Z');
      await ports.bookings.create(other);
      expect((await ports.bookings.slotsOfCoach(coachId)).map((s) => s.id).sort()).toEqual([free.id, other.id].sort());
      const freeIds = (await ports.bookings.freeSlotsStarting('2030-01-07T00:00:00.000Z', '2030-01-09T00:00:00.000Z')).map((s) => s.id);
      expect(freeIds).toContain(other.id);
      expect(freeIds).not.toContain(free.id);
      expect((await ports.bookings.bookedSlotsOf(`staff-of-${coachId}`, '2030-01-07T10:30:00.000Z')).map((s) => s.id)).toEqual([free.id]);
      expect(await ports.bookings.bookedSlotsOf(`staff-of-${coachId}`, '2030-01-07T11:00:00.000Z')).toEqual([]);
    });
  });
  describe('service events', () => {
    // A month no other test writes to, so its partition holds only this test's events.
    let year = 2100;
    const freshMonth = () => `${++year}-03`;

    it('appends one event and reads it back with its month', async () => {
      const month = freshMonth();
      const event = serviceEvent(fresh('event'), month);
      await ports.service.events.append(event);
      expect(await ports.service.events.month(month)).toEqual([event]);
      await expect(ports.service.events.append(event)).rejects.toMatchObject({ code: 409 });
    });

    it('appends many events of several months together, more than one batch of a month, and keeps every one', async () => {
      const [march, april] = [freshMonth(), freshMonth()];
      const events = Array.from({ length: 230 }, (_, n) => {
        const event = serviceEvent(fresh('event'), n % 10 === 0 ? april : march);
        if (n % 3 === 0) delete event.person;
        return event;
      });
      await ports.service.events.appendAll(events);
      await ports.service.events.appendAll([]);
      const byId = (list: StoredEvent[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(await ports.service.events.month(march))).toEqual(byId(events.filter((e) => e.month === march)));
      expect(byId(await ports.service.events.month(april))).toEqual(byId(events.filter((e) => e.month === april)));
    });

    it('reads and writes pseudonym records together, each written only if unchanged (or new), as one by one', async () => {
      const link = (id: string, firsts: Record<string, string> = {}) => ({ id, type: 'servicePerson' as const, nonce: `nonce-${id}`, firsts });
      const [kept, changed, missing, taken] = [fresh('link'), fresh('link'), fresh('link'), fresh('link')];
      for (const id of [kept, changed, taken]) expect(await ports.service.people.write(link(id), undefined)).toBe(true);
      const read = await ports.service.people.readAll([kept, changed, missing, taken]);
      expect([...read.keys()].sort()).toEqual([kept, changed, missing, taken].sort());
      expect(read.get(missing)).toBeUndefined();
      const version = (id: string) => read.get(id) as { doc: unknown; etag: string };
      expect(version(kept).doc).toEqual(link(kept));
      // Someone else changes one of them after it was read.
      expect(await ports.service.people.write(link(changed, { 's1.started': '2026-05' }), version(changed).etag)).toBe(true);

      const written = await ports.service.people.writeAll([
        { doc: link(kept, { 's1.started': '2026-06' }), etag: version(kept).etag },
        { doc: link(changed, { 's1.started': '2026-06' }), etag: version(changed).etag },
        { doc: link(missing, { 's1.started': '2026-06' }), etag: undefined },
        { doc: link(taken, { 's1.started': '2026-06' }), etag: undefined },
      ]);
      expect(written).toEqual([true, false, true, false]);
      const after = await ports.service.people.readAll([kept, changed, missing, taken]);
      const firsts = (id: string) => (after.get(id) as { doc: { firsts: unknown } }).doc.firsts;
      expect([kept, changed, missing, taken].map(firsts)).toEqual([{ 's1.started': '2026-06' }, { 's1.started': '2026-05' }, { 's1.started': '2026-06' }, {}]);
      expect(await ports.service.people.writeAll([])).toEqual([]);
      expect((await ports.service.people.readAll([])).size).toBe(0);
      // More than one request's worth.
      const many = [kept, ...Array.from({ length: 150 }, () => fresh('nobody'))];
      const manyRead = await ports.service.people.readAll(many);
      expect(manyRead.size).toBe(151);
      expect([...manyRead.values()].filter((v) => v !== undefined)).toHaveLength(1);
    });

    it('refuses a batch that would store an event again, and stores nothing of it', async () => {
      const month = freshMonth();
      const first = serviceEvent(fresh('event'), month);
      await ports.service.events.append(first);
      const again = [first, serviceEvent(fresh('event'), month)];
      await expect(ports.service.events.appendAll(again)).rejects.toMatchObject({ code: 409 });
      expect(await ports.service.events.month(month)).toEqual([first]);
    });
  });
});

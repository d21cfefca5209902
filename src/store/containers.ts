/**
 * The Cosmos DB containers, their partition keys and why. deployment/infra declares the same table;
 * a test keeps the two in step.
 *
 * - botState:   one document per botbuilder storage key (dialog state per conversation). Every access is a
 *               point read or conditional replace of one key, so the key's own id is the partition key.
 * - programmes: everything about one staff member's coaching programme, read and written by user id;
 *               export and delete of a person's data are single-partition operations.
 * - referrals:  one document per referral, claimed and updated by id by the outbox; the leads' backlog is a
 *               small cross-partition query on status.
 * - bookings:   availability slots and bookings grouped by coach: a coach's calendar is one partition and the
 *               race for a slot is a conditional write inside it.
 * - serviceEvents: de-identified service events, one document each, partitioned by month ("2026-03"), so a
 *               month's events are one partition and a period's are read month by month.
 * - servicePeople: pseudonym records (an HMAC of the Entra id → a random nonce and the milestones reached),
 *               read and written by id; deleted by "delete my data".
 * - serviceReport: monthly aggregates (id "2026-03"), report viewers and monthly report jobs, each by id: a
 *               report reads one document per month it covers.
 * - jobs:       reminders and notices to send later; each job is claimed, sent and recorded by id (a
 *               conditional replace), so any instance may run the worker; finished jobs carry their own TTL.
 */
export interface ContainerSpec {
  id: string;
  partitionKeyPath: string;
  /** Cosmos defaultTtl: undefined = off, -1 = on with no default (items carry their own `ttl`). */
  defaultTtl?: number;
}

export const containerSpecs = {
  botState: { id: 'botState', partitionKeyPath: '/id' },
  programmes: { id: 'programmes', partitionKeyPath: '/userId' },
  referrals: { id: 'referrals', partitionKeyPath: '/id' },
  bookings: { id: 'bookings', partitionKeyPath: '/coachId' },
  jobs: { id: 'jobs', partitionKeyPath: '/id', defaultTtl: -1 },
  serviceEvents: { id: 'serviceEvents', partitionKeyPath: '/month' },
  servicePeople: { id: 'servicePeople', partitionKeyPath: '/id' },
  serviceReport: { id: 'serviceReport', partitionKeyPath: '/id' },
} as const satisfies Record<string, ContainerSpec>;

export type ContainerName = keyof typeof containerSpecs;

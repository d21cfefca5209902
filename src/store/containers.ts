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
} as const satisfies Record<string, ContainerSpec>;

export type ContainerName = keyof typeof containerSpecs;

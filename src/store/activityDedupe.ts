import { createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { statusOf } from './cosmosBotStorage';

interface DedupeMarker {
  id: string;
  claimedAt: string;
  expiresAt: number;
  /** Seconds; Azure Cosmos deletes the marker after this. The embedded server ignores it, so expiresAt is checked too. */
  ttl: number;
}

/**
 * Remembers inbound activity ids for a bounded time so that an activity Teams delivers again (it retries
 * when a turn takes longer than about 15 seconds) is acknowledged but not processed twice, whichever
 * instance receives it. The claim is a create: only one instance can win it.
 */
export class ActivityDedupe {
  constructor(
    private readonly container: Container,
    private readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  static markerId(channelId: string, conversationId: string, activityId: string): string {
    return createHash('sha256').update(`${channelId}\n${conversationId}\n${activityId}`).digest('hex');
  }

  /** True if this call is the first to claim the activity within the window. */
  async claim(markerId: string): Promise<boolean> {
    const marker = this.newMarker(markerId);
    try {
      await this.container.items.create(marker);
      return true;
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    const { resource, etag } = await this.container.item(markerId, markerId).read<DedupeMarker>();
    if (resource && resource.expiresAt > this.now()) return false;
    // An expired marker that TTL has not removed yet: take it over, once.
    try {
      if (resource && etag) {
        await this.container.item(markerId, markerId).replace(marker, { accessCondition: { type: 'IfMatch', condition: etag } });
      } else {
        await this.container.items.create(marker);
      }
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status === 412 || status === 409) return false;
      throw err;
    }
  }

  /** Gives the claim back after a turn failed, so that Teams' retry of the activity is processed. */
  async release(markerId: string): Promise<void> {
    try {
      await this.container.item(markerId, markerId).delete();
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  private newMarker(id: string): DedupeMarker {
    const now = this.now();
    return { id, claimedAt: new Date(now).toISOString(), expiresAt: now + this.windowSeconds * 1000, ttl: this.windowSeconds };
  }
}

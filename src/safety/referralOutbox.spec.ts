import { MAX_DELAY_MS } from '../proactive/sender';
import { referralProblems, retryDelayMs } from './referralOutbox';

describe('retryDelayMs', () => {
  const midpoint = () => 0.5;

  it('doubles from 2 seconds and stops at 10 minutes', () => {
    const soon = { kind: 'retryable' as const };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, soon, midpoint))).toEqual([2000, 4000, 8000, 16000, 32000]);
    expect(retryDelayMs(9, soon, midpoint)).toBe(512_000);
    expect(retryDelayMs(10, soon, midpoint)).toBe(MAX_DELAY_MS);
    expect(retryDelayMs(500, soon, midpoint)).toBe(MAX_DELAY_MS);
  });

  it('spreads retries by up to 20% either way', () => {
    const soon = { kind: 'retryable' as const };
    expect(retryDelayMs(3, soon, () => 0)).toBe(6400);
    expect(retryDelayMs(3, soon, () => 0.999999)).toBeCloseTo(9600, -1);
    for (let i = 0; i < 200; i += 1) {
      const delay = retryDelayMs(10, soon);
      expect(delay).toBeGreaterThanOrEqual(MAX_DELAY_MS * 0.8);
      expect(delay).toBeLessThanOrEqual(MAX_DELAY_MS * 1.2);
    }
  });

  it("honours the service's Retry-After", () => {
    expect(retryDelayMs(1, { kind: 'retryable', retryAfterMs: 1000 }, () => 0)).toBe(1000);
    expect(retryDelayMs(6, { kind: 'retryable', retryAfterMs: 0 }, () => 0)).toBe(0);
  });

  it('waits much longer when the bot was removed or blocked, but still retries', () => {
    expect(retryDelayMs(1, { kind: 'later' }, midpoint)).toBe(15 * 60_000);
    expect(retryDelayMs(1, { kind: 'later' }, midpoint, 60_000)).toBe(60_000);
  });
});

describe('referralProblems', () => {
  const clear = { pending: 0, failed: 0, oldestPendingSeconds: 0, leadsChannelRegistered: true };

  it('is empty when referrals are flowing', () => {
    expect(referralProblems(clear)).toEqual([]);
    expect(referralProblems({ ...clear, pending: 3, oldestPendingSeconds: 30 })).toEqual([]);
  });

  it('names a missing leads channel and referrals that are not getting through', () => {
    expect(referralProblems({ ...clear, leadsChannelRegistered: false })).toEqual(['no-leads-channel']);
    expect(referralProblems({ ...clear, failed: 1 })).toEqual(['referral-undelivered']);
    expect(referralProblems({ ...clear, pending: 1, oldestPendingSeconds: 600 })).toEqual(['referral-undelivered']);
    expect(referralProblems({ pending: 2, failed: 0, oldestPendingSeconds: 900, leadsChannelRegistered: false })).toEqual([
      'no-leads-channel',
      'referral-undelivered',
    ]);
  });
});

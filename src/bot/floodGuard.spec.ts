import { FloodGuard } from './floodGuard';

describe('FloodGuard', () => {
  it('lets a person send up to the limit per window, then slows them, telling them once a window', () => {
    let now = 0;
    const guard = new FloodGuard({ limit: 3, windowMs: 60_000, now: () => now });
    expect([1, 2, 3].map(() => guard.check('amara'))).toEqual(['ok', 'ok', 'ok']);
    expect(guard.check('amara')).toBe('slowDown');
    expect(guard.check('amara')).toBe('slowDownQuietly');
    expect(guard.check('tom')).toBe('ok');
    now += 61_000;
    expect(guard.check('amara')).toBe('ok');
  });

  it('forgets people who have gone quiet, so memory stays bounded', () => {
    let now = 0;
    const guard = new FloodGuard({ limit: 30, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 5000; i += 1) guard.check(`person-${i}`);
    now += 61_000;
    guard.check('someone-new');
    expect(guard.tracked).toBeLessThan(5000);
  });
});

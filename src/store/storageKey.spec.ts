import fc from 'fast-check';
import { storageKeyToId } from './storageKey';

const validId = (id: string) => id.length > 0 && Buffer.byteLength(id, 'utf8') <= 255 && !/[/\\?#]/.test(id) && !id.endsWith(' ');

describe('storageKeyToId', () => {
  it('leaves ordinary keys readable', () => {
    expect(storageKeyToId('msteams/conversations/a:1abc')).toBe('msteams%2Fconversations%2Fa:1abc');
  });

  it('gives the same id for the same key every time (no salt)', () => {
    const key = 'x'.repeat(300);
    expect(storageKeyToId(key)).toBe(storageKeyToId(key));
  });

  it('shortens long keys to a valid id that still tells them apart', () => {
    const a = `${'k'.repeat(299)}a`;
    const b = `${'k'.repeat(299)}b`;
    expect(validId(storageKeyToId(a))).toBe(true);
    expect(storageKeyToId(a)).not.toBe(storageKeyToId(b));
  });

  it('maps every key to a valid id, and different keys to different ids', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }), (a, b) => {
        expect(validId(storageKeyToId(a))).toBe(true);
        if (a !== b) expect(storageKeyToId(a)).not.toBe(storageKeyToId(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('does not confuse a key with its own encoding', () => {
    expect(storageKeyToId('a/b')).not.toBe(storageKeyToId('a%2Fb'));
  });
});

import { createHash } from 'node:crypto';

/**
 * Maps any botbuilder storage key to a valid Cosmos item id, deterministically and reversibly in
 * practice: the characters Cosmos forbids in ids (/ \ ? #), '%' itself and control characters are
 * percent-encoded; a result longer than Cosmos allows is shortened to a readable prefix plus the
 * SHA-256 of the whole key. The original key is stored beside the state and checked on every read.
 */
const MAX_ID_BYTES = 250;
const PREFIX_CHARS = 120;

export function storageKeyToId(key: string): string {
  // eslint-disable-next-line no-control-regex
  const encoded = key.replace(/[%/\\?#\u0000-\u001f\u007f]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
  if (encoded.length > 0 && Buffer.byteLength(encoded, 'utf8') <= MAX_ID_BYTES && !encoded.endsWith(' ')) {
    return encoded;
  }
  const digest = createHash('sha256').update(key, 'utf8').digest('hex');
  return `${Array.from(encoded).slice(0, PREFIX_CHARS).join('').trimEnd()}~${digest}`;
}

import { channelRoot, classifySendError, parseRetryAfter, SendError } from './sender';

/** A stand-in for the connector's RestError: a status, a service code, headers with get(), and a message we must never use. */
function restError(statusCode: number | undefined, headers: Record<string, string> = {}, code?: string) {
  return Object.assign(new Error('text that could quote a person'), {
    name: 'RestError',
    statusCode,
    code,
    response: { status: statusCode, headers: { get: (name: string) => headers[name.toLowerCase()] } },
  });
}

describe('classifySendError', () => {
  it('retries a 429 after the Retry-After the service gave', () => {
    const error = classifySendError(restError(429, { 'retry-after': '7' }, 'Throttled'));
    expect(error).toMatchObject({ kind: 'retryable', code: 'http-429', status: 429, retryAfterMs: 7000 });
  });

  it('retries 5xx, 408, timeouts and network errors soon', () => {
    expect(classifySendError(restError(503))).toMatchObject({ kind: 'retryable', code: 'http-503', retryAfterMs: undefined });
    expect(classifySendError(restError(500))).toMatchObject({ kind: 'retryable', code: 'http-500' });
    expect(classifySendError(restError(408))).toMatchObject({ kind: 'retryable', code: 'http-408' });
    expect(classifySendError(Object.assign(new Error('x'), { name: 'AbortError' }))).toMatchObject({ kind: 'retryable', code: 'timeout' });
    expect(classifySendError(Object.assign(new Error('x'), { name: 'RestError', code: 'ECONNREFUSED' }))).toMatchObject({
      kind: 'retryable',
      code: 'network-econnrefused',
    });
    expect(classifySendError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toMatchObject({ kind: 'retryable', code: 'network-econnreset' });
    expect(classifySendError('something odd')).toMatchObject({ kind: 'retryable', code: 'unknown' });
  });

  it('leaves 401, 403 and 404 (bot removed or blocked) for much later', () => {
    for (const status of [401, 403, 404]) {
      expect(classifySendError(restError(status, {}, 'BotNotInConversationRoster'))).toMatchObject({ kind: 'later', code: `http-${status}`, status });
    }
  });

  it('never carries the error message, only a short code', () => {
    const error = classifySendError(restError(502));
    expect(error.message).not.toContain('quote');
    expect(error.code).toMatch(/^[a-z0-9-]+$/);
    expect(classifySendError(error)).toBe(error);
    expect(error).toBeInstanceOf(SendError);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds or an HTTP date, never negative, capped at an hour', () => {
    const now = Date.parse('2026-01-05T10:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Mon, 05 Jan 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 05 Jan 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999', now)).toBe(3600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('channelRoot', () => {
  it('drops the thread from a channel conversation id so that posts start a new thread', () => {
    expect(channelRoot('19:abc@thread.tacv2;messageid=1712345678901')).toBe('19:abc@thread.tacv2');
    expect(channelRoot('19:abc@thread.tacv2')).toBe('19:abc@thread.tacv2');
  });
});

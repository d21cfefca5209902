import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Never pass message text, card answers or anything a person typed: log ids,
 * stages, levels and timings only. Errors are logged through `errorFields`, which keeps the stack frames
 * but not the message (a message can quote input).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'coaching-bot' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const frames = (err.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 12);
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  return { name: err.name, code, statusCode, frames };
}

export type { Logger };

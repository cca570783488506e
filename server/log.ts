import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { config } from './config';

/**
 * The request being served: every log line written inside it carries its id (reqId). Kept on
 * globalThis, like the logger, because the server bundle may hold several copies of this module
 * (instrumentation, routes) and they must share one store.
 */
const g = globalThis as unknown as { __deeperLog?: pino.Logger; __deeperRequestContext?: AsyncLocalStorage<{ reqId: string }> };
const requestContext = (g.__deeperRequestContext ??= new AsyncLocalStorage<{ reqId: string }>());

/** The logger; tests pass a destination stream and level to read what it writes. */
export function createLogger(destination?: pino.DestinationStream, level = config.logLevel): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'deeper' },
    // Adds the current request's id to every line logged while serving that request.
    mixin: () => {
      const store = requestContext.getStore();
      return store ? { reqId: store.reqId } : {};
    },
    redact: ['password', '*.password', 'token', '*.token', 'req.headers.cookie'],
  };
  if (destination) return pino(options, destination);
  // Readable lines in development, JSON (one object per line) in production and tests.
  if (process.env.NODE_ENV === 'development' && !process.env.LOG_JSON) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(options);
}

export const log: pino.Logger = (g.__deeperLog ??= createLogger());

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id: the caller's x-request-id when it is sane, else a new UUID. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get('x-request-id');
  return given && REQUEST_ID_RE.test(given) ? given : randomUUID();
}

/** Runs `fn` with `reqId` attached to all its log lines. */
export function withRequestId<T>(reqId: string, fn: () => T): T {
  return requestContext.run({ reqId }, fn);
}

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.reqId;
}

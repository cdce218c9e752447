import type { Options } from 'pino-http';
import type { AppConfig } from '../config/config';
import { traceLogFields } from '../tracing/current-trace';
import { maskMdnsDeep, maskMdnsInText } from './mask';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["webhook-signature"]',
  'req.headers["x-api-key"]',
  '*.password',
  '*.token',
  '*.secret',
];

/** The root logger every line goes through (nestjs-pino builds it with pino-http). */
export function loggerOptions(config: Pick<AppConfig, 'env' | 'logLevel'>): Options {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The trace being worked for (a request's, or a stored intent's in the reconciler).
    mixin: traceLogFields,
    formatters: { log: (object) => maskMdnsDeep(object) as Record<string, unknown> },
    // An error's message can quote a number (a database key, a carrier's answer), and
    // the log formatter leaves errors alone: mask the serialized form instead.
    serializers: { err: (serialized: unknown) => maskMdnsDeep(serialized) },
    hooks: {
      // Messages are text the formatter never sees.
      logMethod(args, method) {
        const masked = args.map((arg: unknown) => (typeof arg === 'string' ? maskMdnsInText(arg) : arg));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
    // The access log is ours (access-log.ts): pino-http must not add a second line.
    autoLogging: false,
    transport:
      config.env === 'development'
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
        : undefined,
  };
}

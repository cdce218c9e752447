import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { maskMdnsDeep } from './mask';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["webhook-signature"]',
  'req.headers["x-api-key"]',
  '*.password',
  '*.token',
  '*.secret',
];

/** Probes and scrapes arrive every few seconds and would drown the request log. */
const isProbeOrScrape = (req: IncomingMessage) => /^\/(health|metrics)(\/|\?|$)/.test(req.url ?? '');

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          formatters: { log: (object) => maskMdnsDeep(object) as Record<string, unknown> },
          // Fastify assigns the id (see app.ts); this only falls back when it has not.
          genReqId: (req) => (req as { id?: string }).id ?? randomUUID(),
          autoLogging: { ignore: isProbeOrScrape },
          transport:
            config.env === 'development'
              ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
              : undefined,
        },
        // Lines logged inside a request carry only its id, not the whole request again.
        quietReqLogger: true,
      }),
    }),
  ],
})
export class LoggingModule {}

import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { writeAccessLog } from './access-log';
import { loggerOptions } from './logger-options';
import { openRequestLogContext } from './request-log-context';

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: loggerOptions(config),
        // No pino-http middleware: on Fastify its default route ("{/*splat}") becomes
        // "/{/*splat}" in @fastify/middie, which matches "/" alone, so it logged and
        // bound request ids for almost nothing. Fastify hooks do both jobs below.
        forRoutes: [],
      }),
    }),
  ],
})
export class LoggingModule {
  /**
   * Hooks are added here rather than in onModuleInit: Fastify runs onRequest hooks in
   * the order they were added, and the request's log context has to open before any
   * other hook (Nest middleware, authentication) logs or refuses the request.
   */
  constructor(adapterHost: HttpAdapterHost, logger: PinoLogger) {
    const fastify = adapterHost.httpAdapter.getInstance<FastifyInstance>();
    openRequestLogContext(fastify, logger);
    writeAccessLog(fastify, PinoLogger.root.child({ context: 'AccessLog' }));
  }
}

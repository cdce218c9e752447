import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { mountEventContracts } from './http/event-contracts';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { SystemClock, type Clock } from './common/clock';
import type { AppConfig } from './config/config';
import { openDatabase } from './database/database';
import { installEdgeChecks } from './http/edge';
import { attachSimulator, startSimulator } from './simulator/embedded-simulator';

export const MAX_BODY_BYTES = 64 * 1024;

export interface AppOverrides {
  /** Tests move time with a manual clock. */
  clock?: Clock;
}

/** Builds the whole application; main.ts and the e2e tests both start it this way. */
export async function createApp(
  config: AppConfig,
  overrides: AppOverrides = {},
): Promise<NestFastifyApplication> {
  const bootLogger = bootLog(config);
  const simulator = config.carriers.simulator ? await startSimulator(config) : undefined;
  if (simulator) {
    config = simulator.config;
    bootLogger.info(`Carrier simulator on ${simulator.instance.url} (development only)`);
  }
  const database = await openDatabase(config.database, bootLogger);
  try {
    const adapter = new FastifyAdapter({
      bodyLimit: MAX_BODY_BYTES,
      forceCloseConnections: 'idle',
      requestIdHeader: false,
      genReqId: requestId,
      // `//v1/users` is the same route as `/v1/users`, so it meets the same checks.
      routerOptions: { ignoreDuplicateSlashes: true },
    });
    const edge = installEdgeChecks(adapter.getInstance());
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config, database, overrides.clock ?? new SystemClock()),
      adapter,
      // Webhook signatures are over the exact bytes received.
      { bufferLogs: true, rawBody: true },
    );
    app.useLogger(app.get(Logger));
    if (simulator) attachSimulator(app, simulator.instance);
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', async (request, reply) => {
        reply.header('x-request-id', request.id);
      });
    if (config.http.docsEnabled) edge.publicRoutes(() => mountOpenApi(app));
    return app;
  } catch (error) {
    await database.close();
    await simulator?.instance.stop();
    throw error;
  }
}

/**
 * A caller's x-request-id is kept when it looks like an id (so it cannot inject text into
 * logs), otherwise a new one is made.
 */
function requestId(req: IncomingMessage | Http2ServerRequest): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
}

/**
 * Stops taking requests and lets in-flight ones finish, then closes the modules (the
 * database last). Nest's own shutdown hooks close modules before the HTTP server and
 * re-raise the signal, so the exit code would not be 0.
 */
export async function shutdown(app: NestFastifyApplication): Promise<void> {
  await app.getHttpAdapter().getInstance().close();
  await app.close();
}

function mountOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('mdn-provisioning')
      .setDescription('MDN provisioning per user and carrier network')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  mountEventContracts(app.getHttpAdapter().getInstance());
}

/** Before Nest's logger exists, start-up messages go out as plain JSON lines. */
function bootLog(config: AppConfig) {
  const write = (level: string, message: string, error?: unknown) => {
    if (config.logLevel === 'silent') return;
    const line = {
      level,
      time: new Date().toISOString(),
      context: 'Bootstrap',
      msg: message,
      err: error instanceof Error ? error.message : undefined,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  return {
    info: (message: string) => write('info', message),
    error: (message: string, error?: unknown) => write('error', message, error),
  };
}

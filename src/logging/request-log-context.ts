import type { FastifyInstance } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';

/**
 * Every line logged while a request is handled carries its id (`reqId`): nestjs-pino's
 * loggers read it from an AsyncLocalStorage store that this opens in an onRequest hook,
 * so hooks that refuse a request early (authentication) log with it too. Fastify keeps
 * the store across body parsing itself, on to the handler and the exception filter.
 */
export function openRequestLogContext(fastify: FastifyInstance, logger: PinoLogger): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    logger.runInContext(done, { bindings: { reqId: request.id } });
  });
}

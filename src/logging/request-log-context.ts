import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import { runInTrace } from '../tracing/current-trace';
import { continueTrace, type TraceContext } from '../tracing/trace-context';

/** A request carries the trace it works for (its caller's `traceparent`, or one begun here). */
export type TracedRequest = FastifyRequest & { trace?: TraceContext };

/**
 * Every line logged while a request is handled carries its id (`reqId`): nestjs-pino's
 * loggers read it from an AsyncLocalStorage store that this opens in an onRequest hook,
 * so hooks that refuse a request early (authentication) log with it too. Fastify keeps
 * the store across body parsing itself, on to the handler and the exception filter.
 * The request's trace (W3C `traceparent`) is opened the same way, in the same hook: log
 * lines get `traceId` and `spanId` from it (loggerOptions' mixin), outbound calls and
 * outbox rows its `traceparent`.
 */
export function openRequestLogContext(fastify: FastifyInstance, logger: PinoLogger): void {
  fastify.addHook('onRequest', (request: TracedRequest, _reply, done) => {
    const trace = continueTrace(request.headers.traceparent, request.headers.tracestate);
    request.trace = trace;
    runInTrace(trace, () => logger.runInContext(done, { bindings: { reqId: request.id } }));
  });
}

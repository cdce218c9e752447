import { AsyncLocalStorage } from 'node:async_hooks';
import { childSpan, continueTrace, formatTraceparent, type TraceContext } from './trace-context';

/**
 * The trace the code now running works for, carried across awaits by AsyncLocalStorage:
 * a request's (opened in its first onRequest hook), or a stored intent's while the
 * reconciler carries it out. Logs, outbound calls and outbox rows read it from here.
 */
const storage = new AsyncLocalStorage<TraceContext>();

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** Runs `work` for `trace`; undefined runs it for no trace (work that is nobody's request). */
export function runInTrace<T>(trace: TraceContext | undefined, work: () => T): T {
  return trace ? storage.run(trace, work) : storage.exit(work);
}

/**
 * Runs `work` in the trace stored with it (`traceparent` as written by storedTraceparent),
 * as a new span of that trace; with nothing stored, for no trace.
 */
export function runInStoredTrace<T>(traceparent: string | null | undefined, work: () => T): T {
  return runInTrace(traceparent ? continueTrace(traceparent) : undefined, work);
}

/** Headers for an outbound call: a span of its own, child of ours. Empty outside a trace. */
export function outboundTraceHeaders(): Record<string, string> {
  const trace = storage.getStore();
  if (!trace) return {};
  const call = childSpan(trace);
  return call.traceState
    ? { traceparent: formatTraceparent(call), tracestate: call.traceState }
    : { traceparent: formatTraceparent(call) };
}

/** The `traceparent` to store beside work or an event written now (null outside a trace). */
export function storedTraceparent(): string | null {
  const trace = storage.getStore();
  return trace ? formatTraceparent(trace) : null;
}

/** What every log line carries while a trace is current (pino's mixin). */
export function traceLogFields(): { traceId?: string; spanId?: string } {
  const trace = storage.getStore();
  return trace ? { traceId: trace.traceId, spanId: trace.spanId } : {};
}

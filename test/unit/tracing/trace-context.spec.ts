import {
  currentTrace,
  outboundTraceHeaders,
  runInStoredTrace,
  runInTrace,
  storedTraceparent,
} from '../../../src/tracing/current-trace';
import { continueTrace, formatTraceparent, parseTraceparent } from '../../../src/tracing/trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('parseTraceparent (W3C Trace Context)', () => {
  it.each([
    [`00-${TRACE}-${PARENT}-01`, '01'],
    [`00-${TRACE}-${PARENT}-00`, '00'],
    // Only the sampled bit is defined in version 00: the others are not passed on.
    [`00-${TRACE}-${PARENT}-03`, '01'],
    [`00-${TRACE}-${PARENT}-fe`, '00'],
    // A later version may append fields; its first four still read as version 00's.
    [`01-${TRACE}-${PARENT}-01-whatever`, '01'],
    [`cc-${TRACE}-${PARENT}-01`, '01'],
  ])('reads %s', (header, flags) => {
    expect(parseTraceparent(header)).toEqual({ traceId: TRACE, parentId: PARENT, flags });
  });

  it.each([
    ['missing', undefined],
    ['not text', 42],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['version 00 with more fields', `00-${TRACE}-${PARENT}-01-extra`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['a long parent id', `00-${TRACE}-${PARENT}0-01`],
    ['other separators', `00_${TRACE}_${PARENT}_01`],
    ['a huge header', `00-${TRACE}-${PARENT}-01-${'x'.repeat(600)}`],
  ])('ignores %s', (_case, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });
});

describe('continueTrace', () => {
  it("keeps the caller's trace and flags, with a span of ours whose parent is the caller's", () => {
    const trace = continueTrace(`00-${TRACE}-${PARENT}-01`, 'vendor=abc');
    expect(trace).toMatchObject({
      traceId: TRACE,
      parentSpanId: PARENT,
      flags: '01',
      traceState: 'vendor=abc',
    });
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(PARENT);
    expect(formatTraceparent(trace)).toBe(`00-${TRACE}-${trace.spanId}-01`);
  });

  it('begins a new, unsampled trace when none (or a malformed one) came in', () => {
    for (const header of [undefined, 'garbage']) {
      const trace = continueTrace(header);
      expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(trace.parentSpanId).toBeUndefined();
      expect(trace.flags).toBe('00');
      expect(parseTraceparent(formatTraceparent(trace))).toBeDefined();
    }
    expect(continueTrace(undefined).traceId).not.toBe(continueTrace(undefined).traceId);
  });

  it('drops a tracestate it cannot pass on safely', () => {
    expect(continueTrace(`00-${TRACE}-${PARENT}-01`, 'a=1\nb=2').traceState).toBeUndefined();
    expect(continueTrace(`00-${TRACE}-${PARENT}-01`, 'x'.repeat(513)).traceState).toBeUndefined();
  });
});

describe('the current trace', () => {
  const trace = continueTrace(`00-${TRACE}-${PARENT}-01`, 'vendor=abc');

  it('is carried across awaits, and absent outside', async () => {
    expect(currentTrace()).toBeUndefined();
    expect(outboundTraceHeaders()).toEqual({});
    expect(storedTraceparent()).toBeNull();
    await runInTrace(trace, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(currentTrace()).toBe(trace);
      expect(storedTraceparent()).toBe(formatTraceparent(trace));
    });
  });

  it('gives each outbound call a span of its own in the same trace', () => {
    runInTrace(trace, () => {
      const first = outboundTraceHeaders();
      const second = outboundTraceHeaders();
      expect(parseTraceparent(first.traceparent)).toMatchObject({ traceId: TRACE, flags: '01' });
      expect(first.traceparent).not.toBe(second.traceparent);
      expect(first.traceparent).not.toContain(trace.spanId);
      expect(first.tracestate).toBe('vendor=abc');
    });
  });

  it('leaves a trace: work for no trace sees none', () => {
    runInTrace(trace, () => runInTrace(undefined, () => expect(currentTrace()).toBeUndefined()));
  });

  it("runs stored work in its intent's trace, as a new span", () => {
    const stored = formatTraceparent(trace);
    runInStoredTrace(stored, () => {
      expect(currentTrace()).toMatchObject({ traceId: TRACE, parentSpanId: trace.spanId });
    });
    runInTrace(trace, () => runInStoredTrace(null, () => expect(currentTrace()).toBeUndefined()));
  });
});

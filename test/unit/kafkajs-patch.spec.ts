import { createRequire } from 'node:module';

/** kafkajs's per-connection request queue: internal, so typed here as far as used. */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const RequestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue') as RequestQueueClass;
const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const aQueue = () =>
  new RequestQueue({
    maxInFlightRequests: 5,
    requestTimeout: 30_000,
    clientId: 'test',
    broker: 'b:9092',
    logger,
  });

// kafkajs 2.2.4 scheduled a check with a negative delay whenever nothing was pending:
// a 1 ms timer loop on every idle connection (about 3 % of a core each) and Node 24's
// TimeoutNegativeWarning. patches/kafkajs+2.2.4.patch stops it; npm install applies it.
describe('kafkajs request queue, as patched', () => {
  it('schedules nothing when nothing is pending and nothing throttles', () => {
    const queue = aQueue();
    queue.scheduleCheckPendingRequests();
    const scheduled = queue.throttleCheckTimeoutId !== null;
    queue.destroy(); // unpatched, the loop would otherwise keep the test process alive
    expect(scheduled).toBe(false);
  });

  it('still checks again for pending requests, and when a throttle ends', () => {
    const pending = aQueue();
    pending.pending.push({});
    pending.scheduleCheckPendingRequests();
    const checksPending = pending.throttleCheckTimeoutId !== null;
    pending.destroy();

    const throttled = aQueue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    const checksAfterThrottle = throttled.throttleCheckTimeoutId !== null;
    throttled.destroy();

    expect({ checksPending, checksAfterThrottle }).toEqual({
      checksPending: true,
      checksAfterThrottle: true,
    });
  });
});

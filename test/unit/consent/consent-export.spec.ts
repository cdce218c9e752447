import { Writable } from 'node:stream';
import { exportConsentLedger } from '../../../src/consent/consent-export';
import type { ConsentEntry } from '../../../src/consent/domain/consent-entry';

/** Pages of entries as the repository gives them, `pages` full pages in all. */
function ledgerOf(pages: number, pageSize = 2_000) {
  const entry = (id: number) =>
    ({
      id: BigInt(id),
      organizationId: 'o',
      userId: 'u',
      lineId: 'l',
      mdnHash: 'h',
      kind: 'TEXT_SENT',
      source: 'SYSTEM',
      occurredAt: new Date(0),
      recordedAt: new Date(0),
      messageText: 'Reply YES to allow capture. Reply STOP to opt out.',
      prevHash: null,
      hash: 'x',
    }) as unknown as ConsentEntry;
  return {
    page: (_filter: unknown, after: bigint) => {
      const start = Number(after);
      if (start >= pages * pageSize) return Promise.resolve([]);
      return Promise.resolve(Array.from({ length: pageSize }, (_, i) => entry(start + i + 1)));
    },
  };
}

/** A sink that takes each write a moment later: the writer waits for 'drain' on every page. */
class SlowSink extends Writable {
  bytes = 0;
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    setImmediate(done);
  }
}

describe('the consent ledger export into a slow sink', () => {
  it('waits for the sink page by page and leaves no listener behind', async () => {
    const sink = new SlowSink();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const count = await exportConsentLedger(ledgerOf(30), {}, 'csv', sink);
      expect(count).toBe(60_000);
      // Without removing the losing 'close' (or 'drain') listener, each wait left one:
      // 30 waits here, and MaxListenersExceededWarning past 10.
      expect(sink.listenerCount('close')).toBeLessThanOrEqual(1);
      expect(sink.listenerCount('error')).toBeLessThanOrEqual(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

import { Logger } from '@nestjs/common';
import type { DatabaseFault, ProbeFailureReason } from '../../../src/database/database-fault';
import { DatabaseOutage } from '../../../src/database/database-outage';
import type { DatabaseService } from '../../../src/database/database.service';

const unreachable: DatabaseFault = {
  reason: 'unreachable',
  detail: 'DatabaseNotReachable at 127.0.0.1:5432',
};

/** A database whose probe answers what the test says; the real one is exercised in e2e. */
function fakeDatabase() {
  const database = {
    answer: unreachable as DatabaseFault<ProbeFailureReason> | undefined,
    probes: 0,
    probe: () => {
      database.probes += 1;
      return Promise.resolve(database.answer);
    },
  };
  return database;
}

describe('DatabaseOutage', () => {
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  let database: ReturnType<typeof fakeDatabase>;
  let outage: DatabaseOutage;

  beforeEach(() => {
    jest.useFakeTimers();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    database = fakeDatabase();
    outage = new DatabaseOutage(database as unknown as DatabaseService);
  });
  afterEach(() => {
    outage.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('logs once when it starts and once when the database answers, with the count and duration', async () => {
    outage.noticed(unreachable);
    for (let i = 0; i < 3; i++) outage.refused(unreachable);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toEqual({ reason: 'unreachable', detail: unreachable.detail });

    await jest.advanceTimersByTimeAsync(3_000);
    expect(database.probes).toBe(3);
    expect(outage.ongoing).toBe(true);
    expect(log).not.toHaveBeenCalled();

    database.answer = undefined;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(outage.ongoing).toBe(false);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toEqual({ refused: 3, downForMs: 4_000 });

    // Probing stopped with the outage.
    await jest.advanceTimersByTimeAsync(5_000);
    expect(database.probes).toBe(4);
  });

  it('starts a new outage, counted afresh, after one has ended', async () => {
    outage.refused(unreachable);
    database.answer = undefined;
    await jest.advanceTimersByTimeAsync(1_000);
    database.answer = unreachable;
    outage.refused(unreachable);
    expect(warn).toHaveBeenCalledTimes(2);
    database.answer = undefined;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(log.mock.calls.map((call) => (call[0] as { refused: number }).refused)).toEqual([1, 1]);
  });

  it('stops probing on module destroy, and starts none after it', async () => {
    outage.refused(unreachable);
    expect(jest.getTimerCount()).toBe(1);
    outage.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
    outage.noticed(unreachable);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(database.probes).toBe(0);
  });
});

import { startApiApp } from '../support/app';
import { importAndWait } from '../support/tasks';
import { idleLiveness, watchingLiveness } from '../support/liveness';
import { emptyRowsSheet, farColumnSheet, workbookWithSheet } from '../support/xlsx-bombs';

const MiB = 1024 * 1024;

/**
 * The most a hostile workbook may add to `/health/live`'s slowest answer, beside the same
 * probing with nothing to read. On an idle machine the baseline is a few ms, and the old
 * code held the event loop for 52 s. The bound sits far from both: with the reading
 * worker on one of CI's two cores and other test files on the other, a sound run once
 * answered in 102.7 ms, so 100 ms failed a run for the machine's load, not the code.
 */
const LIVE_WITHIN_MS = 500;

describe('user import of hostile workbooks', () => {
  let api: Awaited<ReturnType<typeof startApiApp>>;

  beforeAll(async () => {
    api = await startApiApp();
  });
  afterAll(() => api.stopAll());

  /**
   * Uploads `file` while watching liveness until its import task has finished: the
   * refusal is the task's failure, naming the limit; the timings cover the reading.
   */
  const uploadWatched = async (file: Buffer) => {
    const idleMs = await idleLiveness(api.baseUrl);
    const watched = await watchingLiveness(api.baseUrl, async () => {
      const started = performance.now();
      const { task } = await importAndWait(api.baseUrl, file);
      return { state: task.state, error: task.error ?? '', tookMs: performance.now() - started };
    });
    return { ...watched, slowestMs: watched.slowestMs - idleMs };
  };

  it('refuses a zip bomb by the sizes it declares: a failed task naming the limit, liveness unharmed', async () => {
    // Its sheet says it inflates to 200 MiB, past the import's 128: refused before inflating.
    const bomb = workbookWithSheet(emptyRowsSheet(MiB), { declaredSize: 200 * MiB });
    expect(bomb.length).toBeLessThan(256 * 1024);
    const { result, slowestMs, probes } = await uploadWatched(bomb);
    expect(result).toMatchObject({
      state: 'FAILED',
      error: 'the workbook expands to more than 128 MiB (limit)',
    });
    expect(probes).toBeGreaterThan(0);
    expect(slowestMs).toBeLessThan(LIVE_WITHIN_MS);
  });

  it('refuses a bomb whose headers lie about its size, by what it really inflates to', async () => {
    // The sheet claims 1 MiB (fine) and leaves its size out of the local header, as a
    // streaming writer does; it really inflates to 64 MiB.
    const liar = workbookWithSheet(emptyRowsSheet(64 * MiB), { declaredSize: MiB, streamed: true });
    const { result, slowestMs } = await uploadWatched(liar);
    expect(result.state).toBe('FAILED');
    expect(result.error).toMatch(/^xl\/worksheets\/sheet1\.xml expands more than 100 times \(limit\)$/);
    expect(slowestMs).toBeLessThan(LIVE_WITHIN_MS);
  });

  it('stops a sheet that passes every zip limit but would abort the process that reads it', async () => {
    // Half a KiB, sizes true, with one cell in column ZZZZZZZ: the reader grows one row
    // to billions of cells, which V8 cannot survive, even in a worker thread.
    const file = workbookWithSheet(farColumnSheet('ZZZZZZZ'));
    expect(file.length).toBeLessThan(4096);
    const { result, slowestMs } = await uploadWatched(file);
    expect(result.state).toBe('FAILED');
    expect(result.error).toMatch(
      /^reading the workbook (needs more than \d+ MiB of memory|takes more than \d+ s) \(limit\)$/,
    );
    expect(slowestMs).toBeLessThan(LIVE_WITHIN_MS);
    expect((await fetch(`${api.baseUrl}/health/live`)).status).toBe(200);
  });
});

import { XLSX_MIME } from '../../src/user-import/users-workbook';
import { startApiApp } from '../support/app';
import { idleLiveness, watchingLiveness } from '../support/liveness';
import { TEST_TOKENS } from '../support/tokens';
import { emptyRowsSheet, farColumnSheet, workbookWithSheet } from '../support/xlsx-bombs';

const MiB = 1024 * 1024;

/**
 * The most a hostile workbook may add to `/health/live`'s slowest answer, beside the same
 * probing with nothing to read (on an idle machine that baseline is a few ms; the old
 * code held the event loop for 52 s).
 */
const LIVE_WITHIN_MS = 100;

describe('user import of hostile workbooks', () => {
  let api: Awaited<ReturnType<typeof startApiApp>>;

  beforeAll(async () => {
    api = await startApiApp();
  });
  afterAll(() => api.stopAll());

  /** Uploads `file` while watching liveness; the refusal's status, body and timings. */
  const uploadWatched = async (file: Buffer) => {
    const idleMs = await idleLiveness(api.baseUrl);
    const watched = await watchingLiveness(api.baseUrl, async () => {
      const started = performance.now();
      const response = await fetch(`${api.baseUrl}/v1/users/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKENS.admin}`, 'content-type': XLSX_MIME },
        body: file,
      });
      const body = (await response.json()) as { error: string; message: string };
      return { status: response.status, body, tookMs: performance.now() - started };
    });
    return { ...watched, slowestMs: watched.slowestMs - idleMs };
  };

  it('refuses a zip bomb by the sizes it declares: 413 naming the limit, liveness unharmed', async () => {
    const bomb = workbookWithSheet(emptyRowsSheet(64 * MiB));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const { result, slowestMs, probes } = await uploadWatched(bomb);
    expect(result.status).toBe(413);
    expect(result.body).toEqual({
      error: 'payload_too_large',
      message: 'the workbook expands to more than 50 MiB (limit)',
    });
    expect(probes).toBeGreaterThan(0);
    expect(slowestMs).toBeLessThan(LIVE_WITHIN_MS);
  });

  it('refuses a bomb whose headers lie about its size, by what it really inflates to', async () => {
    // The sheet claims 1 MiB (fine) and leaves its size out of the local header, as a
    // streaming writer does; it really inflates to 64 MiB.
    const liar = workbookWithSheet(emptyRowsSheet(64 * MiB), { declaredSize: MiB, streamed: true });
    const { result, slowestMs } = await uploadWatched(liar);
    expect(result.status).toBe(413);
    expect(result.body.message).toMatch(
      /^xl\/worksheets\/sheet1\.xml expands more than 100 times \(limit\)$/,
    );
    expect(slowestMs).toBeLessThan(LIVE_WITHIN_MS);
  });

  it('stops a sheet that passes every zip limit but would abort the process that reads it', async () => {
    // Half a KiB, sizes true, with one cell in column ZZZZZZZ: the reader grows one row
    // to billions of cells, which V8 cannot survive, even in a worker thread.
    const file = workbookWithSheet(farColumnSheet('ZZZZZZZ'));
    expect(file.length).toBeLessThan(4096);
    const { result, slowestMs } = await uploadWatched(file);
    expect(result.status).toBe(413);
    expect(result.body.message).toMatch(
      /^reading the workbook (needs more than \d+ MiB of memory|takes more than \d+ s) \(limit\)$/,
    );
    expect(slowestMs).toBeLessThan(LIVE_WITHIN_MS);
    expect((await fetch(`${api.baseUrl}/health/live`)).status).toBe(200);
  });
});

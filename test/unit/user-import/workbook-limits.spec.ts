import writeXlsxFile from 'write-excel-file/node';
import { PayloadTooLargeError, ValidationFailedError } from '../../../src/common/errors/domain-error';
import { WORKBOOK_LIMITS, type WorkbookLimits } from '../../../src/user-import/workbook-limits';
import { readFirstSheet } from '../../../src/user-import/users-workbook';
import {
  emptyRowsSheet,
  farColumnSheet,
  farRowSheet,
  SHEET_PATH,
  workbookWithSheet,
  zipArchive,
} from '../../support/xlsx-bombs';

// These run the real reader process: from src/, by Node's type stripping (see sheet-reader.ts).
const KiB = 1024;
const MiB = 1024 * KiB;
const ONE_USER = [
  ['First Name', 'Last Name', 'Login', 'Mobile Phone number', 'Email Address'],
  ['Ada', 'Lovelace', 'ada', '+12015550123', 'ada@example.com'],
];

const limits = (overrides: Partial<WorkbookLimits>) => ({ ...WORKBOOK_LIMITS, ...overrides });

async function refusal(file: Buffer, overrides: Partial<WorkbookLimits> = {}) {
  const error = await readFirstSheet(file, limits(overrides)).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error instanceof PayloadTooLargeError) return { status: 413, message: error.message };
  if (error instanceof ValidationFailedError) return { status: 400, message: error.problems[0].reason };
  throw new Error(`expected a refusal, got ${String(error)}`);
}

describe('reading an uploaded workbook within limits', () => {
  it('reads a workbook as Excel writers make it, and one written by a streaming zip writer', async () => {
    expect(await readFirstSheet(await writeXlsxFile(ONE_USER).toBuffer())).toEqual(ONE_USER);
    expect(await readFirstSheet(workbookWithSheet(emptyRowsSheet(0), { streamed: true }))).toEqual(ONE_USER);
  });

  it('refuses a zip of more entries than the limit, before inflating any', async () => {
    expect(await refusal(workbookWithSheet(emptyRowsSheet(0)), { maxEntries: 4 })).toEqual({
      status: 413,
      message: 'the workbook holds more than 4 files (limit)',
    });
  });

  it('refuses a workbook that declares more than the limit, in all', async () => {
    const file = workbookWithSheet(emptyRowsSheet(100 * KiB));
    expect(await refusal(file, { maxExpandedBytes: 64 * KiB })).toEqual({
      status: 413,
      message: 'the workbook expands to more than 64 KiB (limit)',
    });
  });

  it('refuses an entry that inflates more than the ratio allows, past the grace size', async () => {
    const file = workbookWithSheet(emptyRowsSheet(128 * KiB));
    expect(await refusal(file, { ratioGraceBytes: 64 * KiB })).toEqual({
      status: 413,
      message: `${SHEET_PATH} expands more than 100 times (limit)`,
    });
    expect((await readFirstSheet(file, limits({ maxSheetRows: 100_000 }))).slice(0, 2)).toEqual(ONE_USER);
  });

  it('holds the limits on what really inflates when the headers lie', async () => {
    const liar = workbookWithSheet(emptyRowsSheet(2 * MiB), { declaredSize: 10 * KiB, streamed: true });
    expect(await refusal(liar, { maxExpandedBytes: 256 * KiB, maxRatio: 10_000 })).toEqual({
      status: 413,
      message: 'the workbook expands to more than 256 KiB (limit)',
    });
    expect(await refusal(liar)).toEqual({
      status: 413,
      message: `${SHEET_PATH} expands more than 100 times (limit)`,
    });
    const small = workbookWithSheet(emptyRowsSheet(20 * KiB), { declaredSize: 10 * KiB });
    expect(await refusal(small)).toEqual({
      status: 400,
      message: `is not a readable .xlsx workbook (${SHEET_PATH} does not inflate to the size its zip header says)`,
    });
  });

  it('stops a sheet over the memory limit, and one over the time budget', async () => {
    expect(await refusal(workbookWithSheet(farRowSheet(50_000_000)), { maxHeapMb: 64 })).toEqual({
      status: 413,
      message: 'reading the workbook needs more than 64 MiB of memory (limit)',
    });
    expect(await refusal(workbookWithSheet(emptyRowsSheet(0)), { timeBudgetMs: 1 })).toEqual({
      status: 413,
      message: 'reading the workbook takes more than 0.001 s (limit)',
    });
  });

  it('sends back no more rows and cells than the limits, empty row ends cut off', async () => {
    const file = await writeXlsxFile([...ONE_USER, ['Grace']]).toBuffer();
    expect(await refusal(file, { maxSheetRows: 2 })).toEqual({
      status: 413,
      message: 'the sheet has more than 2 rows (limit)',
    });
    expect(await refusal(file, { maxSheetCells: 10 })).toEqual({
      status: 413,
      message: 'the sheet has more than 10 cells (limit)',
    });
    expect(await readFirstSheet(workbookWithSheet(farColumnSheet('ZZ')))).toEqual([
      ONE_USER[0],
      [...ONE_USER[1], ...Array<null>(26 * 27 - 6).fill(null), 'far'],
    ]);
    expect(await readFirstSheet(file, limits({ maxSheetRows: 3, maxSheetCells: 11 }))).toEqual([
      ...ONE_USER,
      ['Grace'],
    ]);
  });

  it('answers 400 for what is no zip, or a zip the reader cannot use', async () => {
    expect(await refusal(Buffer.from('not a zip at all'))).toEqual({
      status: 400,
      message: 'is not a readable .xlsx workbook (it is not a zip archive)',
    });
    const truncated = workbookWithSheet(emptyRowsSheet(0)).subarray(0, 200);
    expect((await refusal(truncated)).status).toBe(400);
    const noWorkbook = zipArchive([{ name: 'hello.txt', data: Buffer.from('hello') }]);
    expect(await refusal(noWorkbook)).toMatchObject({ status: 400 });
  });
});

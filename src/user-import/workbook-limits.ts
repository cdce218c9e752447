/**
 * What reading one uploaded workbook may cost, in one place. An upload is read only
 * within these bounds (see users-workbook.ts): past one, the import answers 413 naming it.
 */
export interface WorkbookLimits {
  /** Bytes all the zip's entries may inflate to, together. */
  maxExpandedBytes: number;
  /** Entries in the zip. */
  maxEntries: number;
  /** How many times its compressed size one entry may inflate to, once past `ratioGraceBytes`. */
  maxRatio: number;
  /** An entry may inflate this far whatever its ratio: a short, regular XML part compresses very well. */
  ratioGraceBytes: number;
  /** Wall time to read the sheet in its own process, the process's start included. */
  timeBudgetMs: number;
  /** That process's JavaScript heap (V8 old generation), in MiB. */
  maxHeapMb: number;
  /** Rows the sheet may have, blank ones between included. */
  maxSheetRows: number;
  /** Cells those rows may have, up to the last filled one of each row. */
  maxSheetCells: number;
}

const MiB = 1024 * 1024;

/**
 * Sized for the import, 1,000 users a file: their 7 columns are under 1 MiB of sheet XML,
 * some 40 KiB zipped, in a workbook of about 10 entries as Excel saves it.
 * - 50 MiB: what the largest upload the route takes (5 MiB today) expands to at the usual 10:1
 *   of spreadsheet XML, so a workbook that carries other sheets too still reads.
 * - 200 entries: some 90 sheets.
 * - 100 times, past 1 MiB: Apache POI's default (MIN_INFLATE_RATIO 0.01). Real sheets
 *   deflate 5 to 20 times; bombs get near deflate's 1,032.
 * - 10 s: 1,000 rows read in about 0.2 s, a 48 MiB sheet of 150,000 rows in 1.5 s.
 * - 256 MiB of heap: that 48 MiB sheet reads within 128; text outside Latin-1 takes two
 *   bytes a character in a JavaScript string, hence twice that.
 * - 10,000 rows of 20 cells: ten times the users a file may hold, and what the event loop
 *   copies in from the reader process in some 20 ms.
 */
export const WORKBOOK_LIMITS: WorkbookLimits = {
  maxExpandedBytes: 50 * MiB,
  maxEntries: 200,
  maxRatio: 100,
  ratioGraceBytes: 1 * MiB,
  timeBudgetMs: 10_000,
  maxHeapMb: 256,
  maxSheetRows: 10_000,
  maxSheetCells: 200_000,
};

/** `50 MiB`, `64 KiB` or `1000 bytes`, for a message that names a limit. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Sized for a background import of up to 100,000 users (MAX_IMPORT_ROWS): 6 columns of
 * them are 38 MiB of XML in a 3 MiB workbook, which the reader process reads in 3 s
 * within the same 256 MiB of heap (360 MB resident). It runs off the request, so it gets
 * more time; the ratio and entry limits stay, and the expanded size still stops a bomb
 * long before the reader sees it.
 */
export const IMPORT_WORKBOOK_LIMITS: WorkbookLimits = {
  ...WORKBOOK_LIMITS,
  maxExpandedBytes: 128 * MiB,
  timeBudgetMs: 120_000,
  maxSheetRows: 110_000,
  maxSheetCells: 2_200_000,
};

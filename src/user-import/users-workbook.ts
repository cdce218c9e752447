import writeXlsxFile from 'write-excel-file/node';
import { ERRORS_HEADER, IMPORT_COLUMNS, headerOf, type ImportField } from './import-columns';
import type { SheetCell } from './import-sheet';
import type { CheckedRow } from './import-users.usecase';
import { readSheetInChild } from './sheet-reader';
import { WORKBOOK_LIMITS, type WorkbookLimits } from './workbook-limits';
import { unpackWithinLimits } from './workbook-unpack';

export { XLSX_MIME } from './upload-format';

/**
 * The first sheet of an uploaded .xlsx file, as rows of cells, read within `limits`: a
 * zip bomb or a sheet too costly to read is a 413 naming the limit, a file that is no
 * workbook a 400. Inflating runs on the thread pool and parsing in another process, so
 * the event loop keeps serving meanwhile.
 */
export async function readFirstSheet(
  file: Buffer,
  limits: WorkbookLimits = WORKBOOK_LIMITS,
): Promise<SheetCell[][]> {
  return readSheetInChild(await unpackWithinLimits(file, limits), limits);
}

/** The file an administrator fills in: the header row, mandatory columns marked in a note sheet. */
export function templateWorkbook(): Promise<Buffer> {
  const header = IMPORT_COLUMNS.map((column) => ({ value: column.header, fontWeight: 'bold' as const }));
  const notes = IMPORT_COLUMNS.map((column) => [column.header, column.mandatory ? 'mandatory' : 'optional']);
  return writeXlsxFile([
    {
      sheet: 'Users',
      data: [header],
      columns: IMPORT_COLUMNS.map(() => ({ width: 24 })),
      stickyRowsCount: 1,
    },
    {
      sheet: 'Notes',
      data: [
        [
          { value: 'Column', fontWeight: 'bold' },
          { value: 'Required', fontWeight: 'bold' },
        ],
        ...notes,
        [],
        ['Mobile numbers: E.164 (+12015550123) or national (201-555-0123, taken as US).'],
        ['Network: verizon, att or tmobile; left empty, a carrier lookup finds it.'],
        ['Passwords are not kept by this service: a Password column is ignored.'],
      ],
      columns: [{ width: 28 }, { width: 12 }],
    },
  ]).toBuffer();
}

/** The rows as read, with an Errors column: what the console offers after a rejected import. */
export function errorsWorkbook(fields: ImportField[], rows: CheckedRow[]): Promise<Buffer> {
  const header = [...fields.map(headerOf), ERRORS_HEADER].map((value) => ({
    value,
    fontWeight: 'bold' as const,
  }));
  const data = rows.map((row) => [
    ...fields.map((field) => row.values[field] ?? null),
    row.errors.join('; '),
  ]);
  return writeXlsxFile([header, ...data], {
    sheet: 'Users',
    columns: [...fields.map(() => ({ width: 24 })), { width: 60 }],
    stickyRowsCount: 1,
  }).toBuffer();
}

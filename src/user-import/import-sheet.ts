import { IMPORT_COLUMNS, matchHeader, normalizeCell, type ImportField } from './import-columns';

/** A cell as the spreadsheet reader gives it. */
export type SheetCell = string | number | boolean | Date | null | undefined;

export interface ImportRow {
  /** The row's number in the file, as the spreadsheet shows it (the header is row 1). */
  rowNumber: number;
  values: Partial<Record<ImportField, string>>;
}

export type ParsedSheet =
  | {
      ok: true;
      /** The file's columns that were read, in its order. */ fields: ImportField[];
      rows: ImportRow[];
    }
  | { ok: false; problems: string[] };

/** The columns a sheet's header row names, by cell index; or what is wrong with it. */
export type SheetHeader =
  { ok: true; fields: ImportField[]; columns: Map<number, ImportField> } | { ok: false; problems: string[] };

/**
 * Reads the header row and the user rows of a sheet. Pure: the workbook's bytes are read
 * elsewhere. Blank rows are skipped; discarded columns (Password) never leave here.
 */
export function parseImportSheet(sheet: SheetCell[][], maxRows: number): ParsedSheet {
  const [headerRow = [], ...body] = sheet;
  const header = readHeader(headerRow);
  const rows = header.ok ? body.flatMap((cells, index) => toRow(cells, index + 2, header.columns) ?? []) : [];
  const problems = header.ok ? [] : [...header.problems];
  if (rows.length === 0 && problems.length === 0) problems.push(NO_USERS);
  if (rows.length > maxRows) problems.push(tooManyRows(rows.length, maxRows));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, fields: header.ok ? header.fields : [], rows };
}

export const NO_USERS = 'no users in the file';

export function tooManyRows(rows: number, maxRows: number): string {
  return `${rows} users; at most ${maxRows} per file`;
}

/** The columns of a header row: every problem with them named at once. */
export function readHeader(headerRow: SheetCell[]): SheetHeader {
  const headers = headerRow.map((cell) => cellText(cell));
  const columns = new Map<number, ImportField>();
  const problems: string[] = [];
  headers.forEach((header, index) => {
    if (header === '') return;
    const match = matchHeader(header);
    if ('field' in match) {
      if ([...columns.values()].includes(match.field)) problems.push(`column "${header}" appears twice`);
      columns.set(index, match.field);
    } else if ('unknown' in match) {
      problems.push(`unknown column "${header}"`);
    }
  });
  const present = new Set(columns.values());
  for (const column of IMPORT_COLUMNS) {
    if (column.mandatory && !present.has(column.field)) problems.push(`missing column "${column.header}"`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields: [...columns.values()], columns };
}

/** A sheet row as a user row; undefined when it is blank. */
export function toRow(
  cells: SheetCell[],
  rowNumber: number,
  columns: Map<number, ImportField>,
): ImportRow | undefined {
  const values: ImportRow['values'] = {};
  let filled = false;
  for (const [index, field] of columns) {
    const text = cellText(cells[index]);
    if (text !== '') {
      values[field] = normalizeCell(field, text);
      filled = true;
    }
  }
  return filled ? { rowNumber, values } : undefined;
}

/** Spreadsheets keep phone numbers as numbers and some text as dates: back to text. */
function cellText(cell: SheetCell): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return cell.toISOString();
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return String(cell).trim();
}

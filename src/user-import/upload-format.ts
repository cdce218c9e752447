import { UnsupportedMediaTypeError } from '../common/errors/domain-error';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_MIME = 'text/csv';
export const MULTIPART = 'multipart/form-data';

/** The body types the import route reads; an upload form carries either file in it. */
export const IMPORT_BODY_TYPES = [XLSX_MIME, CSV_MIME, 'application/csv', MULTIPART] as const;

/**
 * What the route reads to judge: also the .xls type, which Windows gives .csv files too;
 * formatOf answers the real .xls with a 415 naming IMPORT_BODY_TYPES.
 */
export const IMPORT_ROUTE_TYPES = [...IMPORT_BODY_TYPES, 'application/vnd.ms-excel'] as const;

export type ImportFormat = 'xlsx' | 'csv';

const ACCEPTED = 'an .xlsx workbook or a .csv file (UTF-8, comma or semicolon)';

/**
 * What an upload is, by its first bytes before its name or declared type: an .xlsx is a
 * zip; the old binary .xls is an OLE2 compound file, which this service does not read (415
 * naming what it does); anything else declared or named CSV is read as CSV.
 */
export function formatOf(file: Buffer, declaredType?: string, fileName?: string): ImportFormat {
  const name = fileName?.toLowerCase() ?? '';
  if (file.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'xlsx';
  const ole2 = file.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
  const labelledXls = declaredType === 'application/vnd.ms-excel' && !name.endsWith('.csv');
  if (ole2 || name.endsWith('.xls') || labelledXls) {
    throw new UnsupportedMediaTypeError(`The old binary .xls format is not read: send ${ACCEPTED}`, {
      accepted: IMPORT_BODY_TYPES,
    });
  }
  if (declaredType === XLSX_MIME || name.endsWith('.xlsx')) return 'xlsx';
  if (declaredType === CSV_MIME || declaredType === 'application/csv' || name.endsWith('.csv')) return 'csv';
  // A browser labels a .csv as it pleases (application/vnd.ms-excel on Windows, octet-stream):
  // text is read as CSV.
  if (!file.subarray(0, 4096).includes(0)) return 'csv';
  throw new UnsupportedMediaTypeError(`The file is not ${ACCEPTED}`, { accepted: IMPORT_BODY_TYPES });
}

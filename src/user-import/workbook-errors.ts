import { PayloadTooLargeError, ValidationFailedError } from '../common/errors/domain-error';

/** The upload is not a workbook this service can read: a 400, as any bad field. */
export function unreadableWorkbook(reason: string): ValidationFailedError {
  return new ValidationFailedError([
    { field: 'file', reason: `is not a readable .xlsx workbook (${reason})` },
  ]);
}

/** Reading the upload would pass one of WORKBOOK_LIMITS: a 413 whose message names it. */
export function overWorkbookLimit(what: string): PayloadTooLargeError {
  return new PayloadTooLargeError(`${what} (limit)`);
}

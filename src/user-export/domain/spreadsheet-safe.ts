/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"):
 * `=`, `+`, `-`, `@`, and tab and carriage return, which some programs skip before one.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A signed number alone (an E.164 number, -5): a spreadsheet reads it as a number, runs nothing. */
const SIGNED_NUMBER = /^[+-]\d+(\.\d+)?$/;

/**
 * A cell's text as a spreadsheet will show it and never run it: text that would start a
 * formula gets a leading apostrophe, which Excel, LibreOffice and Sheets read as "this is
 * text". A bare signed number (every mobile number, +12015550123) is left as it is, as is
 * everything else. Pure.
 */
export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) && !SIGNED_NUMBER.test(text) ? `'${text}` : text;
}

import type { SheetCell } from './import-sheet';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Reads a CSV file into rows of cells, as the .xlsx reader gives them: UTF-8 with or
 * without a byte-order mark, fields separated by commas or semicolons (what Excel writes
 * where the decimal mark is a comma), chosen by the header line; quoted fields may hold
 * separators, doubled quotes and line breaks (RFC 4180). Pure.
 */
export function parseCsv(text: string): SheetCell[][] {
  const reader = new CsvReader();
  return [...reader.push(text), ...reader.end()];
}

/**
 * parseCsv over a file that arrives in pieces: each piece gives the rows it completes,
 * so a file of 100,000 rows is never held whole. A row cut by a piece's end waits for
 * the next piece (only that row is read again).
 */
export class CsvReader {
  private pending = '';
  private started = false;
  private delimiter?: number;

  push(chunk: string): string[][] {
    let text = this.pending + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // The header line decides the separator: wait until it is all here.
    this.delimiter ??= delimiterOf(text, false);
    if (this.delimiter === undefined) {
      this.pending = text;
      return [];
    }
    const { rows, rest } = parseRows(text, this.delimiter, false);
    this.pending = rest;
    return rows;
  }

  /** The rows left when the file ends (its last line may have no line break). */
  end(): string[][] {
    const text = this.pending;
    this.pending = '';
    return parseRows(text, this.delimiter ?? delimiterOf(text, true)!, true).rows;
  }
}

/**
 * The rows of `text`. Unless `final`, a row the text ends inside is not read: it is the
 * rest, to be read again with what follows. Fields are sliced, not built a character at a
 * time: this runs over every byte of a 100,000-row file.
 */
function parseRows(text: string, delimiter: number, final: boolean): { rows: string[][]; rest: string } {
  const rows: string[][] = [];
  const length = text.length;
  const incomplete = () => ({ rows, rest: text.slice(rowStart) });
  let row: string[] = [];
  let rowStart = 0;
  let index = 0;
  while (index < length) {
    let value = '';
    if (text.charCodeAt(index) === QUOTE) {
      let from = index + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1 || (quote + 1 === length && !final)) {
          if (!final) return incomplete();
          // An unclosed quote runs to the end of the file.
          value += text.slice(from, quote === -1 ? length : quote);
          index = length;
          break;
        }
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += text.slice(from, quote + 1);
          from = quote + 2;
          continue;
        }
        value += text.slice(from, quote);
        index = quote + 1;
        break;
      }
    }
    // Unquoted text, or what follows a closing quote, up to the separator or line break.
    let end = index;
    let char = -1;
    while (end < length) {
      char = text.charCodeAt(end);
      if (char === delimiter || char === LF || char === CR) break;
      end += 1;
    }
    value += text.slice(index, end);
    if (end === length) {
      if (!final) return incomplete();
      // A last line with no text at all (a lone `""`, say) is no row.
      if (value !== '' || row.length > 0) rows.push([...row, value]);
      return { rows, rest: '' };
    }
    row.push(value);
    if (char === delimiter) {
      index = end + 1;
      continue;
    }
    if (char === CR) {
      if (end + 1 === length && !final) return incomplete();
      if (text.charCodeAt(end + 1) === LF) end += 1;
    }
    rows.push(row);
    row = [];
    index = end + 1;
    rowStart = index;
  }
  // The text ended right after a separator: the row's last field is empty.
  if (row.length > 0) {
    if (!final) return incomplete();
    row.push('');
    rows.push(row);
  }
  return { rows, rest: '' };
}

/**
 * The separator of the header line: the one of `,` and `;` it has more of outside quotes.
 * Undefined while the line has not ended (unless the text is the whole file).
 */
function delimiterOf(text: string, final: boolean): number | undefined {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) return choose(commas, semicolons);
    else if (!quoted && char === ',') commas += 1;
    else if (!quoted && char === ';') semicolons += 1;
  }
  return final ? choose(commas, semicolons) : undefined;
}

function choose(commas: number, semicolons: number): number {
  return semicolons > commas ? 0x3b : 0x2c;
}

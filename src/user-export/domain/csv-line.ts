/**
 * One CSV record (RFC 4180): a field with a comma, quote or line break is quoted, its
 * quotes doubled; lines end in CRLF, as Excel writes them.
 */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The process that reads an .xlsx sheet for sheet-reader.ts. Built, it runs as
 * dist/.../sheet-reader.child.mjs; under jest the app runs from src/ and Node runs this
 * file as is, by type stripping. So it imports packages and types only: Node resolves
 * no extension-less relative import here.
 *
 * Usage: the stored zip on stdin, the most rows and cells to send back as arguments.
 */
import { readSheet } from 'read-excel-file/node';
import type { SheetCell } from './import-sheet.js';
import type { SheetReply } from './sheet-reader.js';

const [maxRows, maxCells] = process.argv.slice(2).map(Number);
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);

let reply: SheetReply;
try {
  reply = withinLimits((await readSheet(Buffer.concat(chunks))) as SheetCell[][]);
} catch (error) {
  // The reader's own refusals (bad zip, bad XML): the file is at fault, not the service.
  reply = { unreadable: (error as Error).message };
}
process.send?.(reply, undefined, {}, () => process.disconnect());

/**
 * The rows go back over IPC and are copied into the service's event loop: cut empty
 * cells off row ends (nothing reads them), then send no more than the limits allow.
 */
function withinLimits(rows: SheetCell[][]): SheetReply {
  if (rows.length > maxRows) return { over: 'rows' };
  let cells = 0;
  const trimmed = rows.map((row) => {
    let end = row.length;
    while (end > 0 && (row[end - 1] === null || row[end - 1] === undefined)) end -= 1;
    cells += end;
    return end === row.length ? row : row.slice(0, end);
  });
  return cells > maxCells ? { over: 'cells' } : { rows: trimmed };
}

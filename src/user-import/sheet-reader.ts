import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { SheetCell } from './import-sheet';
import { overWorkbookLimit, unreadableWorkbook } from './workbook-errors';
import type { WorkbookLimits } from './workbook-limits';

/** The lowest CPU priority: the reader only runs when the service has nothing to do. */
const READER_NICENESS = 19;

/** What the reader process sends back: the rows, why it refused the file, or which limit they pass. */
export type SheetReply = { rows: SheetCell[][] } | { unreadable: string } | { over: 'rows' | 'cells' };

// Next to this module: the built .mjs in dist/, or the .mts source when jest runs src/.
const READER_FILE = join(__dirname, `sheet-reader.child.${__filename.endsWith('.ts') ? 'mts' : 'mjs'}`);

/** The last bytes of the reader's stderr are kept: they say why it died. */
const STDERR_TAIL = 4096;

/**
 * Reads the first sheet of `zip` in a child process with a heap limit and a time budget.
 * Parsing is synchronous, and what a sheet of a few hundred bytes asks of it has no
 * bound: a cell in column ZZZZZZZ makes the reader grow one row to billions of cells.
 * Not a worker thread: its resourceLimits are best effort, and that one growing array
 * aborts the whole process from inside a worker (Node reports a fatal OOM, not
 * ERR_WORKER_OUT_OF_MEMORY; nodejs/node#47224). A process dies alone. It gets no
 * environment: it has no use for the service's secrets.
 */
export function readSheetInChild(zip: Buffer, limits: WorkbookLimits): Promise<SheetCell[][]> {
  return new Promise((resolve, reject) => {
    const child = fork(READER_FILE, [String(limits.maxSheetRows), String(limits.maxSheetCells)], {
      execArgv: [`--max-old-space-size=${limits.maxHeapMb}`],
      serialization: 'advanced',
      stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
      env: {},
    });
    // The reader is batch work: it yields the CPU to the service (probes, requests) when
    // both want it, so a hostile sheet on a busy machine cannot stall them.
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, READER_NICENESS);
      } catch {
        // Not permitted here (some containers): the time and memory budgets still hold.
      }
    }
    let stderr = '';
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      outcome();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(overWorkbookLimit(`reading the workbook takes more than ${limits.timeBudgetMs / 1000} s`)),
        ),
      limits.timeBudgetMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)));
    // A reader that dies before it has read the file breaks the pipe: its exit says why.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(zip);
    child.once('message', (reply: SheetReply) => settle(() => answer(reply, limits, resolve, reject)));
    child.once('error', (error) => settle(() => reject(error)));
    // 'close', not 'exit': it comes after the last message and the last of stderr.
    child.once('close', (code, signal) =>
      settle(() =>
        reject(
          /heap out of memory/i.test(stderr)
            ? overWorkbookLimit(`reading the workbook needs more than ${limits.maxHeapMb} MiB of memory`)
            : new Error(`the sheet reader exited (${signal ?? code}): ${stderr.trim()}`),
        ),
      ),
    );
  });
}

function answer(
  reply: SheetReply,
  limits: WorkbookLimits,
  resolve: (rows: SheetCell[][]) => void,
  reject: (error: Error) => void,
): void {
  if ('rows' in reply) resolve(reply.rows);
  else if ('unreadable' in reply) reject(unreadableWorkbook(reply.unreadable));
  else if (reply.over === 'rows')
    reject(overWorkbookLimit(`the sheet has more than ${limits.maxSheetRows} rows`));
  else reject(overWorkbookLimit(`the sheet has more than ${limits.maxSheetCells} cells`));
}

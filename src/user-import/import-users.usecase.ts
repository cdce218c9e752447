import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fieldProblems } from '../common/validation.pipe';
import { normalizeMdn } from '../lines/domain/mdn';
import { RegisterUserDto } from '../lines/http/user.dto';
import { RegisterUsers, type NewUserOnNetworks } from '../lines/usecases/register-users.usecase';
import { headerOf, type ImportField } from './import-columns';
import { NO_USERS, readHeader, toRow, tooManyRows, type ImportRow, type SheetCell } from './import-sheet';

export interface CheckedRow extends ImportRow {
  errors: string[];
  /** The MDN in E.164, when it is a phone number: what duplicates are judged on. */
  mdn?: string;
}

/** What became of a file. */
export type ImportOutcome =
  /** The file itself is wrong (its columns, no users, too many): no row was judged. */
  | { kind: 'unreadable'; problems: string[] }
  /** Some rows are bad: none was imported. `errors` by row number, in the file's order. */
  | { kind: 'rejected'; rows: number; fields: ImportField[]; errors: Map<number, string[]> }
  /** Every row is good: all were imported, or only checked on a dry run. */
  | { kind: 'valid'; rows: number; imported: number };

export interface ImportOptions {
  /** The key each user is registered under (with its place in the file). */
  key: string;
  dryRun: boolean;
  maxRows: number;
  /** Rows read and checked so far, then rows registered (uncommitted until the end). */
  progress?: (progress: { rowsRead: number; rowsChecked: number; rowsDone: number }) => void;
}

/** Fields that identify one user: two rows, or a row and a stored user, may not share them. */
const UNIQUE_FIELDS = ['username', 'mdn', 'customerCode'] as const;

/**
 * Rows checked and registered together: their identifiers are looked up among stored
 * users in one query, and they are inserted in one statement per table. A batch's
 * statements carry about 1 MB of parameters per 500 rows, copied several times on their
 * way to the database: batches of 1,000 made a 100,000-row import peak at 290-296 MB of
 * resident memory against 265-277 MB, for 30-33 s against 32-40 s.
 */
const BATCH = 500;

/** How long the one transaction of a file may take (100,000 users take under a minute). */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

/**
 * Registers every user of an import file, or none: each row is checked as POST /v1/users
 * checks a body, against the other rows and against the users already stored; one bad
 * row rejects the file with every row's errors. Then all of them are registered in one
 * transaction, as provisioning starts for a single registration.
 *
 * The file is read twice, a batch of rows at a time: to check it, then to register it.
 * What stays in memory between the two is the identifiers seen (for repeats), each row's
 * number in E.164 and the errors, not the rows. The check runs outside the transaction
 * (it asks across organisations whether a number is taken, and the embedded database has
 * one connection: a lookup beside an open transaction would wait for it forever).
 */
@Injectable()
export class ImportUsers {
  constructor(private readonly users: RegisterUsers) {}

  /** `sheet` gives the file's rows from the start each time it is called. */
  async importSheet(sheet: () => AsyncIterable<SheetCell[]>, options: ImportOptions): Promise<ImportOutcome> {
    const checked = await this.check(sheet(), options);
    if (!('mdns' in checked)) return checked;
    if (options.dryRun) return { kind: 'valid', rows: checked.rows, imported: 0 };
    const { mdns } = checked;
    const rows = checked.rows;
    const done = await this.users.inBatches(
      options.key,
      async (register) => {
        let registered = 0;
        for await (const batch of userRows(sheet())) {
          if (!Array.isArray(batch)) continue;
          await register(batch.map((row, index) => toNewUser(row, mdns[registered + index])));
          registered += batch.length;
          options.progress?.({ rowsRead: rows, rowsChecked: rows, rowsDone: registered });
        }
        // The file changed between the readings (it cannot: a task's upload is kept as sent).
        return { commit: registered === rows, registered };
      },
      { timeoutMs: IMPORT_TIMEOUT_MS },
    );
    if (!done.commit) throw new Error(`the file gave ${done.registered} rows to register, ${rows} to check`);
    return { kind: 'valid', rows, imported: done.registered };
  }

  /** How many users an import under this key registered (0: none committed). */
  imported(key: string): Promise<number> {
    return this.users.imported(key);
  }

  /** The rows of a rejected file again, each with its errors: the errors file's content. */
  async *rowsWithErrors(
    sheet: AsyncIterable<SheetCell[]>,
    errors: Map<number, string[]>,
  ): AsyncGenerator<{ fields: ImportField[] } | CheckedRow> {
    for await (const batch of userRows(sheet)) {
      if ('fields' in batch) yield batch;
      else if (Array.isArray(batch))
        for (const row of batch) yield { ...row, errors: errors.get(row.rowNumber) ?? [] };
    }
  }

  /** Every row checked; the E.164 number of each when all are good. */
  private async check(
    sheet: AsyncIterable<SheetCell[]>,
    options: ImportOptions,
  ): Promise<Exclude<ImportOutcome, { kind: 'valid' }> | { rows: number; mdns: string[] }> {
    const firstRows = new FirstRows();
    const errors = new Map<number, string[]>();
    const mdns: string[] = [];
    let fields: ImportField[] = [];
    let rows = 0;
    for await (const batch of userRows(sheet)) {
      if ('problems' in batch) return { kind: 'unreadable', problems: batch.problems };
      if ('fields' in batch) {
        fields = batch.fields;
        continue;
      }
      rows += batch.length;
      // Past the limit, the rest are only counted: the file is refused, saying how many.
      if (rows > options.maxRows) continue;
      const checked = batch.map(checkRow);
      firstRows.markRepeats(checked);
      await this.markTaken(checked);
      for (const row of checked) {
        if (row.errors.length > 0) errors.set(row.rowNumber, row.errors);
        else if (errors.size === 0) mdns.push(row.mdn!);
      }
      options.progress?.({ rowsRead: rows, rowsChecked: rows, rowsDone: 0 });
    }
    if (rows === 0) return { kind: 'unreadable', problems: [NO_USERS] };
    if (rows > options.maxRows) return { kind: 'unreadable', problems: [tooManyRows(rows, options.maxRows)] };
    if (errors.size > 0) return { kind: 'rejected', rows, fields, errors };
    return { rows, mdns };
  }

  /**
   * Rows whose identifiers stored users have. The query reads committed users only, so
   * the file's own rows registered so far in its transaction are not "taken": a repeat
   * among rows is named as one (FirstRows).
   */
  private async markTaken(rows: CheckedRow[]): Promise<void> {
    const taken = await this.users.taken({
      usernames: identifiers(rows, 'username'),
      mdns: identifiers(rows, 'mdn'),
      customerCodes: identifiers(rows, 'customerCode'),
    });
    const takenBy = { username: taken.usernames, mdn: taken.mdns, customerCode: taken.customerCodes };
    for (const row of rows) {
      for (const field of UNIQUE_FIELDS) {
        const value = identifier(row, field);
        if (value !== undefined && takenBy[field].has(value))
          row.errors.push(`${headerOf(field)} is already taken`);
      }
    }
  }
}

/**
 * A sheet read: its header's columns (or what is wrong with them), then its user rows in
 * batches. Blank rows are skipped, and keep their numbers.
 */
async function* userRows(
  sheet: AsyncIterable<SheetCell[]>,
): AsyncGenerator<{ problems: string[] } | { fields: ImportField[] } | ImportRow[]> {
  const cells = sheet[Symbol.asyncIterator]();
  const first = await cells.next();
  const header = readHeader(first.done ? [] : first.value);
  if (!header.ok) {
    yield { problems: header.problems };
    return;
  }
  yield { fields: header.fields };
  let batch: ImportRow[] = [];
  // The header is row 1.
  for (let rowNumber = 2, next = await cells.next(); !next.done; rowNumber += 1, next = await cells.next()) {
    const row = toRow(next.value, rowNumber, header.columns);
    if (row) batch.push(row);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The row checked as a POST /v1/users body is, by the same rules (marked on the row). */
function checkRow(row: ImportRow): CheckedRow {
  const body = plainToInstance(RegisterUserDto, row.values);
  const errors = fieldProblems(validateSync(body)).map(
    (problem) => `${headerOf(problem.field as ImportField)} ${problem.reason}`,
  );
  const mdn = row.values.mdn === undefined ? undefined : normalizeMdn(row.values.mdn);
  return Object.assign(row, { errors, mdn: mdn?.ok ? mdn.e164 : undefined });
}

/** A unique field's value as compared: MDNs in E.164, usernames case-folded. */
function identifier(row: CheckedRow, field: (typeof UNIQUE_FIELDS)[number]): string | undefined {
  if (field === 'mdn') return row.mdn;
  return field === 'username' ? row.values.username?.toLowerCase() : row.values[field];
}

/** The first row of the file to hold each identifier, across batches. */
class FirstRows {
  private readonly byField = new Map(UNIQUE_FIELDS.map((field) => [field, new Map<string, number>()]));

  markRepeats(rows: CheckedRow[]): void {
    for (const [field, firstRow] of this.byField) {
      for (const row of rows) {
        const value = identifier(row, field);
        if (value === undefined) continue;
        const first = firstRow.get(value);
        if (first === undefined) firstRow.set(value, row.rowNumber);
        else row.errors.push(`${headerOf(field)} repeats row ${first}`);
      }
    }
  }
}

function identifiers(rows: CheckedRow[], field: (typeof UNIQUE_FIELDS)[number]): string[] {
  return rows.flatMap((row) => identifier(row, field) ?? []);
}

/** A row of a file that passed its check: every mandatory field is there; `mdn` is its number in E.164. */
function toNewUser(row: ImportRow, mdn: string): NewUserOnNetworks {
  const { network, ...user } = row.values as RegisterUserDto;
  return { ...user, mdn, networks: network ? [network] : [] };
}

import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fieldProblems } from '../common/validation.pipe';
import { normalizeMdn } from '../lines/domain/mdn';
import { RegisterUserDto } from '../lines/http/user.dto';
import { RegisterUsers, type NewUserOnNetworks } from '../lines/usecases/register-users.usecase';
import { headerOf, type ImportField } from './import-columns';
import type { ImportRow } from './import-sheet';

export interface CheckedRow extends ImportRow {
  errors: string[];
  /** The MDN in E.164, when it is a phone number: what duplicates are judged on. */
  mdn?: string;
}

/** Fields that identify one user: two rows, or a row and a stored user, may not share them. */
const UNIQUE_FIELDS = ['username', 'mdn', 'customerCode'] as const;

/** Rows whose identifiers are looked up among stored users at once. */
const TAKEN_BATCH = 5_000;

/** How long the one transaction of a file may take (100,000 users take some 30 s). */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

/**
 * Registers every user of an import file, or none: each row is checked as POST /v1/users
 * checks a body, against the other rows and against the users already stored; one bad
 * row rejects the file with every row's errors. Then all of them are registered in one
 * transaction, and provisioning starts as it does for a single registration.
 */
@Injectable()
export class ImportUsers {
  constructor(private readonly users: RegisterUsers) {}

  /** Every row with its errors (none: the file may be imported). */
  async check(rows: ImportRow[], onChecked?: (checked: number) => void): Promise<CheckedRow[]> {
    const checked = rows.map(checkRow);
    markDuplicates(checked);
    for (let start = 0; start < checked.length; start += TAKEN_BATCH) {
      await this.markTaken(checked.slice(start, start + TAKEN_BATCH));
      onChecked?.(Math.min(checked.length, start + TAKEN_BATCH));
    }
    return checked;
  }

  /** How many users an import under this key registered (0: none committed). */
  imported(key: string): Promise<number> {
    return this.users.imported(key);
  }

  /** Registers the checked rows, all or none, under `key` (each user keeps its place in the file). */
  execute(rows: CheckedRow[], key: string, onBatch?: (done: number) => void): Promise<number> {
    return this.users.execute(rows.map(toNewUser), key, { timeoutMs: IMPORT_TIMEOUT_MS, onBatch });
  }

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

/** The row checked as a POST /v1/users body is, by the same rules (marked on the row). */
function checkRow(row: ImportRow): CheckedRow {
  const body = plainToInstance(RegisterUserDto, row.values);
  const errors = fieldProblems(validateSync(body)).map(
    (problem) => `${headerOf(problem.field as ImportField)} ${problem.reason}`,
  );
  const mdn = row.values.mdn === undefined ? undefined : normalizeMdn(row.values.mdn);
  // The row itself becomes the checked row: a file of 100,000 is not held twice.
  return Object.assign(row, { errors, mdn: mdn?.ok ? mdn.e164 : undefined });
}

/** A unique field's value as compared: MDNs in E.164, usernames case-folded. */
function identifier(row: CheckedRow, field: (typeof UNIQUE_FIELDS)[number]): string | undefined {
  if (field === 'mdn') return row.mdn;
  return field === 'username' ? row.values.username?.toLowerCase() : row.values[field];
}

function markDuplicates(rows: CheckedRow[]): void {
  for (const field of UNIQUE_FIELDS) {
    const firstRow = new Map<string, number>();
    for (const row of rows) {
      const value = identifier(row, field);
      if (value === undefined) continue;
      const first = firstRow.get(value);
      if (first === undefined) firstRow.set(value, row.rowNumber);
      else row.errors.push(`${headerOf(field)} repeats row ${first}`);
    }
  }
}

function identifiers(rows: CheckedRow[], field: (typeof UNIQUE_FIELDS)[number]): string[] {
  return rows.flatMap((row) => identifier(row, field) ?? []);
}

/** A checked row: every mandatory field is there and the MDN is E.164. */
function toNewUser(row: CheckedRow): NewUserOnNetworks {
  const { network, ...user } = row.values as RegisterUserDto;
  return { ...user, mdn: row.mdn!, networks: network ? [network] : [] };
}

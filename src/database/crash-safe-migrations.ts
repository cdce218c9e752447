import { createHash } from 'node:crypto';
import { DriverAdapterError, type SqlDriverAdapter } from '@prisma/driver-adapter-utils';

/**
 * Migrations a kill cannot leave half-done.
 *
 * The schema engine records a migration as started (a `_prisma_migrations` row), runs its
 * script, then records it finished, each step on its own; the driver adapter even runs
 * the script statement by statement. A process killed in between leaves a started row
 * and part of the schema, and every later run refuses with P3009.
 *
 * Here a script and its "finished" mark run in one transaction: a kill, or a failing
 * statement, rolls back both. So a started row with no finish and no error logs is a
 * migration that was interrupted and left no trace; the next run, holding the migration
 * lock, marks it rolled back and the engine applies it again. A migration that failed on
 * its own SQL keeps its logs and still stops the next run (P3009) for a person to read;
 * nothing of it was applied, so `prisma migrate resolve --rolled-back` is always right.
 *
 * The cost: a migration cannot use what PostgreSQL refuses inside a transaction block
 * (CREATE INDEX CONCURRENTLY, VACUUM, ...).
 */

/** The least a connection must do here: a script of several statements, and one query. */
export interface SqlSession {
  exec(script: string): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
export type InTransaction = (work: (session: SqlSession) => Promise<void>) => Promise<void>;

/** Prisma's checksum of a migration: the SHA-256 of its script, in hex. */
const checksumOf = (script: string) => createHash('sha256').update(script).digest('hex');

/** Ties the engine's "finished" to the script's own transaction. */
const MARK_FINISHED = `
  UPDATE "_prisma_migrations" SET finished_at = now()
  WHERE checksum = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`;

/** The adapter, but each migration script runs in one transaction with its finished mark. */
export function withTransactionalScripts(adapter: SqlDriverAdapter, inTransaction: InTransaction) {
  adapter.executeScript = async (script: string) => {
    try {
      await inTransaction(async (session) => {
        await session.exec(script);
        await session.query(MARK_FINISHED, [checksumOf(script)]);
      });
    } catch (error) {
      throw asDriverAdapterError(error);
    }
  };
  return adapter;
}

/**
 * Marks migrations interrupted by a kill as rolled back, so the engine applies them
 * again; returns their names. Call it holding the migration lock: a migration another
 * process is applying right now looks the same.
 */
export async function rollBackInterrupted(session: SqlSession): Promise<string[]> {
  const { rows: table } = await session.query(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS found`,
  );
  if (!(table[0] as { found: boolean }).found) return [];
  const { rows } = await session.query(`
    UPDATE "_prisma_migrations" SET rolled_back_at = now()
    WHERE finished_at IS NULL AND rolled_back_at IS NULL AND logs IS NULL
    RETURNING migration_name`);
  return (rows as { migration_name: string }[]).map((row) => row.migration_name);
}

/** The engine reads a PostgreSQL error's fields from the adapter's own error type. */
function asDriverAdapterError(error: unknown): unknown {
  if (error instanceof DriverAdapterError || !(error instanceof Error)) return error;
  const fields = error as Error & {
    code?: string;
    severity?: string;
    detail?: string;
    column?: string;
    hint?: string;
  };
  return new DriverAdapterError({
    kind: 'postgres',
    code: fields.code ?? 'XX000',
    severity: fields.severity ?? 'ERROR',
    message: error.message,
    detail: fields.detail,
    column: fields.column,
    hint: fields.hint,
  });
}
